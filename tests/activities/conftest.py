"""Fixtures shared by the activities features' API tests."""

import pytest

from activities.models import Product
from tests.factories.api import CustomerFactory


@pytest.fixture
def acme(rep):
    return CustomerFactory(owner=rep, name="Acme")


@pytest.fixture
def pro_plan(db):
    return Product.objects.create(sku="pro-plan", name="Pro plan")
