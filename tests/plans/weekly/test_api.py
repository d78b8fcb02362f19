"""Weekly plans through /api/v1/weekly-plans/: write, version, review, history, filters.

One file because it tests one endpoint whose write, version, review and note tests
share the `draft` and `submitted` plans and the request helpers; splitting it would
copy them.

Reps write their own plans; reviewers (the rep's manager, director, admin)
approve or return them. Every write carries the version the client read; a
stale one answers 409 and changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.formats import date_format

from activities.models import Metric
from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from tests.factories import PlanTargetFactory, WeeklyPlanFactory, this_week
from tests.factories.api import invalid

URL = "/api/v1/weekly-plans/"

CONFLICT = {
    "status": 409,
    "code": "conflict",
    "detail": (
        "This plan was changed elsewhere (another tab or device) after you opened it. "
        "Your changes were not saved; reload to see the latest version."
    ),
}


def detail_url(plan, action=""):
    return f"{URL}{plan.pk}/{action + '/' if action else ''}"


def forbidden(detail):
    return {"status": 403, "code": "permission_denied", "detail": detail}


NOT_FOUND = {"status": 404, "code": "not_found", "detail": "Not found."}


def new_plan_body(week=None, **extra):
    return {
        "week_start": str(week or this_week()),
        "objectives": "Reopen dormant accounts",
        "priorities": "Harbour district",
        "targets": [{"metric": "calls", "planned": "50"}],
        **extra,
    }


@pytest.fixture
def draft(rep):
    """The rep's draft for this week with one target: ready to submit."""
    plan = WeeklyPlanFactory(rep=rep)
    PlanTargetFactory(plan=plan)
    return plan


@pytest.fixture
def submitted(draft):
    draft.status = PlanStatus.SUBMITTED
    draft.save()
    return draft


def reload(plan):
    return WeeklyPlan.objects.get(pk=plan.pk)


# --- create -----------------------------------------------------------------------------


def test_rep_creates_plan_for_current_week(rep, api_for):
    response = api_for(rep).post(URL, new_plan_body())

    assert response.status_code == 201, response.data
    plan = WeeklyPlan.objects.get()
    assert response.data == {
        "id": plan.pk,
        "rep": rep.pk,
        "week_start": str(this_week()),
        "status": "draft",
        "objectives": "Reopen dormant accounts",
        "priorities": "Harbour district",
        "risks": "",
        "key_accounts": "",
        "targets": [{"metric": "calls", "planned": "50.00"}],
        "progress_note": "",
        "problems_note": "",
        "version": 1,
        "created_at": response.data["created_at"],
        "updated_at": response.data["updated_at"],
        "submitted_at": None,
        "reviewed_at": None,
        "reviewed_by": None,
        "changes_since_return": None,
    }
    assert (plan.rep, plan.week_start, plan.status) == (rep, this_week(), PlanStatus.DRAFT)
    assert {t.metric.key: t.planned for t in plan.targets.all()} == {"calls": Decimal("50")}
    assert list(plan.events.values_list("kind", "by")) == [("created", rep.pk)]


def test_create_ignores_read_only_status(rep, api_for):
    response = api_for(rep).post(URL, new_plan_body(status="approved"))

    assert response.status_code == 201, response.data
    assert response.data["status"] == "draft"
    assert WeeklyPlan.objects.get().status == PlanStatus.DRAFT


def test_second_plan_for_same_week_is_refused(rep, api_for):
    api = api_for(rep)
    api.post(URL, new_plan_body())

    response = api.post(URL, new_plan_body())

    assert response.status_code == 400
    assert response.data == invalid({"week_start": ["You already have a plan for this week."]})
    assert WeeklyPlan.objects.count() == 1


def test_plan_four_weeks_ahead_is_accepted(rep, api_for):
    response = api_for(rep).post(URL, new_plan_body(this_week() + timedelta(weeks=4)))

    assert response.status_code == 201, response.data


