"""The audit trail: every change recorded (who, when, field, old, new) through pages, the
API and bulk paths; shown on the object's page to those who see the object; the admin's
audit view with its filters, CSV and a fixed number of queries."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from activities.models import ActivityChange, Contact, Customer, Deal, Metric, Task
from plans.models import Goal, GoalChange
from reporting.models import BonusRule, CommissionPlan, CommissionTier, Kpi, KpiKind
from salesmgmt.models import CompanySettings, Role, User
from salesmgmt.org.services import create_api_token
from tests.factories.customers import CustomerFactory, DealFactory, TaskFactory, stage

ROLES = ("rep", "manager", "director", "admin")


def latest(model, pk):
    return model.history.model.objects.filter(id=pk).order_by("-history_id").first()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def acme(rep):
    return CustomerFactory(owner=rep, name="Acme", city="Bristol")


def edit_customer(client, customer, **fields):
    data = {
        "name": customer.name,
        "status": customer.status,
        "segment": "",
        "source_channel": "",
        "lost_reason": "",
        "lost_note": "",
        "city": customer.city,
        "phone": "",
        "email": "",
        "external_id": "",
        "version": str(customer.version),
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "50",
        **fields,
    }
    return client.post(reverse("customers:edit", args=[customer.pk]), data)


def test_a_change_through_the_page_records_who_when_field_old_and_new(client_for, rep, acme):
    before = timezone.now()
    response = edit_customer(client_for(rep), acme, city="Leeds")
    assert response.status_code == 302
    row = latest(Customer, acme.pk)
    assert row.history_type == "~"
    assert row.history_user == rep
    assert row.history_date >= before
    assert row.changed_fields == ",city,"
    (entry,) = [
        e
        for e in client_for(rep).get(reverse("customers:detail", args=[acme.pk])).context["history"]
        if e.action == "~"
    ]
    assert (entry.user, entry.changes[0].label, entry.changes[0].old, entry.changes[0].new) == (
        "Rita Rep",
        "city",
        "Bristol",
        "Leeds",
    )


def test_an_api_change_records_the_token_user(rep, acme):
    """DRF sets the token's user on the request the history middleware holds."""
    _, key = create_api_token(user=rep, name="integration")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.patch(
        f"/api/v1/customers/{acme.pk}/", {"city": "York", "version": acme.version}, format="json"
    )
    assert response.status_code == 200, response.content
    row = latest(Customer, acme.pk)
    assert (row.history_user_id, row.changed_fields, row.city) == (rep.pk, ",city,", "York")


def test_a_save_that_changes_nothing_records_nothing(acme):
    count = Customer.history.filter(id=acme.pk).count()
    acme.save()
    assert Customer.history.filter(id=acme.pk).count() == count


