"""Deals from a spreadsheet: title, customer, owner, pipeline, stage, amount, close date.

The rules are the deal services' (activities.deals.services): the owner is a rep the
importer may act for, the customer one they can see, the stage one of the deal's
pipeline, a lost deal says why (``lost_reason``), a deal never changes pipeline. New
deals are written in bulk as ``upsert_deals`` writes them (first transition, and the
sale of a deal won from the start); stored deals that changed go through
``update_deal`` and ``move_deal``, so every stage change is recorded as on the pages.
``stage_date`` is the day the deal entered its stage (today if empty): the transition
and the deal carry it. Amounts are in the company currency (``currency``, when given,
must be it).
"""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.deals import services
from activities.log.imports import customer_cell, customers_named, pick_customer
from activities.models import Deal, LostReason, Pipeline, Stage, StageKind, StageTransition
from salesmgmt.imports import cells
from salesmgmt.imports.registry import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Check,
    Column,
    Importer,
    external_key,
    stored_pk,
)
from salesmgmt.models import CompanySettings
from salesmgmt.org.services import reps_writable_by

PREFIX = "deal"
SOURCE = "import"
DETAILS = ("title", "customer", "owner", "amount", "expected_close", "probability")


def _noon(day):
    """Midday of ``day`` in company time: a day's moment whatever the viewer's timezone."""
    return timezone.make_aware(datetime.combine(day, time(12, 0)), CompanySettings.load().tzinfo)


