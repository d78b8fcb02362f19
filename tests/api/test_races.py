"""Two clients writing the same object at the same moment never see a 5xx: one wins
(200), the other is told the object changed under it (409), or a rule refuses (400).

Real concurrency: each client runs in its own thread with its own database connection,
both released by one barrier, a few rounds per pair. PostgreSQL only: SQLite runs one
writer at a time, so nothing would race (tests/test_versions.py checks the same rules
one request after the other, on both databases).
"""

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from activities.models import Activity, ActivitySource, Customer, Deal, Metric, Stage, Task
from plans.models import Goal, GoalPeriod, PlanStatus, PlanTarget, WeeklyPlan
from reporting.models import MonthlyReview, ReviewMiss
from reporting.reviews import services as reviews
from salesmgmt.models import CompanySettings, Role, User
from tests.factories import ActivityFactory, UserFactory, WeeklyPlanFactory
from tests.factories.customers import CustomerFactory, DealFactory, TaskFactory

pytestmark = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="races need PostgreSQL row locks; SQLite serialises writers, nothing to race",
    ),
    # serialized_rollback: the flush after a transactional test drops the seeded
    # metrics, pipelines and stages the tests that follow rely on.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROUNDS = 4


def _client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def race(*requests):
    """Send the requests at the same moment, each (user, method, url, body) from its own
    thread and connection; their status codes, in order."""
    barrier = threading.Barrier(len(requests))
    statuses, errors = [None] * len(requests), []

    def run(i, user, method, url, body):
        try:
            api = _client(user)
            barrier.wait()
            statuses[i] = getattr(api, method)(url, body, format="json").status_code
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return statuses


def one_wins(statuses):
    assert sorted(statuses) == [200, 409], statuses


def stage(key):
    return Stage.objects.get(pipeline__key="new-business", key=key)


# --- Weekly plans, goals, reviews -------------------------------------------------------------


def test_approve_and_return_of_one_plan(rep, manager, director):
    """The manager approves while the director returns the same plan: one of them wins."""
    plan = WeeklyPlanFactory(rep=rep, status=PlanStatus.SUBMITTED)
    url = f"/api/v1/weekly-plans/{plan.pk}/"
    for _ in range(ROUNDS):
        WeeklyPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
        version = WeeklyPlan.objects.get(pk=plan.pk).version
        one_wins(
            race(
                (manager, "post", url + "approve/", {"version": version}),
                (director, "post", url + "return/", {"version": version, "comment": "Redo"}),
            )
        )
        assert WeeklyPlan.objects.get(pk=plan.pk).version == version + 1


def test_two_approvals_of_one_plan(rep, manager, director):
    """Both approve what they read: the second is 409 (stale), never the status rule's 400."""
    plan = WeeklyPlanFactory(rep=rep, status=PlanStatus.SUBMITTED)
    url = f"/api/v1/weekly-plans/{plan.pk}/approve/"
    for _ in range(ROUNDS):
        WeeklyPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
        version = WeeklyPlan.objects.get(pk=plan.pk).version
        one_wins(
            race(
                (manager, "post", url, {"version": version}),
                (director, "post", url, {"version": version}),
            )
        )


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


def test_two_changes_of_one_goal(rita_goal, manager, director):
    url = f"/api/v1/goals/{rita_goal.pk}/"
    for round_ in range(ROUNDS):
        version = Goal.objects.get(pk=rita_goal.pk).version
        one_wins(
            race(
                (
                    manager,
                    "patch",
                    url,
                    {"target": 300 + round_, "reason": "Up", "version": version},
                ),
                (
                    director,
                    "patch",
                    url,
                    {"target": 100 + round_, "reason": "Dn", "version": version},
                ),
            )
        )
        assert Goal.objects.get(pk=rita_goal.pk).version == version + 1


