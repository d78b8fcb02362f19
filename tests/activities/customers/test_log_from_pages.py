"""Customers and activity, linked: the customer page lists what was logged against it or
its deals; one activity is logged (and a task set) straight from a customer's or a
deal's page, through the log service; the list, its CSV and the API show each
customer's last activity and next step."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityChange, Metric
from salesmgmt.models import CompanySettings
from tests.activities.log.test_day_log_pages import lines_data, log_url
from tests.cast import ROLES
from tests.factories import ActivityFactory, days_ago
from tests.factories.customers import CustomerFactory, DealFactory, TaskFactory, stage

MAY_LOG_FOR_RITA = {"rep", "manager", "director", "admin"}


def meetings():
    return Metric.objects.get(key="meetings")


def log_data(**fields) -> dict:
    return {
        "metric": meetings().pk,
        "quantity": "1",
        "day": days_ago(0).isoformat(),
        "note": "Met the buyer",
        **fields,
    }


@pytest.fixture
def acme(rep):
    return CustomerFactory(owner=rep, name="Acme")


@pytest.fixture
def fleet(acme):
    return DealFactory(customer=acme, title="Acme fleet")


# --- The customer page reads its deals' activity ------------------------------------------------


def test_customer_page_lists_the_activity_logged_against_its_deal(client_for, rep, acme, fleet):
    """A row naming only the deal (as an integration may have stored it) still shows."""
    ActivityFactory(rep=rep, deal=fleet, metric=meetings(), quantity=Decimal("1"), note="Demo")

    response = client_for(rep).get(reverse("customers:detail", args=[acme.pk]))
    body = response.content.decode()

    assert [a.deal for a in response.context["activities"]] == [fleet]
    assert "Meetings: 1" in body and "Acme fleet · Demo" in body
    assert "No calls, meetings or other activity" not in body


def test_customer_page_without_activity_says_so_once(client_for, rep, acme):
    body = client_for(rep).get(reverse("customers:detail", args=[acme.pk])).content.decode()
    assert body.count("No calls, meetings or other activity logged") == 1


def test_deal_page_shows_the_deals_activity_and_tasks(client_for, rep, acme, fleet):
    ActivityFactory(rep=rep, customer=acme, deal=fleet, metric=meetings(), note="Site visit")
    ActivityFactory(rep=rep, customer=acme, note="Not the deal's")
    TaskFactory(assignee=rep, deal=fleet, customer=acme, title="Send the proposal")

    response = client_for(rep).get(reverse("deals:detail", args=[fleet.pk]))
    body = response.content.decode()

    assert [a.note for a in response.context["activities"]] == ["Site visit"]
    assert "Send the proposal" in body and "Not the deal's" not in body
    assert reverse("activities:log_deal", args=[fleet.pk]) in body


# --- Logging from a customer's page ---------------------------------------------------------------


def test_rep_logs_a_meeting_from_the_customer_page(client_for, rep, acme):
    client = client_for(rep)
    response = client.post(reverse("activities:log_customer", args=[acme.pk]), log_data())

    assert response.status_code == 302
    assert response.url == reverse("customers:detail", args=[acme.pk]) + "#history"
    activity = Activity.objects.get()
    assert (activity.rep, activity.customer, activity.deal, activity.quantity) == (
        rep,
        acme,
        None,
        Decimal("1"),
    )
    assert (activity.source, activity.created_by, activity.note) == ("record", rep, "Met the buyer")
    # Written through the log service: kept in the change log.
    assert ActivityChange.objects.get().action == "created"
    [message] = get_messages(response.wsgi_request)
    assert str(message).startswith("Logged meetings: 1 on ")
    page = client.get(reverse("customers:detail", args=[acme.pk]))
    assert [a.pk for a in page.context["activities"]] == [activity.pk]


def test_the_customer_page_offers_the_form_with_today_and_one(client_for, rep, acme):
    response = client_for(rep).get(reverse("customers:detail", args=[acme.pk]))
    form = response.context["log_form"]
    assert form.initial == {"day": CompanySettings.load().today(), "quantity": 1}
    body = response.content.decode()
    assert reverse("activities:log_customer", args=[acme.pk]) in body
    task_link = f"{reverse('tasks:new')}?customer={acme.pk}&rep={rep.pk}"
    assert task_link in body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quantity": "1.5"}, "quantity", "Meetings is counted in whole numbers."),
        ({"quantity": "0"}, "quantity", "Log at least one."),
        ({"metric": ""}, "metric", "This field is required."),
        ({"day": -1}, "day", "has not happened yet"),
        ({"day": 40}, "day", "can only be changed by your manager"),
    ],
)
def test_bad_input_keeps_the_form_with_its_errors(client_for, rep, acme, fields, field, message):
    if "day" in fields:  # days back from today
        fields = {"day": days_ago(fields["day"]).isoformat()}
    response = client_for(rep).post(
        reverse("activities:log_customer", args=[acme.pk]), log_data(**fields)
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field])
    assert form["note"].value() == "Met the buyer"
    assert not Activity.objects.exists()


def test_manager_logs_an_old_day_for_their_rep_from_the_customer_page(
    client_for, rep, manager, acme
):
    response = client_for(manager).post(
        reverse("activities:log_customer", args=[acme.pk]), log_data(day=days_ago(40).isoformat())
    )

    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.rep, activity.created_by, activity.day) == (rep, manager, days_ago(40))


@pytest.mark.parametrize("role", ROLES)
def test_who_may_log_for_ritas_customer(client_for, cast, acme, role):
    """Who sees the customer and may write its owner's log logs; anyone else gets the
    404 the customer page gives them."""
    client = client_for(cast[role])
    url = reverse("activities:log_customer", args=[acme.pk])

    form = client.get(url)
    response = client.post(url, log_data())

    if role in MAY_LOG_FOR_RITA:
        assert (form.status_code, response.status_code) == (200, 302)
        assert Activity.objects.get().rep == cast["rep"]
    else:
        assert form.status_code == response.status_code == 404
        assert not Activity.objects.exists()


def test_a_customer_owned_by_someone_without_a_log_cannot_be_logged_for(client_for, manager):
    """A manager's own account: no rep's log to write in, so no form, and a 403."""
    own = CustomerFactory(owner=manager)

    page = client_for(manager).get(reverse("customers:detail", args=[own.pk]))
    response = client_for(manager).post(
        reverse("activities:log_customer", args=[own.pk]), log_data()
    )

    assert page.context["log_form"] is None
    assert reverse("activities:log_customer", args=[own.pk]) not in page.content.decode()
    assert response.status_code == 403
    assert not Activity.objects.exists()


# --- Logging from a deal's page -------------------------------------------------------------------


def test_rep_logs_from_the_deal_page_with_the_deal_and_its_customer(client_for, rep, acme, fleet):
    response = client_for(rep).post(
        reverse("activities:log_deal", args=[fleet.pk]),
        log_data(channel="", product="", note="Demo held"),
    )

    assert response.status_code == 302
    assert response.url == reverse("deals:detail", args=[fleet.pk]) + "#history"
    activity = Activity.objects.get()
    assert (activity.customer, activity.deal, activity.rep) == (acme, fleet, rep)


def test_deal_page_bad_input_keeps_the_form(client_for, rep, fleet):
    response = client_for(rep).post(
        reverse("activities:log_deal", args=[fleet.pk]), log_data(quantity="-1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"]
    assert response.context["deal"] == fleet
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_log_for_ritas_deal(client_for, cast, fleet, role):
    response = client_for(cast[role]).post(
        reverse("activities:log_deal", args=[fleet.pk]), log_data()
    )
    if role in MAY_LOG_FOR_RITA:
        assert response.status_code == 302
        assert Activity.objects.get().deal == fleet
    else:
        assert response.status_code == 404
        assert not Activity.objects.exists()


def test_add_a_task_from_the_deal_page_comes_back_to_it(client_for, rep, acme, fleet):
    client = client_for(rep)
    page = client.get(reverse("deals:detail", args=[fleet.pk])).content.decode()
    next_url = reverse("deals:detail", args=[fleet.pk]) + "#tasks"
    assert f"?deal={fleet.pk}&customer={acme.pk}&rep={rep.pk}" in page

    form = client.get(
        reverse("tasks:new"), {"deal": fleet.pk, "customer": acme.pk, "next": next_url}
    )
    assert (form.context["form"]["deal"].value(), form.context["form"]["customer"].value()) == (
        fleet.pk,
        acme.pk,
    )
    due = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("tasks:new"),
        {
            "title": "Send the proposal",
            "due_at": due,
            "priority": "normal",
            "customer": acme.pk,
            "deal": fleet.pk,
            "next": next_url,
        },
    )
    assert response.status_code == 302 and response.url == next_url
    assert fleet.tasks.get().title == "Send the proposal"


# --- Last activity and next step on the list, its CSV and the API ---------------------------------


def at_day(offset: int, hour: int = 10) -> datetime:
    company = CompanySettings.load()
    day = company.today() + timedelta(days=offset)
    return datetime(day.year, day.month, day.day, hour, tzinfo=company.tzinfo)


@pytest.fixture
def book(rep, acme, fleet):
    """Acme: a meeting on its deal 2 days ago, a call 5 days ago; a task in 4 days and the
    deal's next step in 2 days. Bolt: only a deal step. Calm: a task for a deal already
    won (not a next step), no activity."""
    ActivityFactory(rep=rep, deal=fleet, customer=acme, metric=meetings(), day=days_ago(2))
    ActivityFactory(rep=rep, customer=acme, day=days_ago(5))
    TaskFactory(assignee=rep, customer=acme, title="Call Ann", due_at=at_day(4))
    fleet.next_step, fleet.next_step_date = "Send the proposal", days_ago(-2)
    fleet.save()
    bolt = CustomerFactory(owner=rep, name="Bolt")
    DealFactory(customer=bolt, next_step="Book a demo", next_step_date=days_ago(-7))
    calm = CustomerFactory(owner=rep, name="Calm")
    won = DealFactory(customer=calm, stage=stage("won"))
    TaskFactory(assignee=rep, deal=won, title="Old task", due_at=at_day(1))
    return {"acme": acme, "bolt": bolt, "calm": calm}


def test_list_shows_last_activity_and_next_step(client_for, rep, book):
    response = client_for(rep).get(reverse("customers:list"))
    rows = {c.name: c for c in response.context["page"]}

    acme, bolt, calm = rows["Acme"], rows["Bolt"], rows["Calm"]
    assert (acme.last_activity, acme.last_activity_metric) == (days_ago(2), "Meetings")
    assert (acme.next_step.day, acme.next_step.text, acme.next_step.kind) == (
        days_ago(-2),
        "Send the proposal",
        "deal",
    )
    assert (bolt.last_activity, bolt.next_step.text) == (None, "Book a demo")
    assert (calm.last_activity, calm.next_step) == (None, None)
    body = response.content.decode()
    assert "Send the proposal" in body and "Old task" not in body


def test_an_earlier_task_is_the_next_step(client_for, rep, book):
    TaskFactory(assignee=rep, customer=book["acme"], title="Confirm the meeting", due_at=at_day(1))
    row = next(
        c
        for c in client_for(rep).get(reverse("customers:list")).context["page"]
        if c.name == "Acme"
    )
    assert (row.next_step.day, row.next_step.text, row.next_step.kind) == (
        days_ago(-1),
        "Confirm the meeting",
        "task",
    )


def test_api_shows_last_activity_and_next_step(rep, api_for, book):
    results = api_for(rep).get("/api/v1/customers/").data["results"]
    by_name = {c["name"]: c for c in results}

    assert by_name["Acme"]["last_activity"] == {"day": str(days_ago(2)), "metric": "Meetings"}
    assert by_name["Acme"]["next_step"] == {
        "day": str(days_ago(-2)),
        "text": "Send the proposal",
        "kind": "deal",
    }
    assert by_name["Calm"]["last_activity"] is None
    assert by_name["Calm"]["next_step"] is None


def test_a_teammates_activity_is_not_the_reps_last_activity(rep, teammate, api_for, acme):
    ActivityFactory(rep=teammate, customer=acme, day=days_ago(1))
    ActivityFactory(rep=rep, customer=acme, day=days_ago(3))
    [row] = api_for(rep).get("/api/v1/customers/").data["results"]
    assert row["last_activity"]["day"] == str(days_ago(3))


def test_list_and_api_queries_do_not_grow_with_activity_and_steps(
    client_for, api_for, manager, rep, teammate, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            customer = CustomerFactory(owner=rep if i % 2 else teammate)
            deal = DealFactory(customer=customer, next_step="Call", next_step_date=days_ago(-i))
            ActivityFactory(rep=customer.owner, customer=customer, deal=deal)
            TaskFactory(assignee=customer.owner, customer=customer, due_at=at_day(i % 5))

    client, api = client_for(manager), api_for(manager)
    add(3)
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(reverse("customers:list"))
    with django_assert_max_num_queries(API_QUERIES):
        api.get("/api/v1/customers/")
    add(30)
    with django_assert_max_num_queries(LIST_QUERIES):
        page = client.get(reverse("customers:list"))
    with django_assert_max_num_queries(API_QUERIES):
        rows = api.get("/api/v1/customers/").data["results"]
    assert all(c.next_step and c.last_activity for c in page.context["page"])
    assert all(r["next_step"] and r["last_activity"] for r in rows)


LIST_QUERIES = 12
API_QUERIES = 5


def test_meetings_logged_on_two_customers_leave_the_day_log_as_it_was(client_for, rep, acme):
    """Rows logged on a customer's page are their own: the day log lists them read-only
    and still saves its lines (before, two such meetings made the day unsaveable, and
    saving the day log could merge them into its own "Meetings" line)."""
    zed = CustomerFactory(owner=rep, name="Zed")
    client = client_for(rep)
    for customer in (acme, zed):
        client.post(reverse("activities:log_customer", args=[customer.pk]), log_data())
    day_url = log_url(days_ago(0))
    page = client.get(day_url)
    assert {a.customer for a in page.context["integrated"]} == {acme, zed}

    lines = [{"metric": meetings(), "quantity": "3"}]
    data = {**lines_data(lines, initial_forms=0), "stamp": page.context["stamp"]}
    assert client.post(day_url, data).status_code == 302
    rows = Activity.objects.filter(metric=meetings()).order_by("pk")
    assert [(r.customer, r.quantity, r.source) for r in rows] == [
        (acme, Decimal("1"), "record"),
        (zed, Decimal("1"), "record"),
        (None, Decimal("3"), "manual"),
    ]


def test_a_deals_sale_is_its_win_not_a_logged_row(client_for, rep, acme, fleet):
    """A sale logged on a deal and then the deal's win would count twice as credited sales."""
    sales = Metric.objects.get(key="sales-value")
    response = client_for(rep).post(
        reverse("activities:log_deal", args=[fleet.pk]), log_data(metric=sales.pk, quantity="900")
    )

    assert response.status_code == 200
    assert "credited when the deal is won" in response.context["form"].errors["metric"][0]
    assert not Activity.objects.exists()
