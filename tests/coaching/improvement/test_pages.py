"""Improvement plan pages: the list (scope, filters, CSV), opening a plan from a review
miss or with a reason, one plan for the manager and for the rep, editing, and the writes
on a plan's page; the panels on the team dashboard, the review and the rep's home."""

from datetime import timedelta

import pytest

from coaching.improvement import services
from coaching.models import ImprovementPlan, PlanOutcome, TrainingModule
from reporting.models import RootCause
from salesmgmt.models import Notification
from tests.cast import REP_ROWS_SEEN, ROLES

pytestmark = pytest.mark.django_db


def detail(plan, tail=""):
    return f"/improvement-plans/{plan.pk}/{tail}"


# --- The list -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_list_shows_the_plans_in_scope(plans, cast, client_for, who, django_assert_max_num_queries):
    client = client_for(cast[who])
    with django_assert_max_num_queries(12):
        response = client.get("/improvement-plans/")
    assert response.status_code == 200
    shown = {p.pk for p in response.context["page"]}
    assert shown == {plans[name].pk for name in REP_ROWS_SEEN[who]}


def test_list_query_count_does_not_grow_with_plans(
    cast, make_miss, open_plan, client_for, django_assert_num_queries
):
    """Ten plans cost what one does."""
    open_plan(cast["rep"], cast["manager"])
    client = client_for(cast["admin"])
    client.get("/improvement-plans/")  # warm caches (settings)
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as one:
        client.get("/improvement-plans/")
    for i in range(9):
        open_plan(cast["teammate"], cast["manager"], reason=f"Reason {i}")
    with django_assert_num_queries(len(one)):
        client.get("/improvement-plans/")


def test_list_filters_by_status_rep_and_team(plans, cast, client_for):
    services.close_plan(
        plan=plans["teammate"], by=cast["manager"], version=1, outcome="met", note="Done."
    )
    client = client_for(cast["admin"])

    def ids(query):
        return {p.pk for p in client.get("/improvement-plans/", query).context["page"]}

    assert ids({"status": "closed"}) == {plans["teammate"].pk}
    assert plans["teammate"].pk not in ids({"status": "open"})
    assert ids({"status": "met"}) == {plans["teammate"].pk}
    assert ids({"rep": cast["south_rep"].pk}) == {plans["south_rep"].pk}
    assert ids({"team": cast["rep"].team_id}) == {plans["rep"].pk, plans["teammate"].pk}


