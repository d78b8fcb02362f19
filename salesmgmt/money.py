"""Funnel and forecast: how deals move through the transition milestones.

Every figure is computed by the database, one grouped query per figure family,
for a *scope* (a QuerySet of deal owners, always built from
``User.objects.visible_to``) and a *period* of business dates [start, end],
both ends included, in the company's timezone.

Definitions (the tests pin each one on a hand-built history):

- **Entered** a stage in the period: the deal has a ``StageTransition`` into
  that stage whose ``at`` falls in the period. A deal counts once per stage,
  however often it re-entered.
- **Conversion** of an open stage *i*: of the deals that entered *i* in the
  period, the share that at any later moment (up to now, after that entry)
  had a transition into a stage placed after *i* that is not a Lost stage:
  "reached stage i+1 or beyond", skipped stages included. Won has no
  conversion; Lost is not part of the funnel.
- **Hit rate**: won / (won + lost) among deals closed (``closed_on``) in the
  period.
- **Average days in a stage**: a stay in a stage starts with the transition
  into it and ends with the deal's next transition (next by ``at``, then id).
  Stays in open stages that *ended* in the period are averaged; a stay still
  going on is not measured yet.
- **Average deal size**: mean amount of deals won in the period.
- **Cycle length**: mean days from a won deal's creation (its date in the
  company timezone) to its ``closed_on``, over deals won in the period.
- **Forecast** for a period (this month, this quarter): among open deals
  whose ``expected_close`` falls in it, *weighted* = Sum(amount x win
  probability), *best case* = Sum(amount) of them all, *commit* = Sum(amount)
  of those whose win probability is at least
  ``CompanySettings.commit_probability``; *won to date* = Sum(amount) of deals
  won from the period's first day up to today. A deal's win probability is its
  own ``probability``, or its stage's when it has none.
"""

from decimal import Decimal

from django.db.models import (
    DecimalField,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=18, decimal_places=2)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))
