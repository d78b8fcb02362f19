"""The seeded KPI names (reporting/migrations/0002_seed_kpis.py), listed for makemessages.

They stay stored in English; ``Kpi.label`` shows them in the reader's language. A KPI an
admin adds or renames reads as typed. Nothing imports this module; makemessages reads it.
"""

from django.utils.translation import gettext_noop

KPI_NAMES = [
    gettext_noop("Calls per rep per week"),
    gettext_noop("Appointments held / set"),
    gettext_noop("Hit rate (sales / appointments held)"),
    gettext_noop("Proposal conversion"),
    gettext_noop("Average deal size"),
    gettext_noop("Weekly plans submitted"),
    gettext_noop("Plan attainment"),
    gettext_noop("Tasks done on time"),
]
