"""Writes to deals and to the pipelines' stages, with their rules.

A deal belongs to a rep the writer may act for, sits in a stage of its own pipeline,
names a reason when lost, and records every move as a StageTransition; a won deal
counts as a sale in the activity log (kept in step by ``_sync_deal_outcome``).
Integrations upsert deals in batches by their external id (``upsert_deals``)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.deals.selectors import api_deals
from activities.log.services import BatchRejected, record_change
from activities.models import (
    SALES_CLOSED,
    SALES_VALUE,
    Activity,
    ActivityChange,
    ActivitySource,
    Deal,
    Metric,
    Pipeline,
    Stage,
    StageKind,
    StageTransition,
)
from salesmgmt.audit.history import bulk_create_with_audit
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit, emit_many
from salesmgmt.models import CompanySettings, User, WebhookEventType
from salesmgmt.org.services import check_owner, reps_writable_by
from salesmgmt.versioning import bump, check_version, lock_row

# --- Stages -----------------------------------------------------------------------------------

STAGE_FIELDS = ("pipeline", "key", "name", "position", "probability", "kind")


def check_stage_change(*, stage: Stage, pipeline: Pipeline | None = None, kind=None) -> None:
    """A stage stays in its pipeline, and keeps its kind while deals sit in it: a
    deal's close date and its counted sale come from the kind of stage it moved into."""
    if pipeline is not None and pipeline.pk != stage.pipeline_id:
        raise RuleViolation(
            {"pipeline": _("A stage cannot move to another pipeline; its deals stay.")}
        )
    if kind is not None and kind != stage.kind:
        count = stage.deals.count()
        if count:
            raise RuleViolation(
                {
                    "kind": ngettext(
                        "%(count)d deal sits in %(stage)s; move it to another stage "
                        "before changing its kind.",
                        "%(count)d deals sit in %(stage)s; move them to another stage "
                        "before changing its kind.",
                        count,
                    )
                    % {"count": count, "stage": stage}
                }
            )


@transaction.atomic
def update_stage(*, stage: Stage, **fields) -> Stage:
    # Locked, so two edits of one stage are checked one after the other.
    stage = lock_row(Stage, stage.pk)
    if set(fields) - set(STAGE_FIELDS):
        raise ValueError(f"unknown stage fields: {set(fields) - set(STAGE_FIELDS)}")
    check_stage_change(stage=stage, pipeline=fields.get("pipeline"), kind=fields.get("kind"))
    for name, value in fields.items():
        setattr(stage, name, value)
    stage.save()
    return stage


# --- Deals ------------------------------------------------------------------------------------

# The event a deal entering a stage of this kind sends besides its own (created, moved).
CLOSING_EVENTS = {
    StageKind.WON: WebhookEventType.DEAL_WON,
    StageKind.LOST: WebhookEventType.DEAL_LOST,
}


def _emit(event_type: WebhookEventType, deal: Deal) -> None:
    emit(event_type, deal, load=lambda: api_deals(SYSTEM).get(pk=deal.pk))


def _emit_many(event_type: WebhookEventType, deals: list[Deal]) -> None:
    def reread(deals):
        by_pk = api_deals(SYSTEM).in_bulk([d.pk for d in deals])
        return [by_pk[d.pk] for d in deals]

    emit_many(event_type, deals, load_many=reread)


def deal_outcome_metrics() -> dict[str, Metric]:
    return {m.key: m for m in Metric.objects.filter(key__in=[SALES_CLOSED, SALES_VALUE])}


def _deal_outcome_rows(deal: Deal, *, metrics: dict[str, Metric] | None = None) -> list[Activity]:
    """A won deal counts as one sale and its amount, for its owner, on its close date:
    its credited sale (``ActivityQuerySet.credited_sales``)."""
    metrics = deal_outcome_metrics() if metrics is None else metrics
    product = deal.products.first()
    rows = []
    for key, quantity in ((SALES_CLOSED, Decimal("1")), (SALES_VALUE, deal.amount)):
        if key in metrics:
            rows.append(
                Activity(
                    rep_id=deal.owner_id,
                    day=deal.closed_on,
                    metric=metrics[key],
                    quantity=quantity,
                    product=product,
                    customer_id=deal.customer_id,
                    deal=deal,
                    source=ActivitySource.DEAL,
                    external_id=f"deal-{deal.pk}-{key}",
                    created_by_id=deal.owner_id,
                    note=deal.title[:200],
                )
            )
    return rows