def _changes(model, obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    return latest(model, obj.pk)


def test_every_audited_model_records_its_changes(rep, teammate, acme, admin):
    metric = Metric.objects.get(key="calls")
    deal = DealFactory(customer=acme, owner=rep)
    rows = {
        "customer": _changes(Customer, acme, status="active"),
        "contact": _changes(
            Contact, Contact.objects.create(customer=acme, name="Ann"), phone="123"
        ),
        "deal amount": _changes(Deal, deal, amount=D("2500")),
        "deal owner": _changes(Deal, deal, owner=teammate),
        "deal stage": _changes(Deal, deal, stage=stage("negotiation")),
        "deal probability": _changes(Deal, deal, probability=40),
        "deal close": _changes(Deal, deal, expected_close=date(2027, 1, 31)),
        "task": _changes(Task, TaskFactory(assignee=rep, created_by=rep), title="Call back"),
        "goal": _changes(
            Goal,
            Goal.objects.create(
                scope="rep",
                rep=rep,
                metric=metric,
                period="month",
                start=date(2026, 12, 1),
                end=date(2026, 12, 31),
                target=D(100),
                created_by=admin,
            ),
            target=D(120),
        ),
        "kpi": _changes(
            Kpi,
            Kpi.objects.create(
                key="k",
                name="K",
                kind=KpiKind.METRIC_TOTAL,
                metric=metric,
                target=D(10),
                amber_threshold=D(9),
                red_threshold=D(7),
            ),
            target=D(12),
        ),
        "plan": _changes(
            CommissionPlan, CommissionPlan.objects.create(name="P", rate=D(5)), rate=D(6)
        ),
        "settings": _changes(CompanySettings, CompanySettings.load(), stale_deal_days=21),
    }
    plan = CommissionPlan.objects.get(name="P")
    rows["tier"] = _changes(
        CommissionTier,
        CommissionTier.objects.create(plan=plan, attainment_from=D(100), rate=D(8)),
        rate=D(9),
    )
    rows["bonus"] = _changes(
        BonusRule,
        BonusRule.objects.create(plan=plan, name="B", attainment_at_least=D(100), amount=D(50)),
        amount=D(75),
    )
    assert {k: r.changed_fields for k, r in rows.items()} == {
        "customer": ",status,",
        "contact": ",phone,",
        "deal amount": ",amount,",
        "deal owner": ",owner,",
        "deal stage": ",stage,",
        "deal probability": ",probability,",
        "deal close": ",expected_close,",
        "task": ",title,",
        "goal": ",target,",
        "kpi": ",target,",
        "plan": ",rate,",
        "settings": ",stale_deal_days,",
        "tier": ",rate,",
        "bonus": ",amount,",
    }


def test_a_role_change_is_recorded_a_password_change_is_not(client_for, admin, rep):
    rep.role, rep.team = Role.MANAGER, None
    rep.save()
    assert latest(User, rep.pk).changed_fields == ",role,team,"
    count = User.history.filter(id=rep.pk).count()
    rep.set_password("another-pass-2026")
    rep.save()
    rep.last_login = timezone.now()
    rep.save(update_fields=["last_login"])
    assert User.history.filter(id=rep.pk).count() == count
    historical = {f.name for f in User.history.model._meta.fields}
    assert not historical & {"password", "last_login", "email", "date_joined"}


def test_the_deal_page_shows_stage_changes_and_outsiders_get_404(client_for, cast, acme):
    deal = DealFactory(customer=acme, owner=cast["rep"])
    deal.stage = stage("negotiation")
    deal.save()
    for role in ("rep", "manager", "director", "admin", "teammate", "other_team_rep", "south_rep"):
        response = client_for(cast[role]).get(reverse("deals:detail", args=[deal.pk]))
        if role in ROLES:
            changes = [c for e in response.context["history"] for c in e.changes]
            assert [(c.field, c.new) for c in changes] == [("stage", str(stage("negotiation")))], (
                role
            )
            assert b'id="change-history"' in response.content
        else:
            assert response.status_code == 404, role


def test_task_goal_and_admin_pages_show_history(client_for, rep, admin, acme):
    task = TaskFactory(assignee=rep, created_by=rep, customer=acme)
    task.title = "Renamed task"
    task.save()
    page = client_for(rep).get(reverse("tasks:edit", args=[task.pk]))
    assert b"Renamed task" in page.content and b'id="change-history"' in page.content
    kpi = Kpi.objects.create(
        key="k",
        name="K",
        kind=KpiKind.METRIC_TOTAL,
        metric=Metric.objects.get(key="calls"),
        target=D(10),
        amber_threshold=D(9),
        red_threshold=D(7),
    )
    kpi.target = D(15)
    kpi.save()
    page = client_for(admin).get(reverse("admin:reporting_kpi_history", args=[kpi.pk]))
    assert page.status_code == 200
    assert [(c.field, c.old, c.new) for e in page.context["history"] for c in e.changes] == [
        ("target", "10", "15")
    ]
    page = client_for(admin).get(reverse("admin:salesmgmt_user_history", args=[rep.pk]))
    assert page.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_see_the_audit_view(client_for, cast, role):
    response = client_for(cast[role]).get(reverse("audit:list"))
    assert response.status_code == (200 if role == "admin" else 404)
    csv_response = client_for(cast[role]).get(reverse("audit:list") + "?export=csv")
    assert csv_response.status_code == (200 if role == "admin" else 404)


@pytest.fixture
def trail(rep, teammate, admin, acme):
    """Changes by several people, plus the activity log's and the goals' own rows."""
    acme._history_user = rep
    acme.city = "Leeds"
    acme.save()
    deal = DealFactory(customer=acme, owner=rep, title="Big deal")
    deal._history_user = admin
    deal.amount = D("999.50")
    deal.save()
    ActivityChange.objects.create(
        rep=rep,
        day=date(2026, 12, 1),
        action="updated",
        by=teammate,
        old={"metric": "calls", "quantity": "3.00"},
        new={"metric": "calls", "quantity": "5.00"},
    )
    goal = Goal.objects.create(
        scope="rep",
        rep=rep,
        metric=Metric.objects.get(key="calls"),
        period="month",
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        target=D(100),
        created_by=admin,
    )
    GoalChange.objects.create(
        goal=goal,
        goal_label="Calls",
        action="changed",
        by=admin,
        old_target=D(100),
        new_target=D(150),
        reason="New territory",
    )
    return {"deal": deal, "goal": goal}


def test_the_audit_view_lists_every_source_newest_first(client_for, admin, trail):
    page = client_for(admin).get(reverse("audit:list")).context["page"]
    kinds = [e.source for e in page]
    assert {"customer", "deal", "activity", "goal_change", "goal", "user"} <= set(kinds)
    assert [e.at for e in page] == sorted((e.at for e in page), reverse=True)
    activity = next(e for e in page if e.source == "activity")
    assert (activity.user, [(c.field, c.old, c.new) for c in activity.changes]) == (
        "Tom Teammate",
        [("quantity", "3", "5")],
    )
    goal_change = next(e for e in page if e.source == "goal_change")
    assert goal_change.note == "New territory"
    assert [(c.old, c.new) for c in goal_change.changes] == [("100", "150")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=deal", {"deal"}),
        ("field=amount", {"deal"}),
        ("field=city", {"customer"}),
        ("q=Big", {"deal"}),
        ("type=goal_change", {"goal_change"}),
    ],
)
def test_the_filters(client_for, admin, trail, query, expected):
    page = client_for(admin).get(reverse("audit:list") + "?" + query).context["page"]
    assert {e.source for e in page} == expected


