# Indonesian (Bahasa Indonesia): day before month, "Sab, 5 Des", 24-hour times written
# with a dot (14.30), "." for thousands and "," for decimals (Django's id module).
DATE_MEDIUM = "j M Y"
DAY_MONTH = "j M"
WEEKDAY_DAY_MONTH = "D, j M"
WEEKDAY_DATE = "D, j M Y"
LONG_DATE = "j F Y"
LONG_WEEKDAY_DATE = "l, j F Y"
LONG_WEEKDAY_DAY_MONTH = "l, j F"
MONTH_YEAR = "F Y"
SHORT_MONTH_YEAR = "M Y"
TIME_SHORT = "H.i"
WEEKDAY_TIME = "D H.i"
DAY_MONTH_TIME = "j M, H.i"
WEEKDAY_DATETIME = "D, j M, H.i"
DATETIME_MEDIUM = "j M Y, H.i"
WEEKDAY_DATETIME_YEAR = "D, j M Y, H.i"
# "Rp 1.250.000", "US$ 1.250,00".
MONEY_PATTERN = "{symbol} {amount}"

# Inputs: ISO first. Django writes a form's initial value in the first input format, and
# <input type="date"> / "time" / "datetime-local" only take ISO (2026-12-05, 14:30); the
# local forms after it are still accepted when typed.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d-%m-%y",
    "%d/%m/%y",
    "%d %b %Y",
    "%d %B %Y",
    "%m/%d/%y",
    "%m/%d/%Y",
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",
    "%H:%M",
    "%H.%M.%S",
    "%H.%M",
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H.%M.%S",
    "%d-%m-%Y %H.%M.%S.%f",
    "%d-%m-%Y %H.%M",
    "%d-%m-%y %H.%M.%S",
    "%d-%m-%y %H.%M.%S.%f",
    "%d-%m-%y %H.%M",
    "%m/%d/%y %H.%M.%S",
    "%m/%d/%y %H.%M.%S.%f",
    "%m/%d/%y %H.%M",
    "%m/%d/%Y %H.%M.%S",
    "%m/%d/%Y %H.%M.%S.%f",
    "%m/%d/%Y %H.%M",
]
