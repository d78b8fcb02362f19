"""Every write carries the version it read: a stale one is refused with nothing saved —
409 in the API's error body, the form shown again with "changed by someone else" and the
typed values kept on pages. A stale version is a conflict before any rule is checked.

One request after the other, so these run on SQLite and PostgreSQL alike; the real
races are in tests/api/test_races.py (PostgreSQL).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.customers.imports import run_import
from activities.deals import services
from activities.models import Customer, Deal, Metric, Task
from plans.models import Goal, GoalPeriod, PlanStatus, PlanTarget, WeeklyPlan
from reporting.models import ReportKind, ReportPack, ReviewMiss
from reporting.reviews import services as reviews
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory, PlanTargetFactory, WeeklyPlanFactory
from tests.factories.customers import CustomerFactory, DealFactory, TaskFactory
from tests.factories.deals import pipeline, stage

HX = {"HTTP_HX_REQUEST": "true"}
CHANGED = "changed by someone else since you opened it"


def conflict(response):
    """The API's documented error body for a stale version."""
    assert response.status_code == 409, response.content
    assert response.data["status"] == 409 and response.data["code"] == "conflict"
    return response.data["detail"]


def needs_version(response):
    assert response.status_code == 400, response.content
    assert "version" in response.data["errors"]


def stale_page(response):
    """The form again (not a redirect), with the conflict said on top."""
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any(CHANGED in e for e in errors), errors
    return response.content.decode()


def bumped(row, version):
    """Somebody else saves ``row`` meanwhile: its version moves on."""
    type(row).objects.filter(pk=row.pk).update(version=version + 1)


# --- Deals ------------------------------------------------------------------------------------


@pytest.fixture
def deal(rep):
    return DealFactory(customer=CustomerFactory(owner=rep), owner=rep, title="Acme trucks")


def test_deal_api_returns_and_raises_its_version(deal, rep, api_for):
    api, url = api_for(rep), f"/api/v1/deals/{deal.pk}/"
    assert api.get(url).data["version"] == 1
    saved = api.patch(url, {"next_step": "Call", "version": 1}, format="json")
    assert saved.status_code == 200 and saved.data["version"] == 2
    moved = api.post(url + "move/", {"stage": "negotiation", "version": 2}, format="json")
    assert moved.status_code == 200 and moved.data["version"] == 3


def test_deal_api_stale_patch_is_409_and_changes_nothing(deal, rep, api_for):
    bumped(deal, 1)
    response = api_for(rep).patch(
        f"/api/v1/deals/{deal.pk}/", {"title": "Mine", "version": 1}, format="json"
    )
    assert CHANGED in conflict(response)
    assert Deal.objects.get(pk=deal.pk).title == "Acme trucks"


def test_deal_api_patch_needs_a_version(deal, rep, api_for):
    needs_version(api_for(rep).patch(f"/api/v1/deals/{deal.pk}/", {"title": "Mine"}))
    assert Deal.objects.get(pk=deal.pk).title == "Acme trucks"


def test_deal_api_create_ignores_a_sent_version(rep, api_for):
    customer = CustomerFactory(owner=rep)
    body = {
        "title": "New",
        "customer": customer.pk,
        "pipeline": "new-business",
        "amount": "10.00",
        "expected_close": "2030-01-01",
        "version": 7,
    }
    response = api_for(rep).post("/api/v1/deals/", body, format="json")
    assert response.status_code == 201 and response.data["version"] == 1


def test_deal_api_stale_move_is_409_before_the_lost_reason_rule(deal, rep, api_for):
    bumped(deal, 1)
    url = f"/api/v1/deals/{deal.pk}/move/"
    conflict(api_for(rep).post(url, {"stage": "lost", "version": 1}, format="json"))
    deal.refresh_from_db()
    assert deal.stage.key == "proposal" and deal.transitions.count() == 0


def test_stale_writes_are_409_before_their_bodies_are_validated(deal, rep, api_for):
    """A stale page is told "reload" first, even when the body is also wrong: the stage
    changes only by a move, the amount is not a number, the stage key does not exist."""
    bumped(deal, 1)
    api, url = api_for(rep), f"/api/v1/deals/{deal.pk}/"
    conflict(api.put(url, {"title": "Mine", "stage": "won", "version": 1}, format="json"))
    conflict(api.patch(url, {"amount": "lots", "version": 1}, format="json"))
    conflict(api.post(url + "move/", {"stage": "no-such-stage", "version": 1}, format="json"))
    deal.refresh_from_db()
    assert (deal.title, deal.stage.key, deal.version) == ("Acme trucks", "proposal", 2)


