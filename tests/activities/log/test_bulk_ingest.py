"""POST /api/v1/activities/bulk/: up to 10,000 rows from an integration, all or nothing.

A batch is idempotent on (source, external_id): re-sending it changes nothing,
a row whose values changed is updated and logged. One bad row stores nothing
and the 400 names it by its index in ``errors.entries``.
"""

from decimal import Decimal
from math import ceil
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils.formats import date_format
from rest_framework.exceptions import ValidationError

from activities.log.serializers import IngestEntrySerializer
from activities.models import Activity, ActivityChange, Product
from tests.factories import ActivityFactory, days_ago

URL = "/api/v1/activities/bulk/"


def entry(rep, external_id, *, quantity=10, metric="calls", day=None, source="dialer", **extra):
    return {
        "rep": rep.pk,
        "day": str(day or days_ago(1)),
        "metric": metric,
        "quantity": quantity,
        "source": source,
        "external_id": external_id,
        **extra,
    }


@pytest.fixture
def batch(rep):
    Product.objects.create(sku="pro-plan", name="Pro plan")
    return [
        entry(rep, "call-1", quantity=38, channel="outbound-phone"),
        entry(rep, "call-2", quantity=12, day=days_ago(2)),
        entry(rep, "inv-1", quantity="4500.00", metric="sales-value", product="pro-plan"),
    ]


def stored():
    """Every stored row as (external_id, rep, day, metric, quantity), sorted."""
    return sorted(
        Activity.objects.values_list("external_id", "rep", "day", "metric__key", "quantity")
    )


def refused(detail, entries):
    return {"status": 400, "code": "invalid", "detail": detail, "errors": {"entries": entries}}


# --- a good batch, and sending it again --------------------------------------------------


def test_valid_batch_stores_every_row(rep, batch, api_for):
    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 200, response.data
    assert response.data == {"created": 3, "updated": 0, "unchanged": 0}
    assert stored() == [
        ("call-1", rep.pk, days_ago(1), "calls", Decimal("38")),
        ("call-2", rep.pk, days_ago(2), "calls", Decimal("12")),
        ("inv-1", rep.pk, days_ago(1), "sales-value", Decimal("4500")),
    ]
    call = Activity.objects.get(external_id="call-1")
    assert (call.source, call.channel.key, call.product, call.created_by) == (
        "dialer",
        "outbound-phone",
        None,
        rep,
    )
    assert Activity.objects.get(external_id="inv-1").product.sku == "pro-plan"


def test_valid_batch_logs_a_created_change_per_row(rep, batch, api_for):
    api_for(rep).post(URL, {"entries": batch})

    changes = ActivityChange.objects.order_by("activity__external_id")
    assert [(c.action, c.by, c.rep, c.activity.external_id) for c in changes] == [
        ("created", rep, rep, "call-1"),
        ("created", rep, rep, "call-2"),
        ("created", rep, rep, "inv-1"),
    ]
    assert changes[0].old is None
    assert changes[0].new == {
        "rep": rep.pk,
        "day": str(days_ago(1)),
        "metric": "calls",
        "quantity": "38.00",
        "channel": "outbound-phone",
        "product": None,
        "note": "",
    }


