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
