"""A book per rep of the cast for the global search: a customer, a contact and a deal,
each carrying the word "Harbour" and the rep's name, with a phone and an e-mail."""

import pytest

from tests.factories import UserFactory
from tests.factories.customers import ContactFactory, CustomerFactory, DealFactory

PHONES = {
    "rep": "(415) 555-0101",
    "teammate": "(415) 555-0102",
    "other_team_rep": "(415) 555-0103",
    "south_rep": "(415) 555-0104",
}


@pytest.fixture
def books(cast):
    """{rep name: (customer, contact, deal)} for each of the four reps."""
    owned = {}
    for name, phone in PHONES.items():
        customer = CustomerFactory(
            name=f"Harbour {name} ltd",
            owner=cast[name],
            city="Athens",
            phone=phone,
            email=f"office@{name}.harbour.test",
        )
        contact = ContactFactory(
            customer=customer,
            name=f"Harbour contact of {name}",
            phone=phone.replace("(415) 555", "212-555"),
            email=f"buyer@{name}.harbour.test",
        )
        deal = DealFactory(customer=customer, title=f"Harbour deal of {name}")
        owned[name] = (customer, contact, deal)
    return owned


@pytest.fixture
def outsider(db):
    """A rep in no team: sees their own rows, and owns none."""
    return UserFactory(username="outsider", first_name="Olga", last_name="Outside", team=None)
