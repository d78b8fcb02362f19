"""Who did not buy and why: the lost-customer report's figures, one grouped query each."""

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from activities.models import CustomerStatus, Deal
from salesmgmt.models import CompanySettings
from salesmgmt.money import percent_of


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
    by_reason = [row | {"share": percent_of(row["total"], totals["total"])} for row in by_reason]
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