def test_plan_more_than_four_weeks_ahead_is_refused(rep, api_for):
    latest = this_week() + timedelta(weeks=4)

    response = api_for(rep).post(URL, new_plan_body(this_week() + timedelta(weeks=5)))

    assert response.status_code == 400
    assert response.data == invalid(
        {
            "week_start": [
                "Plans can be written at most 4 weeks ahead "
                f"(up to the week of {date_format(latest, 'DATE_MEDIUM')})."
            ]
        }
    )
    assert not WeeklyPlan.objects.exists()


def test_plan_must_start_on_the_company_week_start(rep, api_for):
    response = api_for(rep).post(URL, new_plan_body(this_week() + timedelta(days=1)))

    assert response.status_code == 400
    assert response.data == invalid({"week_start": ["A week starts on a Monday."]})


def test_plan_for_a_week_past_the_edit_window_is_refused(rep, api_for):
    response = api_for(rep).post(URL, new_plan_body(this_week() - timedelta(weeks=3)))

    assert response.status_code == 400
    assert response.data == invalid(
        {"week_start": ["That week is past the edit window; it can no longer be planned."]}
    )


def test_target_metric_may_appear_once(rep, api_for):
    body = new_plan_body(
        targets=[{"metric": "calls", "planned": "50"}, {"metric": "calls", "planned": "60"}]
    )

    response = api_for(rep).post(URL, body)

    assert response.status_code == 400
    assert response.data == invalid({"targets": ["Each metric may appear once."]})


def test_unknown_target_metric_is_refused(rep, api_for):
    body = new_plan_body(targets=[{"metric": "coffees", "planned": "5"}])

    response = api_for(rep).post(URL, body)

    assert response.status_code == 400
    assert response.json() == invalid(
        {"targets": {"0": {"metric": ["Object with key=coffees does not exist."]}}}
    )


@pytest.mark.parametrize("who", ["manager", "director", "admin"])
def test_reviewers_do_not_write_plans(who, manager, director, admin, api_for):
    caller = {"manager": manager, "director": director, "admin": admin}[who]

    response = api_for(caller).post(URL, new_plan_body())

    assert response.status_code == 403
    assert response.data == forbidden("Weekly plans are written by sales reps.")
    assert not WeeklyPlan.objects.exists()


# --- update and versions -----------------------------------------------------------------


def test_rep_updates_own_draft_with_version(draft, rep, api_for):
    response = api_for(rep).patch(
        detail_url(draft),
        {
            "objectives": "Close the Acme renewal",
            "targets": [
                {"metric": "calls", "planned": "60"},
                {"metric": "meetings", "planned": "4"},
            ],
            "version": 1,
        },
    )

    assert response.status_code == 200, response.data
    assert response.data["version"] == 2
    assert response.data["objectives"] == "Close the Acme renewal"
    assert response.data["targets"] == [
        {"metric": "calls", "planned": "60.00"},
        {"metric": "meetings", "planned": "4.00"},
    ]
    plan = reload(draft)
    assert (plan.version, plan.objectives) == (2, "Close the Acme renewal")
    assert {t.metric.key: t.planned for t in plan.targets.all()} == {
        "calls": Decimal("60"),
        "meetings": Decimal("4"),
    }


def test_update_without_targets_keeps_them(draft, rep, api_for):
    response = api_for(rep).patch(detail_url(draft), {"risks": "Holiday week", "version": 1})

    assert response.status_code == 200, response.data
    assert response.data["targets"] == [{"metric": "calls", "planned": "50.00"}]


def test_update_without_version_is_refused(draft, rep, api_for):
    response = api_for(rep).patch(detail_url(draft), {"objectives": "Something else"})

    assert response.status_code == 400
    assert response.data == invalid(
        {"version": ["Send the version you read, so a newer save is not overwritten."]}
    )
    plan = reload(draft)
    assert (plan.version, plan.objectives) == (1, draft.objectives)


def test_update_with_stale_version_is_a_conflict_and_changes_nothing(draft, rep, api_for):
    api = api_for(rep)
    api.patch(detail_url(draft), {"objectives": "First tab", "version": 1})

    response = api.patch(
        detail_url(draft),
        {
            "objectives": "Second tab",
            "targets": [{"metric": "calls", "planned": "99"}],
            "version": 1,
        },
    )

    assert response.status_code == 409
    assert response.data == CONFLICT
    plan = reload(draft)
    assert (plan.version, plan.objectives) == (2, "First tab")
    assert [t.planned for t in plan.targets.all()] == [Decimal("50")]