def test_list_exports_csv_of_the_plans_in_scope(plans, cast, client_for):
    response = client_for(cast["manager"]).get("/improvement-plans/", {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("id,rep,team,manager,starts_on,ends_on,outcome,next_checkpoint")
    assert len(lines) == 3  # header + rep + teammate
    assert "Rita Rep" in "".join(lines) and "Sofia" not in "".join(lines)


# --- Opening ------------------------------------------------------------------------------------


def _form_data(today, **extra):
    data = {
        "goals_text": "Reach 40 calls a month",
        "support_text": "Two ride-alongs",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
        "checkpoints-TOTAL_FORMS": "3",
        "checkpoints-INITIAL_FORMS": "0",
        "checkpoints-MIN_NUM_FORMS": "1",
        "checkpoints-MAX_NUM_FORMS": "1000",
        "checkpoints-0-due": (today + timedelta(days=14)).isoformat(),
        "checkpoints-0-what": "Call review",
        "checkpoints-1-due": (today + timedelta(days=30)).isoformat(),
        "checkpoints-1-what": "Ride-along debrief",
        "checkpoints-2-due": "",
        "checkpoints-2-what": "",
    }
    data.update(extra)
    return data


def test_manager_opens_a_plan_from_a_skill_miss(cast, make_miss, client_for, today):
    miss = make_miss(cast["rep"], cause=RootCause.SKILL)
    client = client_for(cast["manager"])
    page = client.get("/improvement-plans/new/", {"miss": miss.pk})
    assert page.status_code == 200
    assert "Calls (metric:calls)" in page.content.decode()
    assert "reason" not in page.context["form"].fields  # the miss is the reason

    response = client.post("/improvement-plans/new/", _form_data(today, miss=miss.pk))

    plan = ImprovementPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(plan)
    assert plan.miss == miss and plan.rep == cast["rep"]
    assert [c.what for c in plan.checkpoints.all()] == ["Call review", "Ride-along debrief"]
    assert Notification.objects.filter(user=cast["rep"]).count() == 1


def test_a_miss_caused_elsewhere_shows_a_clear_error(cast, make_miss, client_for, today):
    miss = make_miss(cast["rep"], cause=RootCause.PRICING)
    client = client_for(cast["manager"])
    page = client.get("/improvement-plans/new/", {"miss": miss.pk})
    assert "skill or effort" in page.context["miss_error"]
    assert "Pricing" in page.content.decode()
    client.post("/improvement-plans/new/", _form_data(today, miss=miss.pk))
    assert not ImprovementPlan.objects.exists()


def test_a_miss_outside_scope_or_malformed_is_404(cast, make_miss, client_for):
    miss = make_miss(cast["south_rep"])
    client = client_for(cast["manager"])
    assert client.get("/improvement-plans/new/", {"miss": miss.pk}).status_code == 404
    assert client.get("/improvement-plans/new/", {"miss": "x1"}).status_code == 404


def test_without_a_miss_the_manager_picks_the_rep_and_says_why(cast, client_for, today):
    client = client_for(cast["manager"])
    assert "pick_form" in client.get("/improvement-plans/new/").context
    form = client.get("/improvement-plans/new/", {"rep": cast["rep"].pk}).context["form"]
    assert "reason" in form.fields

    refused = client.post("/improvement-plans/new/", _form_data(today, rep=cast["rep"].pk))
    assert refused.status_code == 200 and not ImprovementPlan.objects.exists()
    assert "reason" in refused.context["form"].errors
    # What was typed is still there.
    assert refused.context["form"]["goals_text"].value() == "Reach 40 calls a month"

    client.post(
        "/improvement-plans/new/", _form_data(today, rep=cast["rep"].pk, reason="Low calls.")
    )
    assert ImprovementPlan.objects.get().events.get().text.endswith("Low calls.")


def test_bad_checkpoints_are_shown_on_the_form(cast, client_for, today):
    client = client_for(cast["manager"])
    late = (today + timedelta(days=200)).isoformat()
    response = client.post(
        "/improvement-plans/new/",
        _form_data(today, rep=cast["rep"].pk, reason="x", **{"checkpoints-0-due": late}),
    )
    assert response.status_code == 200 and not ImprovementPlan.objects.exists()
    assert "within the plan" in " ".join(response.context["checkpoints"].non_form_errors())
    none = _form_data(today, rep=cast["rep"].pk, reason="x")
    for i in (0, 1):
        none[f"checkpoints-{i}-due"] = none[f"checkpoints-{i}-what"] = ""
    response = client.post("/improvement-plans/new/", none)
    assert response.status_code == 200 and not ImprovementPlan.objects.exists()


def test_a_rep_outside_scope_cannot_be_picked(cast, client_for):
    response = client_for(cast["manager"]).get(
        "/improvement-plans/new/", {"rep": cast["south_rep"].pk}
    )
    assert response.status_code == 200 and "rep" in response.context["pick_form"].errors


# --- One plan -----------------------------------------------------------------------------------


def test_manager_sees_the_plan_with_its_actions(
    plans, cast, client_for, django_assert_max_num_queries
):
    plan = plans["rep"]
    client = client_for(cast["manager"])
    with django_assert_max_num_queries(18):
        response = client.get(detail(plan))
    html = response.content.decode()
    assert response.context["can_manage"] and not response.context["can_acknowledge"]
    for part in ("Reach 40 calls a month", "Weekly ride-along", "Call review", "Opened"):
        assert part in html
    for form_id in ("checkpoint-add", "extend-form", "close-form"):
        assert f'id="{form_id}"' in html
    assert 'id="acknowledge-form"' not in html


def test_rep_sees_their_plan_and_acknowledges_then_comments(plans, cast, client_for):
    plan = plans["rep"]
    client = client_for(cast["rep"])
    html = client.get(detail(plan)).content.decode()
    assert 'id="acknowledge-form"' in html and 'id="close-form"' not in html
    assert 'id="checkpoint-add"' not in html and "/edit/" not in html

    response = client.post(detail(plan, "acknowledge/"), {"version": 1, "comment": "Agreed."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.acknowledged_at and plan.rep_comment == "Agreed."
    html = client.get(detail(plan)).content.decode()
    assert 'id="acknowledge-form"' not in html and 'id="comment-form"' in html

    client.post(detail(plan, "comment/"), {"version": plan.version, "comment": "Booked."})
    plan.refresh_from_db()
    assert plan.rep_comment == "Booked."


def test_a_stale_page_is_told_and_keeps_what_was_typed(plans, cast, client_for):
    plan = plans["rep"]
    services.update_plan(plan=plan, by=cast["manager"], version=1, support_text="More")
    response = client_for(cast["rep"]).post(
        detail(plan, "comment/"), {"version": 1, "comment": "My words"}
    )
    assert response.status_code == 400
    form = response.context["comment_form"]
    assert "changed by someone else" in " ".join(form.non_field_errors())
    assert form["comment"].value() == "My words"


def test_manager_records_a_checkpoint_extends_and_closes(plans, cast, client_for):
    plan = plans["rep"]
    client = client_for(cast["manager"])
    first = plan.checkpoints.first()
    client.post(
        detail(plan, f"checkpoints/{first.pk}/"),
        {"version": 1, "result": "Openings improved", "done": "on"},
    )
    first.refresh_from_db()
    assert first.done_at and first.result == "Openings improved"

    later = (plan.ends_on + timedelta(days=14)).isoformat()
    client.post(detail(plan, "extend/"), {"version": 2, "ends_on": later, "note": "Holidays"})
    plan.refresh_from_db()
    assert plan.outcome == PlanOutcome.EXTENDED

    missing = client.post(detail(plan, "close/"), {"version": 3, "outcome": "met"})
    assert missing.status_code == 400 and "note" in missing.context["close_form"].errors
    client.post(detail(plan, "close/"), {"version": 3, "outcome": "met", "note": "42 calls."})
    plan.refresh_from_db()
    assert plan.outcome == PlanOutcome.MET
    html = client.get(detail(plan)).content.decode()
    assert 'id="close-form"' not in html and "42 calls." in html
    assert client.get(detail(plan, "edit/")).status_code == 302  # closed: back to the plan


def test_manager_adds_a_checkpoint_and_bad_input_stays(plans, cast, client_for, today):
    plan = plans["rep"]
    client = client_for(cast["manager"])
    bad = client.post(detail(plan, "checkpoints/"), {"version": 1, "due": "", "what": "Debrief"})
    assert bad.status_code == 400 and bad.context["add_form"]["what"].value() == "Debrief"
    client.post(
        detail(plan, "checkpoints/"),
        {"version": 1, "due": (today + timedelta(days=20)).isoformat(), "what": "Debrief"},
    )
    assert plan.checkpoints.filter(what="Debrief").exists()


def test_manager_edits_the_plan(plans, cast, client_for):
    plan = plans["rep"]
    client = client_for(cast["manager"])
    form = client.get(detail(plan, "edit/")).context["form"]
    assert form["goals_text"].value() == "Reach 40 calls a month"
    response = client.post(
        detail(plan, "edit/"),
        {
            "version": 1,
            "goals_text": "Reach 45 calls",
            "support_text": "Weekly ride-along",
            "starts_on": plan.starts_on.isoformat(),
            "ends_on": plan.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.goals_text == "Reach 45 calls" and plan.version == 2
    stale = client.post(
        detail(plan, "edit/"),
        {
            "version": 1,
            "goals_text": "Other",
            "starts_on": plan.starts_on.isoformat(),
            "ends_on": plan.ends_on.isoformat(),
        },
    )
    assert "changed by someone else" in " ".join(stale.context["form"].non_field_errors())


def test_saving_the_edit_page_keeps_a_retired_module_linked(cast, open_plan, client_for):
    """A module retired after it was linked is still offered (ticked) on the edit page,
    so saving another change keeps it linked instead of dropping it silently."""
    old = TrainingModule.objects.create(title="Old pitch", material_text="t")
    TrainingModule.objects.create(title="New pitch", material_text="t")
    plan = open_plan(cast["rep"], cast["manager"], modules=[old])
    old.active = False
    old.save(update_fields=["active"])
    client = client_for(cast["manager"])

    form = client.get(detail(plan, "edit/")).context["form"]
    offered = {module.pk for module in form.fields["modules"].queryset}
    ticked = [m.pk for m in form.initial["modules"] if m.pk in offered]  # what a browser sends
    response = client.post(
        detail(plan, "edit/"),
        {
            "version": 1,
            "goals_text": plan.goals_text,
            "support_text": "Changed support",
            "starts_on": plan.starts_on.isoformat(),
            "ends_on": plan.ends_on.isoformat(),
            "modules": ticked,
        },
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.support_text == "Changed support"
    assert list(plan.modules.all()) == [old]


def test_an_edit_without_the_version_is_a_form_error_not_an_overwrite(plans, cast, client_for):
    """The hidden version missing from the post: the page says so and nothing is saved."""
    plan = plans["rep"]
    response = client_for(cast["manager"]).post(
        detail(plan, "edit/"),
        {
            "goals_text": "Overwritten blindly",
            "starts_on": plan.starts_on.isoformat(),
            "ends_on": plan.ends_on.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "version" in " ".join(response.context["form"].non_field_errors())
    assert b"reload the plan" in response.content
    plan.refresh_from_db()
    assert (plan.goals_text, plan.version) == ("Reach 40 calls a month", 1)


def test_admin_shows_a_plan_and_its_checkpoints_read_only(plans, cast, client_for):
    """The admin looks a plan up but cannot add, change or delete it or its checkpoints
    (the services keep the version, the history and the rep told)."""
    plan = plans["rep"]
    client = client_for(cast["admin"])
    url = f"/admin/coaching/improvementplan/{plan.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b"Call review" in page.content  # the checkpoint, shown
    assert b'name="checkpoints-0-what"' not in page.content  # not as an input
    posted = {"goals_text": "Admin edit", "checkpoints-TOTAL_FORMS": "0"}
    assert client.post(url, posted).status_code == 403
    assert client.get("/admin/coaching/improvementplan/add/").status_code == 403
    delete = f"/admin/coaching/improvementplan/{plan.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    plan.refresh_from_db()
    assert (plan.goals_text, plan.version, plan.checkpoints.count()) == (
        "Reach 40 calls a month",
        1,
        2,
    )


# --- Panels -------------------------------------------------------------------------------------


def test_team_dashboard_lists_open_plans(plans, cast, client_for):
    response = client_for(cast["manager"]).get("/dashboard/team/")
    html = response.content.decode()
    assert 'id="improvement-plans-panel"' in html
    assert detail(plans["rep"]) in html and detail(plans["teammate"]) in html
    assert detail(plans["south_rep"]) not in html


def test_team_dashboard_panel_query_count_is_fixed(cast, open_plan, rf, django_assert_num_queries):
    from coaching.improvement.panels import team_dashboard_panel  # noqa: PLC0415

    request = rf.get("/")
    request.user = cast["manager"]
    open_plan(cast["rep"], cast["manager"])
    with django_assert_num_queries(1):
        team_dashboard_panel(request, team=cast["rep"].team, today=None)
    for i in range(5):
        open_plan(cast["teammate"], cast["manager"], reason=f"r{i}")
    with django_assert_num_queries(1):
        html = team_dashboard_panel(request, team=cast["rep"].team, today=None)
    assert html.count("/improvement-plans/") >= 6


def test_review_panel_links_skill_misses_to_a_new_plan(cast, make_miss, client_for):
    skill = make_miss(cast["rep"], cause=RootCause.SKILL)
    make_miss(cast["rep"], cause=RootCause.PRICING, key="goal:9")
    html = client_for(cast["manager"]).get(f"/reviews/{skill.review_id}/").content.decode()
    assert 'id="improvement-panel"' in html
    assert f"/improvement-plans/new/?miss={skill.pk}" in html
    assert "Calls (goal:9)" not in html.split('id="improvement-panel"')[1].split("</article>")[0]


def test_review_panel_for_the_rep_lists_plans_without_open_links(
    cast, make_miss, open_plan, client_for
):
    miss = make_miss(cast["rep"])
    plan = open_plan(cast["rep"], cast["manager"], miss=miss)
    html = client_for(cast["rep"]).get(f"/reviews/{miss.review_id}/").content.decode()
    panel = html.split('id="improvement-panel"')[1].split("</article>")[0]
    assert detail(plan) in panel and "/improvement-plans/new/" not in panel
    assert "a plan is open" in panel


def test_review_panel_is_empty_without_rep_caused_misses(cast, make_miss, client_for):
    miss = make_miss(cast["rep"], cause=RootCause.MARKET)
    html = client_for(cast["manager"]).get(f"/reviews/{miss.review_id}/").content.decode()
    assert 'id="improvement-panel"' not in html


def test_rep_home_shows_my_open_plan_and_next_checkpoint(plans, cast, client_for):
    html = client_for(cast["rep"]).get("/").content.decode()
    assert 'id="my-improvement-plan"' in html
    assert "Call review" in html and "Please read and acknowledge it" in html
    assert 'id="my-improvement-plan"' not in client_for(cast["admin"]).get("/").content.decode()


def test_plan_page_query_count_does_not_grow_with_checkpoints_and_history(
    plans, cast, client_for, today, django_assert_num_queries
):
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    plan, manager = plans["rep"], cast["manager"]
    client = client_for(manager)
    client.get(detail(plan))
    with CaptureQueriesContext(connection) as before:
        client.get(detail(plan))
    for i in range(5):
        plan.refresh_from_db()
        services.add_checkpoint(
            plan=plan, by=manager, version=plan.version, due=today, what=f"Check {i}"
        )
    with django_assert_num_queries(len(before)):
        client.get(detail(plan))


def test_new_plan_links_the_reps_goals_and_sessions(cast, make_miss, client_for, today):
    from django.utils import timezone  # noqa: PLC0415

    from activities.models import Metric  # noqa: PLC0415
    from coaching.models import CoachingSession, SessionKind  # noqa: PLC0415
    from plans.models import Goal, GoalPeriod, GoalScope  # noqa: PLC0415

    goal = Goal.objects.create(
        scope=GoalScope.REP,
        rep=cast["rep"],
        metric=Metric.objects.get(key="calls"),
        period=GoalPeriod.MONTH,
        start=today.replace(day=1),
        end=(today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
        target=40,
        created_by=cast["manager"],
    )
    session = CoachingSession.objects.create(
        rep=cast["rep"],
        coach=cast["manager"],
        kind=SessionKind.RIDE_ALONG,
        starts_at=timezone.now(),
    )
    miss = make_miss(cast["rep"])
    client = client_for(cast["manager"])
    form = client.get("/improvement-plans/new/", {"miss": miss.pk}).context["form"]
    assert list(form.fields["goals"].queryset) == [goal]
    assert list(form.fields["sessions"].queryset) == [session]
    client.post(
        "/improvement-plans/new/",
        _form_data(today, miss=miss.pk, goals=[goal.pk], sessions=[session.pk]),
    )
    plan = ImprovementPlan.objects.get()
    assert list(plan.goals.all()) == [goal] and list(plan.sessions.all()) == [session]
    html = client.get(detail(plan)).content.decode()
    assert "Ride-along" in html and f"/goals/{goal.pk}/" in html


def test_rep_list_has_no_rep_or_team_filter(plans, cast, client_for):
    form = client_for(cast["rep"]).get("/improvement-plans/").context["filter"].form
    assert set(form.fields) == {"status"}
