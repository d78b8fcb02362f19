"""Writes to customers: checked (whose customer, a reason when closed) and versioned."""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activities.customers.selectors import api_customers
from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Contact,
    Customer,
)
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit, emit_many
from salesmgmt.models import User, WebhookEventType
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
    *,
    by: User,
    customer: Customer | None = None,
    version: int | None = None,
    then: Callable[[Customer], bool] | None = None,
    **fields,
) -> Customer:
    """Create (customer=None) or change a customer. 'Did not buy' and 'lost' need a reason.

    A change made from a read of ``version`` is refused (ConflictError) if the
    customer changed since. ``then(customer)`` writes what the same form changed with it
    (the page's contacts), in this transaction and before the webhook event is recorded,
    and says whether it changed anything."""
    created = customer is None or customer.pk is None
    if created:
        customer = customer or Customer()
        before = None
    else:
        customer = lock_row(Customer, customer.pk)
        check_version(customer, version)
        before = _values(customer)
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
    more = then(customer) if then is not None else False
    if created:
        emit_customer_events(WebhookEventType.CUSTOMER_CREATED, [customer])
    elif more or _values(customer) != before:
        emit_customer_events(WebhookEventType.CUSTOMER_UPDATED, [customer])
    return customer


def _values(customer: Customer) -> dict:
    return {
        field.attname: getattr(customer, field.attname)
        for field in Customer._meta.concrete_fields
        if field.name in CUSTOMER_FIELDS
    }


def emit_customer_events(event_type: WebhookEventType, customers: list[Customer]) -> None:
    """customer.created / customer.updated for each customer, read as the API reads it."""
    if len(customers) == 1:
        customer = customers[0]
        emit(event_type, customer, load=lambda: api_customers(SYSTEM).get(pk=customer.pk))
        return
    emit_many(event_type, customers, load_many=_reread)


def _reread(customers: list[Customer]) -> list[Customer]:
    by_pk = api_customers(SYSTEM).in_bulk([c.pk for c in customers])
    return [by_pk[c.pk] for c in customers]


# --- Contacts ---------------------------------------------------------------------------------

CONTACT_FIELDS = ("customer", "name", "role", "phone", "email")


@transaction.atomic
def save_contact(*, contact: Contact | None = None, **fields) -> Contact:
    """Add or change a contact (the caller checked the customer is in scope). The
    customer as the API shows it lists its contacts: a change is a customer.updated."""
    contact = contact or Contact()
    # The customer's row first, as save_customer locks it: its events go out in the order
    # their changes commit.
    customer = fields.get("customer")
    lock_row(Customer, getattr(customer, "pk", None) or customer or contact.customer_id)
    before = {
        name: getattr(contact, name if name != "customer" else "customer_id")
        for name in CONTACT_FIELDS
    }
    for name, value in fields.items():
        if name not in CONTACT_FIELDS:
            raise ValueError(f"{name} is not a contact field")
        setattr(contact, name, value)
    contact.save()
    after = {
        name: getattr(contact, name if name != "customer" else "customer_id")
        for name in CONTACT_FIELDS
    }
    if after != before:
        moved_from = (
            before["customer"] if before["customer"] not in (None, after["customer"]) else None
        )
        touched = [contact.customer] + ([Customer.objects.get(pk=moved_from)] if moved_from else [])
        for customer in touched:
            emit_customer_events(WebhookEventType.CUSTOMER_UPDATED, [customer])
    return contact


@transaction.atomic
def delete_contact(*, contact: Contact) -> None:
    lock_row(Customer, contact.customer_id)
    customer = contact.customer
    contact.delete()
    emit_customer_events(WebhookEventType.CUSTOMER_UPDATED, [customer])
