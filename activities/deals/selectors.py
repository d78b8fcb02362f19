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
    Count,
    ExpressionWrapper,
    F,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from salesmgmt.money import MONEY, money

# --- Shared SQL expressions -------------------------------------------------------------------

WIN_PROBABILITY = Coalesce(F("probability"), F("stage__probability"))


def weighted_amount():
    """amount x win probability / 100, per deal row, in SQL.

    Multiplied by 0.01 rather than divided by 100: SQLite stores whole amounts as
    integers and casts the literal 100.00 to the integer 100, so a division would
    drop the cents (an integer division); 0.01 stays a real number there.
    """
    return ExpressionWrapper(
        F("amount") * WIN_PROBABILITY * Value(Decimal("0.01")), output_field=MONEY
    )


# --- Pipeline board totals --------------------------------------------------------------------


def stage_totals(deals) -> dict[int, dict]:
    """{stage_id: {"count", "amount", "weighted"}} over ``deals``, in one grouped query."""
    rows = (
        deals.order_by()
        .values("stage")
        .annotate(
            deals=Count("pk"), total_amount=Sum("amount"), total_weighted=Sum(weighted_amount())
        )
    )
    return {
        r["stage"]: {
            "count": r["deals"],
            "amount": money(r["total_amount"]),
            "weighted": money(r["total_weighted"]),
        }
        for r in rows
    }
