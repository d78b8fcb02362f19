"""The global search: customers, contacts, deals and reps whose name, phone or e-mail
contains what was typed, each kind within the asker's scope (its ``visible_to``).

One function per kind gives the scoped, ordered matches; ``search`` takes the first few
of each with how many there are in all. Each kind matches as its list page's ``?q=``
does (the customer and deal lists call the same QuerySet ``search``), so "10 of 37"
links to a list that shows the same 37.

A query shorter than ``MIN_LENGTH`` reads nothing: two characters narrow a company's
customers to a page, one would ask the database for nearly all of them.
"""

from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, When

from activities.models import Contact, Customer, Deal, StageKind
from salesmgmt.models import User

MIN_LENGTH = 2
MAX_LENGTH = 100
LIMIT = 10


def clean_query(text: str | None) -> str:
    """What the search looks for: trimmed, and cut at ``MAX_LENGTH`` characters (a NUL,
    which PostgreSQL refuses in a text parameter, dropped)."""
    return (text or "").replace("\x00", "").strip()[:MAX_LENGTH]


def is_too_short(text: str) -> bool:
    return len(text) < MIN_LENGTH


def matching_customers(user, text: str) -> QuerySet[Customer]:
    """Name, city, phone, e-mail, or a contact's, as the customer list searches."""
    return (
        Customer.objects.visible_to(user)
        .search(text)
        .select_related("owner")
        .order_by("name", "pk")
    )


def matching_contacts(user, text: str) -> QuerySet[Contact]:
    """Name, phone or e-mail of a contact at a customer the viewer sees."""
    return (
        Contact.objects.visible_to(user)
        .search(text)
        .select_related("customer")
        .order_by("name", "pk")
    )


def matching_deals(user, text: str) -> QuerySet[Deal]:
    """Title or customer's name, in the deal list's order: open deals first, by
    expected close."""
    return (
        Deal.objects.visible_to(user)
        .search(text)
        .select_related("customer", "stage", "owner")
        .order_by(
            Case(When(stage__kind=StageKind.OPEN, then=0), default=1),
            "expected_close",
            "pk",
        )
    )


def matching_reps(user, text: str) -> QuerySet[User]:
    """Reps the viewer sees (those who left too) whose name, username or e-mail
    contains every word typed: "rita rep" finds Rita Rep."""
    reps = User.objects.visible_to(user).sales_reps()
    for word in text.split()[:5]:
        reps = reps.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return reps.select_related("team").order_by("first_name", "last_name", "pk")


@dataclass(frozen=True)
class Group:
    """The first rows of one kind and how many match in all."""

    rows: list
    count: int

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


@dataclass(frozen=True)
class Results:
    customers: Group
    contacts: Group
    deals: Group
    reps: Group

    @property
    def count(self) -> int:
        return self.customers.count + self.contacts.count + self.deals.count + self.reps.count


KINDS = {
    "customers": matching_customers,
    "contacts": matching_contacts,
    "deals": matching_deals,
    "reps": matching_reps,
}


def first_of(queryset: QuerySet, limit: int) -> Group:
    """Up to ``limit`` rows and the count: one query, two when the rows fill the limit."""
    rows = list(queryset[:limit])
    count = len(rows) if len(rows) < limit else queryset.order_by().count()
    return Group(rows=rows, count=count)


def search(user, text: str, *, limit: int = LIMIT) -> Results | None:
    """Every kind's first ``limit`` matches; None when ``text`` is too short to search."""
    text = clean_query(text)
    if is_too_short(text):
        return None
    return Results(**{kind: first_of(find(user, text), limit) for kind, find in KINDS.items()})
