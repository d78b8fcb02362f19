"""Activities from a spreadsheet: a day log per rep, one row per number.

The rules are the log's (activities.log.services): a rep writes their own last days, a
manager any past day of their reps, never a day to come; a customer named must be in
the importer's scope; a won deal's rows follow the deal. Rows are matched by
``external_id`` (any source), or by the ``activity-<id>`` our export writes for rows
without one, so re-importing a file, or an export, changes nothing. New rows are
stored with source "import" and a 'created' change record each, as the bulk ingest does.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.log.services import _write_error, emit_imported, record_change
from activities.models import (
    Activity,
    ActivityChange,
    ActivitySource,
    Channel,
    Customer,
    Metric,
    Product,
)
from salesmgmt.imports import cells
from salesmgmt.imports.registry import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Check,
    Column,
    Importer,
    Row,
    external_key,
    stored_pk,
)
from salesmgmt.models import CompanySettings
from salesmgmt.org.services import reps_writable_by
from salesmgmt.versioning import bump

PREFIX = "activity"
BATCH = 1000
VALUES = ("day", "metric_id", "quantity", "channel_id", "product_id", "note", "customer_id")


def customers_named(names: set[str], user) -> dict[str, Customer | None]:
    """Visible customers by external_id or by name, lower-cased (None: a name several
    customers share, which a file must then give by external_id). One query."""
    return cells.named(Customer.objects.visible_to(user), "name", names)


def pick_customer(check: Check, row: Row, column: str, customers: dict) -> Customer | None:
    return cells.pick_named(
        check,
        row,
        column,
        customers,
        missing=_("No customer you can see has the name or external_id '%(value)s'."),
        shared=_("Several of your customers are called '%(value)s': give its external_id."),
    )


def customer_cell(customer: Customer | None) -> str:
    if customer is None:
        return ""
    return customer.external_id or customer.name


class ActivityImporter(Importer):
    kind = "activities"
    label = gettext_lazy("activities")
    list_url = "activities:list"
    columns = (
        Column(
            "external_id",
            help=gettext_lazy(
                "Your system's id for the row: a row already stored with it is updated."
            ),
            example="DIALER-2026-0001",
        ),
        Column(
            "rep",
            help=gettext_lazy("The rep's username or e-mail; empty for a rep's own file."),
            example="rep.jose",
        ),
        Column("day", required=True, help=gettext_lazy("YYYY-MM-DD"), example="2026-12-01"),
        Column("metric", required=True, help=gettext_lazy("A metric's key."), example="calls"),
        Column(
            "quantity",
            required=True,
            help=gettext_lazy("How many, or the amount for a money metric (a dot for decimals)."),
            example="12",
        ),
        Column("channel", help=gettext_lazy("A channel's key, optional."), example=""),
        Column("product", help=gettext_lazy("A product's SKU, optional."), example=""),
        Column(
            "customer",
            help=gettext_lazy("A customer's external_id or name, optional."),
            example="",
        ),
        Column("note", help=gettext_lazy("Up to 200 characters."), example=""),
    )

    def allowed_values(self) -> dict[str, str]:
        return {
            "metric": ", ".join(Metric.objects.active().values_list("key", flat=True)),
            "channel": ", ".join(Channel.objects.active().values_list("key", flat=True)),
            "product": ", ".join(Product.objects.active().values_list("sku", flat=True)),
        }

    def check(self, rows, user, *, lock=False, progress=None) -> Check:
        check = Check()
        reps = list(reps_writable_by(user))
        people = cells.people(reps)
        writable = {rep.pk for rep in reps}
        metrics = cells.by_key(Metric.objects.active(), "key", "name")
        channels = cells.by_key(Channel.objects.active(), "key", "name")
        products = cells.by_key(Product.objects.active(), "sku", "name")
        customers = customers_named({r.cell("customer") for r in rows} - {""}, user)
        stored = self._stored(rows, lock=lock)
        company = CompanySettings.load()
        seen: dict[str, int] = {}
        for index, row in enumerate(rows, start=1):
            self._check_row(
                check, row, user, people, writable, metrics, channels, products, customers,
                stored, company, seen,
            )  # fmt: skip
            if progress and index % 100 == 0:
                progress(index)
        return check

    def _stored(self, rows, *, lock: bool) -> dict[str, Activity]:
        keys = {r.cell("external_id") for r in rows} - {""}
        pks = {pk for key in keys if (pk := stored_pk(key, PREFIX)) is not None}
        if not keys:
            return {}
        found = Activity.objects.filter(
            Q(external_id__in=keys) | Q(pk__in=pks, external_id="")
        ).select_related("metric", "channel", "product", "customer")
        if lock:
            found = found.select_for_update(of=("self",))
        by_key: dict[str, Activity] = {}
        for activity in found:
            if activity.external_id:
                # Our own imports first: (source, external_id) is unique, external_id alone not.
                if activity.source == ActivitySource.IMPORT or activity.external_id not in by_key:
                    by_key[activity.external_id] = activity
            else:
                by_key[f"{PREFIX}-{activity.pk}"] = activity
        return by_key

    def _check_row(
        self, check, row, user, people, writable, metrics, channels, products, customers,
        stored, company, seen,
    ) -> None:  # fmt: skip
        external_id = cells.external_id(check, row, Activity, seen)
        name = row.cell("rep")
        rep = people.get(name.lower()) if name else (user if user.is_rep else None)
        if rep is None:
            check.problem(
                row,
                "rep",
                _("No rep you may act for has the username or e-mail '%(value)s'.")
                % {"value": name}
                if name
                else _("Say which rep this activity is for."),
            )
        day = cells.day(check, row, "day")
        metric = cells.pick(
            check, row, "metric", metrics, _("No active metric '%(value)s'."), required=True
        )
        quantity = cells.number(check, row, "quantity")
        channel = cells.pick(check, row, "channel", channels, _("No active channel '%(value)s'."))
        product = cells.pick(check, row, "product", products, _("No active product '%(value)s'."))
        customer = pick_customer(check, row, "customer", customers)
        note = cells.text(check, row, "note", Activity, "note")
        activity = stored.get(external_id) if external_id else None
        if activity is None and rep is not None and day is not None:
            # The day rules are news about the row whatever else is wrong with it.
            error = _write_error(rep, day, user, company, writable)
            if error:
                self._rule_problems(check, row, error)
        if check.has_problem(row):
            return

        values = {
            "day": day,
            "metric": metric,
            "quantity": quantity,
            "channel": channel,
            "product": product,
            "note": note,
            "customer": customer,
        }
        if activity is None:
            check.plan[row.number] = Activity(
                rep=rep,
                created_by=user,
                source=ActivitySource.IMPORT,
                external_id=external_id,
                **values,
            )
            check.set_action(row, CREATE)
            return
        if activity.rep_id not in writable:
            check.problem(
                row, "external_id", _("This external_id belongs to an activity you cannot change.")
            )
            return
        if activity.rep_id != rep.pk:
            check.problem(row, "rep", _("An activity cannot move to another rep."))
            return
        before = tuple(getattr(activity, name) for name in VALUES)
        after = (
            day,
            metric.pk,
            quantity,
            getattr(channel, "pk", None),
            getattr(product, "pk", None),
            note,
            getattr(customer, "pk", None),
        )
        if before == after:
            check.set_action(row, UNCHANGED)
            return
        if activity.source == ActivitySource.DEAL:
            check.problem(
                row,
                "external_id",
                _("This row is a won deal's sale and follows the deal: change or reopen the deal."),
            )
            return
        error = _write_error(rep, day, user, company, writable) or _write_error(
            rep, activity.day, user, company, writable
        )
        if error:
            self._rule_problems(check, row, error)
            return
        check.plan[row.number] = (activity, values)
        check.set_action(row, UPDATE)

    @staticmethod
    def _rule_problems(check, row, error: dict) -> None:
        for column, messages in error.items():
            for message in messages:
                check.problem(row, column if column in ("day", "rep") else "", message)

    def write(self, rows, check, user) -> None:
        new = [check.plan[r.number] for r in rows if check.actions[r.number] == CREATE]
        Activity.objects.bulk_create(new, batch_size=BATCH)
        changes = [
            record_change(a, ActivityChange.Action.CREATED, user, new=a.snapshot()) for a in new
        ]
        changed, now = [], timezone.now()
        for row in rows:
            if check.actions[row.number] != UPDATE:
                continue
            activity, values = check.plan[row.number]
            old = activity.snapshot()
            for name, value in values.items():
                setattr(activity, name, value)
            activity.updated_at = now  # bulk_update skips auto_now
            bump(activity)
            changed.append(activity)
            changes.append(
                record_change(
                    activity, ActivityChange.Action.UPDATED, user, old=old, new=activity.snapshot()
                )
            )
        Activity.objects.bulk_update(
            changed,
            ["day", "metric", "quantity", "channel", "product", "note", "customer", "version",
             "updated_at"],
            batch_size=BATCH,
        )  # fmt: skip
        ActivityChange.objects.bulk_create(changes, batch_size=BATCH)
        emit_imported([*new, *changed], by=user, created=len(new), updated=len(changed))

    def export_rows(self, activities):
        for a in activities.select_related("rep", "metric", "channel", "product", "customer"):
            yield [
                external_key(a, PREFIX),
                a.rep.username,
                a.day,
                a.metric.key,
                a.quantity,
                a.channel.key if a.channel_id else "",
                a.product.sku if a.product_id else "",
                customer_cell(a.customer),
                a.note,
            ]