def test_week_of_a_plan_cannot_change(draft, rep, api_for):
    response = api_for(rep).patch(
        detail_url(draft),
        {"week_start": str(this_week() + timedelta(weeks=1)), "version": 1},
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"week_start": ["A plan's week cannot change; write a plan for that week."]}
    )


def test_submitted_plan_is_read_only_for_the_rep(submitted, rep, api_for):
    response = api_for(rep).patch(
        detail_url(submitted), {"objectives": "Sneaky", "version": submitted.version}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["This plan is submitted; it is read-only unless it is returned."]}
    )
    assert reload(submitted).objectives == submitted.objectives


def test_manager_cannot_edit_reps_plan_content(draft, manager, api_for):
    response = api_for(manager).patch(
        detail_url(draft), {"objectives": "Manager's words", "version": 1}
    )

    assert response.status_code == 403
    assert response.data == forbidden("Only the rep who owns a plan writes it.")
    plan = reload(draft)
    assert (plan.objectives, plan.version) == (draft.objectives, 1)


def test_teammate_cannot_see_or_edit_reps_plan(draft, teammate, api_for):
    api = api_for(teammate)

    read = api.get(detail_url(draft))
    write = api.patch(detail_url(draft), {"objectives": "Mine", "version": 1})

    assert (read.status_code, read.data) == (404, NOT_FOUND)
    assert (write.status_code, write.data) == (404, NOT_FOUND)


def test_plans_cannot_be_deleted(draft, rep, api_for):
    response = api_for(rep).delete(detail_url(draft))

    assert response.status_code == 405
    assert WeeklyPlan.objects.filter(pk=draft.pk).exists()


# --- submit, approve, return --------------------------------------------------------------


def test_rep_submits_draft(draft, rep, api_for):
    response = api_for(rep).post(detail_url(draft, "submit"), {"version": 1})

    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["version"]) == ("submitted", 2)
    assert response.data["submitted_at"] is not None
    plan = reload(draft)
    assert (plan.status, plan.version) == (PlanStatus.SUBMITTED, 2)
    assert list(plan.events.values_list("kind", flat=True)) == ["submitted"]


def test_submit_with_stale_version_is_a_conflict(draft, rep, api_for):
    WeeklyPlan.objects.filter(pk=draft.pk).update(version=3)

    response = api_for(rep).post(detail_url(draft, "submit"), {"version": 2})

    assert response.status_code == 409
    assert response.data == CONFLICT
    assert reload(draft).status == PlanStatus.DRAFT
    assert not draft.events.exists()


def test_submit_needs_objectives(rep, api_for):
    plan = WeeklyPlanFactory(rep=rep, objectives="  ")
    PlanTargetFactory(plan=plan)

    response = api_for(rep).post(detail_url(plan, "submit"), {"version": 1})

    assert response.status_code == 400
    assert response.data == invalid(
        {"objectives": ["Write at least one objective before submitting."]}
    )


def test_submit_needs_a_target(rep, api_for):
    plan = WeeklyPlanFactory(rep=rep)

    response = api_for(rep).post(detail_url(plan, "submit"), {"version": 1})

    assert response.status_code == 400
    assert response.data == invalid({"targets": ["Plan at least one number before submitting."]})


def test_submitted_plan_cannot_be_submitted_again(submitted, rep, api_for):
    response = api_for(rep).post(detail_url(submitted, "submit"), {"version": 1})

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["This plan is submitted; it cannot be submitted."]}
    )


def test_manager_cannot_submit_reps_plan(draft, manager, api_for):
    response = api_for(manager).post(detail_url(draft, "submit"), {"version": 1})

    assert response.status_code == 403
    assert response.data == forbidden("Only the rep who owns a plan writes it.")
    assert reload(draft).status == PlanStatus.DRAFT


