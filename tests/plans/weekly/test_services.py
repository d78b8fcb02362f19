"""The rules of the plan cycle, checked at the service layer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from activities.models import Metric
from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from plans.weekly import services
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings
from tests.factories import PlanTargetFactory, WeeklyPlanFactory, this_week


def _calls():
    return Metric.objects.get(key="calls")


def test_plan_week_must_start_on_the_company_week_start(rep):
    with pytest.raises(RuleViolation) as exc:
        services.check_plan_week(this_week() + timedelta(days=1))
    assert exc.value.message_dict == {"week_start": ["A week starts on a Monday."]}


def test_plans_may_be_written_four_weeks_ahead_but_not_five(rep):
    services.check_plan_week(this_week() + timedelta(weeks=4))
    with pytest.raises(RuleViolation) as exc:
        services.check_plan_week(this_week() + timedelta(weeks=5))
    assert "at most 4 weeks ahead" in exc.value.message_dict["week_start"][0]


def test_week_past_the_edit_window_cannot_be_planned(rep):
    # The edit window is 14 days: a week that ended 15+ days ago is closed.
    services.check_plan_week(this_week() - timedelta(weeks=2))
    with pytest.raises(RuleViolation):
        services.check_plan_week(this_week() - timedelta(weeks=3))


def test_one_plan_per_rep_per_week(rep):
    services.create_plan(rep=rep, week_start=this_week(), by=rep, content={}, targets={})
    with pytest.raises(RuleViolation) as exc:
        services.create_plan(rep=rep, week_start=this_week(), by=rep, content={}, targets={})
    assert exc.value.message_dict == {"week_start": ["You already have a plan for this week."]}


def test_manager_cannot_write_a_plan_for_their_rep(rep, manager):
    with pytest.raises(PermissionDenied):
        services.create_plan(rep=rep, week_start=this_week(), by=manager, content={}, targets={})


def test_new_plan_starts_from_previous_weeks_content_and_numbers(rep):
    old = WeeklyPlanFactory(
        rep=rep,
        week_start=this_week() - timedelta(weeks=1),
        priorities="Harbour accounts",
        key_accounts="Acme",
    )
    PlanTargetFactory(plan=old, metric=_calls(), planned=Decimal("55"))
    content, planned = services.draft_from_previous(rep, this_week())
    assert content["priorities"] == "Harbour accounts"
    assert content["key_accounts"] == "Acme"
    assert planned == {_calls().pk: Decimal("55")}


def test_stale_version_is_refused_and_first_save_kept(rep):
    plan = WeeklyPlanFactory(rep=rep, objectives="first")
    read_version = plan.version
    services.update_plan(
        plan=plan, by=rep, version=read_version, content={"objectives": "tab one"}, targets=None
    )
    stale = WeeklyPlan.objects.get(pk=plan.pk)
    with pytest.raises(ConflictError):
        services.update_plan(
            plan=stale,
            by=rep,
            version=read_version,
            content={"objectives": "tab two"},
            targets=None,
        )
    plan.refresh_from_db()
    assert plan.objectives == "tab one"
    assert plan.version == read_version + 1


def test_submit_needs_objectives_and_a_planned_number(rep):
    plan = WeeklyPlanFactory(rep=rep, objectives="")
    with pytest.raises(RuleViolation) as exc:
        services.submit_plan(plan=plan, by=rep)
    assert "objectives" in exc.value.message_dict
    plan.objectives = "Grow Acme"
    plan.save()
    with pytest.raises(RuleViolation) as exc:
        services.submit_plan(plan=plan, by=rep)
    assert "targets" in exc.value.message_dict


def test_submitted_plan_is_read_only_until_returned(rep, manager):
    plan = PlanTargetFactory(plan__rep=rep).plan
    services.submit_plan(plan=plan, by=rep)
    with pytest.raises(RuleViolation):
        services.update_plan(
            plan=plan, by=rep, version=plan.version, content={"objectives": "changed"}, targets=None
        )
    services.return_plan(plan=plan, by=manager, comment="Add proposals.")
    services.update_plan(
        plan=plan, by=rep, version=plan.version, content={"objectives": "changed"}, targets=None
    )
    plan.refresh_from_db()
    assert plan.objectives == "changed"
    assert plan.status == PlanStatus.RETURNED


def test_return_needs_a_comment(rep, manager):
    plan = PlanTargetFactory(plan__rep=rep).plan
    services.submit_plan(plan=plan, by=rep)
    with pytest.raises(RuleViolation) as exc:
        services.return_plan(plan=plan, by=manager, comment="  ")
    assert "comment" in exc.value.message_dict


def test_only_reviewers_in_scope_review(rep, teammate, other_manager, director, manager):
    plan = PlanTargetFactory(plan__rep=rep).plan
    services.submit_plan(plan=plan, by=rep)
    for outsider in (rep, teammate, other_manager):
        with pytest.raises(PermissionDenied):
            services.approve_plan(plan=plan, by=outsider)
    services.approve_plan(plan=plan, by=director)
    assert plan.status == PlanStatus.APPROVED
    assert plan.reviewed_by == director


def test_review_events_email_the_right_people_once(
    rep, manager, team, django_capture_on_commit_callbacks
):
    plan = PlanTargetFactory(plan__rep=rep).plan
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_plan(plan=plan, by=rep)
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "submitted the plan" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.return_plan(plan=plan, by=manager, comment="Add proposals.")
    assert mail.outbox[1].to == [rep.email]
    assert "Add proposals." in mail.outbox[1].body

    returned = PlanEvent.objects.get(plan=plan, kind=PlanEvent.Kind.RETURNED)
    assert services.notify_plan_event(event_id=returned.pk) is False
    assert len(mail.outbox) == 2


def test_end_of_week_note_waits_for_the_week_to_begin(rep):
    later = WeeklyPlanFactory(rep=rep, week_start=this_week() + timedelta(weeks=1))
    with pytest.raises(RuleViolation):
        services.save_week_note(
            plan=later, by=rep, version=later.version, progress="x", problems="y"
        )
    now = WeeklyPlanFactory(rep=rep)
    services.save_week_note(
        plan=now,
        by=rep,
        version=now.version,
        progress="Two new accounts",
        problems="Pricing pushback",
    )
    now.refresh_from_db()
    assert (now.progress_note, now.problems_note) == ("Two new accounts", "Pricing pushback")


def test_week_start_follows_company_setting(rep):
    company = CompanySettings.load()
    company.week_start = 6  # Sunday
    company.save()
    sunday = company.week_of(company.today())
    assert sunday.weekday() == 6
    services.check_plan_week(sunday)
