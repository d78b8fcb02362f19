"""A stage's kind cannot change under live deals (issue 8 §3).

A deal's close date and its counted sale follow from the kind of stage it moved
into; changing the kind under it left won deals without a close date, and every
later update of them failed. The rule is activities.deals.services.check_stage_change;
the API is the only surface that edits stages (no page, no Django admin).
"""

import threading
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.db import connection, transaction
from django.db.models import ProtectedError

from activities.deals import services
from activities.models import Activity, Deal, Stage, StageKind
from salesmgmt.errors import RuleViolation
from tests.factories.api import invalid, make_deal, stage
from tests.factories.tasks import company_day

# --- the rule, on the API ---------------------------------------------------------------------


def test_kind_of_a_stage_with_deals_cannot_change(rep, admin, api_for):
    """The fuzzed request: PATCH kind=won on an open stage holding deals is a 400."""
    make_deal(rep, stage_key="contacted")
    make_deal(rep, stage_key="contacted")
    contacted = stage("contacted")

    response = api_for(admin).patch(f"/api/v1/stages/{contacted.pk}/", {"kind": "won"})

    assert response.status_code == 400
    assert response.data == invalid(
        {
            "kind": [
                f"2 deals sit in {contacted.name}; move them to another stage "
                "before changing its kind."
            ]
        }
    )
    contacted.refresh_from_db()
    assert contacted.kind == StageKind.OPEN


def test_one_deal_is_enough_to_keep_the_kind(rep, admin, api_for):
    make_deal(rep, stage_key="won")
    won = stage("won")

    response = api_for(admin).put(
        f"/api/v1/stages/{won.pk}/",
        {"pipeline": "new-business", "key": "won", "name": "Won", "kind": "open"},
    )

    assert response.status_code == 400
    assert response.data["errors"] == {
        "kind": [f"1 deal sits in {won.name}; move it to another stage before changing its kind."]
    }
    won.refresh_from_db()
    assert won.kind == StageKind.WON


def test_a_stage_with_deals_can_be_renamed_and_keep_its_kind(rep, admin, api_for):
    make_deal(rep, stage_key="contacted")
    contacted = stage("contacted")
    api = api_for(admin)
    body = api.get(f"/api/v1/stages/{contacted.pk}/").data

    response = api.put(
        f"/api/v1/stages/{contacted.pk}/", {**body, "name": "First call made", "probability": 30}
    )

    assert response.status_code == 200, response.data
    contacted.refresh_from_db()
    assert (contacted.name, contacted.probability, contacted.kind) == (
        "First call made",
        30,
        StageKind.OPEN,
    )


def test_the_kind_of_an_empty_stage_can_change(rep, admin, api_for):
    make_deal(rep, stage_key="lead")  # deals elsewhere do not matter
    contacted = stage("contacted")

    response = api_for(admin).patch(f"/api/v1/stages/{contacted.pk}/", {"kind": "lost"})

    assert response.status_code == 200, response.data
    assert response.data["kind"] == "lost"
    contacted.refresh_from_db()
    assert contacted.kind == StageKind.LOST


def test_a_stage_with_deals_stays_in_its_pipeline(rep, admin, api_for):
    make_deal(rep, stage_key="contacted")
    contacted = stage("contacted")

    response = api_for(admin).patch(
        f"/api/v1/stages/{contacted.pk}/", {"pipeline": "renewals", "kind": "won"}
    )

    assert response.status_code == 400
    assert response.data["errors"] == {
        "pipeline": ["A stage cannot move to another pipeline; its deals stay."]
    }
    contacted.refresh_from_db()
    assert (contacted.pipeline.key, contacted.kind) == ("new-business", StageKind.OPEN)


def test_stages_are_not_deleted_through_the_api(rep, admin, api_for):
    make_deal(rep, stage_key="contacted")
    contacted = stage("contacted")

    response = api_for(admin).delete(f"/api/v1/stages/{contacted.pk}/")

    assert response.status_code == 405
    assert Stage.objects.filter(pk=contacted.pk).exists()


def test_the_database_keeps_a_stage_that_deals_sit_in(rep):
    """Deal.stage is PROTECT: no code path can delete a stage under its deals."""
    make_deal(rep, stage_key="contacted")

    with pytest.raises(ProtectedError):
        stage("contacted").delete()


