"""The day log (one form for a rep's whole day) and the activity list with its export.

One file because logging a day, the edit window and the activity list share the
metric, channel and focus fixtures and the day-log form helpers (`log_url`,
`lines_data`, `rows_of`); splitting it would copy them.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from activities.models import Activity, ActivityChange, Channel, Metric, Product
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory, UserFactory, days_ago

FIELDS = ("metric", "quantity", "channel", "product", "note")


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


@pytest.fixture
def meetings(db):
    return Metric.objects.get(key="meetings")


@pytest.fixture
def phone(db):
    return Channel.objects.get(key="outbound-phone")


@pytest.fixture
def walk_in(db):
    return Channel.objects.get(key="walk-in")


@pytest.fixture
def focus(team, calls, meetings):
    """Alpha tracks calls and meetings: the day form starts with those two lines."""
    team.focus_metrics.set([calls, meetings])


def log_url(day, rep=None) -> str:
    url = f"{reverse('activities:log')}?day={day.isoformat()}"
    return f"{url}&rep={rep.pk}" if rep else url


def lines_on_page(page) -> list[dict]:
    """The lines of the day form as the browser posts them back if nothing is touched."""
    return [
        {field: form.initial.get(field) for field in FIELDS} for form in page.context["formset"]
    ]


def lines_data(lines: list[dict], *, initial_forms: int) -> dict:
    """POST data for the day formset (prefix "lines")."""
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial_forms),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "60",
    }
    for index, line in enumerate(lines):
        for field in FIELDS:
            value = line.get(field)
            value = getattr(value, "pk", value)
            data[f"lines-{index}-{field}"] = "" if value is None else str(value)
    return data


def rows_of(rep, day) -> set[tuple]:
    return set(
        Activity.objects.filter(rep=rep, day=day).values_list(
            "metric__key", "quantity", "channel__key", "product__sku", "note", "source"
        )
    )


def error_texts(page) -> list[str]:
    formset = page.context["formset"]
    return [e for form in formset for errors in form.errors.values() for e in errors]


# --- Logging a day ----------------------------------------------------------------


def test_rep_logs_a_day_and_rows_are_stored_exactly(client_for, rep, focus, phone, walk_in):
    client = client_for(rep)
    day = days_ago(1)
    page = client.get(log_url(day))
    assert [line["metric"].key for line in lines_on_page(page)[:2]] == ["calls", "meetings"]
    lines = lines_on_page(page)
    lines[0].update(quantity="12", channel=phone)
    lines[1].update(quantity="2", note="Acme and Borealis")
    lines[2].update(metric=lines[0]["metric"], quantity="3", channel=walk_in)

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))

    assert response.status_code == 302
    assert response["Location"] == log_url(day)
    assert rows_of(rep, day) == {
        ("calls", Decimal("12"), "outbound-phone", None, "", "manual"),
        ("calls", Decimal("3"), "walk-in", None, "", "manual"),
        ("meetings", Decimal("2"), None, None, "Acme and Borealis", "manual"),
    }
    assert set(Activity.objects.filter(rep=rep).values_list("created_by", flat=True)) == {rep.pk}
    assert sorted(ActivityChange.objects.filter(rep=rep).values_list("action", flat=True)) == [
        "created",
        "created",
        "created",
    ]
    follow = client.get(response["Location"])
    assert [m.message for m in follow.context["messages"]] == [
        f"Saved {date_format(day, 'WEEKDAY_DAY_MONTH')}: 3 changes."
    ]


def test_editing_a_quantity_updates_one_row_and_keeps_the_change(
    client_for, rep, focus, calls, meetings, phone
):
    day = days_ago(2)
    call_row = ActivityFactory(rep=rep, day=day, metric=calls, channel=phone, quantity=12)
    meeting_row = ActivityFactory(rep=rep, day=day, metric=meetings, quantity=2)
    client = client_for(rep)
    page = client.get(log_url(day))
    lines = lines_on_page(page)
    assert [(line["metric"].key, line["quantity"]) for line in lines[:2]] == [
        ("calls", Decimal("12.00")),
        ("meetings", Decimal("2.00")),
    ]
    lines[0]["quantity"] = "15"

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))

    assert response.status_code == 302
    assert rows_of(rep, day) == {
        ("calls", Decimal("15"), "outbound-phone", None, "", "manual"),
        ("meetings", Decimal("2"), None, None, "", "manual"),
    }
    assert Activity.objects.get(pk=call_row.pk).quantity == Decimal("15")
    assert Activity.objects.get(pk=meeting_row.pk).updated_at == meeting_row.updated_at
    change = ActivityChange.objects.get(rep=rep)
    assert (change.action, change.activity_id, change.by_id) == ("updated", call_row.pk, rep.pk)
    snapshot = {
        "rep": rep.pk,
        "day": day.isoformat(),
        "metric": "calls",
        "channel": "outbound-phone",
        "product": None,
        "note": "",
    }
    assert change.old == {**snapshot, "quantity": "12.00"}
    assert change.new == {**snapshot, "quantity": "15.00"}


def test_blanking_a_line_deletes_its_row_and_logs_the_deletion(
    client_for, rep, focus, calls, meetings
):
    day = days_ago(2)
    ActivityFactory(rep=rep, day=day, metric=calls, quantity=12)
    ActivityFactory(rep=rep, day=day, metric=meetings, quantity=2)
    client = client_for(rep)
    lines = lines_on_page(client.get(log_url(day)))
    lines[1]["quantity"] = ""

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))

    assert response.status_code == 302
    assert rows_of(rep, day) == {("calls", Decimal("12"), None, None, "", "manual")}
    change = ActivityChange.objects.get(rep=rep)
    assert (change.action, change.activity_id, change.day, change.new) == (
        "deleted",
        None,
        day,
        None,
    )
    assert change.old == {
        "rep": rep.pk,
        "day": day.isoformat(),
        "metric": "meetings",
        "quantity": "2.00",
        "channel": None,
        "product": None,
        "note": "",
    }


def test_same_metric_channel_and_product_twice_is_an_error_and_nothing_is_saved(
    client_for, rep, focus, calls
):
    day = days_ago(1)
    client = client_for(rep)
    lines = lines_on_page(client.get(log_url(day)))
    lines[0]["quantity"] = "5"
    lines[1]["quantity"] = "1"
    lines[2].update(metric=calls, quantity="7")

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))

    assert response.status_code == 200
    assert error_texts(response) == [
        "This metric appears twice with the same channel and product; put the number on one line."
    ]
    assert response.context["formset"].forms[2].errors == {
        "metric": [
            "This metric appears twice with the same channel and product; "
            "put the number on one line."
        ]
    }
    assert Activity.objects.filter(rep=rep).count() == 0
    assert ActivityChange.objects.count() == 0


def test_fraction_of_a_count_metric_is_a_field_error(client_for, rep, focus):
    day = days_ago(1)
    client = client_for(rep)
    lines = lines_on_page(client.get(log_url(day)))
    lines[0]["quantity"] = "2.5"

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "quantity": ["Calls is counted in whole numbers."]
    }
    assert "Calls is counted in whole numbers." in response.content.decode()
    assert Activity.objects.filter(rep=rep).count() == 0


def test_counts_open_the_digit_keypad_and_money_the_decimal_one_with_plus_one_on_counts(
    client_for, rep, team, calls
):
    """One thumb on a phone: a count's number box asks for the digit keypad and has +1
    beside it; money asks for a decimal point and has no +1; the script learns which
    metrics are money to switch a line whose metric is changed."""
    sales_value = Metric.objects.get(key="sales-value")
    team.focus_metrics.set([calls, sales_value])

    response = client_for(rep).get(log_url(days_ago(1)))

    html = response.content.decode()
    forms = response.context["formset"].forms
    assert [f.initial.get("metric") for f in forms] == [calls, sales_value, None, None]
    assert [f["quantity"].field.widget.attrs["inputmode"] for f in forms] == [
        "numeric",
        "decimal",
        "numeric",
        "numeric",
    ]
    assert html.count('inputmode="numeric"') >= 3
    assert html.count('inputmode="decimal"') == 1
    # +1 on every line but the money one (which keeps a hidden one for a metric change),
    # and on the empty line "Add a line" copies.
    assert html.count('class="plus-one secondary"') == 5
    assert (
        html.count('class="plus-one secondary" title="One more" aria-label="One more" hidden') == 1
    )
    assert f'data-money-metrics="{sales_value.pk}"' in html


def test_a_read_only_day_has_no_plus_one(client_for, rep, focus, calls):
    response = client_for(rep).get(log_url(days_ago(15)))

    assert response.context["locked_reason"]
    assert "plus-one" not in response.content.decode().split('id="empty-line"')[0]


# --- The edit window and who may write ------------------------------------------------


def test_day_older_than_the_edit_window_is_read_only_for_the_rep(client_for, rep, focus, calls):
    day = days_ago(15)
    ActivityFactory(rep=rep, day=day, metric=calls, quantity=10)
    client = client_for(rep)

    page = client.get(log_url(day))
    lines = lines_on_page(page)
    lines[0]["quantity"] = "99"
    post = client.post(log_url(day), lines_data(lines, initial_forms=2))

    oldest = CompanySettings.load().oldest_editable_day()
    notice = (
        f"Days before {date_format(oldest, 'DATE_MEDIUM')} can only be changed by your manager."
    )
    assert page.status_code == 200
    assert page.context["locked_reason"] == notice
    assert f'<p class="notice">{notice}</p>' in page.content.decode()
    assert "Save the day" not in page.content.decode()
    assert post.status_code == 403
    assert rows_of(rep, day) == {("calls", Decimal("10"), None, None, "", "manual")}
    assert ActivityChange.objects.count() == 0


def test_last_day_of_the_edit_window_is_still_writable_for_the_rep(client_for, rep, focus, calls):
    day = days_ago(14)
    client = client_for(rep)
    lines = lines_on_page(client.get(log_url(day)))
    lines[0]["quantity"] = "4"

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))

    assert response.status_code == 302
    assert rows_of(rep, day) == {("calls", Decimal("4"), None, None, "", "manual")}


def test_manager_changes_a_day_older_than_the_edit_window(client_for, rep, manager, focus, calls):
    day = days_ago(15)
    row = ActivityFactory(rep=rep, day=day, metric=calls, quantity=10)
    client = client_for(manager)
    page = client.get(log_url(day, rep))
    lines = lines_on_page(page)
    lines[0]["quantity"] = "11"

    response = client.post(log_url(day, rep), lines_data(lines, initial_forms=2))

    assert page.status_code == 200
    assert page.context["rep"] == rep
    assert page.context["locked_reason"] == ""
    assert response.status_code == 302
    assert response["Location"] == log_url(day, rep)
    assert rows_of(rep, day) == {("calls", Decimal("11"), None, None, "", "manual")}
    change = ActivityChange.objects.get(rep=rep)
    assert (change.action, change.activity_id, change.by_id) == ("updated", row.pk, manager.pk)


def test_other_manager_cannot_open_the_reps_day(client_for, rep, other_manager, focus, calls):
    day = days_ago(1)
    ActivityFactory(rep=rep, day=day, metric=calls, quantity=10, note="Harbour visit")
    client = client_for(other_manager)

    page = client.get(log_url(day, rep))
    post = client.post(
        log_url(day, rep), lines_data([{"metric": calls, "quantity": "1"}], initial_forms=0)
    )

    assert page.status_code == 404
    assert "Harbour visit" not in page.content.decode()
    assert post.status_code == 404
    assert rows_of(rep, day) == {("calls", Decimal("10"), None, None, "Harbour visit", "manual")}


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_a_day_in_the_future_is_refused(client_for, cast, rep, focus, calls, who):
    day = days_ago(-1)
    target = rep if who == "manager" else None
    client = client_for(cast[who])

    page = client.get(log_url(day, target))
    post = client.post(
        log_url(day, target), lines_data([{"metric": calls, "quantity": "3"}], initial_forms=0)
    )

    assert page.status_code == 200
    assert page.context["locked_reason"] == (
        "Activity cannot be logged for a day that has not happened yet."
    )
    assert page.context["next_day"] is None
    assert post.status_code == 403
    assert Activity.objects.count() == 0


def test_rows_from_integrations_are_shown_read_only_and_kept_when_saving(
    client_for, rep, focus, calls
):
    day = days_ago(1)
    from_dialer = ActivityFactory(
        rep=rep, day=day, metric=calls, quantity=30, source="api", external_id="dialer-77"
    )
    client = client_for(rep)
    page = client.get(log_url(day))
    lines = lines_on_page(page)
    lines[0]["quantity"] = "5"
    lines[0]["note"] = "By hand"

    response = client.post(log_url(day), lines_data(lines, initial_forms=2))
    cleared = lines_on_page(client.get(log_url(day)))
    for line in cleared:
        line["quantity"] = ""
    client.post(log_url(day), lines_data(cleared, initial_forms=2))

    assert page.context["integrated"] == [from_dialer]
    assert [(line["metric"].key, line["quantity"]) for line in lines_on_page(page)[:2]] == [
        ("calls", None),
        ("meetings", None),
    ]
    assert "dialer-77" in page.content.decode()
    assert response.status_code == 302
    assert rows_of(rep, day) == {("calls", Decimal("30"), None, None, "", "api")}
    kept = Activity.objects.get(pk=from_dialer.pk)
    assert (kept.quantity, kept.updated_at) == (Decimal("30"), from_dialer.updated_at)
    assert list(ActivityChange.objects.values_list("action", flat=True)) == [
        "deleted",
        "created",
    ]


def test_day_log_offers_a_product_added_after_the_page_was_first_used(client_for, rep, focus):
    client = client_for(rep)
    client.get(log_url(days_ago(1)))
    bundle = Product.objects.create(sku="harbour-bundle", name="Harbour bundle")

    page = client.get(log_url(days_ago(1)))
    lines = lines_on_page(page)
    lines[0].update(quantity="4", product=bundle)
    response = client.post(log_url(days_ago(1)), lines_data(lines, initial_forms=2))

    offered = [label for _, label in page.context["formset"].forms[0].fields["product"].choices]
    assert "Harbour bundle" in offered
    assert response.status_code == 302, error_texts(response)
    assert rows_of(rep, days_ago(1)) == {
        ("calls", Decimal("4"), None, "harbour-bundle", "", "manual")
    }


def test_a_row_for_a_retired_metric_does_not_block_saving_the_day(client_for, rep, focus):
    demos = Metric.objects.create(key="demos", name="Demos", position=50)
    day = days_ago(1)
    ActivityFactory(rep=rep, day=day, metric=demos, quantity=3)
    Metric.objects.filter(pk=demos.pk).update(active=False)
    client = client_for(rep)
    page = client.get(log_url(day))
    lines = lines_on_page(page)
    assert [line["metric"].key for line in lines[:2]] == ["demos", "calls"]
    lines[1]["quantity"] = "5"

    response = client.post(log_url(day), lines_data(lines, initial_forms=3))

    assert response.status_code == 302, error_texts(response)
    assert rows_of(rep, day) == {
        ("demos", Decimal("3"), None, None, "", "manual"),
        ("calls", Decimal("5"), None, None, "", "manual"),
    }


# --- Activity list, totals and export ----------------------------------------------


@pytest.fixture
def logged(rep, teammate, calls, meetings):
    """Rita: calls 10 + 5 in the last days, 7 twenty days ago, 2 meetings; Tom: 100 calls."""
    ActivityFactory(rep=rep, day=days_ago(1), metric=calls, quantity=10)
    ActivityFactory(rep=rep, day=days_ago(3), metric=calls, quantity=5)
    ActivityFactory(rep=rep, day=days_ago(20), metric=calls, quantity=7)
    ActivityFactory(rep=rep, day=days_ago(1), metric=meetings, quantity=2)
    ActivityFactory(rep=teammate, day=days_ago(1), metric=calls, quantity=100)


def test_activity_list_filters_by_metric_and_days_with_exact_totals(client_for, rep, logged, calls):
    page = client_for(rep).get(
        reverse("activities:list"),
        {"metric": calls.pk, "day_from": days_ago(5).isoformat(), "day_to": days_ago(0)},
    )

    assert page.status_code == 200
    assert list(page.context["totals"]) == [
        {
            "metric__name": "Calls",
            "metric__unit": "count",
            "total": Decimal("15"),
            "metric_label": "Calls",
        }
    ]
    assert [(a.day, a.quantity) for a in page.context["page"]] == [
        (days_ago(1), Decimal("10")),
        (days_ago(3), Decimal("5")),
    ]


def test_activity_list_totals_cover_what_the_viewer_sees(client_for, rep, manager, logged):
    own = client_for(rep).get(reverse("activities:list"))
    team = client_for(manager).get(reverse("activities:list"))

    assert [(t["metric__name"], t["total"]) for t in own.context["totals"]] == [
        ("Calls", Decimal("22")),
        ("Meetings", Decimal("2")),
    ]
    assert [(t["metric__name"], t["total"]) for t in team.context["totals"]] == [
        ("Calls", Decimal("122")),
        ("Meetings", Decimal("2")),
    ]
    assert own.context["page"].paginator.count == 4
    assert team.context["page"].paginator.count == 5


def test_activity_csv_export_defuses_spreadsheet_formulas(client_for, rep, calls, phone):
    ActivityFactory(
        rep=rep, day=days_ago(1), metric=calls, quantity=12, channel=phone, note="=HYPERLINK(1)"
    )

    response = client_for(rep).get(reverse("activities:list"), {"export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="activities.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "day",
            "rep",
            "team",
            "metric",
            "quantity",
            "channel",
            "product",
            "note",
            "source",
            "external_id",
        ],
        [
            days_ago(1).isoformat(),
            "Rita Rep",
            "Alpha",
            "calls",
            "12.00",
            "Outbound phone",
            "",
            "'=HYPERLINK(1)",
            "manual",
            "",
        ],
    ]


def test_activity_csv_export_applies_the_filters_and_the_viewers_scope(
    client_for, rep, logged, calls
):
    response = client_for(rep).get(
        reverse("activities:list"), {"export": "csv", "metric": calls.pk}
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [
        (days_ago(1).isoformat(), "Rita Rep", "10.00"),
        (days_ago(3).isoformat(), "Rita Rep", "5.00"),
        (days_ago(20).isoformat(), "Rita Rep", "7.00"),
    ]


# Measured with 5 rows; 50 rows must not need a single query more.
ACTIVITY_LIST_QUERIES = 11


@pytest.mark.parametrize("rows", [5, 50])
def test_activity_list_query_count_does_not_grow_with_rows(
    client_for, manager, team, calls, django_assert_max_num_queries, rows
):
    products = [Product.objects.create(sku=f"sku-{n}", name=f"Product {n}") for n in range(3)]
    channels = list(Channel.objects.all())
    reps = [UserFactory(team=team) for _ in range(5)]
    for n in range(rows):
        ActivityFactory(
            rep=reps[n % 5],
            day=days_ago(n % 10),
            metric=calls,
            channel=channels[n % len(channels)],
            product=products[n % 3],
            quantity=1,
        )
    client = client_for(manager)

    with django_assert_max_num_queries(ACTIVITY_LIST_QUERIES):
        page = client.get(reverse("activities:list"))

    assert len(page.context["page"]) == rows
    assert [t["total"] for t in page.context["totals"]] == [Decimal(rows)]


def test_a_day_changed_since_the_page_opened_is_not_overwritten(
    client_for, rep, manager, focus, calls, meetings
):
    """The whole day is written at once: the manager's correction, saved while the rep's
    page was open, is not silently undone; the rep's typed numbers stay on the page."""
    day = days_ago(1)
    ActivityFactory(rep=rep, day=day, metric=calls, quantity=12)
    client = client_for(rep)
    page = client.get(log_url(day))
    stamp = page.context["stamp"]
    lines = lines_on_page(page)
    Activity.objects.filter(rep=rep, day=day, metric=calls).update(quantity=14, version=2)
    lines[0]["quantity"] = "20"

    response = client.post(log_url(day), {**lines_data(lines, initial_forms=1), "stamp": stamp})

    assert response.status_code == 200
    assert "Someone else changed this day" in response.content.decode()
    assert 'value="20"' in response.content.decode()
    assert rows_of(rep, day) == {("calls", Decimal("14"), None, None, "", "manual")}
    fresh = client.get(log_url(day))
    fresh_lines = lines_on_page(fresh)
    fresh_lines[0]["quantity"] = "20"
    saved = client.post(
        log_url(day),
        {**lines_data(fresh_lines, initial_forms=1), "stamp": fresh.context["stamp"]},
    )
    assert saved.status_code == 302
    assert rows_of(rep, day) == {("calls", Decimal("20"), None, None, "", "manual")}


def test_activity_page_offers_channel_and_product_choices_not_their_key_twins(
    client_for, manager, rep
):
    page = client_for(manager).get(reverse("activities:list"))

    fields = set(page.context["filter"].form.fields)
    assert {"channel", "product"} <= fields
    assert not fields & {"channel_key", "product_sku"}


def test_the_team_log_lists_reps_fifty_a_page_and_finds_them_by_name(
    client_for, manager, team, rep, calls
):
    ActivityFactory(rep=rep, metric=calls, day=days_ago(3))
    for n in range(55):
        UserFactory(team=team, first_name=f"Zed{n:02d}")
    client = client_for(manager)

    first = client.get(reverse("activities:log")).context["page"]
    assert len(first) == 50
    assert first.paginator.count == team.members.filter(role=rep.role).count()

    found = client.get(reverse("activities:log"), {"q": rep.first_name}).context["page"]
    assert [(r, r.last_logged) for r in found] == [(rep, days_ago(3))]
    nobody = client.get(reverse("activities:log"), {"q": "no such rep"})
    assert "No rep or team matches" in nobody.content.decode()