class DealImporter(Importer):
    kind = "deals"
    label = gettext_lazy("deals")
    list_url = "deals:list"
    columns = (
        Column(
            "external_id",
            help=gettext_lazy("Your system's id for the deal: a deal stored with it is updated."),
            example="CRM-D-501",
        ),
        Column(
            "title",
            required=True,
            help=gettext_lazy("Up to 200 characters."),
            example="Fleet renewal",
        ),
        Column(
            "customer",
            required=True,
            help=gettext_lazy("A customer's external_id or name."),
            example="Harbour Logistics Ltd",
        ),
        Column(
            "owner",
            help=gettext_lazy("The rep's username or e-mail; empty for a rep's own file."),
            example="rep.jose",
        ),
        Column(
            "pipeline",
            required=True,
            help=gettext_lazy("A pipeline's key."),
            example="new-business",
        ),
        Column(
            "stage",
            required=True,
            help=gettext_lazy("A stage's key or name in that pipeline."),
            example="proposal",
        ),
        Column(
            "amount", required=True, help=gettext_lazy("In the company currency."), example="12000"
        ),
        Column(
            "currency", help=gettext_lazy("Optional; when given, the company currency."), example=""
        ),
        Column(
            "expected_close", required=True, help=gettext_lazy("YYYY-MM-DD"), example="2027-01-31"
        ),
        Column(
            "probability",
            help=gettext_lazy("Percent, 0 to 100; empty: the stage's."),
            example="",
        ),
        Column(
            "stage_date",
            help=gettext_lazy("YYYY-MM-DD the deal entered its stage; empty: today."),
            example="2026-11-20",
        ),
        Column(
            "lost_reason",
            help=gettext_lazy("A lost reason's key: lost deals need one."),
            example="",
        ),
    )

    def allowed_values(self) -> dict[str, str]:
        stages = Stage.objects.select_related("pipeline").order_by("pipeline__position", "position")
        return {
            "pipeline": ", ".join(Pipeline.objects.active().values_list("key", flat=True)),
            "stage": "; ".join(f"{s.pipeline.key}: {s.key} ({s.name})" for s in stages),
            "lost_reason": ", ".join(LostReason.objects.active().values_list("key", flat=True)),
            "currency": CompanySettings.load().currency,
        }

    def check(self, rows, user, *, lock=False, progress=None) -> Check:
        check = Check()
        people = cells.people(reps_writable_by(user))
        writable = {p.pk for p in people.values()}
        customers = customers_named({r.cell("customer") for r in rows} - {""}, user)
        pipelines = cells.by_key(Pipeline.objects.active(), "key", "name")
        stages: dict[int, dict] = {}
        for stage in Stage.objects.all():
            for key in (stage.key.lower(), stage.name.lower()):
                stages.setdefault(stage.pipeline_id, {}).setdefault(key, stage)
        reasons = cells.by_key(LostReason.objects.active(), "key", "name")
        stored = self._stored(rows, lock=lock)
        company = CompanySettings.load()
        today = company.today()
        seen: dict[str, int] = {}
        for index, row in enumerate(rows, start=1):
            self._check_row(
                check, row, user, people, writable, customers, pipelines, stages, reasons,
                stored, company, today, seen,
            )  # fmt: skip
            if progress and index % 100 == 0:
                progress(index)
        return check

    def _stored(self, rows, *, lock: bool) -> dict[str, Deal]:
        keys = {r.cell("external_id") for r in rows} - {""}
        if not keys:
            return {}
        pks = {pk for key in keys if (pk := stored_pk(key, PREFIX)) is not None}
        found = Deal.objects.filter(Q(external_id__in=keys) | Q(pk__in=pks, external_id=""))
        if lock:
            found = found.select_for_update(of=("self",))
        by_key: dict[str, Deal] = {}
        for deal in found.select_related("stage"):
            key = external_key(deal, PREFIX)
            if deal.source == SOURCE or key not in by_key:
                by_key[key] = deal
        return by_key

    def _check_row(
        self, check, row, user, people, writable, customers, pipelines, stages, reasons,
        stored, company, today, seen,
    ) -> None:  # fmt: skip
        external_id = cells.external_id(check, row, Deal, seen)
        title = cells.text(check, row, "title", Deal, "title", required=True)
        customer = pick_customer(check, row, "customer", customers)
        if not row.cell("customer"):
            check.problem(row, "customer", _("This column needs a value."))
        name = row.cell("owner")
        owner = people.get(name.lower()) if name else (user if user.is_rep else None)
        if owner is None:
            check.problem(
                row,
                "owner",
                _("No rep you may act for has the username or e-mail '%(value)s'.")
                % {"value": name}
                if name
                else _("Say which rep owns this deal."),
            )
        pipeline = cells.pick(
            check, row, "pipeline", pipelines, _("No active pipeline '%(value)s'."), required=True
        )
        stage = None
        if pipeline is not None:
            stage = cells.pick(
                check,
                row,
                "stage",
                stages.get(pipeline.pk, {}),
                _("'%(value)s' is not a stage of this pipeline."),
                required=True,
            )
        amount = cells.number(check, row, "amount")
        currency = row.cell("currency").upper()
        if currency and currency != company.currency:
            check.problem(
                row,
                "currency",
                _("Amounts are in %(currency)s: convert them first.")
                % {"currency": company.currency},
            )
        expected_close = cells.day(check, row, "expected_close")
        probability = cells.number(check, row, "probability", required=False, places=0, maximum=100)
        stage_date = cells.day(check, row, "stage_date", required=False)
        if stage_date is not None and stage_date > today:
            check.problem(row, "stage_date", _("A deal cannot enter a stage on a day to come."))
        reason = cells.pick(check, row, "lost_reason", reasons, _("No active reason '%(value)s'."))
        lost = stage is not None and stage.kind == StageKind.LOST
        if lost and reason is None and not row.cell("lost_reason"):
            check.problem(row, "lost_reason", _("Say why the deal was lost."))
        if (
            customer is not None
            and owner is not None
            and customer.owner_id != owner.pk
            and customer.owner_id not in writable
        ):
            check.problem(row, "customer", _("That customer is outside your scope."))
        if check.has_problem(row):
            return

        deal = stored.get(external_id) if external_id else None
        values = {
            "title": title,
            "customer": customer,
            "owner": owner,
            "amount": amount,
            "expected_close": expected_close,
            "probability": int(probability) if probability is not None else None,
        }
        extra = {"stage": stage, "lost_reason": reason, "stage_date": stage_date}
        if deal is None:
            check.plan[row.number] = (values, extra, pipeline)
            check.set_action(row, CREATE)
            return
        if deal.owner_id not in writable:
            check.problem(
                row,
                "external_id",
                _("This external_id is already used by a deal outside your scope."),
            )
            return
        if deal.pipeline_id != pipeline.pk:
            check.problem(row, "pipeline", _("A deal cannot move to another pipeline."))
            return
        stored_values = tuple(
            getattr(deal, f"{n}_id") if n in ("customer", "owner") else getattr(deal, n)
            for n in DETAILS
        )
        wanted = tuple(getattr(values[n], "pk", values[n]) for n in DETAILS)
        entered = timezone.localdate(deal.stage_entered_at, company.tzinfo)
        moved = deal.stage_id != stage.pk
        redated = stage_date is not None and stage_date != entered
        if stored_values == wanted and not moved and not redated:
            check.set_action(row, UNCHANGED)
            return
        check.plan[row.number] = (deal, values, extra, moved)
        check.set_action(row, UPDATE)

    def write(self, rows, check, user) -> None:
        fresh, redate, created = [], [], {}
        for row in rows:
            if check.actions[row.number] == CREATE:
                values, extra, pipeline = check.plan[row.number]
                fresh.append(
                    {
                        **values,
                        "pipeline": pipeline,
                        "stage": extra["stage"],
                        "lost_reason": extra["lost_reason"],
                        "lost_note": "",
                        "source": SOURCE,
                        "external_id": row.cell("external_id"),
                        "products": [],
                    }
                )
        if fresh:
            services._create_deals(fresh, user)
            created = {
                d.external_id: d
                for d in Deal.objects.filter(
                    source=SOURCE,
                    external_id__in=[e["external_id"] for e in fresh if e["external_id"]],
                )
            }
        for row in rows:
            action = check.actions[row.number]
            if action == CREATE:
                _values, extra, _pipeline = check.plan[row.number]
                deal = created.get(row.cell("external_id"))
                if deal is not None and extra["stage_date"] is not None:
                    redate.append((deal, extra["stage_date"]))
            elif action == UPDATE:
                deal, values, extra, moved = check.plan[row.number]
                deal = services.update_deal(deal=deal, by=user, **values)
                if moved:
                    deal = services.move_deal(
                        deal=deal,
                        to_stage=extra["stage"],
                        by=user,
                        lost_reason=extra["lost_reason"],
                    )
                if extra["stage_date"] is not None:
                    redate.append((deal, extra["stage_date"]))
        for deal, day in redate:
            # The file says when the deal entered its stage: the deal and its last
            # transition carry that day instead of the import's. A deal closed then closed
            # on that day, and a won one's sale counts on it, not on the import's day.
            deal.stage_entered_at = _noon(day)
            fields = ["stage_entered_at"]
            if not deal.stage.is_open and deal.closed_on != day:
                deal.closed_on = day
                fields.append("closed_on")
            deal.save(update_fields=fields)
            last = StageTransition.objects.filter(deal=deal).order_by("-at", "-pk").first()
            if last is not None:
                StageTransition.objects.filter(pk=last.pk).update(at=deal.stage_entered_at)
            if "closed_on" in fields and deal.stage.kind == StageKind.WON:
                services._sync_deal_outcome(deal, user)

    def export_rows(self, deals):
        zone = CompanySettings.load().tzinfo
        for deal in deals.select_related("customer", "owner", "pipeline", "stage", "lost_reason"):
            yield [
                external_key(deal, PREFIX),
                deal.title,
                customer_cell(deal.customer),
                deal.owner.username,
                deal.pipeline.key,
                deal.stage.key,
                deal.amount,
                "",
                deal.expected_close,
                deal.probability if deal.probability is not None else "",
                timezone.localdate(deal.stage_entered_at, zone),
                deal.lost_reason.key if deal.lost_reason_id else "",
            ]
