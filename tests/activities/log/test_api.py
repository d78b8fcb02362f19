"""The activity log through /api/v1/activities/: create, edit, delete, filters, pages.

One file because it tests one endpoint whose create, edit, delete, filter and page
tests share the same request helpers (`detail_url`, `invalid`, `calls`); splitting it
would copy them.

Writes follow the same rules as the day-log page: reps write their own last 14
days, their managers any past day, nobody a future day; count metrics take
whole numbers; every change leaves an ActivityChange with old and new values.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.formats import date_format

from activities.models import Activity, ActivityChange, Metric
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory, days_ago, this_week
from tests.factories.api import invalid

URL = "/api/v1/activities/"


def detail_url(activity):
    return f"{URL}{activity.pk}/"


def too_old_message():
    oldest = days_ago(14)
    return f"Days before {date_format(oldest, 'DATE_MEDIUM')} can only be changed by your manager."


FUTURE_MESSAGE = "Activity cannot be logged for a day that has not happened yet."


def calls():
    return Metric.objects.get(key="calls")


# --- create -----------------------------------------------------------------


def test_create_defaults_rep_to_caller(rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": "calls", "quantity": "12", "note": "Harbour"}
    )

    assert response.status_code == 201, response.data
    activity = Activity.objects.get()
    assert response.data == {
        "id": activity.pk,
        "rep": rep.pk,
        "day": str(days_ago(1)),
        "metric": "calls",
        "quantity": "12.00",
        "channel": None,
        "product": None,
        "note": "Harbour",
        "customer": None,
        "deal": None,
        "source": "api",
        "external_id": "",
        "created_by": rep.pk,
        "created_at": response.data["created_at"],
        "updated_at": response.data["updated_at"],
        "version": 1,
    }
    assert (activity.rep, activity.created_by, activity.quantity) == (rep, rep, Decimal("12"))


def test_create_ignores_read_only_source_and_created_by(rep, manager, api_for):
    """A client cannot pass an entry off as hand-logged or as somebody else's."""
    response = api_for(rep).post(
        URL,
        {
            "day": str(days_ago(0)),
            "metric": "calls",
            "quantity": "3",
            "source": "manual",
            "created_by": manager.pk,
        },
    )

    assert response.status_code == 201, response.data
    activity = Activity.objects.get()
    assert (activity.source, activity.created_by) == ("api", rep)


def test_create_with_channel(rep, api_for):
    response = api_for(rep).post(
        URL,
        {
            "day": str(days_ago(2)),
            "metric": "calls",
            "quantity": "7",
            "channel": "outbound-phone",
        },
    )

    assert response.status_code == 201, response.data
    assert response.data["channel"] == "outbound-phone"
    assert Activity.objects.get().channel.key == "outbound-phone"


def test_rep_cannot_create_activity_for_teammate(rep, teammate, api_for):
    """Reps outside the caller's scope are 'not found', never 'forbidden'."""
    response = api_for(rep).post(
        URL,
        {"rep": teammate.pk, "day": str(days_ago(1)), "metric": "calls", "quantity": "5"},
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"rep": [f'Invalid pk "{teammate.pk}" - object does not exist.']}
    )
    assert not Activity.objects.exists()
    assert not ActivityChange.objects.exists()


def test_manager_can_create_activity_for_own_rep(rep, manager, api_for):
    response = api_for(manager).post(
        URL, {"rep": rep.pk, "day": str(days_ago(1)), "metric": "calls", "quantity": "9"}
    )

    assert response.status_code == 201, response.data
    activity = Activity.objects.get()
    assert (activity.rep, activity.created_by) == (rep, manager)
    assert response.data["rep"] == rep.pk
    assert response.data["created_by"] == manager.pk


def test_manager_cannot_create_activity_for_another_teams_rep(other_team_rep, manager, api_for):
    response = api_for(manager).post(
        URL,
        {"rep": other_team_rep.pk, "day": str(days_ago(1)), "metric": "calls", "quantity": "9"},
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"rep": [f'Invalid pk "{other_team_rep.pk}" - object does not exist.']}
    )
    assert not Activity.objects.exists()