def test_the_user_and_date_filters(client_for, admin, rep, trail):
    page = client_for(admin).get(reverse("audit:list"), {"user": rep.pk}).context["page"]
    assert {(e.source, e.user) for e in page} == {("customer", "Rita Rep")}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client_for(admin).get(reverse("audit:list"), {"start": tomorrow}).context["page"]
    assert list(page) == []
    bad = client_for(admin).get(reverse("audit:list"), {"start": tomorrow, "end": "2020-01-01"})
    assert bad.context["page"] is None and bad.context["form"].errors["end"]


def test_the_csv_export_holds_the_filtered_changes(client_for, admin, trail):
    response = client_for(admin).get(
        reverse("audit:list"), {"type": "deal", "field": "amount", "export": "csv"}
    )
    header, *rows = csv_rows(response)
    assert header == [
        "When",
        "Changed by",
        "Object type",
        "Object id",
        "Object",
        "Action",
        "Field",
        "Old value",
        "New value",
        "Note",
    ]
    assert [row[1:] for row in rows] == [
        [
            "Ada Admin",
            "deal",
            str(trail["deal"].pk),
            "Big deal",
            "Changed",
            "amount",
            "USD 1,000.00",
            "USD 999.50",
            "",
        ]
    ]


def _changes_of_every_kind(rep, teammate, n):
    """n customers changed, n deals changed (amount, owner: a related name) and n deleted."""
    for i in range(n):
        customer = CustomerFactory(owner=rep, name=f"C{i}")
        customer.city = "X"
        customer.save()
        deal = DealFactory(customer=customer, owner=rep)
        deal.amount, deal.owner = D(i + 1), teammate
        deal.save()
        DealFactory(customer=customer, owner=rep).delete()


