"""Deal figures every surface shares: the open pipeline by stage, and which pipeline a key names.

**Pipeline by stage** (``pipeline_by_stage``): for a QuerySet of deals, per stage
(in pipeline and stage order) how many deals, their amount and their *weighted*
amount, and the same three totals over the open stages. The pipeline board, the rep
dashboard (page and CSV) and the company monthly report all read it, so a weighted
figure is the same to the cent wherever it is shown:

- a deal's *win probability* is its own ``probability``, or its stage's when it has
  none; its weighted amount is amount x win probability / 100;
- the database sums the weighted amounts at full precision (never rounding a deal);
  each stage's sum, and the open total (the sum of those unrounded sums), is rounded
  once, to the cent, by ``salesmgmt.money.money``. So the open total can differ by a
  cent from the sum of the rounded stage figures shown beside it.

The forecast (reporting.funnel) sums the same ``weighted_amount()`` expression and
rounds with the same rule.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce

from activities.models import Deal, Pipeline, StageKind
from salesmgmt.i18n import translated_name
from salesmgmt.money import MONEY, ZERO, money


def api_deals(user):
    """Deals as the API shows them (and webhook payloads), in ``user``'s scope."""
    return (
        Deal.objects.visible_to(user)
        .select_related("customer", "pipeline", "stage", "lost_reason")
        .prefetch_related("products")
    )


# --- Shared SQL expressions -------------------------------------------------------------------

WIN_PROBABILITY = Coalesce(F("probability"), F("stage__probability"))


def weighted_amount():
    """amount x win probability / 100, per deal row, in SQL (not rounded: sum it).

    Multiplied by 0.01 rather than divided by 100: SQLite stores whole amounts as
    integers and casts the literal 100.00 to the integer 100, so a division would
    drop the cents (an integer division); 0.01 stays a real number there.
    """
    return ExpressionWrapper(
        F("amount") * WIN_PROBABILITY * Value(Decimal("0.01")), output_field=MONEY
    )


# --- Pipeline by stage ------------------------------------------------------------------------


@dataclass(frozen=True)
class StageLine:
    """The deals of one stage: how many, their amount and their weighted amount."""

    stage_id: int
    stage: str
    kind: str
    pipeline: str
    count: int
    amount: Decimal
    weighted: Decimal

    @property
    def is_open(self) -> bool:
        return self.kind == StageKind.OPEN


@dataclass(frozen=True)
class PipelineByStage:
    """Lines per stage, and count, amount and weighted amount over the open ones."""

    lines: list[StageLine]
    count: int
    amount: Decimal
    weighted: Decimal

    def __iter__(self):
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def by_stage(self) -> dict[int, StageLine]:
        return {line.stage_id: line for line in self.lines}


def pipeline_by_stage(deals) -> PipelineByStage:
    """``deals`` grouped by stage, in pipeline and stage order: one grouped query.

    Pass ``deals.open()`` for the open pipeline; the board also passes the deals it
    shows in its Won and Lost columns, which get lines of their own but stay out of
    the totals (those cover open stages only). See the module docstring for the rules.
    """
    rows = list(
        deals.order_by()
        .values(
            "stage",
            "stage__name",
            "stage__kind",
            "stage__position",
            "pipeline__name",
            "pipeline__position",
        )
        .annotate(n=Count("pk"), total=Sum("amount"), weighted=Sum(weighted_amount()))
        .order_by("pipeline__position", "pipeline__name", "stage__position")
    )
    open_rows = [r for r in rows if r["stage__kind"] == StageKind.OPEN]
    return PipelineByStage(
        lines=[
            StageLine(
                stage_id=r["stage"],
                # Seeded names in the reader's language (the stored ones stay English).
                stage=translated_name(r["stage__name"]),
                kind=r["stage__kind"],
                pipeline=translated_name(r["pipeline__name"]),
                count=r["n"],
                amount=money(r["total"]),
                weighted=money(r["weighted"]),
            )
            for r in rows
        ],
        count=sum(r["n"] for r in open_rows),
        amount=money(sum((r["total"] or ZERO for r in open_rows), ZERO)),
        weighted=money(sum((r["weighted"] or ZERO for r in open_rows), ZERO)),
    )


# --- Which pipeline ---------------------------------------------------------------------------


class UnknownPipeline(LookupError):
    """A pipeline key that names no active pipeline."""


def pipeline_from_key(
    key: str | None, pipelines: list[Pipeline] | None = None, *, default_first: bool = True
) -> Pipeline | None:
    """The active pipeline whose key is ``key``.

    ``pipelines``: the active pipelines in their order, when the caller has them already
    (read otherwise: one query). Without a key: the first active pipeline (None when
    there is none, or when ``default_first`` is off). A key that names no active
    pipeline raises ``UnknownPipeline``: a page answers 404, the API 400.
    """
    if pipelines is None:
        pipelines = list(Pipeline.objects.active())
    if not key:
        return pipelines[0] if default_first and pipelines else None
    pipeline = next((p for p in pipelines if p.key == key), None)
    if pipeline is None:
        raise UnknownPipeline(key)
    return pipeline