def test_director_can_create_for_division_rep_but_not_another_division(
    other_team_rep, south_rep, director, api_for
):
    api = api_for(director)
    day = str(days_ago(1))

    north = api.post(URL, {"rep": other_team_rep.pk, "day": day, "metric": "calls", "quantity": 4})
    south = api.post(URL, {"rep": south_rep.pk, "day": day, "metric": "calls", "quantity": 4})

    assert north.status_code == 201, north.data
    assert south.status_code == 400
    assert south.data["errors"] == {
        "rep": [f'Invalid pk "{south_rep.pk}" - object does not exist.']
    }
    assert list(Activity.objects.values_list("rep", flat=True)) == [other_team_rep.pk]


def test_unknown_metric_is_refused(rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": "coffees", "quantity": "3"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"metric": ["Object with key=coffees does not exist."]})


def test_inactive_metric_is_refused(rep, api_for):
    Metric.objects.filter(key="upsells").update(active=False)

    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": "upsells", "quantity": "1"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"metric": ["Object with key=upsells does not exist."]})


def test_negative_quantity_is_refused(rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": "calls", "quantity": "-1"}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"quantity": ["Ensure this value is greater than or equal to 0."]}
    )


# --- edit window and future days -----------------------------------------------


def test_rep_can_write_the_oldest_editable_day(rep, api_for):
    """Exactly 14 days back is still inside the rep's window."""
    response = api_for(rep).post(
        URL, {"day": str(days_ago(14)), "metric": "calls", "quantity": "3"}
    )

    assert response.status_code == 201, response.data


def test_rep_cannot_create_a_day_older_than_14_days(rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(15)), "metric": "calls", "quantity": "3"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"day": [too_old_message()]})
    assert not Activity.objects.exists()


def test_edit_window_follows_company_settings(rep, api_for):
    company = CompanySettings.load()
    company.activity_edit_days = 3
    company.save()

    api = api_for(rep)
    inside = api.post(URL, {"day": str(days_ago(3)), "metric": "calls", "quantity": "1"})
    outside = api.post(URL, {"day": str(days_ago(4)), "metric": "calls", "quantity": "1"})

    assert inside.status_code == 201, inside.data
    assert outside.status_code == 400
    expected = f"Days before {date_format(days_ago(3), 'DATE_MEDIUM')} can only be changed by your manager."
    assert outside.data["errors"] == {"day": [expected]}


def test_manager_can_create_an_old_day_for_own_rep(rep, manager, api_for):
    response = api_for(manager).post(
        URL, {"rep": rep.pk, "day": str(days_ago(40)), "metric": "calls", "quantity": "3"}
    )

    assert response.status_code == 201, response.data
    assert Activity.objects.get().day == days_ago(40)


def test_rep_cannot_edit_own_activity_older_than_14_days(rep, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(20), quantity=Decimal("5"))

    response = api_for(rep).patch(
        detail_url(activity), {"version": activity.version, "quantity": "6"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"day": [too_old_message()]})
    activity.refresh_from_db()
    assert activity.quantity == Decimal("5")
    assert not ActivityChange.objects.exists()


def test_rep_cannot_move_a_recent_activity_to_an_old_day(rep, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1))

    response = api_for(rep).patch(
        detail_url(activity), {"version": activity.version, "day": str(days_ago(30))}
    )

    assert response.status_code == 400
    assert response.data == invalid({"day": [too_old_message()]})
    activity.refresh_from_db()
    assert activity.day == days_ago(1)


def test_manager_can_edit_rep_activity_older_than_14_days(rep, manager, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(20), quantity=Decimal("5"))

    response = api_for(manager).patch(
        detail_url(activity), {"version": activity.version, "quantity": "6"}
    )

    assert response.status_code == 200, response.data
    assert response.data["quantity"] == "6.00"
    activity.refresh_from_db()
    assert activity.quantity == Decimal("6")
    change = ActivityChange.objects.get()
    assert (change.action, change.by, change.rep, change.day) == (
        "updated",
        manager,
        rep,
        days_ago(20),
    )
    assert change.old["quantity"] == "5.00"
    assert change.new["quantity"] == "6.00"