def test_stages_are_not_edited_in_the_django_admin():
    """If a Stage admin is ever added, its form and delete must call check_stage_change."""
    assert Stage not in django_admin.site._registry


# --- the rule, in the service -----------------------------------------------------------------


def test_update_stage_refuses_a_kind_change_under_deals(rep):
    make_deal(rep, stage_key="proposal")

    with pytest.raises(RuleViolation) as refused:
        services.update_stage(stage=stage("proposal"), kind=StageKind.LOST)

    assert list(refused.value.message_dict) == ["kind"]
    assert stage("proposal").kind == StageKind.OPEN


def test_update_stage_accepts_the_same_kind_under_deals(rep):
    make_deal(rep, stage_key="proposal")

    updated = services.update_stage(stage=stage("proposal"), kind=StageKind.OPEN, position=9)

    assert (updated.kind, stage("proposal").position) == (StageKind.OPEN, 9)


# --- legacy data: a deal in a won stage without a close date ----------------------------------


def _version(body):
    # Deals may carry an optimistic-lock version; send back what was read.
    return {"version": body["version"]} if "version" in body else {}


def test_a_deal_whose_stage_turned_won_under_it_can_still_be_updated(rep, api_for):
    """Before the rule, a kind change left won deals with closed_on NULL, and every
    update answered 500 (the won sale rows need a day). It now closes them today."""
    deal = make_deal(rep, stage_key="contacted", amount="1200.00")
    Stage.objects.filter(pk=deal.stage_id).update(kind=StageKind.WON)  # as the bad PATCH did
    api = api_for(rep)
    body = api.get(f"/api/v1/deals/{deal.pk}/").data

    response = api.patch(f"/api/v1/deals/{deal.pk}/", {"amount": "1500.00", **_version(body)})

    assert response.status_code == 200, response.data
    deal.refresh_from_db()
    assert deal.closed_on == company_day()
    sales = Activity.objects.filter(deal=deal).order_by("metric__key")
    assert [(a.metric.key, a.day, a.quantity) for a in sales] == [
        ("sales-closed", company_day(), Decimal("1")),
        ("sales-value", company_day(), Decimal("1500.00")),
    ]


def test_a_won_deal_without_a_close_date_can_still_be_updated(rep, api_for):
    deal = make_deal(rep, stage_key="won")
    Deal.objects.filter(pk=deal.pk).update(closed_on=None)
    api = api_for(rep)
    body = api.get(f"/api/v1/deals/{deal.pk}/").data

    response = api.patch(f"/api/v1/deals/{deal.pk}/", {"title": "Renamed", **_version(body)})

    assert response.status_code == 200, response.data
    deal.refresh_from_db()
    assert (deal.title, deal.closed_on) == ("Renamed", company_day())
    assert set(Activity.objects.filter(deal=deal).values_list("day", flat=True)) == {company_day()}


# --- a move racing a change of kind (PostgreSQL: SQLite runs one writer at a time) ----------


# serialized_rollback: the flush after a transactional test would drop the seeded metrics
# and stages (and, re-created by post_migrate, clash with the next test's reload).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks; SQLite serialises"
)
def test_a_move_waiting_on_a_change_of_kind_sees_the_new_kind(rep):
    """The kind change locks the stage and finds it empty; a move into it meanwhile waits
    for that commit and then applies the won rules (close date, counted sale) instead of
    leaving a deal in a won stage that was open when the move began."""
    deal = make_deal(rep, stage_key="contacted")
    target = stage("proposal")
    changed, errors = threading.Event(), []

    def change_kind():
        try:
            with transaction.atomic():
                services.update_stage(stage=target, kind=StageKind.WON)
                changed.set()
                threading.Event().wait(0.5)  # the move arrives while this is uncommitted
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            changed.set()
            connection.close()

    def move():
        try:
            changed.wait(5)
            services.move_deal(deal=deal, to_stage=target, by=rep)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=change_kind), threading.Thread(target=move)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)

    assert errors == []
    deal.refresh_from_db()
    assert deal.stage.kind == StageKind.WON
    assert deal.closed_on == company_day()
    assert Activity.objects.filter(deal=deal).count() == 2  # sales closed and sales value