def test_stale_goal_removal_by_query_version_is_409_before_the_reason_rule(
    rita_goal, manager, api_for
):
    bumped(rita_goal, rita_goal.version)
    stale = rita_goal.version
    response = api_for(manager).delete(f"/api/v1/goals/{rita_goal.pk}/?version={stale}")
    conflict(response)
    assert Goal.objects.filter(pk=rita_goal.pk).exists()


def test_deal_api_move_without_a_version_still_moves(deal, rep, api_for):
    response = api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "won"})
    assert response.status_code == 200 and response.data["status"] == "won"


def test_deal_page_stale_edit_keeps_what_was_typed(deal, rep, client_for):
    client, url = client_for(rep), reverse("deals:edit", args=[deal.pk])
    data = client.get(url).context["form"].initial
    assert data["version"] == 1
    bumped(deal, 1)
    post = {**data, "title": "Typed title", "expected_close": deal.expected_close.isoformat()}
    post["products"] = []
    body = stale_page(client.post(url, {k: v for k, v in post.items() if v is not None}))
    assert "Typed title" in body
    assert Deal.objects.get(pk=deal.pk).title == "Acme trucks"


def test_deal_page_edit_with_the_current_version_saves(deal, rep, client_for):
    client, url = client_for(rep), reverse("deals:edit", args=[deal.pk])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.update(title="Renamed", expected_close=deal.expected_close.isoformat(), products=[])
    assert client.post(url, data).status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.version) == ("Renamed", 2)


def test_board_move_from_a_stale_card_says_so_and_moves_nothing(deal, rep, client_for):
    bumped(deal, 1)
    response = client_for(rep).post(
        reverse("deals:move", args=[deal.pk]),
        {"to_stage": stage("negotiation").pk, "version": 1, "board": ""},
        **HX,
    )
    assert response.status_code == 200
    assert CHANGED in response.context["error"]
    assert Deal.objects.get(pk=deal.pk).stage.key == "proposal"
    card = 'name="version" value="2"'
    assert card in response.content.decode()  # the board again, with the fresh version


def test_deal_page_move_without_a_version_still_moves(deal, rep, client_for):
    response = client_for(rep).post(
        reverse("deals:move", args=[deal.pk]),
        {"to_stage": stage("negotiation").pk, "from": "detail"},
    )
    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).stage.key == "negotiation"


def test_deal_page_carries_the_version(deal, rep, client_for):
    body = client_for(rep).get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert 'name="version" value="1"' in body


def test_deal_upsert_raises_the_version(deal, rep):
    Deal.objects.filter(pk=deal.pk).update(source="erp", external_id="opp-1")
    entry = {
        "source": "erp",
        "external_id": "opp-1",
        "title": "Acme trucks, v2",
        "customer": deal.customer,
        "owner": rep,
        "pipeline": pipeline(),
        "stage": stage("negotiation"),
        "products": [],
        "amount": Decimal("1000.00"),
        "expected_close": deal.expected_close,
        "probability": None,
        "next_step": "",
        "next_step_date": None,
        "lost_reason": None,
        "lost_note": "",
    }
    services.upsert_deals(entries=[entry], by=rep)
    assert Deal.objects.get(pk=deal.pk).version == 3  # a detail change, then a move


# --- Customers --------------------------------------------------------------------------------


def test_customer_api_stale_patch_is_409(rep, api_for):
    customer = CustomerFactory(owner=rep, city="Leeds")
    url = f"/api/v1/customers/{customer.pk}/"
    assert api_for(rep).get(url).data["version"] == 1
    bumped(customer, 1)
    conflict(api_for(rep).patch(url, {"city": "York", "version": 1}, format="json"))
    needs_version(api_for(rep).patch(url, {"city": "York"}, format="json"))
    assert Customer.objects.get(pk=customer.pk).city == "Leeds"
    saved = api_for(rep).patch(url, {"city": "York", "version": 2}, format="json")
    assert saved.status_code == 200 and saved.data["version"] == 3


def test_customer_page_stale_edit_keeps_what_was_typed(rep, client_for):
    customer = CustomerFactory(owner=rep, name="Acme", city="Leeds")
    client, url = client_for(rep), reverse("customers:edit", args=[customer.pk])
    assert client.get(url).context["form"]["version"].value() == 1
    bumped(customer, 1)
    data = {
        "name": "Acme",
        "status": customer.status,
        "city": "Typed city",
        "version": 1,
        "contacts-TOTAL_FORMS": 0,
        "contacts-INITIAL_FORMS": 0,
    }
    assert "Typed city" in stale_page(client.post(url, data))
    assert Customer.objects.get(pk=customer.pk).city == "Leeds"
    data["version"] = 2
    assert client.post(url, data).status_code == 302
    assert Customer.objects.get(pk=customer.pk).city == "Typed city"