@pytest.mark.parametrize("who", ["manager", "director", "admin"])
def test_reviewer_approves_submitted_plan(who, submitted, manager, director, admin, api_for):
    reviewer = {"manager": manager, "director": director, "admin": admin}[who]

    response = api_for(reviewer).post(
        detail_url(submitted, "approve"), {"comment": "Good plan.", "version": 1}
    )

    assert response.status_code == 200, response.data
    assert response.data["status"] == "approved"
    assert response.data["reviewed_by"] == reviewer.pk
    assert response.data["version"] == 2
    plan = reload(submitted)
    assert (plan.status, plan.reviewed_by, plan.version) == (PlanStatus.APPROVED, reviewer, 2)
    assert list(plan.events.values_list("kind", "by", "comment")) == [
        ("approved", reviewer.pk, "Good plan.")
    ]


def test_approve_without_version_is_refused(submitted, manager, api_for):
    """Without the version the reviewer read, a resubmitted plan could be approved unseen."""
    response = api_for(manager).post(detail_url(submitted, "approve"), {})

    assert response.status_code == 400
    assert response.data == invalid({"version": ["This field is required."]})
    assert reload(submitted).status == PlanStatus.SUBMITTED


def test_approve_without_comment(submitted, manager, api_for):
    response = api_for(manager).post(detail_url(submitted, "approve"), {"version": 1})

    assert response.status_code == 200, response.data
    assert reload(submitted).status == PlanStatus.APPROVED
    assert list(submitted.events.values_list("comment", flat=True)) == [""]


def test_approve_with_stale_version_is_a_conflict(submitted, manager, api_for):
    response = api_for(manager).post(detail_url(submitted, "approve"), {"version": 7})

    assert response.status_code == 409
    assert response.data == CONFLICT
    plan = reload(submitted)
    assert (plan.status, plan.version, plan.reviewed_by) == (PlanStatus.SUBMITTED, 1, None)


@pytest.mark.parametrize("who", ["other_manager", "south_manager", "teammate"])
@pytest.mark.parametrize("action", ["approve", "return"])
def test_outsiders_get_404_on_review(action, who, submitted, cast, api_for):
    response = api_for(cast[who]).post(
        detail_url(submitted, action), {"comment": "No.", "version": 1}
    )

    assert response.status_code == 404
    assert response.data == NOT_FOUND
    assert reload(submitted).status == PlanStatus.SUBMITTED


@pytest.mark.parametrize("action", ["approve", "return"])
def test_rep_cannot_review_own_plan(action, submitted, rep, api_for):
    response = api_for(rep).post(
        detail_url(submitted, action), {"comment": "Looks great", "version": 1}
    )

    assert response.status_code == 403
    assert response.data == forbidden("Plans are reviewed by the rep's manager.")
    plan = reload(submitted)
    assert (plan.status, plan.version) == (PlanStatus.SUBMITTED, 1)
    assert not plan.events.exists()


def test_approving_a_draft_is_refused(draft, manager, api_for):
    response = api_for(manager).post(detail_url(draft, "approve"), {"version": 1})

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["This plan is still a draft; only a submitted plan can be approved."]}
    )
    assert reload(draft).status == PlanStatus.DRAFT


def test_returning_a_draft_is_refused(draft, manager, api_for):
    response = api_for(manager).post(
        detail_url(draft, "return"), {"comment": "Add more.", "version": 1}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["This plan is still a draft; only a submitted plan can be returned."]}
    )


def test_return_needs_a_comment(submitted, manager, api_for):
    response = api_for(manager).post(detail_url(submitted, "return"), {"version": 1})

    assert response.status_code == 400
    assert response.data == invalid({"comment": ["This field is required."]})
    assert reload(submitted).status == PlanStatus.SUBMITTED


def test_return_with_blank_comment_is_refused(submitted, manager, api_for):
    response = api_for(manager).post(
        detail_url(submitted, "return"), {"comment": "   ", "version": 1}
    )

    assert response.status_code == 400
    assert response.data == invalid({"comment": ["This field may not be blank."]})
    assert reload(submitted).status == PlanStatus.SUBMITTED


