"""The weekly plan cycle through the pages: write, submit, return, revise, approve."""

from decimal import Decimal

from django.urls import reverse

from activities.models import Metric
from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from tests.factories import ActivityFactory, this_week


def test_rep_writes_submits_and_manager_returns_then_approves(client, rep, manager, team):
    calls = Metric.objects.get(key="calls")
    team.focus_metrics.set([calls, Metric.objects.get(key="appointments-set")])
    week = this_week()

    client.force_login(rep)
    page = client.get(reverse("plans:for_week", args=[week]))
    assert page.status_code == 200
    assert b"target_calls" in page.content

    response = client.post(
        reverse("plans:for_week", args=[week]),
        {
            "objectives": "Reopen dormant accounts",
            "priorities": "Harbour district",
            "risks": "",
            "key_accounts": "Acme",
            "target_calls": "60",
            "target_appointments-set": "5",
            "then": "submit",
        },
    )
    plan = WeeklyPlan.objects.get(rep=rep, week_start=week)
    assert response.status_code == 302
    assert plan.status == PlanStatus.SUBMITTED
    assert {t.metric.key: t.planned for t in plan.targets.all()} == {
        "calls": Decimal("60"),
        "appointments-set": Decimal("5"),
    }

    client.force_login(manager)
    response = client.post(
        reverse("plans:review", args=[plan.pk]),
        {"decision": "returned", "comment": "Add a number for proposals.", "version": plan.version},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED

    client.force_login(rep)
    page = client.get(reverse("plans:edit", args=[plan.pk]))
    assert b"Add a number for proposals." in page.content
    client.post(
        reverse("plans:edit", args=[plan.pk]),
        {
            "objectives": "Reopen dormant accounts",
            "priorities": "",
            "risks": "",
            "key_accounts": "",
            "target_calls": "70",
            "target_appointments-set": "6",
            "version": plan.version,
            "then": "submit",
        },
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    client.force_login(manager)
    client.post(
        reverse("plans:review", args=[plan.pk]),
        {"decision": "approved", "comment": "", "version": plan.version},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert list(plan.events.values_list("kind", flat=True)) == [
        PlanEvent.Kind.CREATED,
        PlanEvent.Kind.SUBMITTED,
        PlanEvent.Kind.RETURNED,
        PlanEvent.Kind.SUBMITTED,
        PlanEvent.Kind.APPROVED,
    ]

    ActivityFactory(rep=rep, metric=calls, day=week, quantity=Decimal("35"))
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert page.context["rows"][0].actual == Decimal("35")
    assert round(page.context["rows"][0].attainment) == 50
    week_page = client.get(reverse("plans:team_week"))
    assert week_page.status_code == 200
    assert week_page.context["counts"]["approved"] == 1
