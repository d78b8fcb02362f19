"""Monthly reviews on /api/v1/reviews/: scope per role, the manager's and the rep's writes.

Every rep of the cast has a review of March 2025; Rita's (rep) is shared, the others
are drafts. Rita's month has one gap: 10 calls of 40 planned.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from activities.models import Metric, Task
from plans.models import PlanStatus, PlanTarget
from reporting.models import ReviewStatus
from reporting.reviews import services as reviews
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.cast import REPS, ROLES
from tests.factories import ActivityFactory, WeeklyPlanFactory

MARCH = date(2025, 3, 1)
VISIBLE = {
    "rep": {"rep"},
    "teammate": set(),
    "other_team_rep": set(),
    "south_rep": set(),
    "manager": {"rep", "teammate"},
    "other_manager": {"other_team_rep"},
    "south_manager": {"south_rep"},
    "director": {"rep", "teammate", "other_team_rep"},
    "admin": set(REPS),
}
ANNOTATORS = {"manager", "director", "admin"}


@pytest.fixture
def month(cast, manager):
    plan = WeeklyPlanFactory(
        rep=cast["rep"],
        week_start=date(2025, 3, 3),
        status=PlanStatus.APPROVED,
        submitted_at=datetime(2025, 3, 2, 12, tzinfo=CompanySettings.load().tzinfo),
    )
    PlanTarget.objects.create(
        plan=plan, metric=Metric.objects.get(key="calls"), planned=Decimal("40")
    )
    ActivityFactory(rep=cast["rep"], day=date(2025, 3, 4), quantity=Decimal("10"))
    built = {name: reviews.build_monthly_review(rep=cast[name], month=MARCH) for name in REPS}
    built["rep"] = reviews.share_review(review=built["rep"], by=manager, version=1)
    return built


def url(review, tail=""):
    return f"/api/v1/reviews/{review.pk}/{tail}"


@pytest.mark.parametrize("who", ROLES)
def test_list_in_scope(month, cast, api_for, who, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = api_for(cast[who]).get("/api/v1/reviews/", {"month": "2025-03"})
    assert response.status_code == 200
    assert {row["id"] for row in response.data["results"]} == {month[n].pk for n in VISIBLE[who]}


@pytest.mark.parametrize(
    "query, field",
    [
        ({"month": "garbage"}, "month"),
        ({"month": "2025-13"}, "month"),
        ({"rep": "99999999999999999999"}, "rep"),
        ({"rep": "abc"}, "rep"),
        ({"status": "lost"}, "status"),
    ],
)
def test_bad_filters_are_400_with_the_field(month, cast, api_for, query, field):
    """Malformed months, absurd ids and unknown choices name the field; never a 500."""
    response = api_for(cast["manager"]).get("/api/v1/reviews/", query)
    assert response.status_code == 400
    assert field in response.data["errors"]


def test_rep_filter_outside_scope_is_400(month, cast, api_for):
    response = api_for(cast["manager"]).get("/api/v1/reviews/", {"rep": cast["south_rep"].pk})
    assert response.status_code == 400 and "rep" in response.data["errors"]
    mine = api_for(cast["manager"]).get("/api/v1/reviews/", {"rep": cast["rep"].pk})
    assert [row["id"] for row in mine.data["results"]] == [month["rep"].pk]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("owner", REPS)
def test_retrieve_in_scope_or_404(month, cast, api_for, who, owner):
    response = api_for(cast[who]).get(url(month[owner]))
    assert response.status_code == (200 if owner in VISIBLE[who] else 404)


def test_retrieve_carries_figures_misses_and_version(month, cast, api_for):
    data = api_for(cast["rep"]).get(url(month["rep"])).data
    assert data["status"] == "shared"
    assert data["month"] == "2025-03-01"
    assert data["figures"]["metrics"][0] == {
        "key": "calls",
        "name": "Calls",
        "unit": "count",
        "planned": "40.00",
        "actual": "10.00",
        "attainment": "25.0",
    }
    assert [(m["key"], m["expected"], m["actual"]) for m in data["misses"]] == [
        ("metric:calls", "40.00", "10.00")
    ]
    assert data["version"] == 2


def test_filters(month, cast, api_for):
    api = api_for(cast["admin"])
    assert api.get("/api/v1/reviews/", {"month": "2025-04"}).data["count"] == 0
    assert api.get("/api/v1/reviews/", {"month": "nonsense"}).status_code == 400
    assert api.get("/api/v1/reviews/", {"status": "shared"}).data["count"] == 1
    rows = api.get("/api/v1/reviews/", {"rep": cast["south_rep"].pk}).data["results"]
    assert [r["id"] for r in rows] == [month["south_rep"].pk]


@pytest.mark.parametrize("who", ROLES)
def test_patch_notes_by_role(month, cast, api_for, who):
    review = month["rep"]
    response = api_for(cast[who]).patch(
        url(review), {"version": review.version, "coaching_remarks": "Open with a question"}
    )
    if who in ANNOTATORS:
        assert response.status_code == 200, response.data
        assert response.data["coaching_remarks"] == "Open with a question"
        assert response.data["version"] == review.version + 1
    else:
        assert response.status_code == (403 if who == "rep" else 404)
    review.refresh_from_db()
    assert (review.coaching_remarks != "") is (who in ANNOTATORS)


def test_recognition_is_not_written_or_read_on_the_review(month, cast, api_for):
    """Recognition is kudos and awards (their own endpoints): the review neither shows a
    recognition text nor takes one."""
    review = month["rep"]
    api = api_for(cast["manager"])
    assert "recognition" not in api.get(url(review)).data
    response = api.patch(url(review), {"version": review.version, "recognition": "Great"})
    assert response.status_code == 400
    assert response.data["errors"]["recognition"] == [
        "Recognition moved to /api/v1/kudos/ and /api/v1/awards/."
    ]
    stored = review.__class__.objects.get(pk=review.pk)
    assert not hasattr(stored, "recognition") and stored.version == review.version


def test_a_patch_that_changes_nothing_keeps_the_version(month, cast, api_for):
    """Saving the same texts again is not a change: the version stays, so another
    manager's copy is not made stale for nothing."""
    review = month["rep"]
    api = api_for(cast["manager"])
    first = api.patch(url(review), {"version": review.version, "manager_notes": "Pipeline"})
    assert first.status_code == 200 and first.data["version"] == review.version + 1
    again = api.patch(url(review), {"version": first.data["version"], "manager_notes": "Pipeline"})
    assert again.status_code == 200 and again.data["version"] == first.data["version"]
    empty = api.patch(url(review), {"version": first.data["version"]})
    assert empty.status_code == 200 and empty.data["version"] == first.data["version"]