def test_the_audit_view_reads_a_fixed_number_of_queries(
    client_for, admin, rep, teammate, trail, django_assert_max_num_queries
):
    client = client_for(admin)
    _changes_of_every_kind(rep, teammate, 1)
    client.get(reverse("audit:list"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("audit:list"))
    _changes_of_every_kind(rep, teammate, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("audit:list"))
    assert len(response.context["page"]) == 50


def test_the_customer_page_history_reads_a_fixed_number_of_queries(
    client_for, rep, acme, django_assert_max_num_queries
):
    """The page's history (the customer's and its contacts' changes) costs the same
    queries with one change of each as with fifteen."""

    def change_both(n):
        acme.city = f"City {n}"
        acme.save()
        contact = Contact.objects.create(customer=acme, name=f"Contact {n}")
        contact.phone = f"555-{n}"
        contact.save()

    client = client_for(rep)
    url = reverse("customers:detail", args=[acme.pk])
    change_both(0)
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n in range(1, 15):
        change_both(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["history"]) == 10


def test_the_customer_import_records_history(client_for, rep, acme):
    from activities.customers.imports import run_import  # noqa: PLC0415

    text = "name,city,external_id\nNew Co,Leeds,ext-1\n"
    run_import(text=text, by=rep)
    new = Customer.objects.get(external_id="ext-1")
    row = latest(Customer, new.pk)
    assert (row.history_type, row.history_user) == ("+", rep)


def test_an_object_written_without_history_shows_its_first_change_in_full(client_for, rep, admin):
    """Rows from before the audit trail (or from a bulk load) have no history: their first
    change reads the row as it stood, so it shows old and new values; that starting
    point itself is not listed."""
    (customer,) = Customer.objects.bulk_create([Customer(owner=rep, name="Old Co", city="Bath")])
    customer.city = "Wells"
    customer.save()
    page = client_for(admin).get(reverse("audit:list"), {"type": "customer"}).context["page"]
    assert [(e.object_name, [(c.old, c.new) for c in e.changes]) for e in page] == [
        ("Old Co", [("Bath", "Wells")])
    ]


def test_the_import_update_path_records_old_and_new(rep, acme):
    from activities.customers.imports import run_import  # noqa: PLC0415

    acme.external_id = "ext-acme"
    acme.save()
    run_import(text="name,city,external_id\nAcme,Exeter,ext-acme\n", by=rep)
    row = latest(Customer, acme.pk)
    assert (row.history_user, row.changed_fields, row.city) == (rep, ",city,", "Exeter")


def test_the_task_sheet_import_records_history(client_for, manager, rep):
    """Tasks written by a spreadsheet import are in the trail as the importer's: created,
    then the fields a second sheet changed, old and new."""
    from tests.salesmgmt.imports import helpers as sheets  # noqa: PLC0415

    header = ["external_id", "title", "assignee", "due", "priority"]
    client = client_for(manager)
    sheet = [header, ["T-9", "Call Acme", "rep", "2026-12-10 09:30", "normal"]]
    sheets.run(client, sheets.upload(client, "tasks", sheets.csv_bytes(sheet)))
    task = Task.objects.get(external_id="T-9")
    assert (latest(Task, task.pk).history_type, latest(Task, task.pk).history_user) == (
        "+",
        manager,
    )
    sheet[1][4] = "high"
    sheets.run(client, sheets.upload(client, "tasks", sheets.csv_bytes(sheet)))
    row = latest(Task, task.pk)
    assert (row.history_type, row.history_user, row.priority) == ("~", manager, "high")
    assert row.prev_record.priority == "normal"


def test_a_deal_sheet_changed_in_the_background_is_the_importers_change(
    client_for, manager, rep, acme
):
    """The import runs as a job, where no request says who acts: the deal's history still
    names the manager who uploaded the sheet, not 'system'."""
    from tests.salesmgmt.imports import helpers as sheets  # noqa: PLC0415
    from tests.salesmgmt.imports.test_deals import HEADER  # noqa: PLC0415

    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    row = ["D-1", "Fleet", acme.name, "rep", "new-business", "lead", "500", "", close, "", "", ""]
    client = client_for(manager)
    sheets.run(client, sheets.upload(client, "deals", sheets.csv_bytes([HEADER, row])))
    deal = Deal.objects.get(external_id="D-1")
    row[6] = "750"
    job = sheets.upload(client, "deals", sheets.csv_bytes([HEADER, row]))
    assert job.problems == [] and job.counts["update"] == 1
    sheets.run(client, job)
    deal.refresh_from_db()
    assert deal.amount == D("750")
    latest_row = latest(Deal, deal.pk)
    assert (latest_row.history_type, latest_row.history_user) == ("~", manager)
    assert latest_row.amount == D("750")