def test_rep_cannot_delete_own_activity_older_than_14_days(rep, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(20))

    response = api_for(rep).delete(detail_url(activity))

    assert response.status_code == 400
    assert response.data == invalid({"day": [too_old_message()]})
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_manager_can_delete_rep_activity_older_than_14_days(rep, manager, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(20), quantity=Decimal("5"))

    response = api_for(manager).delete(detail_url(activity))

    assert response.status_code == 204
    assert not Activity.objects.exists()
    change = ActivityChange.objects.get()
    assert (change.action, change.activity, change.by, change.rep) == (
        "deleted",
        None,
        manager,
        rep,
    )
    assert change.old == {
        "rep": rep.pk,
        "day": str(days_ago(20)),
        "metric": "calls",
        "quantity": "5.00",
        "channel": None,
        "product": None,
        "note": "",
    }
    assert change.new is None


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_future_day_is_refused(who, rep, manager, api_for):
    caller = {"rep": rep, "manager": manager}[who]
    tomorrow = CompanySettings.load().today() + timedelta(days=1)

    response = api_for(caller).post(
        URL, {"rep": rep.pk, "day": str(tomorrow), "metric": "calls", "quantity": "3"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"day": [FUTURE_MESSAGE]})
    assert not Activity.objects.exists()


def test_today_is_accepted(rep, api_for):
    today = CompanySettings.load().today()

    response = api_for(rep).post(URL, {"day": str(today), "metric": "calls", "quantity": "3"})

    assert response.status_code == 201, response.data


# --- whole numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "name"),
    [
        ("calls", "Calls"),
        ("appointments-set", "Appointments set"),
        ("sales-closed", "Sales closed"),
    ],
)
def test_count_metric_refuses_fractions(metric, name, rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": metric, "quantity": "2.5"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"quantity": [f"{name} is counted in whole numbers."]})
    assert not Activity.objects.exists()


def test_count_metric_accepts_whole_number_with_decimals(rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": "calls", "quantity": "3.00"}
    )

    assert response.status_code == 201, response.data
    assert Activity.objects.get().quantity == Decimal("3")


def test_money_metric_accepts_cents(rep, api_for):
    response = api_for(rep).post(
        URL, {"day": str(days_ago(1)), "metric": "sales-value", "quantity": "4500.50"}
    )

    assert response.status_code == 201, response.data
    assert response.data["quantity"] == "4500.50"
    assert Activity.objects.get().quantity == Decimal("4500.50")


def test_fraction_refused_when_patching_quantity_of_count_metric(rep, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1), quantity=Decimal("4"))

    response = api_for(rep).patch(
        detail_url(activity), {"version": activity.version, "quantity": "4.5"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"quantity": ["Calls is counted in whole numbers."]})
    activity.refresh_from_db()
    assert activity.quantity == Decimal("4")


# --- edits, scope and the change log ----------------------------------------------


def test_every_change_is_logged_with_old_and_new(rep, api_for):
    """Create, edit and delete through the API leave three change rows in order."""
    api = api_for(rep)
    day = str(days_ago(2))

    created = api.post(URL, {"day": day, "metric": "calls", "quantity": "10"})
    activity_id = created.data["id"]
    edited = api.patch(
        f"{URL}{activity_id}/", {"quantity": "12", "note": "After lunch", "version": 1}
    )
    deleted = api.delete(f"{URL}{activity_id}/")

    assert (created.status_code, edited.status_code, deleted.status_code) == (201, 200, 204)
    snapshot = {
        "rep": rep.pk,
        "day": day,
        "metric": "calls",
        "quantity": "10.00",
        "channel": None,
        "product": None,
        "note": "",
    }
    after_edit = {**snapshot, "quantity": "12.00", "note": "After lunch"}
    changes = list(
        ActivityChange.objects.order_by("pk").values("action", "by", "rep", "day", "old", "new")
    )
    assert changes == [
        {
            "action": "created",
            "by": rep.pk,
            "rep": rep.pk,
            "day": days_ago(2),
            "old": None,
            "new": snapshot,
        },
        {
            "action": "updated",
            "by": rep.pk,
            "rep": rep.pk,
            "day": days_ago(2),
            "old": snapshot,
            "new": after_edit,
        },
        {
            "action": "deleted",
            "by": rep.pk,
            "rep": rep.pk,
            "day": days_ago(2),
            "old": after_edit,
            "new": None,
        },
    ]


def test_change_row_links_to_the_activity_until_deleted(rep, api_for):
    created = api_for(rep).post(URL, {"day": str(days_ago(1)), "metric": "calls", "quantity": 1})

    change = ActivityChange.objects.get()
    assert change.activity_id == created.data["id"]


def test_edit_without_a_real_change_logs_nothing(rep, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1), quantity=Decimal("4"))

    response = api_for(rep).patch(
        detail_url(activity), {"version": activity.version, "quantity": "4"}
    )

    assert response.status_code == 200, response.data
    assert not ActivityChange.objects.exists()


