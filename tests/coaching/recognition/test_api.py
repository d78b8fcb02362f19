"""Recognition on the API: every endpoint for every role (who reads, who writes, 404
outside scope), amounts hidden where the page hides them, errors as field messages,
and a fixed number of queries per list."""

from decimal import Decimal

import pytest

from coaching.models import Award, Kudos, RecognitionSuggestion, SuggestionReason
from reporting.models import CommissionAdjustment
from salesmgmt.models import Notification, NotificationKind
from tests.cast import REP_ROWS_SEEN, REPS, ROLES
from tests.coaching.recognition.conftest import READS_RITAS_AMOUNT, SEEN
from tests.reporting.commissions.test_selectors import make_plan

MANAGERS = {"manager", "other_manager", "south_manager", "director", "admin"}


def ids(response) -> set[int]:
    return {row["id"] for row in response.data["results"]}


@pytest.fixture
def nudge(cast, today):
    return RecognitionSuggestion.objects.create(
        manager=cast["manager"],
        rep=cast["rep"],
        reason=SuggestionReason.KPI_STREAK,
        key="kpi:1:1:2025-01-06",
        text="Rita kept calls green for 4 weeks.",
        created_on=today,
    )


# --- Role x endpoint ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_kudos_list_and_detail_in_scope(given, cast, api_for, who):
    api = api_for(cast[who])
    kudos = {n: k for n, k in given.items() if isinstance(k, Kudos)}
    assert ids(api.get("/api/v1/kudos/")) == {k.pk for n, k in kudos.items() if n in SEEN[who]}
    for name, row in kudos.items():
        response = api.get(f"/api/v1/kudos/{row.pk}/")
        assert response.status_code == (200 if name in SEEN[who] else 404)


@pytest.mark.parametrize("who", ROLES)
def test_awards_list_and_detail_in_scope_with_amounts_where_allowed(given, cast, api_for, who):
    api = api_for(cast[who])
    awards = {n: a for n, a in given.items() if isinstance(a, Award)}
    listed = {row["id"]: row for row in api.get("/api/v1/awards/").data["results"]}
    assert set(listed) == {a.pk for n, a in awards.items() if n in SEEN[who]}
    for name, row in awards.items():
        response = api.get(f"/api/v1/awards/{row.pk}/")
        assert response.status_code == (200 if name in SEEN[who] else 404)
    cash = given["cash_to_rita"]
    if cash.pk in listed:
        expected = "250.00" if who in READS_RITAS_AMOUNT else None
        assert listed[cash.pk]["value"] == expected
        assert listed[cash.pk]["kind"] == "cash" and listed[cash.pk]["reason"]
        assert (listed[cash.pk]["paid_in_month"] is not None) is (who in READS_RITAS_AMOUNT)


@pytest.mark.parametrize("who", ROLES)
def test_anyone_gives_kudos_as_themselves(cast, api_for, who):
    to = "teammate" if who != "teammate" else "rep"
    response = api_for(cast[who]).post(
        "/api/v1/kudos/", {"recipient": cast[to].pk, "message": "Thanks!", "giver": 999}
    )
    assert response.status_code == 201, response.data
    assert response.data["giver"] == cast[who].pk and response.data["recipient"] == cast[to].pk
    assert Notification.objects.filter(user=cast[to], kind=NotificationKind.KUDOS).count() == 1


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("to", REPS)
def test_who_gives_awards_on_the_api(cast, api_for, who, to):
    response = api_for(cast[who]).post(
        "/api/v1/awards/",
        {"recipient": cast[to].pk, "kind": "travel", "value": "900", "reason": "Top of Q3"},
    )
    if who not in MANAGERS:
        assert response.status_code == 403
    elif to in REP_ROWS_SEEN[who]:
        assert response.status_code == 201, response.data
        assert response.data["value"] == "900.00" and response.data["given_by"] == cast[who].pk
    else:  # a rep they do not manage is "not a valid choice", like one that does not exist
        assert response.status_code == 400 and "recipient" in response.data["errors"]
    assert Award.objects.count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize("who", ROLES)
def test_suggestions_are_the_managers_own(nudge, cast, api_for, who):
    api = api_for(cast[who])
    mine = who in {"manager", "admin"}
    assert ids(api.get("/api/v1/recognition-suggestions/")) == ({nudge.pk} if mine else set())
    assert api.get(f"/api/v1/recognition-suggestions/{nudge.pk}/").status_code == (
        200 if mine else 404
    )
    response = api.post(f"/api/v1/recognition-suggestions/{nudge.pk}/dismiss/")
    assert response.status_code == (200 if mine else 404)
    nudge.refresh_from_db()
    assert (nudge.dismissed_at is not None) is mine
    if mine:
        assert response.data["state"] == "dismissed"