def test_patch_with_a_stale_version_is_409(month, cast, api_for):
    review = month["rep"]
    response = api_for(cast["manager"]).patch(url(review), {"version": 1, "manager_notes": "x"})
    assert response.status_code == 409
    assert response.data["code"] == "conflict"


def test_patch_needs_a_version(month, cast, api_for):
    response = api_for(cast["manager"]).patch(url(month["rep"]), {"manager_notes": "x"})
    assert response.status_code == 400
    assert "version" in response.data["errors"]


def test_put_and_delete_are_not_offered(month, cast, api_for):
    api = api_for(cast["admin"])
    assert api.put(url(month["rep"]), {"version": 2}).status_code == 405
    assert api.delete(url(month["rep"])).status_code == 405


def test_share_by_manager_notifies_the_rep(
    month, cast, api_for, django_capture_on_commit_callbacks
):
    draft = month["teammate"]
    assert api_for(cast["teammate"]).post(url(draft, "share/"), {"version": 1}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast["manager"]).post(url(draft, "share/"), {"version": 1})
    assert response.status_code == 200
    assert response.data["status"] == "shared"
    assert Notification.objects.filter(
        user=cast["teammate"], kind=NotificationKind.REVIEW_SHARED
    ).exists()
    again = api_for(cast["manager"]).post(url(draft, "share/"), {"version": 2})
    assert again.status_code == 400


@pytest.mark.parametrize("who", ["manager", "director", "admin"])
def test_reviewers_cannot_acknowledge(month, cast, api_for, who):
    response = api_for(cast[who]).post(url(month["rep"], "acknowledge/"), {"version": 2})
    assert response.status_code == 403