def test_put_replaces_the_editable_fields(rep, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1), quantity=Decimal("4"))

    response = api_for(rep).put(
        detail_url(activity),
        {
            "day": str(days_ago(2)),
            "metric": "meetings",
            "quantity": "2",
            "note": "Two demos",
            "version": 1,
        },
    )

    assert response.status_code == 200, response.data
    activity.refresh_from_db()
    assert (activity.day, activity.metric.key, activity.quantity, activity.note) == (
        days_ago(2),
        "meetings",
        Decimal("2"),
        "Two demos",
    )
    change = ActivityChange.objects.get()
    assert (change.old["metric"], change.new["metric"]) == ("calls", "meetings")
    assert (change.old["day"], change.new["day"]) == (str(days_ago(1)), str(days_ago(2)))


def test_activity_cannot_move_to_another_rep(rep, teammate, manager, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1))

    response = api_for(manager).patch(
        detail_url(activity), {"version": activity.version, "rep": teammate.pk}
    )

    assert response.status_code == 400
    assert response.data == invalid({"rep": ["An activity cannot move to another rep."]})
    activity.refresh_from_db()
    assert activity.rep == rep


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_teammate_gets_404_on_reps_activity(method, rep, teammate, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1), quantity=Decimal("4"))

    body = {"day": str(days_ago(1)), "metric": "calls", "quantity": "9"}
    api = api_for(teammate)

    if method == "get":
        response = api.get(detail_url(activity))
    else:
        response = getattr(api, method)(detail_url(activity), body)

    assert response.status_code == 404
    assert response.data == {"status": 404, "code": "not_found", "detail": "Not found."}
    activity.refresh_from_db()
    assert activity.quantity == Decimal("4")


def test_other_manager_gets_404_on_reps_activity(rep, other_manager, api_for):
    activity = ActivityFactory(rep=rep, day=days_ago(1))

    response = api_for(other_manager).patch(
        detail_url(activity), {"version": activity.version, "quantity": "1"}
    )

    assert response.status_code == 404


# --- filters ------------------------------------------------------------------------


@pytest.fixture
def log(rep, teammate, other_team_rep, south_rep):
    """Six rows across four reps, three metrics and three weeks."""
    meetings = Metric.objects.get(key="meetings")
    sales = Metric.objects.get(key="sales-value")
    return {
        "rep_calls_1": ActivityFactory(rep=rep, day=days_ago(1), quantity=10),
        "rep_sales_3": ActivityFactory(rep=rep, day=days_ago(3), metric=sales, quantity=4500),
        "rep_calls_10": ActivityFactory(rep=rep, day=days_ago(10), quantity=5),
        "teammate_calls_1": ActivityFactory(rep=teammate, day=days_ago(1), quantity=7),
        "other_meetings_2": ActivityFactory(
            rep=other_team_rep, day=days_ago(2), metric=meetings, quantity=2
        ),
        "south_calls_0": ActivityFactory(rep=south_rep, day=days_ago(0), quantity=30),
    }


def ids(response):
    return {row["id"] for row in response.data["results"]}


def pks(log, *names):
    return {log[name].pk for name in names}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("rep", 3),  # their own
        ("manager", 4),  # the team of rep and teammate
        ("director", 5),  # the division of both teams
        ("admin", 6),
    ],
)
def test_unfiltered_count_is_every_visible_row_after_writes(who, expected, log, cast, api_for):
    """With no filter the count comes from the month rollup, not a COUNT: it must match
    the rows each role sees, also after a delete and a move to another month."""
    api = api_for(cast[who])
    log["rep_calls_10"].day = days_ago(40)
    log["rep_calls_10"].save()

    before = api.get(URL, {"page_size": 2, "ordering": "-day"})
    Activity.objects.filter(pk=log["south_calls_0"].pk).delete()
    after = api.get(URL)

    assert (before.data["count"], len(before.data["results"])) == (expected, min(2, expected))
    assert after.data["count"] == expected - (who == "admin")
    assert after.data["count"] == len(after.data["results"])


def test_filter_by_rep(log, rep, admin, api_for):
    response = api_for(admin).get(URL, {"rep": rep.pk})

    assert response.status_code == 200
    assert response.data["count"] == 3
    assert ids(response) == pks(log, "rep_calls_1", "rep_sales_3", "rep_calls_10")


