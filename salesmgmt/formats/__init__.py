"""Format modules per language (settings.FORMAT_MODULE_PATH).

Each language's module names the formats pages use, so a template writes
``{{ day|date:"DATE_MEDIUM" }}`` and gets "5 Dec 2026" in English, "5 Des 2026" in
Indonesian, "Dis 5, 2026" in Filipino and "5 Δεκ 2026" in Greek. Every module defines
every name (a name missing from one would print as a literal pattern):

==========================  ==========================  =============================
name                        English                     use
==========================  ==========================  =============================
DATE_MEDIUM                 5 Dec 2026                  a day
DAY_MONTH                   5 Dec                       a day this year
WEEKDAY_DAY_MONTH           Sat 5 Dec                   a day in a week view
WEEKDAY_DATE                Sat 5 Dec 2026
LONG_DATE                   5 December 2026
LONG_WEEKDAY_DATE           Saturday 5 December 2026
LONG_WEEKDAY_DAY_MONTH      Saturday 5 December
MONTH_YEAR                  December 2026               a month (reviews, goals)
SHORT_MONTH_YEAR            Dec 2026
TIME_SHORT                  14:30
WEEKDAY_TIME                Sat 14:30
DAY_MONTH_TIME              5 Dec, 14:30
WEEKDAY_DATETIME            Sat 5 Dec, 14:30
DATETIME_MEDIUM             5 Dec 2026, 14:30
WEEKDAY_DATETIME_YEAR       Sat 5 Dec 2026, 14:30
MONEY_PATTERN               USD 1,250.00                {symbol}/{code} and {amount}
==========================  ==========================  =============================
"""
