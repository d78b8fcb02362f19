"""Reads about customers: the list's figures per customer (open pipeline, last activity,
next step), and who did not buy and why, one grouped query each."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from activities.models import Activity, Customer, CustomerStatus, Deal, StageKind, Task
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings
from salesmgmt.money import percent_of

# --- The list's figures ----------------------------------------------------------------------


def api_customers(user):
    """Customers as the API shows them (and webhook payloads: ``user`` the system viewer):
    contacts and the list's figures in ``user``'s scope."""
    customers = (
        Customer.objects.visible_to(user)
        .select_related("source_channel", "lost_reason")
        .prefetch_related("contacts")
    )
    return with_figures(customers, user)


def with_figures(customers, user):
    """Open deals, open pipeline, last activity (day and metric) and the next step's
    candidates per customer, as subqueries: one query for any number of rows, the viewer's
    own scope applies to what is counted, and subqueries stay right when a search joins
    contacts. Activities against a deal carry its customer (activities.log.services)."""
    open_deals = (
        Deal.objects.visible_to(user)
        .open()
        .filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
    )
    latest = (
        Activity.objects.visible_to(user)
        .filter(customer=OuterRef("pk"))
        .order_by("-day", "-created_at", "-pk")
    )
    # Open tasks for the customer or any of its deals, but not for a deal already closed.
    next_task = (
        Task.objects.visible_to(user)
        .open()
        .filter(Q(customer=OuterRef("pk")) | Q(deal__customer=OuterRef("pk")))
        .exclude(deal__stage__kind__in=(StageKind.WON, StageKind.LOST))
        .order_by("due_at", "pk")
    )
    next_deal_step = (
        Deal.objects.visible_to(user)
        .open()
        .filter(customer=OuterRef("pk"), next_step_date__isnull=False)
        .exclude(next_step="")
        .order_by("next_step_date", "pk")
    )
    return customers.annotate(
        open_deals=Coalesce(
            Subquery(open_deals.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            0,
        ),
        open_amount=Coalesce(
            Subquery(
                open_deals.annotate(total=Sum("amount")).values("total"),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
        last_activity=Subquery(latest.values("day")[:1]),
        last_activity_metric=Subquery(latest.values("metric__name")[:1]),
        next_task_title=Subquery(next_task.values("title")[:1]),
        next_task_due=Subquery(next_task.values("due_at")[:1]),
        next_deal_step=Subquery(next_deal_step.values("next_step")[:1]),
        next_deal_step_date=Subquery(next_deal_step.values("next_step_date")[:1]),
    )


@dataclass(frozen=True)
class NextStep:
    day: date
    text: str
    kind: str  # "task" or "deal" (a deal's next step)


def next_step_of(customer, company: CompanySettings) -> NextStep | None:
    """The earlier of a customer's next open task and its deals' next step (the fields
    ``with_figures`` annotates); a task wins a tie, as it has a time."""
    candidates = []
    if customer.next_task_due is not None:
        due = timezone.localtime(customer.next_task_due, company.tzinfo).date()
        candidates.append(NextStep(due, customer.next_task_title, "task"))
    if customer.next_deal_step_date is not None:
        candidates.append(NextStep(customer.next_deal_step_date, customer.next_deal_step, "deal"))
    return min(candidates, key=lambda s: (s.day, s.kind != "task"), default=None)


# --- Who did not buy and why -----------------------------------------------------------------


def _closed_counts(customer: str = "pk", status: str = "status") -> dict:
    """Did not buy / lost / total, counting each customer once per group."""
    return {
        "did_not_buy": Count(
            customer, distinct=True, filter=Q(**{status: CustomerStatus.DID_NOT_BUY})
        ),
        "lost": Count(customer, distinct=True, filter=Q(**{status: CustomerStatus.LOST})),
        "total": Count(customer, distinct=True),
    }


def lost_figures(customers, *, user, date_field: str) -> dict:
    """The report's tables, one grouped query each, for closed ``customers``."""
    company = CompanySettings.load()
    customers = customers.order_by()
    by_reason = (
        customers.values("lost_reason_id", "lost_reason__key", "lost_reason__name")
        .annotate(**_closed_counts())
        .order_by("-total", "lost_reason__position", "lost_reason__name")
    )
    by_rep = (
        customers.values(
            "owner_id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
            "owner__team__name",
        )
        .annotate(**_closed_counts())
        .order_by("-total", "owner__first_name", "owner__last_name")
    )
    deals = Deal.objects.visible_to(user).filter(customer__in=customers.values("pk")).order_by()
    by_product = (
        deals.values("products__sku", "products__name")
        .annotate(**_closed_counts("customer", "customer__status"))
        .order_by("-total", F("products__name").asc(nulls_last=True))
    )
    without_deal = customers.exclude(
        Exists(Deal.objects.visible_to(user).filter(customer=OuterRef("pk")))
    ).aggregate(**_closed_counts())
    by_month = (
        customers.annotate(month=TruncMonth(date_field, tzinfo=company.tzinfo))
        .values("month")
        .annotate(**_closed_counts())
        .order_by("-month")
    )
    totals = customers.aggregate(**_closed_counts())
    by_reason = [
        row
        | {
            "share": percent_of(row["total"], totals["total"]),
            "reason_label": translated_name(row["lost_reason__name"]),
        }
        for row in by_reason
    ]
    # Every reason tied for the most customers is "the most common", never just the first.
    top = by_reason[0]["total"] if by_reason else 0
    return {
        "totals": totals,
        "by_reason": by_reason,
        "most_common": [row for row in by_reason if top and row["total"] == top],
        "by_rep": list(by_rep),
        "by_product": list(by_product),
        "without_deal": without_deal,
        "by_month": [{**row, "month": _month_of(row["month"], company)} for row in by_month],
    }


def _month_of(moment, company):
    """TruncMonth gives the first instant of the month in the company's zone: its date."""
    if isinstance(moment, datetime):
        return timezone.localtime(moment, company.tzinfo).date()
    return moment