def test_change_and_removal_of_one_goal(rita_goal, manager, director):
    """A change racing a removal: either the change lands and the removal is stale, or the
    goal is gone and the change is told so."""
    version = rita_goal.version
    url = f"/api/v1/goals/{rita_goal.pk}/"
    statuses = race(
        (manager, "patch", url, {"target": 300, "reason": "Up", "version": version}),
        (director, "delete", url, {"reason": "Wrong metric", "version": version}),
    )
    # The removal may even land before the change has read the goal: then it is a 404.
    assert sorted(statuses) in ([204, 409], [200, 409], [204, 404]), statuses
    assert Goal.objects.filter(pk=rita_goal.pk).exists() == (200 in statuses)


@pytest.fixture
def march_review(rep, manager, teammate):
    """Rita's March 2025 review with one miss (10 calls of 40 planned)."""

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
    return reviews.build_monthly_review(rep=rep, month=date(2025, 3, 1))


def test_two_annotations_of_one_review(march_review, manager, director):
    url = f"/api/v1/reviews/{march_review.pk}/"
    for round_ in range(ROUNDS):
        version = MonthlyReview.objects.get(pk=march_review.pk).version
        one_wins(
            race(
                (manager, "patch", url, {"manager_notes": f"M{round_}", "version": version}),
                (director, "patch", url, {"manager_notes": f"D{round_}", "version": version}),
            )
        )


def test_two_root_causes_of_one_miss(march_review, manager, director):
    miss = ReviewMiss.objects.filter(review=march_review).first()
    assert miss is not None
    url = f"/api/v1/reviews/{march_review.pk}/misses/{miss.pk}/"
    for _ in range(ROUNDS):
        version = ReviewMiss.objects.get(pk=miss.pk).version
        one_wins(
            race(
                (manager, "post", url, {"root_cause": "effort", "version": version}),
                (director, "post", url, {"root_cause": "market", "version": version}),
            )
        )
        assert ReviewMiss.objects.get(pk=miss.pk).version == version + 1


# --- Customers, tasks -------------------------------------------------------------------------


def test_two_edits_of_one_customer(rep, manager):
    customer = CustomerFactory(owner=rep)
    url = f"/api/v1/customers/{customer.pk}/"
    for round_ in range(ROUNDS):
        version = Customer.objects.get(pk=customer.pk).version
        one_wins(
            race(
                (rep, "patch", url, {"city": f"Rep {round_}", "version": version}),
                (manager, "patch", url, {"city": f"Mgr {round_}", "version": version}),
            )
        )
        assert Customer.objects.get(pk=customer.pk).version == version + 1


def test_two_edits_of_one_task(rep, manager):
    task = TaskFactory(assignee=rep)
    url = f"/api/v1/tasks/{task.pk}/"
    for round_ in range(ROUNDS):
        version = Task.objects.get(pk=task.pk).version
        one_wins(
            race(
                (rep, "patch", url, {"title": f"Rep {round_}", "version": version}),
                (manager, "patch", url, {"title": f"Mgr {round_}", "version": version}),
            )
        )


def test_edit_and_done_of_one_task(rep, manager):
    task = TaskFactory(assignee=rep)
    url = f"/api/v1/tasks/{task.pk}/"
    for round_ in range(ROUNDS):
        Task.objects.filter(pk=task.pk).update(done_at=None)
        version = Task.objects.get(pk=task.pk).version
        one_wins(
            race(
                (rep, "post", url + "done/", {"version": version}),
                (manager, "patch", url, {"title": f"Mgr {round_}", "version": version}),
            )
        )


# --- Deals ------------------------------------------------------------------------------------


@pytest.fixture
def deal(rep):
    return DealFactory(customer=CustomerFactory(owner=rep), owner=rep)


def _reset(deal, key="proposal"):
    Deal.objects.filter(pk=deal.pk).update(stage=stage(key), closed_on=None, lost_reason=None)
    Activity.objects.filter(deal=deal).delete()
    return Deal.objects.get(pk=deal.pk).version