def test_filter_by_team(log, team, other_team, south_team, admin, api_for):
    api = api_for(admin)

    alpha = api.get(URL, {"team": team.pk})
    beta = api.get(URL, {"team": other_team.pk})
    gamma = api.get(URL, {"team": south_team.pk})

    assert alpha.data["count"] == 4
    assert ids(alpha) == pks(log, "rep_calls_1", "rep_sales_3", "rep_calls_10", "teammate_calls_1")
    assert (beta.data["count"], ids(beta)) == (1, pks(log, "other_meetings_2"))
    assert (gamma.data["count"], ids(gamma)) == (1, pks(log, "south_calls_0"))


def test_filter_by_metric_id_and_metric_key(log, admin, api_for):
    api = api_for(admin)

    by_id = api.get(URL, {"metric": calls().pk})
    by_key = api.get(URL, {"metric_key": "calls"})
    sales = api.get(URL, {"metric_key": "sales-value"})

    expected = pks(log, "rep_calls_1", "rep_calls_10", "teammate_calls_1", "south_calls_0")
    assert (by_id.data["count"], ids(by_id)) == (4, expected)
    assert (by_key.data["count"], ids(by_key)) == (4, expected)
    assert (sales.data["count"], ids(sales)) == (1, pks(log, "rep_sales_3"))


def test_filter_by_day_range(log, admin, api_for):
    api = api_for(admin)

    middle = api.get(URL, {"day_from": str(days_ago(3)), "day_to": str(days_ago(1))})
    since = api.get(URL, {"day_from": str(days_ago(1))})
    until = api.get(URL, {"day_to": str(days_ago(3))})

    assert middle.data["count"] == 4
    assert ids(middle) == pks(
        log, "rep_calls_1", "rep_sales_3", "teammate_calls_1", "other_meetings_2"
    )
    assert since.data["count"] == 3
    assert ids(since) == pks(log, "rep_calls_1", "teammate_calls_1", "south_calls_0")
    assert until.data["count"] == 2
    assert ids(until) == pks(log, "rep_sales_3", "rep_calls_10")


def test_filters_combine(log, rep, admin, api_for):
    response = api_for(admin).get(
        URL, {"rep": rep.pk, "metric_key": "calls", "day_from": str(days_ago(5))}
    )

    assert response.data["count"] == 1
    assert ids(response) == pks(log, "rep_calls_1")


def test_filters_stay_inside_the_callers_scope(log, team, manager, api_for):
    """A manager filtering by metric still sees only their own team's rows."""
    response = api_for(manager).get(URL, {"metric_key": "calls"})

    assert response.data["count"] == 3
    assert ids(response) == pks(log, "rep_calls_1", "rep_calls_10", "teammate_calls_1")


def test_filter_by_rep_outside_scope_is_refused(log, other_team_rep, manager, api_for):
    response = api_for(manager).get(URL, {"rep": other_team_rep.pk})

    assert response.status_code == 400
    assert response.data == invalid(
        {"rep": ["Select a valid choice. That choice is not one of the available choices."]}
    )


def test_filter_by_team_outside_scope_is_refused(log, south_team, director, api_for):
    response = api_for(director).get(URL, {"team": south_team.pk})

    assert response.status_code == 400
    assert response.data == invalid(
        {"team": ["Select a valid choice. That choice is not one of the available choices."]}
    )


def test_list_is_newest_day_first(log, admin, api_for):
    response = api_for(admin).get(URL)

    days = [row["day"] for row in response.data["results"]]
    assert days == sorted(days, reverse=True)
    assert response.data["results"][0]["id"] == log["south_calls_0"].pk


def test_ordering_by_quantity(log, admin, api_for):
    response = api_for(admin).get(URL, {"ordering": "quantity"})

    assert [row["quantity"] for row in response.data["results"]] == [
        "2.00",
        "5.00",
        "7.00",
        "10.00",
        "30.00",
        "4500.00",
    ]


# --- pagination -----------------------------------------------------------------------


def test_pagination_shape(rep, api_for):
    for n in range(5):
        ActivityFactory(rep=rep, day=days_ago(n))
    api = api_for(rep)

    first = api.get(URL, {"page_size": 2})
    second = api.get(URL, {"page_size": 2, "page": 2})
    last = api.get(URL, {"page_size": 2, "page": 3})

    assert set(first.data) == {"count", "next", "previous", "results"}
    assert first.data["count"] == 5
    assert first.data["next"] == "http://testserver/api/v1/activities/?page=2&page_size=2"
    assert first.data["previous"] is None
    assert [row["day"] for row in first.data["results"]] == [str(days_ago(0)), str(days_ago(1))]
    assert second.data["next"] == "http://testserver/api/v1/activities/?page=3&page_size=2"
    assert second.data["previous"] == "http://testserver/api/v1/activities/?page_size=2"
    assert [row["day"] for row in second.data["results"]] == [str(days_ago(2)), str(days_ago(3))]
    assert (last.data["count"], last.data["next"], len(last.data["results"])) == (5, None, 1)
    assert last.data["previous"] == "http://testserver/api/v1/activities/?page=2&page_size=2"