def test_anonymous_gets_401(db, client):
    for path in ("/api/v1/kudos/", "/api/v1/awards/", "/api/v1/recognition-suggestions/"):
        assert client.get(path).status_code == 401


# --- Rules and errors ---------------------------------------------------------------------


def test_kudos_errors_are_field_messages(cast, api_for):
    api = api_for(cast["rep"])
    response = api.post("/api/v1/kudos/", {"recipient": cast["rep"].pk, "message": "Me"})
    assert response.status_code == 400 and "recipient" in response.data["errors"]
    response = api.post("/api/v1/kudos/", {"recipient": cast["teammate"].pk, "message": "x" * 501})
    assert response.status_code == 400 and "message" in response.data["errors"]
    assert not Kudos.objects.exists()


def test_cash_award_without_amount_is_400_and_pays_nothing(cast, api_for):
    response = api_for(cast["manager"]).post(
        "/api/v1/awards/", {"recipient": cast["rep"].pk, "kind": "cash", "reason": "Q3"}
    )
    assert response.status_code == 400 and "value" in response.data["errors"]


def test_a_cash_award_to_a_rep_on_no_plan_is_400_on_value_and_saves_nothing(cast, api_for):
    """No statement would ever pay it: refused next to the amount, not promised."""
    response = api_for(cast["manager"]).post(
        "/api/v1/awards/",
        {"recipient": cast["rep"].pk, "kind": "cash", "value": "300", "reason": "Q3 winner"},
    )
    assert response.status_code == 400 and "no active commission plan" in str(
        response.data["errors"]["value"]
    )
    assert not Award.objects.exists() and not CommissionAdjustment.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.AWARD).exists()


def test_a_cash_award_on_the_api_is_paid_in_its_month(cast, api_for, today):
    make_plan(cast["rep"], rate="5", quota_key=None)
    response = api_for(cast["manager"]).post(
        "/api/v1/awards/",
        {"recipient": cast["rep"].pk, "kind": "cash", "value": "300", "reason": "Q3 winner"},
    )
    assert response.status_code == 201
    assert response.data["given_on"] == today.isoformat()
    assert response.data["paid_in_month"] == f"{today:%Y-%m}"
    award = Award.objects.get()
    assert award.adjustment.amount == Decimal("300.00")
    assert award.adjustment.reason == "Award: Q3 winner"


def test_kudos_answering_a_suggestion_marks_it_acted(nudge, cast, api_for):
    response = api_for(cast["manager"]).post(
        "/api/v1/kudos/",
        {"recipient": cast["rep"].pk, "message": "Four green weeks!", "suggestion": nudge.pk},
    )
    assert response.status_code == 201
    nudge.refresh_from_db()
    assert nudge.acted_at is not None
    response = api_for(cast["manager"]).get("/api/v1/recognition-suggestions/?pending=true")
    assert ids(response) == set()


def test_filters(given, cast, api_for):
    api = api_for(cast["admin"])
    assert ids(api.get("/api/v1/awards/", {"kind": "cash"})) == {given["cash_to_rita"].pk}
    assert ids(api.get("/api/v1/kudos/", {"giver": cast["teammate"].pk})) == {
        given["tom_to_rita"].pk
    }
    assert ids(api.get("/api/v1/kudos/", {"team": cast["other_team_rep"].team_id})) == {
        given["oscar_to_otto"].pk
    }
    response = api.get("/api/v1/awards/", {"kind": "medal"})
    assert response.status_code == 400 and "kind" in response.data["errors"]


def test_lists_have_a_fixed_number_of_queries(given, cast, api_for, django_assert_max_num_queries):
    api = api_for(cast["manager"])
    for path in ("/api/v1/kudos/", "/api/v1/awards/"):
        api.get(path)
        with django_assert_max_num_queries(10) as before:
            api.get(path)
        for n in range(4):
            Kudos.objects.create(
                giver=cast["teammate"],
                recipient=cast["rep"],
                message=f"More {n}",
                created_at=given["maria_to_rita"].created_at,
            )
            Award.objects.create(
                recipient=cast["rep"],
                given_by=cast["manager"],
                kind="gift",
                reason=f"More {n}",
                given_on=given["cash_to_rita"].given_on,
            )
        with django_assert_max_num_queries(len(before.captured_queries)):
            api.get(path)
