"""One FilterSet per model for the list pages and the API: the API's parameter names
and meanings, days in the company timezone, and the pages' older links still working.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from activities.models import Channel, LostReason, Stage
from activities.tasks.filters import TaskBoardFilter, TaskFilter
from salesmgmt.models import CompanySettings
from tests.factories.api import CustomerFactory, TaskFactory, make_deal, stage


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


def on_page(response):
    assert response.status_code == 200
    return sorted(row.pk for row in response.context["page"])


# --- tasks ------------------------------------------------------------------------------------


def test_the_board_filter_only_renames_assignee_to_rep():
    board, api = TaskBoardFilter.base_filters, TaskFilter.base_filters

    assert list(board) == ["rep" if name == "assignee" else name for name in api]
    assert all(board[name] is f for name, f in api.items() if name != "assignee")
    assert board["rep"] is api["assignee"]


def test_due_dates_are_company_days_on_the_board_and_in_the_api(client_for, api_for, manager, rep):
    company = CompanySettings.load()
    company.timezone = "America/New_York"
    company.save()
    manager.timezone = "Asia/Tokyo"  # the viewer's day differs from the company's
    manager.save()
    # 03:00 UTC on 11 March: the 10th in New York, the 11th in Tokyo.
    task = TaskFactory(assignee=rep, due_at=datetime(2026, 3, 11, 3, tzinfo=UTC))
    tenth = {"status": "", "due_from": "2026-03-10", "due_to": "2026-03-10"}
    eleventh = {"status": "", "due_from": "2026-03-11", "due_to": "2026-03-11"}

    board = client_for(manager)
    assert on_page(board.get(reverse("tasks:team"), tenth)) == [task.pk]
    assert on_page(board.get(reverse("tasks:team"), eleventh)) == []
    assert ids(api_for(manager).get("/api/v1/tasks/", tenth)) == [task.pk]
    assert ids(api_for(manager).get("/api/v1/tasks/", eleventh)) == []


def test_the_board_says_rep_where_the_api_says_assignee(
    client_for, api_for, manager, rep, teammate
):
    mine = TaskFactory(assignee=rep)
    TaskFactory(assignee=teammate)

    board = client_for(manager).get(reverse("tasks:team"), {"status": "", "rep": rep.pk})
    api = api_for(manager).get("/api/v1/tasks/", {"assignee": rep.pk})

    assert on_page(board) == [mine.pk]
    assert ids(api) == [mine.pk]


# --- customers --------------------------------------------------------------------------------


@pytest.fixture
def referred(rep):
    return CustomerFactory(
        owner=rep, name="Referred", source_channel=Channel.objects.get(key="referral")
    )


@pytest.fixture
def priced_out(rep):
    return CustomerFactory(
        owner=rep,
        name="Priced out",
        status="did_not_buy",
        lost_reason=LostReason.objects.get(key="price"),
    )


def test_customer_choices_are_keys_on_the_page_and_in_the_api(
    client_for, api_for, rep, referred, priced_out
):
    page, api = client_for(rep), api_for(rep)
    url = reverse("customers:list")

    assert on_page(page.get(url, {"source_channel": "referral"})) == [referred.pk]
    assert on_page(page.get(url, {"lost_reason": "price"})) == [priced_out.pk]
    assert ids(api.get("/api/v1/customers/", {"source_channel": "referral"})) == [referred.pk]
    form = page.get(url).content.decode()
    assert '<option value="referral">' in form
    assert '<option value="price">' in form


def test_a_page_link_by_id_still_finds_the_entry(client_for, api_for, rep, referred, priced_out):
    url = reverse("customers:list")
    price = LostReason.objects.get(key="price")

    assert on_page(client_for(rep).get(url, {"lost_reason": price.pk})) == [priced_out.pk]
    assert on_page(client_for(rep).get(url, {"lost_reason": "999999"})) == []  # no such one
    assert ids(api_for(rep).get("/api/v1/customers/", {"lost_reason": price.pk})) == [priced_out.pk]


def test_the_api_takes_the_pages_customer_filters(api_for, rep, referred, priced_out):
    api = api_for(rep)
    today = CompanySettings.load().today()

    assert ids(api.get("/api/v1/customers/", {"status": "closed"})) == [priced_out.pk]
    assert len(ids(api.get("/api/v1/customers/", {"created_from": str(today)}))) == 2
    assert ids(api.get("/api/v1/customers/", {"created_to": str(today - timedelta(1))})) == []
    assert ids(api.get("/api/v1/customers/", {"created_to": str(date(9999, 12, 31))})) == []


def test_the_lost_report_links_the_list_by_reason_key(client_for, manager, priced_out):
    price = LostReason.objects.get(key="price")

    page = client_for(manager).get(reverse("customers:lost"), {"lost_reason": price.pk})

    assert page.context["list_query"] == "status=closed&lost_reason=price"


# --- deals ------------------------------------------------------------------------------------


@pytest.fixture
def deals(rep, pro_plan):
    proposal = make_deal(rep, title="Proposal", stage_key="proposal")
    proposal.products.set([pro_plan])
    renewal = make_deal(rep, title="Renewal", pipeline="renewals", stage_key="due")
    return {"proposal": proposal, "renewal": renewal}


def test_deal_stage_is_a_key_on_the_page_and_in_the_api(client_for, api_for, rep, deals):
    page = client_for(rep)
    query = {"pipeline": "new-business", "stage": "proposal"}

    assert on_page(page.get(reverse("deals:list"), query)) == [deals["proposal"].pk]
    assert ids(api_for(rep).get("/api/v1/deals/", query)) == [deals["proposal"].pk]
    options = page.get(reverse("deals:list")).context["filter"].form["stage"]
    assert [choice[0] for choice in options.field.widget.choices][:2] == ["", "lead"]


def test_a_stage_id_from_an_older_page_link_still_finds_the_stage(client_for, rep, deals):
    link = {"pipeline": "new-business", "stage": stage("proposal").pk}

    assert on_page(client_for(rep).get(reverse("deals:list"), link)) == [deals["proposal"].pk]


def test_digits_that_are_a_stage_key_mean_the_key(api_for, rep, deals):
    numbered = Stage.objects.create(
        pipeline=stage("due", "renewals").pipeline, key=str(stage("proposal").pk), position=9
    )

    response = api_for(rep).get("/api/v1/deals/", {"stage": numbered.key})

    assert ids(response) == []  # the key's stage has no deals; the id is not consulted


def test_the_api_takes_the_pages_deal_filters(api_for, rep, deals):
    api = api_for(rep)
    today = CompanySettings.load().today()

    assert ids(api.get("/api/v1/deals/", {"q": "renew"})) == [deals["renewal"].pk]
    assert ids(api.get("/api/v1/deals/", {"product": "pro-plan"})) == [deals["proposal"].pk]
    assert ids(api.get("/api/v1/deals/", {"closed_from": str(today)})) == []
    assert api.get("/api/v1/deals/", {"product": "nonesuch"}).status_code == 400
