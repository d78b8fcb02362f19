"""Writes to customers: checked (whose customer, a reason when closed) and versioned."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Customer,
)
from salesmgmt.errors import RuleViolation
from salesmgmt.models import User
from salesmgmt.org.services import check_owner
from salesmgmt.versioning import bump, check_version, lock_row

# --- Customers --------------------------------------------------------------------------------


def check_closed_reason(status: str, lost_reason) -> None:
    if status in CLOSED_CUSTOMER_STATUSES and lost_reason is None:
        raise RuleViolation({"lost_reason": _("Say why: a reason is required for this status.")})


CUSTOMER_FIELDS = (
    "name",
    "owner",
    "status",
    "segment",
    "source_channel",
    "lost_reason",
    "lost_note",
    "city",
    "phone",
    "email",
    "external_id",
)


@transaction.atomic
def save_customer(
    *, by: User, customer: Customer | None = None, version: int | None = None, **fields
) -> Customer:
    """Create (customer=None) or change a customer. 'Did not buy' and 'lost' need a reason.

    A change made from a read of ``version`` is refused (ConflictError) if the
    customer changed since."""
    if customer is None or customer.pk is None:
        customer = customer or Customer()
    else:
        customer = lock_row(Customer, customer.pk)
        check_version(customer, version)
        bump(customer)
    for name, value in fields.items():
        if name not in CUSTOMER_FIELDS:
            raise ValueError(f"{name} is not a customer field")
        setattr(customer, name, value)
    check_owner(customer.owner, by)
    check_closed_reason(customer.status, customer.lost_reason)
    if customer.status not in CLOSED_CUSTOMER_STATUSES:
        customer.lost_reason, customer.lost_note = None, ""
    customer.save()
    return customer
