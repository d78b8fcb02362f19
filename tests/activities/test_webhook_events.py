"""The activities app's webhook events, each through its public surface: exactly one
event of the type, about the right object, whose data is the object as the API shows it;
delivered only to active endpoints subscribed to the type."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activities.customers.services import save_customer
from activities.jobs import emit_overdue_task_events_task
from activities.models import Activity, Customer, Deal, Metric, Task
from salesmgmt.models import WebhookDelivery, WebhookEvent
from salesmgmt.models import WebhookEventType as E
from tests.activities.customers.test_import import make_csv, run, upload
from tests.activities.customers.test_pages import contacts_data, form_data
from tests.factories import days_ago
from tests.factories.api import CustomerFactory, make_deal
from tests.factories.customers import reason, stage
from tests.factories.webhooks import as_api_shows, events_of, subscribe, the_event
from tests.salesmgmt.imports import helpers as imports

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks():
    """One endpoint for every event, one for nothing here, one switched off."""
    subscribed = subscribe(*E.values)
    subscribe(E.PLAN_SUBMITTED, url="https://other.example.com/in")
    subscribe(*E.values, active=False, url="https://off.example.com/in")
    return subscribed


# --- Customers ----------------------------------------------------------------------------------


def test_customer_created_by_api(hooks, rep, admin, api_for):
    response = api_for(rep).post("/api/v1/customers/", {"name": "Borealis", "status": "prospect"})
    assert response.status_code == 201, response.data

    event = the_event(E.CUSTOMER_CREATED, object_type="customer", object_id=response.data["id"])
    assert event.data == as_api_shows(admin, f"/api/v1/customers/{response.data['id']}/")
    assert event.data["name"] == "Borealis"
    assert events_of(E.CUSTOMER_UPDATED) == []


def test_customer_changed_by_api_only_when_something_changed(hooks, rep, admin, acme, api_for):
    api = api_for(rep)
    url = f"/api/v1/customers/{acme.pk}/"
    same = api.patch(url, {"name": "Acme", "version": acme.version}, format="json")
    assert same.status_code == 200, same.data
    assert events_of(E.CUSTOMER_UPDATED) == []

    changed = api.patch(url, {"city": "Bristol", "version": same.data["version"]}, format="json")
    assert changed.status_code == 200, changed.data

    event = the_event(E.CUSTOMER_UPDATED, object_type="customer", object_id=acme.pk)
    assert event.data == as_api_shows(admin, url)
    assert event.data["city"] == "Bristol"


def test_customer_changed_on_the_page(hooks, rep, acme, admin, client_for):
    response = client_for(rep).post(
        reverse("customers:edit", args=[acme.pk]),
        {**form_data(name="Acme Ltd", version=acme.version), **contacts_data([])},
    )
    assert response.status_code == 302, response.context["form"].errors

    event = the_event(E.CUSTOMER_UPDATED, object_type="customer", object_id=acme.pk)
    assert event.data["name"] == "Acme Ltd"
    assert event.data == as_api_shows(admin, f"/api/v1/customers/{acme.pk}/")


def test_customer_created_on_the_page_carries_its_contacts(hooks, rep, admin, client_for):
    response = client_for(rep).post(
        reverse("customers:create"),
        {
            **form_data(name="Kestrel Bakery", version=""),
            **contacts_data([{"name": "Kim Baker", "role": "Owner", "phone": "", "email": ""}]),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get(name="Kestrel Bakery")
    event = the_event(E.CUSTOMER_CREATED, object_type="customer", object_id=customer.pk)
    assert [c["name"] for c in event.data["contacts"]] == ["Kim Baker"]
    assert event.data == as_api_shows(admin, f"/api/v1/customers/{customer.pk}/")


def test_a_contact_changed_on_the_page_changes_the_customer(hooks, rep, acme, admin, client_for):
    response = client_for(rep).post(
        reverse("customers:edit", args=[acme.pk]),
        {
            **form_data(name="Acme", version=acme.version),
            **contacts_data([{"name": "Ann Buyer", "role": "Buyer", "phone": "", "email": ""}]),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    event = the_event(E.CUSTOMER_UPDATED, object_type="customer", object_id=acme.pk)
    assert [c["name"] for c in event.data["contacts"]] == ["Ann Buyer"]


def test_contacts_api_changes_the_customer(hooks, rep, acme, admin, api_for):
    api = api_for(rep)
    added = api.post("/api/v1/contacts/", {"customer": acme.pk, "name": "Ann", "role": "Buyer"})
    assert added.status_code == 201, added.data
    api.patch(f"/api/v1/contacts/{added.data['id']}/", {"role": "Buyer"})  # no change
    assert len(events_of(E.CUSTOMER_UPDATED)) == 1
    assert events_of(E.CUSTOMER_UPDATED)[0].data["contacts"][0]["name"] == "Ann"

    api.delete(f"/api/v1/contacts/{added.data['id']}/")
    removed = events_of(E.CUSTOMER_UPDATED)[1]
    assert removed.object_id == str(acme.pk) and removed.data["contacts"] == []
    assert removed.data == as_api_shows(admin, f"/api/v1/customers/{acme.pk}/")


def test_customer_import_sends_one_event_per_customer_created_or_changed(
    hooks, rep, admin, client_for
):
    CustomerFactory(owner=rep, name="Old", external_id="ERP-1")
    CustomerFactory(owner=rep, name="Same", external_id="ERP-2")
    text = make_csv(
        [
            {"name": "Old renamed", "status": "prospect", "external_id": "ERP-1"},
            {"name": "Same", "status": "prospect", "external_id": "ERP-2"},
            {"name": "New one", "status": "prospect", "external_id": "ERP-3"},
            {"name": "New two", "status": "prospect", "external_id": "ERP-4"},
        ]
    )
    client = client_for(rep)
    response = run(client, client.get(upload(client, text)["Location"]))
    assert response.status_code == 302

    created = events_of(E.CUSTOMER_CREATED)
    new = Customer.objects.filter(external_id__in=["ERP-3", "ERP-4"]).order_by("external_id")
    assert [e.object_id for e in created] == [str(c.pk) for c in new]
    for event in created:
        assert event.data == as_api_shows(admin, f"/api/v1/customers/{event.object_id}/")
    old = Customer.objects.get(external_id="ERP-1")
    event = the_event(E.CUSTOMER_UPDATED, object_type="customer", object_id=old.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/customers/{old.pk}/")
    assert event.data["name"] == "Old renamed"


def test_failed_change_leaves_no_event(hooks, rep):
    with pytest.raises(RuntimeError), transaction.atomic():
        save_customer(by=rep, name="Ghost", owner=rep, status="prospect")
        assert len(events_of(E.CUSTOMER_CREATED)) == 1
        raise RuntimeError("the caller's transaction fails after the change")
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_no_endpoint_no_event_row(rep, api_for, django_assert_max_num_queries):
    response = api_for(rep).post("/api/v1/customers/", {"name": "Quiet", "status": "prospect"})
    assert response.status_code == 201
    assert WebhookEvent.objects.count() == 0


def test_only_subscribed_active_endpoints_get_a_delivery(rep, api_for):
    wants = subscribe(E.CUSTOMER_CREATED)
    subscribe(E.CUSTOMER_UPDATED, url="https://other.example.com/in")
    subscribe(E.CUSTOMER_CREATED, active=False, url="https://off.example.com/in")

    api_for(rep).post("/api/v1/customers/", {"name": "Borealis", "status": "prospect"})

    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [wants.pk]


def test_an_event_nobody_wants_is_not_recorded(rep, api_for):
    subscribe(E.DEAL_WON)
    api_for(rep).post("/api/v1/customers/", {"name": "Borealis", "status": "prospect"})
    assert WebhookEvent.objects.count() == 0


# --- Deals --------------------------------------------------------------------------------------


def deal_body(customer, **extra):
    return {
        "title": "Acme fleet",
        "customer": customer.pk,
        "pipeline": "new-business",
        "amount": "12000.00",
        "expected_close": str(timezone.localdate() + timedelta(days=20)),
        **extra,
    }


def test_deal_created_by_api(hooks, rep, admin, acme, api_for):
    response = api_for(rep).post("/api/v1/deals/", deal_body(acme), format="json")
    assert response.status_code == 201, response.data

    event = the_event(E.DEAL_CREATED, object_type="deal", object_id=response.data["id"])
    assert event.data == as_api_shows(admin, f"/api/v1/deals/{response.data['id']}/")
    assert events_of(E.DEAL_WON) == events_of(E.DEAL_STAGE_CHANGED) == []


def test_deal_created_won_is_created_and_won(hooks, rep, acme, api_for):
    response = api_for(rep).post("/api/v1/deals/", deal_body(acme, stage="won"), format="json")
    assert response.status_code == 201, response.data
    the_event(E.DEAL_CREATED, object_type="deal", object_id=response.data["id"])
    event = the_event(E.DEAL_WON, object_type="deal", object_id=response.data["id"])
    assert event.data["status"] == "won"


def test_deal_moved_by_api_sends_stage_changed(hooks, rep, admin, acme, api_for):
    deal = make_deal(rep, customer=acme)
    response = api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "contacted"})
    assert response.status_code == 200, response.data

    event = the_event(E.DEAL_STAGE_CHANGED, object_type="deal", object_id=deal.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/deals/{deal.pk}/")
    assert event.data["stage"] == "contacted"
    assert events_of(E.DEAL_WON) == events_of(E.DEAL_LOST) == []


def test_deal_won_by_api(hooks, rep, admin, acme, api_for):
    deal = make_deal(rep, customer=acme)
    api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "won"})

    won = the_event(E.DEAL_WON, object_type="deal", object_id=deal.pk)
    assert won.data == as_api_shows(admin, f"/api/v1/deals/{deal.pk}/")
    assert won.data["status"] == "won" and won.data["closed_on"] is not None
    the_event(E.DEAL_STAGE_CHANGED, object_type="deal", object_id=deal.pk)


def test_deal_lost_on_the_page(hooks, rep, admin, acme, client_for):
    deal = make_deal(rep, customer=acme)
    response = client_for(rep).post(
        reverse("deals:move", args=[deal.pk]),
        {
            "to_stage": stage("lost").pk,
            "lost_reason": reason("price").pk,
            "note": "Went elsewhere",
            "version": deal.version,
        },
    )
    assert response.status_code in (200, 302)

    lost = the_event(E.DEAL_LOST, object_type="deal", object_id=deal.pk)
    assert lost.data == as_api_shows(admin, f"/api/v1/deals/{deal.pk}/")
    assert lost.data["status"] == "lost"


def test_deal_bulk_creates_and_moves_with_one_event_each(hooks, rep, admin, acme, api_for):
    def entry(external_id, stage):
        return {"source": "erp", "external_id": external_id, **deal_body(acme, stage=stage)}

    api = api_for(rep)
    response = api.post(
        "/api/v1/deals/bulk/", {"entries": [entry("a", "lead"), entry("b", "won")]}, format="json"
    )
    assert response.status_code == 200, response.data
    a, b = (Deal.objects.get(external_id=key) for key in "ab")
    assert [e.object_id for e in events_of(E.DEAL_CREATED)] == [str(a.pk), str(b.pk)]
    for event in events_of(E.DEAL_CREATED):
        assert event.data == as_api_shows(admin, f"/api/v1/deals/{event.object_id}/")
    assert [e.object_id for e in events_of(E.DEAL_WON)] == [str(b.pk)]

    again = api.post(
        "/api/v1/deals/bulk/",
        {"entries": [entry("a", "contacted"), entry("b", "won")]},
        format="json",
    )
    assert again.status_code == 200, again.data
    event = the_event(E.DEAL_STAGE_CHANGED, object_type="deal", object_id=a.pk)
    assert event.data["stage"] == "contacted"
    assert len(events_of(E.DEAL_CREATED)) == 2 and len(events_of(E.DEAL_WON)) == 1


# --- Tasks --------------------------------------------------------------------------------------


def test_task_created_and_done_by_api(hooks, rep, admin, api_for):
    api = api_for(rep)
    due = timezone.now() + timedelta(days=1)
    response = api.post("/api/v1/tasks/", {"title": "Call Acme", "due_at": due.isoformat()})
    assert response.status_code == 201, response.data
    task_id = response.data["id"]
    created = the_event(E.TASK_CREATED, object_type="task", object_id=task_id)
    assert created.data["done_at"] is None
    assert created.data == {**as_api_shows(admin, f"/api/v1/tasks/{task_id}/")}

    api.post(f"/api/v1/tasks/{task_id}/done/", {})
    api.post(f"/api/v1/tasks/{task_id}/done/", {})  # done again changes nothing

    done = the_event(E.TASK_DONE, object_type="task", object_id=task_id)
    assert done.data == as_api_shows(admin, f"/api/v1/tasks/{task_id}/")
    assert done.data["done_at"] is not None


def test_task_created_on_the_page(hooks, rep, client_for):
    due = timezone.localtime() + timedelta(days=1)
    response = client_for(rep).post(
        reverse("tasks:new"),
        {"title": "Visit Borealis", "due_at": due.strftime("%Y-%m-%dT%H:%M"), "priority": "normal"},
    )
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get()
    the_event(E.TASK_CREATED, object_type="task", object_id=task.pk)


def test_task_overdue_once_however_often_the_job_runs(hooks, rep, admin):
    now = timezone.now()
    late = Task.objects.create(
        assignee=rep, created_by=rep, title="Late", due_at=now - timedelta(hours=1)
    )
    Task.objects.create(
        assignee=rep, created_by=rep, title="Not yet", due_at=now + timedelta(hours=1)
    )
    Task.objects.create(
        assignee=rep, created_by=rep, title="Done", due_at=now - timedelta(hours=1), done_at=now
    )

    assert emit_overdue_task_events_task.delay().get() == 1
    assert emit_overdue_task_events_task.delay().get() == 0

    event = the_event(E.TASK_OVERDUE, object_type="task", object_id=late.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/tasks/{late.pk}/")
    assert event.data["is_overdue"] is True

    # Moved later, it goes overdue again once that time passes.
    late.due_at = now + timedelta(minutes=30)
    late.save(update_fields=["due_at"])
    assert emit_overdue_task_events_task.delay((now + timedelta(hours=1)).isoformat()).get() == 1
    assert len(events_of(E.TASK_OVERDUE)) == 2


def test_overdue_job_costs_one_query_without_endpoints(rep, django_assert_num_queries):
    Task.objects.create(
        assignee=rep, created_by=rep, title="Late", due_at=timezone.now() - timedelta(hours=1)
    )
    with django_assert_num_queries(1):
        from activities.tasks.services import emit_overdue_task_events  # noqa: PLC0415

        assert emit_overdue_task_events() == 0


# --- Activities logged --------------------------------------------------------------------------


def test_day_log_save_is_one_batch(hooks, rep, admin, client_for):
    from tests.activities.log.test_day_log_pages import lines_data, log_url  # noqa: PLC0415

    calls, meetings = Metric.objects.get(key="calls"), Metric.objects.get(key="meetings")
    day = days_ago(1)
    lines = [{"metric": calls, "quantity": "12"}, {"metric": meetings, "quantity": "2"}]
    response = client_for(rep).post(log_url(day), lines_data(lines, initial_forms=0))
    assert response.status_code == 302

    event = the_event(E.ACTIVITIES_LOGGED, object_type="activity_batch", object_id=_batch_id())
    rows = Activity.objects.filter(rep=rep, day=day).order_by("day", "pk")
    assert event.data["count"] == 2 and event.data["created"] == 2
    assert (event.data["rep"], event.data["day"], event.data["source"]) == (
        rep.pk,
        day.isoformat(),
        "manual",
    )
    assert event.data["activities"] == [
        as_api_shows(admin, f"/api/v1/activities/{row.pk}/") for row in rows
    ]


def _batch_id():
    return WebhookEvent.objects.get(type=E.ACTIVITIES_LOGGED).data["id"]


def test_api_create_is_one_batch(hooks, rep, admin, api_for):
    response = api_for(rep).post(
        "/api/v1/activities/",
        {"day": str(days_ago(1)), "metric": "calls", "quantity": "7"},
        format="json",
    )
    assert response.status_code == 201, response.data
    event = the_event(E.ACTIVITIES_LOGGED, object_type="activity_batch", object_id=_batch_id())
    assert event.data["source"] == "api" and event.data["count"] == 1
    assert event.data["activities"] == [
        as_api_shows(admin, f"/api/v1/activities/{response.data['id']}/")
    ]


def test_bulk_ingest_is_one_batch_and_a_resent_batch_none(hooks, rep, admin, api_for):
    entries = [
        {
            "day": str(days_ago(1)),
            "metric": "calls",
            "quantity": n,
            "source": "dialer",
            "external_id": f"call-{n}",
        }
        for n in (5, 6, 7)
    ]
    api = api_for(rep)
    assert (
        api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json").status_code == 200
    )

    event = the_event(E.ACTIVITIES_LOGGED, object_type="activity_batch", object_id=_batch_id())
    rows = Activity.objects.filter(source="dialer").order_by("external_id")
    assert event.data["count"] == 3 and event.data["created"] == 3
    assert event.data["source"] == "dialer" and event.data["rep"] == rep.pk
    assert event.data["activities"] == [
        as_api_shows(admin, f"/api/v1/activities/{row.pk}/") for row in rows
    ]

    api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json")
    assert len(events_of(E.ACTIVITIES_LOGGED)) == 1

    entries[0]["quantity"] = 50
    api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json")
    second = events_of(E.ACTIVITIES_LOGGED)[1]
    assert (second.data["updated"], second.data["count"]) == (1, 1)
    assert second.data["activities"][0]["quantity"] == "50.00"
    assert Decimal(second.data["activities"][0]["quantity"]) == 50


# --- Spreadsheet imports ------------------------------------------------------------------------


def test_task_import_sends_created_for_new_tasks_and_done_for_tasks_marked_done(
    hooks, manager, rep, client_for
):
    """An imported sheet tells receivers what the task pages would: one task.created per
    new task; re-imported with a task marked done, one task.done; unchanged, nothing."""
    header = ["external_id", "title", "assignee", "due", "priority", "customer", "deal", "done"]
    rows = [["T-1", "Call Acme", "rep", "2026-12-10 09:30", "high", "", "", "no"]]
    rows.append(["T-2", "Send offer", "rep", "2026-12-11", "", "", "", "no"])
    client = client_for(manager)
    imports.run(client, imports.upload(client, "tasks", imports.csv_bytes([header, *rows])))
    created = events_of(E.TASK_CREATED)
    assert sorted(int(e.object_id) for e in created) == sorted(
        Task.objects.filter(external_id__in=["T-1", "T-2"]).values_list("pk", flat=True)
    )
    first = Task.objects.get(external_id="T-1")
    assert next(e for e in created if e.object_id == str(first.pk)).data["title"] == "Call Acme"

    rows[0][-1] = "yes"
    imports.run(client, imports.upload(client, "tasks", imports.csv_bytes([header, *rows])))
    assert [e.object_id for e in events_of(E.TASK_DONE)] == [str(first.pk)]
    assert len(events_of(E.TASK_CREATED)) == 2
    imports.run(client, imports.upload(client, "tasks", imports.csv_bytes([header, *rows])))
    assert len(events_of(E.TASK_DONE)) == 1


def test_activity_import_sends_one_logged_batch(hooks, manager, rep, teammate, client_for):
    """A sheet of several reps' days is one activities.logged naming every row it wrote."""
    calls = Metric.objects.get(key="calls")
    day = timezone.localdate() - timedelta(days=1)
    header = ["external_id", "rep", "day", "metric", "quantity"]
    rows = [["A-1", "rep", day.isoformat(), calls.key, "4"]]
    rows.append(["A-2", "teammate", day.isoformat(), calls.key, "6"])
    client = client_for(manager)
    imports.run(client, imports.upload(client, "activities", imports.csv_bytes([header, *rows])))
    [event] = events_of(E.ACTIVITIES_LOGGED)
    assert event.data["source"] == "import" and event.data["created"] == 2
    assert event.data["rep"] is None  # two reps in one batch
    assert sorted(a["external_id"] for a in event.data["activities"]) == ["A-1", "A-2"]
    assert Activity.objects.filter(external_id__in=["A-1", "A-2"]).count() == 2
