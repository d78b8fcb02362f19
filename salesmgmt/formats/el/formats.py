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