def _sync_deal_outcome(deal: Deal, by: User) -> None:
    """Keep the deal's 'won' activity rows equal to what the deal says now.

    The rule against double counting: a won deal writes its own rows (source
    "deal", one per metric, keyed by the deal) and nothing else does; reps log
    by hand only the sales that never went through the pipeline.
    """
    stale = Activity.objects.filter(deal=deal, source=ActivitySource.DEAL)
    changes = [record_change(a, ActivityChange.Action.DELETED, by, old=a.snapshot()) for a in stale]
    stale.delete()
    if deal.stage.kind == StageKind.WON:
        _ensure_closed_on(deal)
        created = Activity.objects.bulk_create(_deal_outcome_rows(deal))
        changes += [
            record_change(a, ActivityChange.Action.CREATED, by, new=a.snapshot()) for a in created
        ]
    ActivityChange.objects.bulk_create(changes)


def _ensure_closed_on(deal: Deal) -> None:
    """A closed deal has a close date. One without (a stage whose kind changed under it,
    before that was refused) closes today, as a move into the stage would have."""
    if deal.closed_on is None and not deal.stage.is_open:
        deal.closed_on = CompanySettings.load().today()
        deal.save(update_fields=["closed_on"])


def _check_stage(stage: Stage, pipeline: Pipeline, lost_reason, note: str) -> None:
    if stage.pipeline_id != pipeline.pk:
        raise RuleViolation(
            {
                "stage": _("%(stage)s is not a stage of %(pipeline)s.")
                % {"stage": stage, "pipeline": pipeline}
            }
        )
    if stage.kind == StageKind.LOST and lost_reason is None:
        raise RuleViolation({"lost_reason": _("Say why the deal was lost.")})


DEAL_FIELDS = (
    "title",
    "customer",
    "owner",
    "pipeline",
    "amount",
    "expected_close",
    "probability",
    "next_step",
    "next_step_date",
    "source",
    "external_id",
)


@transaction.atomic
def create_deal(*, by: User, stage: Stage | None = None, products=(), **fields) -> Deal:
    deal = Deal(**{k: v for k, v in fields.items() if k in DEAL_FIELDS})
    if set(fields) - set(DEAL_FIELDS) - {"lost_reason", "lost_note"}:
        raise ValueError(f"unknown deal fields: {set(fields) - set(DEAL_FIELDS)}")
    check_owner(deal.owner, by)
    if (
        deal.customer.owner_id != deal.owner_id
        and not reps_writable_by(by).filter(pk=deal.customer.owner_id).exists()
    ):
        raise PermissionDenied(_("That customer is outside your scope."))
    stage = _entered(stage or deal.pipeline.stages.order_by("position").first())
    _check_stage(stage, deal.pipeline, fields.get("lost_reason"), fields.get("lost_note", ""))
    now = timezone.now()
    deal.stage, deal.stage_entered_at = stage, now
    deal.lost_reason, deal.lost_note = fields.get("lost_reason"), fields.get("lost_note", "")
    if not stage.is_open:
        deal.closed_on = CompanySettings.load().today()
    deal.save()
    deal.products.set(products)
    StageTransition.objects.create(deal=deal, from_stage=None, to_stage=stage, at=now, by=by)
    _sync_deal_outcome(deal, by)
    _emit(WebhookEventType.DEAL_CREATED, deal)
    if stage.kind in CLOSING_EVENTS:  # created won or lost: it closed too
        _emit(CLOSING_EVENTS[stage.kind], deal)
    return deal


def _entered(stage: Stage) -> Stage:
    """The stage a deal moves into, read as it stands and held until the move commits:
    update_stage (which locks the stage for update) then waits for the move and counts
    the deal, or the move waits and sees the stage's new kind. Moves into one stage
    take turns; each is short."""
    return Stage.objects.select_for_update(no_key=True).get(pk=stage.pk)


