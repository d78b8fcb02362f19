# Greek: day before month, the genitive month name after a day ("5 Δεκεμβρίου 2026",
# format character E), 24-hour times, "." for thousands and "," for decimals.
DATE_MEDIUM = "j M Y"
DAY_MONTH = "j M"
WEEKDAY_DAY_MONTH = "D j M"
WEEKDAY_DATE = "D j M Y"
LONG_DATE = "j E Y"
LONG_WEEKDAY_DATE = "l j E Y"
LONG_WEEKDAY_DAY_MONTH = "l j E"
MONTH_YEAR = "F Y"
SHORT_MONTH_YEAR = "M Y"
TIME_SHORT = "H:i"
WEEKDAY_TIME = "D H:i"
DAY_MONTH_TIME = "j M, H:i"
WEEKDAY_DATETIME = "D j M, H:i"
DATETIME_MEDIUM = "j M Y, H:i"
WEEKDAY_DATETIME_YEAR = "D j M Y, H:i"
# The currency after the amount: "1.250,00 €".
MONEY_PATTERN = "{amount} {symbol}"

# Inputs: ISO first. Django writes a form's initial value in the first input format, and
# <input type="date"> / "time" / "datetime-local" only take ISO (2026-12-05, 14:30); the
# local forms after it are still accepted when typed.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",
    "%H:%M",
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M:%S.%f",
    "%d/%m/%y %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
]