def _move(user, deal, key, version=None):
    body = {"stage": key} if version is None else {"stage": key, "version": version}
    return (user, "post", f"/api/v1/deals/{deal.pk}/move/", body)


def test_two_edits_of_one_deal(deal, rep, manager):
    url = f"/api/v1/deals/{deal.pk}/"
    for round_ in range(ROUNDS):
        version = Deal.objects.get(pk=deal.pk).version
        one_wins(
            race(
                (rep, "patch", url, {"amount": f"{1000 + round_}", "version": version}),
                (manager, "patch", url, {"amount": f"{2000 + round_}", "version": version}),
            )
        )


def test_two_moves_of_one_deal(deal, rep, manager):
    for _ in range(ROUNDS):
        version = _reset(deal)
        one_wins(
            race(
                _move(rep, deal, "negotiation", version),
                _move(manager, deal, "appointment-held", version),
            )
        )
        assert Deal.objects.get(pk=deal.pk).transitions.count() >= 1


def test_move_and_edit_of_one_deal(deal, rep, manager):
    url = f"/api/v1/deals/{deal.pk}/"
    for round_ in range(ROUNDS):
        version = _reset(deal)
        one_wins(
            race(
                _move(rep, deal, "negotiation", version),
                (manager, "patch", url, {"next_step": f"Call {round_}", "version": version}),
            )
        )


def test_both_win_one_deal(deal, rep, manager):
    """Both move the deal to Won: one wins, and the sale is counted once."""
    for _ in range(ROUNDS):
        version = _reset(deal)
        one_wins(race(_move(rep, deal, "won", version), _move(manager, deal, "won", version)))
        counted = Activity.objects.filter(deal=deal, source=ActivitySource.DEAL)
        assert counted.count() == 2  # one row for sales closed, one for sales value


def test_moves_without_a_version_never_fail(deal, rep, manager):
    """Clients that send no version (older integrations): the row is locked by its key and
    the rules are checked on it, so the loser's move applies to the row as it now stands
    (or is a no-op) and never 500s on a row that "vanished" from a joined lock."""
    url = f"/api/v1/deals/{deal.pk}/"
    for round_ in range(ROUNDS):
        _reset(deal)
        statuses = race(_move(rep, deal, "won"), _move(manager, deal, "won"))
        assert statuses == [200, 200], statuses
        assert Activity.objects.filter(deal=deal, source=ActivitySource.DEAL).count() == 2
        _reset(deal)
        statuses = race(_move(rep, deal, "negotiation"), _move(manager, deal, "lost"))
        assert sorted(statuses) in ([200, 200], [200, 400]), statuses  # Lost needs a reason
        version = Deal.objects.get(pk=deal.pk).version
        statuses = race(
            _move(rep, deal, "appointment-held"),
            (manager, "patch", url, {"next_step": f"Call {round_}", "version": version}),
        )
        assert all(s in (200, 409) for s in statuses), statuses


# --- Users: two admins demoting each other ------------------------------------------------------


def test_two_admins_demoting_each_other_leave_one_admin_and_no_5xx(db):
    """The company's only two administrators demote each other at once. Each change locks
    the admins in key order before its target: one waits for the other instead of
    deadlocking (a 500), and the second sees it would remove the last administrator."""

    for round_ in range(ROUNDS):
        one = UserFactory(username=f"admin-one-{round_}", role=Role.ADMIN)
        two = UserFactory(username=f"admin-two-{round_}", role=Role.ADMIN)
        statuses = race(
            (one, "patch", f"/api/v1/users/{two.pk}/", {"role": "rep"}),
            (two, "patch", f"/api/v1/users/{one.pk}/", {"role": "rep"}),
        )
        assert sorted(statuses)[0] == 200 and all(s < 500 for s in statuses), statuses
        assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1
        User.objects.filter(pk__in=[one.pk, two.pk]).update(is_active=False)