@transaction.atomic
def update_deal(
    *, deal: Deal, by: User, products=None, version: int | None = None, **fields
) -> Deal:
    """Change a deal's details (not its stage: see move_deal)."""
    deal = lock_row(Deal, deal.pk)
    check_version(deal, version)
    bump(deal)
    for name, value in fields.items():
        if name not in DEAL_FIELDS or name in ("pipeline",):
            raise ValueError(f"{name} cannot be changed here")
        setattr(deal, name, value)
    check_owner(deal.owner, by)
    deal.save()
    if products is not None:
        deal.products.set(products)
    if deal.stage.kind == StageKind.WON:
        _sync_deal_outcome(deal, by)  # amount, owner or product may have changed
    return deal


@transaction.atomic
def move_deal(
    *,
    deal: Deal,
    to_stage: Stage,
    by: User,
    lost_reason=None,
    note: str = "",
    version: int | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline, recording the transition.

    Lost needs a reason. Winning counts the sale for the owner on today's date;
    moving a won deal back takes that count away again. The rules are checked on
    the locked row, so a move that raced another sees the stage that won.
    """
    deal = lock_row(Deal, deal.pk)
    check_version(deal, version)
    check_owner(deal.owner, by)
    to_stage = _entered(to_stage)
    _check_stage(to_stage, deal.pipeline, lost_reason, note)
    if to_stage.pk == deal.stage_id:
        return deal
    now = timezone.now()
    StageTransition.objects.create(
        deal=deal, from_stage=deal.stage, to_stage=to_stage, at=now, by=by, note=note
    )
    deal.stage, deal.stage_entered_at = to_stage, now
    bump(deal)
    deal.closed_on = None if to_stage.is_open else CompanySettings.load().today()
    if to_stage.kind == StageKind.LOST:
        deal.lost_reason, deal.lost_note = lost_reason, note
    else:
        deal.lost_reason, deal.lost_note = None, ""
    deal.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "closed_on",
            "lost_reason",
            "lost_note",
            "version",
            "updated_at",
        ]
    )
    _sync_deal_outcome(deal, by)
    _emit(WebhookEventType.DEAL_STAGE_CHANGED, deal)
    if to_stage.kind in CLOSING_EVENTS:
        _emit(CLOSING_EVENTS[to_stage.kind], deal)
    return deal


# --- Deal upsert from integrations -----------------------------------------------------------


DETAIL_FIELDS = (
    "title",
    "customer",
    "owner",
    "amount",
    "expected_close",
    "probability",
    "next_step",
    "next_step_date",
)
REFERENCES = ("customer", "owner")


@transaction.atomic
def upsert_deals(*, entries: list[dict], by: User) -> dict[str, int]:
    """Create, update and move deals keyed by (source, external_id), all or nothing.

    New deals are written in bulk, with create_deal's checks, first transition
    and (when won from the start) counted sale. Stored deals that changed go
    through ``update_deal`` and ``move_deal``, so every stage change is
    recorded exactly as on the page.
    """
    errors: dict[int, dict] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        key = (entry["source"], entry["external_id"])
        if key in seen:
            errors[index] = {
                "external_id": [_("Repeats the external_id of row %(row)s.") % {"row": seen[key]}]
            }
        seen.setdefault(key, index)
    existing = _stored_deals(seen)
    writable = set(reps_writable_by(by).values_list("pk", flat=True))
    fresh, stored = [], []
    for index, entry in enumerate(entries):
        if index in errors:
            continue
        deal = existing.get((entry["source"], entry["external_id"]))
        if deal is None:
            error = _refusal_of_new(entry, writable)
            fresh.append(entry)
        else:
            error = _refusal_of_change(entry, deal, writable)
            stored.append((index, entry, deal))
        if error:
            errors[index] = error
    if errors:
        raise BatchRejected(errors)

    counts = {"created": _create_deals(fresh, by), "updated": 0, "unchanged": 0}
    for index, entry, deal in stored:
        try:
            changed = _apply_changes(entry, deal, by)
        except RuleViolation as exc:
            errors[index] = _field_errors(exc)
        except PermissionDenied as exc:
            errors[index] = {"owner": [str(exc)]}
        else:
            counts["updated" if changed else "unchanged"] += 1
    if errors:
        raise BatchRejected(errors)
    return counts


def _stage_refusal(entry, pipeline) -> dict | None:
    try:
        _check_stage(entry["stage"], pipeline, entry["lost_reason"], entry["lost_note"])
    except RuleViolation as exc:
        return _field_errors(exc)
    return None


def _refusal_of_new(entry, writable) -> dict | None:
    """create_deal's checks, made without a query per row."""
    if entry["owner"].pk not in writable:
        return {"owner": [_("You may not act for this rep.")]}
    customer = entry["customer"]
    if customer.owner_id != entry["owner"].pk and customer.owner_id not in writable:
        return {"customer": [_("That customer is outside your scope.")]}
    return _stage_refusal(entry, entry["pipeline"])


def _refusal_of_change(entry, deal, writable) -> dict | None:
    if deal.owner_id not in writable:
        return {
            "external_id": [_("This external_id is already used by a deal outside your scope.")]
        }
    if deal.pipeline_id != entry["pipeline"].pk:
        return {"pipeline": [_("A deal cannot move to another pipeline.")]}
    if deal.stage_id != entry["stage"].pk:
        return _stage_refusal(entry, deal.pipeline)
    return None


def _create_deals(entries, by) -> int:
    """create_deal for many: the deals, their products, their first transition,
    and for deals won from the start the sale they count (by the services' rule)."""
    now, today = timezone.now(), CompanySettings.load().today()
    deals = bulk_create_with_audit(
        Deal,
        [
            Deal(
                stage=entry["stage"],
                stage_entered_at=now,
                closed_on=None if entry["stage"].is_open else today,
                **{k: v for k, v in entry.items() if k not in ("stage", "products")},
            )
            for entry in entries
        ],
        batch_size=1000,
        by=by,
    )
    Through = Deal.products.through
    Through.objects.bulk_create(
        [
            Through(deal_id=deal.pk, product_id=product_pk)
            for deal, entry in zip(deals, entries, strict=True)
            for product_pk in {p.pk for p in entry["products"]}
        ],
        batch_size=1000,
    )
    StageTransition.objects.bulk_create(
        [
            StageTransition(deal=deal, from_stage=None, to_stage=deal.stage, at=now, by=by)
            for deal in deals
        ],
        batch_size=1000,
    )
    won = [deal for deal in deals if deal.stage.kind == StageKind.WON]
    prefetch_related_objects(won, "products")
    outcome_metrics = deal_outcome_metrics()
    sales = Activity.objects.bulk_create(
        [row for deal in won for row in _deal_outcome_rows(deal, metrics=outcome_metrics)],
        batch_size=1000,
    )
    ActivityChange.objects.bulk_create(
        [record_change(a, ActivityChange.Action.CREATED, by, new=a.snapshot()) for a in sales],
        batch_size=1000,
    )
    _emit_many(WebhookEventType.DEAL_CREATED, deals)
    for kind, event_type in CLOSING_EVENTS.items():
        _emit_many(event_type, [deal for deal in deals if deal.stage.kind == kind])
    return len(deals)


def _apply_changes(entry: dict, deal: Deal, by) -> bool:
    """Bring a stored deal in line with its entry; False when nothing differs.

    A lost deal that stays lost keeps its reason: only a move sets one.
    """
    fields = {name: entry[name] for name in DETAIL_FIELDS}
    stored = {name: getattr(deal, f"{name}_id" if name in REFERENCES else name) for name in fields}
    wanted = {name: value.pk if name in REFERENCES else value for name, value in fields.items()}
    products = {p.pk for p in entry["products"]}
    details_changed = stored != wanted or products != {p.pk for p in deal.products.all()}
    moved = deal.stage_id != entry["stage"].pk
    if details_changed:
        deal = update_deal(deal=deal, by=by, products=entry["products"], **fields)
    if moved:
        move_deal(
            deal=deal,
            to_stage=entry["stage"],
            by=by,
            lost_reason=entry["lost_reason"],
            note=entry["lost_note"],
        )
    return details_changed or moved


def _stored_deals(keys) -> dict[tuple[str, str], Deal]:
    """The stored deals for exactly these (source, external_id) pairs, locked."""
    found: dict[tuple[str, str], Deal] = {}
    keys = list(keys)
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        rows = (
            Deal.objects.select_for_update(of=("self",))
            .filter(source__in={s for s, _ in chunk}, external_id__in={e for _, e in chunk})
            .select_related("pipeline")
            .prefetch_related("products")
        )
        wanted = set(chunk)
        for row in rows:
            if (row.source, row.external_id) in wanted:  # the IN lists also match cross pairs
                found[(row.source, row.external_id)] = row
    return found


def _field_errors(exc: RuleViolation) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