def test_customer_import_raises_the_version(rep):
    customer = CustomerFactory(owner=rep, name="Acme", external_id="crm-1")
    text = "name,owner,external_id,city\nAcme,rep,crm-1,Hull\n"
    run_import(text=text, by=rep)
    customer.refresh_from_db()
    assert (customer.city, customer.version) == ("Hull", 2)


# --- Tasks ------------------------------------------------------------------------------------


def test_task_api_stale_writes_are_409(rep, api_for):
    task = TaskFactory(assignee=rep, title="Call Acme")
    url = f"/api/v1/tasks/{task.pk}/"
    bumped(task, 1)
    conflict(api_for(rep).patch(url, {"title": "Mine", "version": 1}, format="json"))
    conflict(api_for(rep).post(url + "done/", {"version": 1}, format="json"))
    needs_version(api_for(rep).patch(url, {"title": "Mine"}, format="json"))
    task.refresh_from_db()
    assert (task.title, task.done_at) == ("Call Acme", None)
    done = api_for(rep).post(url + "done/", {"version": 2}, format="json")
    assert done.status_code == 200 and done.data["version"] == 3
    assert api_for(rep).post(url + "reopen/").status_code == 200  # no version: as it stands


def test_task_page_done_from_a_stale_row_changes_nothing_and_says_so(rep, manager, client_for):
    """The manager reopened the task after the rep's page was drawn: the rep's Done, sent
    with the row's old version, leaves it open and shows the row as it stands."""
    task = TaskFactory(assignee=rep, title="Call Acme")
    bumped(task, 1)
    response = client_for(rep).post(
        reverse("tasks:done", args=[task.pk]), {"version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert CHANGED in response.content.decode()
    assert 'name="version" value="2"' in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None
    done = client_for(rep).post(
        reverse("tasks:done", args=[task.pk]), {"version": 2}, HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 200 and CHANGED not in done.content.decode()
    task.refresh_from_db()
    assert task.done_at is not None


def test_task_page_stale_edit_keeps_what_was_typed(rep, client_for):
    task = TaskFactory(assignee=rep, title="Call Acme")
    client, url = client_for(rep), reverse("tasks:edit", args=[task.pk])
    assert client.get(url).context["form"]["version"].value() == 1
    bumped(task, 1)
    due = (task.due_at + timedelta(days=1)).astimezone(CompanySettings.load().tzinfo)
    data = {
        "title": "Typed title",
        "assignee": rep.pk,
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "priority": task.priority,
        "version": 1,
    }
    assert "Typed title" in stale_page(client.post(url, data))
    assert Task.objects.get(pk=task.pk).title == "Call Acme"


# --- Weekly plans: a stale version is 409 before the status rule's 400 ----------------------


@pytest.fixture
def submitted(rep):
    return WeeklyPlanFactory(rep=rep, status=PlanStatus.SUBMITTED)


@pytest.mark.parametrize(
    "action, body",
    [("approve", {}), ("return", {"comment": "Redo"})],
)
def test_stale_review_of_a_plan_reviewed_meanwhile_is_409(
    submitted, manager, director, api_for, action, body
):
    url = f"/api/v1/weekly-plans/{submitted.pk}/"
    first = api_for(director).post(url + "approve/", {"version": 1}, format="json")
    assert first.status_code == 200
    conflict(api_for(manager).post(url + f"{action}/", {"version": 1, **body}, format="json"))
    assert WeeklyPlan.objects.get(pk=submitted.pk).status == PlanStatus.APPROVED


def test_stale_submit_of_a_plan_submitted_meanwhile_is_409(rep, api_for):
    plan = WeeklyPlanFactory(rep=rep)

    PlanTargetFactory(plan=plan)
    url = f"/api/v1/weekly-plans/{plan.pk}/submit/"
    assert api_for(rep).post(url, {"version": 1}, format="json").status_code == 200
    conflict(api_for(rep).post(url, {"version": 1}, format="json"))


# --- Goals ------------------------------------------------------------------------------------


@pytest.fixture
def rita_goal(rep, manager):
    return Goal.objects.create(
        scope="rep",
        rep=rep,
        metric=Metric.objects.get(key="calls"),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal("200"),
        created_by=manager,
    )


def test_goal_api_stale_change_is_409_before_the_nothing_to_change_rule(
    rita_goal, manager, api_for
):
    bumped(rita_goal, 1)
    body = {"target": "200", "reason": "Same", "version": 1}
    conflict(api_for(manager).patch(f"/api/v1/goals/{rita_goal.pk}/", body, format="json"))


def test_goal_api_removal_carries_the_version(rita_goal, manager, api_for):
    api, url = api_for(manager), f"/api/v1/goals/{rita_goal.pk}/"
    needs_version(api.delete(url, {"reason": "Wrong metric"}, format="json"))
    bumped(rita_goal, 1)
    conflict(api.delete(url, {"reason": "Wrong metric", "version": 1}, format="json"))
    conflict(api.delete(url + "?version=1&reason=x"))  # stale before the reason is read
    assert Goal.objects.filter(pk=rita_goal.pk).exists()
    assert api.delete(url + "?version=2&reason=Wrong+metric").status_code == 204
    assert not Goal.objects.filter(pk=rita_goal.pk).exists()


def test_goal_page_stale_removal_keeps_the_reason(rita_goal, manager, client_for):
    client = client_for(manager)
    page = client.get(reverse("goals:detail", args=[rita_goal.pk]))
    assert page.context["delete_form"]["version"].value() == 1
    bumped(rita_goal, 1)
    response = client.post(
        reverse("goals:delete", args=[rita_goal.pk]), {"reason": "Typed reason", "version": 1}
    )
    assert response.status_code == 200
    assert "changed by somebody else" in str(response.context["delete_form"].non_field_errors())
    assert "Typed reason" in response.content.decode()
    assert Goal.objects.filter(pk=rita_goal.pk).exists()


# --- Monthly reviews: a miss's root cause -----------------------------------------------------


@pytest.fixture
def march_miss(rep):

    plan = WeeklyPlanFactory(
        rep=rep,
        week_start=date(2025, 3, 3),
        status=PlanStatus.APPROVED,
        submitted_at=datetime(2025, 3, 2, 12, tzinfo=CompanySettings.load().tzinfo),
    )
    PlanTarget.objects.create(
        plan=plan, metric=Metric.objects.get(key="calls"), planned=Decimal("40")
    )
    ActivityFactory(rep=rep, day=date(2025, 3, 4), quantity=Decimal("10"))
    review = reviews.build_monthly_review(rep=rep, month=date(2025, 3, 1))
    return review.misses.get()


def test_root_cause_api_carries_the_miss_version(march_miss, manager, api_for):
    url = f"/api/v1/reviews/{march_miss.review_id}/misses/{march_miss.pk}/"
    api = api_for(manager)
    needs_version(api.post(url, {"root_cause": "pricing"}, format="json"))
    saved = api.post(url, {"root_cause": "pricing", "version": 1}, format="json")
    assert saved.status_code == 200 and saved.data["version"] == 2
    conflict(api.post(url, {"root_cause": "market", "version": 1}, format="json"))
    assert ReviewMiss.objects.get(pk=march_miss.pk).root_cause == "pricing"


def test_root_cause_page_stale_keeps_the_choice(march_miss, manager, client_for):
    bumped(march_miss, 1)
    response = client_for(manager).post(
        reverse("reviews:miss", args=[march_miss.review_id, march_miss.pk]),
        {"root_cause": "market", "note": "Typed note", "version": 1},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "changed by someone else" in body
    assert "Typed note" in body
    assert ReviewMiss.objects.get(pk=march_miss.pk).root_cause == ""


# --- Report packs -----------------------------------------------------------------------------


def test_report_pack_stale_edit_keeps_what_was_typed(cast, client_for):
    pack = ReportPack.objects.create(
        name="Board pack",
        reports=[ReportKind.COMPANY_MONTHLY],
        extra_emails="investor@example.com",
        created_by=cast["admin"],
    )
    client, url = client_for(cast["admin"]), reverse("reports:pack_edit", args=[pack.pk])
    assert client.get(url).context["form"].initial["version"] == 1
    bumped(pack, 1)
    data = {
        "name": "Typed name",
        "reports": [ReportKind.COMPANY_MONTHLY],
        "extra_emails": "investor@example.com",
        "day_of_month": "2",
        "hour": "8",
        "active": "on",
        "version": 1,
    }
    assert "Typed name" in stale_page(client.post(url, data))
    assert ReportPack.objects.get(pk=pack.pk).name == "Board pack"
    data["version"] = 2
    assert client.post(url, data).status_code == 302
    pack.refresh_from_db()
    assert (pack.name, pack.version) == ("Typed name", 3)


def test_report_pack_changed_since_the_delete_page_opened_is_not_deleted(cast, client_for):
    pack = ReportPack.objects.create(
        name="Board pack", reports=[ReportKind.COMPANY_MONTHLY], created_by=cast["admin"]
    )
    client, url = client_for(cast["admin"]), reverse("reports:pack_delete", args=[pack.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    bumped(pack, 1)

    response = client.post(url, {"version": 1})

    assert response.status_code == 200 and CHANGED in response.content.decode()
    assert ReportPack.objects.filter(pk=pack.pk).exists()
    assert client.post(url, {"version": 2}).status_code == 302
    assert not ReportPack.objects.filter(pk=pack.pk).exists()