def test_pages_follow_day_then_metric_order_or_the_ordering_asked(rep, api_for):
    """One row per page: newest day first, then the catalogue's metric order; or the
    ``ordering`` asked for. Each page reads its keys first, then the rows."""
    for key, quantity in [("leads", 5), ("calls", 7), ("contacts", 6)]:
        ActivityFactory(
            rep=rep, day=days_ago(1), metric=Metric.objects.get(key=key), quantity=quantity
        )
    ActivityFactory(rep=rep, day=days_ago(0), quantity=1)
    api = api_for(rep)

    def pages(**query):
        return [
            (row["metric"], row["quantity"])
            for page in (1, 2, 3, 4)
            for row in api.get(URL, {"page_size": 1, "page": page, **query}).data["results"]
        ]

    assert pages() == [
        ("calls", "1.00"),
        ("calls", "7.00"),
        ("contacts", "6.00"),
        ("leads", "5.00"),
    ]
    assert [q for _, q in pages(ordering="-quantity")] == ["7.00", "6.00", "5.00", "1.00"]


def test_default_page_holds_50(rep, api_for):
    ActivityFactory.create_batch(51, rep=rep, day=days_ago(1))

    response = api_for(rep).get(URL)

    assert response.data["count"] == 51
    assert len(response.data["results"]) == 50
    assert response.data["next"] == "http://testserver/api/v1/activities/?page=2"


def test_page_size_is_capped_at_500(rep, api_for):
    ActivityFactory.create_batch(3, rep=rep, day=days_ago(1))

    response = api_for(rep).get(URL, {"page_size": 10_000})

    assert response.status_code == 200
    assert len(response.data["results"]) == 3


def test_page_past_the_end_is_404(rep, api_for):
    ActivityFactory(rep=rep, day=days_ago(1))

    response = api_for(rep).get(URL, {"page": 9})

    assert response.status_code == 404
    assert response.data == {"status": 404, "code": "not_found", "detail": "Invalid page."}


def test_list_query_count_does_not_grow_with_rows(
    rep, teammate, manager, api_for, django_assert_max_num_queries
):
    for n in range(40):
        ActivityFactory(rep=rep if n % 2 else teammate, day=days_ago(n % 10), channel=None)
    api = api_for(manager)

    with django_assert_max_num_queries(4):
        response = api.get(URL, {"page_size": 40})

    assert response.data["count"] == 40


def test_week_filter_returns_that_weeks_days_only(rep, api_for):
    """?week=<first day> covers the seven days of that week, no more."""
    calls = Metric.objects.get(key="calls")
    week = this_week() - timedelta(weeks=1)
    for offset, quantity in ((-1, 1), (0, 2), (6, 3), (7, 4)):
        Activity.objects.create(
            rep=rep,
            day=week + timedelta(days=offset),
            metric=calls,
            quantity=quantity,
            created_by=rep,
        )
    response = api_for(rep).get("/api/v1/activities/", {"week": week.isoformat()})
    assert sorted(row["quantity"] for row in response.data["results"]) == ["2.00", "3.00"]


def test_stale_activity_edit_is_409_and_changes_nothing(rep, manager, api_for):
    """The manager corrected the row after the rep read it: the rep's edit is refused."""
    activity = ActivityFactory(rep=rep, day=days_ago(1), quantity=Decimal("4"))
    manager_edit = api_for(manager).patch(detail_url(activity), {"quantity": "5", "version": 1})
    assert manager_edit.status_code == 200 and manager_edit.data["version"] == 2

    response = api_for(rep).patch(detail_url(activity), {"quantity": "6", "version": 1})

    assert response.status_code == 409 and response.data["code"] == "conflict"
    activity.refresh_from_db()
    assert (activity.quantity, activity.version) == (Decimal("5"), 2)
    assert api_for(rep).delete(f"{detail_url(activity)}?version=1").status_code == 409
    assert Activity.objects.filter(pk=activity.pk).exists()
