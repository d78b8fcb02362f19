# Filipino: Django ships no module, so this one is whole. Month before day as in the
# Philippines ("Dis 5, 2026"), 12-hour times ("2:30 PM"), "," for thousands and "."
# for decimals, Sunday first. Day and month names come from our catalogue (Django's
# date strings are listed in salesmgmt/django_strings.py for that).
DATE_FORMAT = "F j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "F j, Y, g:i A"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
FIRST_DAY_OF_WEEK = 0
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-12-05'
    "%m/%d/%Y",  # '12/05/2026'
    "%m/%d/%y",  # '12/05/26'
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '14:30:59'
    "%H:%M",  # '14:30'
    "%I:%M %p",  # '2:30 PM'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

DATE_MEDIUM = "M j, Y"
DAY_MONTH = "M j"
WEEKDAY_DAY_MONTH = "D, M j"
WEEKDAY_DATE = "D, M j, Y"
LONG_DATE = "F j, Y"
LONG_WEEKDAY_DATE = "l, F j, Y"
LONG_WEEKDAY_DAY_MONTH = "l, F j"
MONTH_YEAR = "F Y"
SHORT_MONTH_YEAR = "M Y"
TIME_SHORT = "g:i A"
WEEKDAY_TIME = "D g:i A"
DAY_MONTH_TIME = "M j, g:i A"
WEEKDAY_DATETIME = "D, M j, g:i A"
DATETIME_MEDIUM = "M j, Y, g:i A"
WEEKDAY_DATETIME_YEAR = "D, M j, Y, g:i A"
# "₱1,250.00".
MONEY_PATTERN = "{symbol}{amount}"