def test_manager_returns_plan_with_comment(submitted, manager, api_for):
    response = api_for(manager).post(
        detail_url(submitted, "return"), {"comment": "Add a number for proposals.", "version": 1}
    )

    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["reviewed_by"]) == ("returned", manager.pk)
    assert list(submitted.events.values_list("kind", "comment")) == [
        ("returned", "Add a number for proposals.")
    ]


def test_returned_plan_is_editable_and_resubmittable(submitted, rep, manager, api_for):
    api_for(manager).post(detail_url(submitted, "return"), {"comment": "More calls.", "version": 1})
    api = api_for(rep)

    edit = api.patch(
        detail_url(submitted),
        {"targets": [{"metric": "calls", "planned": "70"}], "version": 2},
    )
    resubmit = api.post(detail_url(submitted, "submit"), {"version": 3})

    assert edit.status_code == 200, edit.data
    assert resubmit.status_code == 200, resubmit.data
    assert (resubmit.data["status"], resubmit.data["version"]) == ("submitted", 4)
    assert resubmit.data["targets"] == [{"metric": "calls", "planned": "70.00"}]


def test_history_lists_events_in_order_with_comments(rep, manager, api_for):
    rep_api, manager_api = api_for(rep), api_for(manager)
    plan_id = rep_api.post(URL, new_plan_body()).data["id"]
    plan_url = f"{URL}{plan_id}/"
    rep_api.post(plan_url + "submit/", {"version": 1})
    manager_api.post(plan_url + "return/", {"comment": "Add proposals.", "version": 2})
    rep_api.patch(
        plan_url,
        {
            "targets": [
                {"metric": "calls", "planned": "50"},
                {"metric": "proposals", "planned": 3},
            ],
            "version": 3,
        },
    )
    rep_api.post(plan_url + "submit/", {"version": 4})
    manager_api.post(plan_url + "approve/", {"comment": "Good plan.", "version": 5})

    response = rep_api.get(plan_url + "history/")

    assert response.status_code == 200
    rows = [(e["kind"], e["by"], e["by_name"], e["comment"]) for e in response.data]
    assert rows == [
        ("created", rep.pk, "Rita Rep", ""),
        ("submitted", rep.pk, "Rita Rep", ""),
        ("returned", manager.pk, "Maria Manager", "Add proposals."),
        ("submitted", rep.pk, "Rita Rep", ""),
        ("approved", manager.pk, "Maria Manager", "Good plan."),
    ]
    events = list(PlanEvent.objects.filter(plan_id=plan_id).order_by("at", "pk"))
    assert [e["id"] for e in response.data] == [e.pk for e in events]
    assert set(response.data[0]) == {"id", "kind", "by", "by_name", "at", "comment"}
    assert reload(events[0].plan).status == PlanStatus.APPROVED


def test_history_is_404_outside_scope(draft, other_manager, api_for):
    response = api_for(other_manager).get(detail_url(draft, "history"))

    assert (response.status_code, response.data) == (404, NOT_FOUND)


# --- end-of-week note -------------------------------------------------------------------


def test_rep_writes_end_of_week_note(draft, rep, api_for):
    response = api_for(rep).post(
        detail_url(draft, "note"),
        {"version": 1, "progress_note": "42 calls so far", "problems_note": "CRM was down"},
    )

    assert response.status_code == 200, response.data
    assert (response.data["progress_note"], response.data["problems_note"]) == (
        "42 calls so far",
        "CRM was down",
    )
    assert response.data["version"] == 2


def test_note_needs_version(draft, rep, api_for):
    response = api_for(rep).post(detail_url(draft, "note"), {"progress_note": "x"})

    assert response.status_code == 400
    assert response.data == invalid({"version": ["This field is required."]})


def test_note_for_a_future_week_is_refused(rep, api_for):
    plan = WeeklyPlanFactory(rep=rep, week_start=this_week() + timedelta(weeks=1))

    response = api_for(rep).post(detail_url(plan, "note"), {"version": 1, "progress_note": "x"})

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["The end-of-week note opens when the week begins."]}
    )