def test_rep_acknowledges_with_a_comment_then_edits_it(
    month, cast, api_for, django_capture_on_commit_callbacks
):
    api = api_for(cast["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url(month["rep"], "acknowledge/"), {"version": 2, "comment": "OK"})
    assert response.status_code == 200
    assert (response.data["status"], response.data["rep_comment"]) == ("acknowledged", "OK")
    assert Notification.objects.filter(
        user=cast["manager"], kind=NotificationKind.REVIEW_ACKNOWLEDGED
    ).exists()
    response = api.post(url(month["rep"], "comment/"), {"version": 3, "comment": "Thanks"})
    assert response.data["rep_comment"] == "Thanks"
    assert api.post(url(month["rep"], "comment/"), {"version": 3}).status_code == 409


@pytest.mark.parametrize("method", ["post", "patch"])
def test_manager_sets_a_root_cause(month, cast, api_for, method):
    review = month["rep"]
    miss = review.misses.get()
    response = getattr(api_for(cast["manager"]), method)(
        url(review, f"misses/{miss.pk}/"),
        {"root_cause": "pricing", "note": "Too dear", "version": miss.version},
    )
    assert response.status_code == 200
    assert (response.data["root_cause"], response.data["note"]) == ("pricing", "Too dear")
    bad = api_for(cast["manager"]).post(url(review, f"misses/{miss.pk}/"), {"root_cause": "x"})
    assert bad.status_code == 400 and "root_cause" in bad.data["errors"]


def test_root_cause_by_the_wrong_people(month, cast, api_for):
    review = month["rep"]
    miss = review.misses.get()
    body = {"root_cause": "pricing", "version": miss.version}
    assert api_for(cast["rep"]).post(url(review, f"misses/{miss.pk}/"), body).status_code == 403
    assert (
        api_for(cast["other_manager"]).post(url(review, f"misses/{miss.pk}/"), body).status_code
        == 404
    )
    other_miss = month["teammate"].misses.create(key="k", label="k", expected=1, actual=0)
    response = api_for(cast["manager"]).post(url(review, f"misses/{other_miss.pk}/"), body)
    assert response.status_code == 404


def test_action_item_creates_a_task(month, cast, api_for):
    review = month["rep"]
    response = api_for(cast["manager"]).post(
        url(review, "actions/"), {"text": "Shadow Tom", "due": "2999-02-01"}
    )
    assert response.status_code == 201
    task = Task.objects.get(pk=response.data["task"])
    assert (task.assignee, task.title) == (cast["rep"], "Shadow Tom")
    past = api_for(cast["manager"]).post(
        url(review, "actions/"), {"text": "Too late", "due": "2000-01-01"}
    )
    assert past.status_code == 400 and "due" in past.data["errors"]
    rep = api_for(cast["rep"]).post(url(review, "actions/"), {"text": "Me", "due": "2999-02-01"})
    assert rep.status_code == 403


def test_action_item_with_an_absurd_due_date_is_400(month, cast, api_for):
    """Near date.max the due time overflows in a timezone west of UTC: a field error, no 500."""
    company = CompanySettings.load()
    company.timezone = "America/Los_Angeles"
    company.save()
    response = api_for(cast["manager"]).post(
        url(month["rep"], "actions/"), {"text": "Typo", "due": "9999-12-31"}
    )
    assert response.status_code == 400 and "due" in response.data["errors"]
    assert not Task.objects.filter(title="Typo").exists()


def test_acknowledged_review_is_closed_to_the_manager(month, cast, api_for):
    review = month["rep"]
    reviews.acknowledge_review(review=review, by=cast["rep"], version=2)
    response = api_for(cast["manager"]).patch(url(review), {"version": 3, "manager_notes": "x"})
    assert response.status_code == 400
    assert review.__class__.objects.get(pk=review.pk).status == ReviewStatus.ACKNOWLEDGED


def test_stale_notes_on_a_review_acknowledged_meanwhile_are_409_not_400(month, cast, api_for):
    """The manager's page was opened before the rep acknowledged: the answer is "reload"
    (409), which then shows why nothing more can be written, not the closed rule (400)."""
    review = month["rep"]
    reviews.acknowledge_review(review=review, by=cast["rep"], version=2)
    response = api_for(cast["manager"]).patch(url(review), {"version": 2, "manager_notes": "x"})
    assert response.status_code == 409
    assert review.__class__.objects.get(pk=review.pk).manager_notes == ""


def test_sharing_tells_the_rep_in_the_same_transaction(month, cast):
    """The notice is written with the share, not in an after-commit callback: a process
    that dies right after the commit (callbacks never run here) still leaves it, and its
    e-mail waits in the outbox."""
    review = month["teammate"]
    reviews.share_review(review=review, by=cast["manager"], version=review.version)

    told = Notification.objects.get(user=cast["teammate"], kind=NotificationKind.REVIEW_SHARED)
    assert told.email and told.emailed_at is None  # the outbox sweep sends it