def test_resending_the_same_batch_changes_nothing(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    before = list(Activity.objects.order_by("pk").values())

    response = api.post(URL, {"entries": batch})

    assert response.status_code == 200, response.data
    assert response.data == {"created": 0, "updated": 0, "unchanged": 3}
    assert list(Activity.objects.order_by("pk").values()) == before
    assert ActivityChange.objects.count() == 3  # only the three creations


def test_resending_with_one_quantity_changed_updates_exactly_that_row(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    before = {a.external_id: a for a in Activity.objects.all()}
    batch[1]["quantity"] = 15

    response = api.post(URL, {"entries": batch})

    assert response.status_code == 200, response.data
    assert response.data == {"created": 0, "updated": 1, "unchanged": 2}
    assert stored() == [
        ("call-1", rep.pk, days_ago(1), "calls", Decimal("38")),
        ("call-2", rep.pk, days_ago(2), "calls", Decimal("15")),
        ("inv-1", rep.pk, days_ago(1), "sales-value", Decimal("4500")),
    ]
    assert Activity.objects.get(external_id="call-2").pk == before["call-2"].pk
    update = ActivityChange.objects.get(action="updated")
    assert (update.activity, update.by, update.rep, update.day) == (
        before["call-2"],
        rep,
        rep,
        days_ago(2),
    )
    assert (update.old["quantity"], update.new["quantity"]) == ("12.00", "15.00")
    assert {k: v for k, v in update.old.items() if k != "quantity"} == {
        k: v for k, v in update.new.items() if k != "quantity"
    }


def test_updated_row_gets_a_new_updated_at(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    before = Activity.objects.get(external_id="call-2").updated_at
    batch[1]["quantity"] = 15

    api.post(URL, {"entries": batch})

    assert Activity.objects.get(external_id="call-2").updated_at > before


def test_mixed_batch_counts_created_updated_and_unchanged(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    batch[0]["note"] = "Dialer recount"
    batch.append(entry(rep, "call-3", quantity=4))

    response = api.post(URL, {"entries": batch})

    assert response.data == {"created": 1, "updated": 1, "unchanged": 2}
    assert Activity.objects.count() == 4
    assert Activity.objects.get(external_id="call-1").note == "Dialer recount"


def test_same_external_id_under_another_source_is_another_row(rep, api_for):
    response = api_for(rep).post(
        URL, {"entries": [entry(rep, "42", source="dialer"), entry(rep, "42", source="erp")]}
    )

    assert response.data == {"created": 2, "updated": 0, "unchanged": 0}
    assert sorted(Activity.objects.values_list("source", flat=True)) == ["dialer", "erp"]


def test_manager_ingests_for_own_reps_and_older_days(rep, teammate, manager, api_for):
    response = api_for(manager).post(
        URL,
        {
            "entries": [
                entry(rep, "a", day=days_ago(30)),
                entry(teammate, "b", day=days_ago(1)),
            ]
        },
    )

    assert response.status_code == 200, response.data
    assert response.data == {"created": 2, "updated": 0, "unchanged": 0}
    assert set(Activity.objects.values_list("rep", "created_by")) == {
        (rep.pk, manager.pk),
        (teammate.pk, manager.pk),
    }


def test_entry_without_rep_defaults_to_caller(rep, api_for):
    row = entry(rep, "no-rep")
    del row["rep"]

    response = api_for(rep).post(URL, {"entries": [row]})

    assert response.status_code == 200
    assert response.data == {"created": 1, "updated": 0, "unchanged": 0}
    assert Activity.objects.get().rep == rep


# --- one bad row stores nothing -----------------------------------------------------------


def spoil(kind, batch, teammate):
    """Make row 1 of the batch bad in one way."""
    if kind == "unknown metric":
        batch[1]["metric"] = "coffees"
    elif kind == "rep outside scope":
        batch[1]["rep"] = teammate.pk
    elif kind == "fraction of a count":
        batch[1]["quantity"] = "2.5"
    elif kind == "duplicate external_id":
        batch[1]["external_id"] = batch[0]["external_id"]
    elif kind == "day outside edit window":
        batch[1]["day"] = str(days_ago(15))


@pytest.mark.parametrize(
    "kind",
    [
        "unknown metric",
        "rep outside scope",
        "fraction of a count",
        "duplicate external_id",
        "day outside edit window",
    ],
)
def test_one_bad_row_stores_nothing(kind, rep, teammate, batch, api_for):
    spoil(kind, batch, teammate)

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 400
    assert (response.data["status"], response.data["code"]) == (400, "invalid")
    assert set(response.data["errors"]) == {"entries"}
    assert not Activity.objects.exists()
    assert not ActivityChange.objects.exists()


def test_unknown_metric_is_named_by_row_index(rep, batch, api_for):
    batch[1]["metric"] = "coffees"

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.data == refused(
        "1 of 3 entries are invalid; nothing was stored.",
        {"1": {"metric": ["Object with key=coffees does not exist."]}},
    )


def test_rep_outside_scope_is_named_by_row_index(rep, teammate, batch, api_for):
    batch[2]["rep"] = teammate.pk

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.data == refused(
        "1 of 3 entries are invalid; nothing was stored.",
        {"2": {"rep": [f'Invalid pk "{teammate.pk}" - object does not exist.']}},
    )


def test_bad_first_row_is_reported(rep, batch, api_for):
    """Row 0 is a bad row like any other; its messages must not be dropped."""
    batch[0]["metric"] = "coffees"

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.data == refused(
        "1 of 3 entries are invalid; nothing was stored.",
        {"0": {"metric": ["Object with key=coffees does not exist."]}},
    )


def test_each_bad_row_is_named(rep, teammate, batch, api_for):
    batch[0]["metric"] = "coffees"
    batch[1]["quantity"] = "2.5"
    batch[2]["rep"] = teammate.pk

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.data == refused(
        "3 of 3 entries are invalid; nothing was stored.",
        {
            "0": {"metric": ["Object with key=coffees does not exist."]},
            "1": {"quantity": ["Calls is counted in whole numbers."]},
            "2": {"rep": [f'Invalid pk "{teammate.pk}" - object does not exist.']},
        },
    )


def test_missing_fields_are_named_per_row(rep, api_for):
    response = api_for(rep).post(URL, {"entries": [{"rep": rep.pk, "metric": "calls"}]})

    assert response.data == refused(
        "1 of 1 entry is invalid; nothing was stored.",
        {
            "0": {
                "day": ["This field is required."],
                "quantity": ["This field is required."],
                "source": ["This field is required."],
                "external_id": ["This field is required."],
            }
        },
    )


def test_manager_cannot_ingest_for_another_teams_rep(rep, other_team_rep, manager, api_for):
    response = api_for(manager).post(
        URL, {"entries": [entry(rep, "a"), entry(other_team_rep, "b")]}
    )

    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_duplicate_external_id_within_batch_is_named_by_row_index(rep, batch, api_for):
    batch.append(entry(rep, "call-1", quantity=40))

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 400
    assert response.data == refused(
        "1 of 4 entries were refused; nothing was stored.",
        {"3": {"external_id": ["Repeats the external_id of row 0."]}},
    )
    assert not Activity.objects.exists()


def test_rep_day_outside_edit_window_stores_nothing(rep, batch, api_for):
    batch[1]["day"] = str(days_ago(15))

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 400
    expected = f"Days before {date_format(days_ago(14), 'DATE_MEDIUM')} can only be changed by your manager."
    assert response.data == refused(
        "1 of 3 entries were refused; nothing was stored.", {"1": {"day": [expected]}}
    )
    assert not Activity.objects.exists()


def test_future_day_in_one_row_stores_nothing(rep, manager, api_for):
    tomorrow = days_ago(-1)

    response = api_for(manager).post(
        URL, {"entries": [entry(rep, "a"), entry(rep, "b", day=tomorrow)]}
    )

    assert response.status_code == 400
    assert response.data["errors"] == {
        "entries": {
            "1": {"day": ["Activity cannot be logged for a day that has not happened yet."]}
        }
    }
    assert not Activity.objects.exists()


def test_bad_row_also_blocks_updates_to_good_rows(rep, batch, api_for):
    """All or nothing holds for updates too: row 0 keeps its old quantity."""
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    batch[0]["quantity"] = 99
    batch[1]["metric"] = "coffees"

    response = api.post(URL, {"entries": batch})

    assert response.status_code == 400
    assert Activity.objects.get(external_id="call-1").quantity == Decimal("38")
    assert not ActivityChange.objects.filter(action="updated").exists()


def test_external_id_of_another_reps_activity_is_refused(rep, teammate, api_for):
    ActivityFactory(rep=teammate, source="dialer", external_id="call-1", quantity=5)

    response = api_for(rep).post(URL, {"entries": [entry(rep, "call-1")]})

    assert response.status_code == 400
    assert response.data == refused(
        "1 of 1 entry was refused; nothing was stored.",
        {"0": {"external_id": ["This external_id is already used by another rep's activity."]}},
    )
    assert Activity.objects.get().quantity == Decimal("5")


# --- batch size -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"entries": []}, {"entries": "call-1"}, []])
def test_empty_or_malformed_batch_is_refused(body, rep, api_for):
    response = api_for(rep).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": {"entries": ["Send a non-empty list of entries."]},
    }


def test_more_than_10000_entries_are_refused(rep, api_for):
    entries = [entry(rep, f"e-{n}") for n in range(10_001)]

    response = api_for(rep).post(URL, {"entries": entries})

    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": {"entries": ["A batch holds at most 10,000 entries."]},
    }
    assert not Activity.objects.exists()


def insert_statements(model, rows):
    """INSERTs bulk_create needs for ``rows`` rows in batches of at most 1,000.

    SQLite caps bind parameters at 999, so there a batch holds 999 // columns
    rows (83 activities, 124 changes); PostgreSQL takes the whole 1,000.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    per_insert = min(1000, connection.ops.bulk_batch_size(fields, [None] * 1000))
    return ceil(rows / per_insert)


def test_small_batch_costs_a_fixed_number_of_queries(
    rep, manager, api_for, django_assert_max_num_queries
):
    """10 rows: 3 lookups, settings, writable reps, existing rows, 2 INSERTs, 4 savepoints."""
    entries = [entry(rep, f"row-{n}") for n in range(10)]
    api = api_for(manager)

    with django_assert_max_num_queries(12):
        response = api.post(URL, {"entries": entries})

    assert response.data == {"created": 10, "updated": 0, "unchanged": 0}


def test_10000_row_batch_is_stored_without_a_query_per_row(
    rep, teammate, manager, api_for, django_assert_max_num_queries
):
    """The largest allowed batch, as a manager for two reps over 30 days.

    Slow on purpose (several seconds): the one test that sends 10,000 rows.
    Lookups are cached per request and writes are batched: 12 fixed, 4 more
    existing-row lookups (2,000 keys each), then the INSERTs. PostgreSQL takes
    the rows and their change records in one statement (17 in all); SQLite
    takes bulk_create's batches (216 in all: 999-parameter cap). The bound adds
    4 of headroom.
    """
    entries = [
        entry(
            rep if n % 2 else teammate,
            f"row-{n}",
            quantity=n % 50,
            day=days_ago(n % 30),
            channel="outbound-phone" if n % 3 else None,
        )
        for n in range(10_000)
    ]
    api = api_for(manager)
    if connection.vendor == "postgresql":
        inserts = 1
    else:
        inserts = insert_statements(Activity, 10_000) + insert_statements(ActivityChange, 10_000)
    bound = 12 + 4 + inserts + 4

    with django_assert_max_num_queries(bound):
        response = api.post(URL, {"entries": entries})

    assert response.status_code == 200, response.data
    assert response.data == {"created": 10_000, "updated": 0, "unchanged": 0}
    assert Activity.objects.count() == 10_000
    assert Activity.objects.filter(rep=rep).count() == 5_000
    assert Activity.objects.filter(channel__isnull=True).count() == 3_334
    assert ActivityChange.objects.filter(action="created").count() == 10_000

    with django_assert_max_num_queries(12 + 4 + 4):
        again = api.post(URL, {"entries": entries})

    assert again.data == {"created": 0, "updated": 0, "unchanged": 10_000}


# --- the plain-row shortcut agrees with the serializer ------------------------------------

SHAPES = {
    # Rows the shortcut takes: it must give exactly what the serializer gives.
    "whole count": {},
    "numeric string money": {"metric": "sales-value", "quantity": "4500.00"},
    "quantity with spaces": {"quantity": " 12 "},
    "quantity in exponent form": {"quantity": "1e3"},
    "rep as a string": {"rep": "REP"},
    "rep left out": {"rep": "MISSING"},
    "channel and product": {"channel": "outbound-phone", "product": "pro-plan"},
    "null channel": {"channel": None},
    "note trimmed": {"note": "  dialer recount  "},
    "blank note": {"note": "   "},
    "source trimmed": {"source": "  dialer "},
    "unknown key ignored": {"colour": "blue"},
    # Rows the serializer must judge (valid or not): the shortcut passes them on.
    "short date form": {"day": "SHORT"},
    "float quantity": {"quantity": 12.0},
    "boolean quantity": {"quantity": True},
    "negative quantity": {"quantity": -1},
    "fraction of a count": {"quantity": "2.5"},
    "too many digits": {"quantity": "1234567890123"},
    "no such month": {"day": "2026-13-01"},
    "unknown metric": {"metric": "coffees"},
    "unknown channel": {"channel": "pigeon"},
    "empty channel": {"channel": ""},
    "rep outside scope": {"rep": "OTHER"},
    "null rep": {"rep": None},
    "reserved source": {"source": "manual"},
    "blank source": {"source": "  "},
    "numeric external id": {"external_id": 42},
    "external id too long": {"external_id": "x" * 101},
    "note too long": {"note": "x" * 201},
    "null character in note": {"note": "a\x00b"},
    "missing day": {"day": "MISSING"},
    "missing source": {"source": "MISSING"},
}
PLAIN = set(list(SHAPES)[:12])


@pytest.mark.parametrize("shape", SHAPES)
def test_plain_row_shortcut_agrees_with_the_serializer(shape, rep, other_team_rep):
    """Rows in the plain shape skip DRF's per-field steps (10,000 rows: 1 s -> 0.1 s);
    whatever the shortcut accepts, the serializer accepts with the same values, and
    every other row reaches the serializer, which names what is wrong."""
    Product.objects.create(sku="pro-plan", name="Pro plan")
    row = entry(rep, "e-1", day=days_ago(1))
    for name, value in SHAPES[shape].items():
        special = {
            "REP": str(rep.pk),
            "OTHER": other_team_rep.pk,
            "NULL": None,
            "SHORT": f"{days_ago(1):%Y-%-m-%-d}",
        }
        if value == "MISSING":
            row.pop(name)
        else:
            row[name] = special.get(value, value) if isinstance(value, str) else value
    batch = IngestEntrySerializer(
        data=[row], many=True, context={"request": SimpleNamespace(user=rep)}
    )

    shortcut = batch.plain_entry(row)
    try:
        judged = batch.child.run_validation(row)
    except ValidationError:
        judged = None

    if shape in PLAIN:
        assert shortcut is not None
        assert shortcut == dict(judged)
    else:
        assert shortcut is None
