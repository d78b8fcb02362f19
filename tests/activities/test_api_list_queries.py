"""Every activities list on /api/v1/ answers in a fixed number of queries, however many rows."""

import pytest

from activities.models import Product
from tests.factories import ActivityFactory
from tests.factories.api import ContactFactory, CustomerFactory, TaskFactory, make_deal


def _grow(rep, teammate, n):
    for i in range(n):
        customer = CustomerFactory(owner=rep if i % 2 else teammate)
        ContactFactory(customer=customer)
        ContactFactory(customer=customer)
        deal = make_deal(customer.owner, customer=customer)
        deal.products.set(Product.objects.all())
        TaskFactory(assignee=customer.owner, customer=customer, deal=deal)
        ActivityFactory(rep=customer.owner, customer=customer, deal=deal)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/",
        "/api/v1/contacts/",
        "/api/v1/deals/",
        "/api/v1/tasks/",
        "/api/v1/pipelines/",
        "/api/v1/stages/",
        "/api/v1/lost-reasons/",
    ],
)
def test_list_queries_do_not_grow_with_rows(
    url, rep, teammate, manager, pro_plan, api_for, django_assert_max_num_queries
):
    Product.objects.create(sku="starter", name="Starter")
    api = api_for(manager)
    _grow(rep, teammate, 2)
    with django_assert_max_num_queries(4):
        small = api.get(url)
    _grow(rep, teammate, 12)

    with django_assert_max_num_queries(4):
        large = api.get(url)

    assert small.status_code == large.status_code == 200