def test_manager_cannot_write_reps_note(draft, manager, api_for):
    response = api_for(manager).post(detail_url(draft, "note"), {"version": 1})

    assert response.status_code == 403
    assert response.data == forbidden("Only the rep who owns a plan writes it.")


# --- filters ------------------------------------------------------------------------


@pytest.fixture
def plans(rep, teammate, other_team_rep, south_rep):
    week, last = this_week(), this_week() - timedelta(weeks=1)
    return {
        "rep_now": WeeklyPlanFactory(rep=rep, week_start=week, status=PlanStatus.SUBMITTED),
        "rep_last": WeeklyPlanFactory(rep=rep, week_start=last, status=PlanStatus.APPROVED),
        "teammate_now": WeeklyPlanFactory(rep=teammate, week_start=week),
        "other_now": WeeklyPlanFactory(
            rep=other_team_rep, week_start=week, status=PlanStatus.SUBMITTED
        ),
        "other_last": WeeklyPlanFactory(
            rep=other_team_rep, week_start=last, status=PlanStatus.RETURNED
        ),
        "south_now": WeeklyPlanFactory(rep=south_rep, week_start=week, status=PlanStatus.SUBMITTED),
    }


def ids(response):
    return {row["id"] for row in response.data["results"]}


def pks(plans, *names):
    return {plans[name].pk for name in names}


def test_filter_by_status(plans, director, api_for):
    api = api_for(director)

    submitted = api.get(URL, {"status": "submitted"})
    settled = api.get(URL + "?status=approved&status=returned")

    assert (submitted.data["count"], ids(submitted)) == (2, pks(plans, "rep_now", "other_now"))
    assert (settled.data["count"], ids(settled)) == (2, pks(plans, "rep_last", "other_last"))


def test_filter_by_week(plans, director, api_for):
    api = api_for(director)

    now = api.get(URL, {"week": str(this_week())})
    last = api.get(URL, {"week": str(this_week() - timedelta(weeks=1))})

    assert (now.data["count"], ids(now)) == (3, pks(plans, "rep_now", "teammate_now", "other_now"))
    assert (last.data["count"], ids(last)) == (2, pks(plans, "rep_last", "other_last"))


def test_filter_by_rep(plans, rep, manager, api_for):
    response = api_for(manager).get(URL, {"rep": rep.pk})

    assert (response.data["count"], ids(response)) == (2, pks(plans, "rep_now", "rep_last"))


def test_filter_by_team(plans, team, other_team, admin, api_for):
    api = api_for(admin)

    alpha = api.get(URL, {"team": team.pk})
    beta = api.get(URL, {"team": other_team.pk, "status": "returned"})

    assert (alpha.data["count"], ids(alpha)) == (
        3,
        pks(plans, "rep_now", "rep_last", "teammate_now"),
    )
    assert (beta.data["count"], ids(beta)) == (1, pks(plans, "other_last"))


def test_filter_by_rep_outside_scope_is_refused(plans, south_rep, director, api_for):
    response = api_for(director).get(URL, {"rep": south_rep.pk})

    assert response.status_code == 400
    assert response.data == invalid(
        {"rep": ["Select a valid choice. That choice is not one of the available choices."]}
    )


def test_list_is_newest_week_first(plans, manager, api_for):
    response = api_for(manager).get(URL)

    assert [row["id"] for row in response.data["results"]] == [
        plans["rep_now"].pk,
        plans["teammate_now"].pk,
        plans["rep_last"].pk,
    ]


def test_list_query_count_does_not_grow_with_plans(
    rep, admin, api_for, django_assert_max_num_queries
):
    calls, meetings = Metric.objects.get(key="calls"), Metric.objects.get(key="meetings")
    for weeks in range(12):
        plan = WeeklyPlanFactory(rep=rep, week_start=this_week() - timedelta(weeks=weeks))
        PlanTargetFactory(plan=plan, metric=calls)
        PlanTargetFactory(plan=plan, metric=meetings)
    api = api_for(admin)

    # count, page, targets, their metrics, and the returns (changes_since_return)
    with django_assert_max_num_queries(5):
        response = api.get(URL)

    assert response.data["count"] == 12
    assert all(len(row["targets"]) == 2 for row in response.data["results"])
