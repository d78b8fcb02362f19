"""The review's recognition text moves to kudos (coaching 0003) before reporting 0008
drops the field; backwards, it goes back to the review.

The database is migrated back to just before the move, reviews with recognition are
written with the models of that moment, and the move is run forward and back.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reporting.models import MonthlyReview

BEFORE = [
    ("coaching", "0002_seed_focus_areas_and_questions"),
    ("reporting", "0007_deviation_actions"),
]
# The move, then reporting 0008 dropping the review's field: backwards, the field comes
# back empty and only what the move kept can refill it.
MOVED = [
    ("coaching", "0003_review_recognition_to_kudos"),
    ("reporting", "0008_remove_monthlyreview_recognition"),
]
LONG = ("Thank you " * 100).strip()  # 999 characters: kept whole
LONGER = "Outstanding quarter. " * 150  # 3,150 characters: kept whole too
DRAFT_PREFIX = "Recognition (draft, not shared): "


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_review_recognition_becomes_kudos_and_back(cast):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Review = old.get_model("reporting", "MonthlyReview")
        shared_at = timezone.now() - timedelta(days=3)
        built = timezone.now() - timedelta(days=9)

        def review(rep, month, **fields):
            return Review.objects.create(
                rep_id=cast[rep].pk, month=month, generated_at=built, **fields
            )

        shared = review(
            "rep",
            date(2025, 3, 1),
            recognition="Best demo of the quarter",
            shared_at=shared_at,
            shared_by_id=cast["director"].pk,
            status="shared",
        )
        acknowledged = review(
            "teammate",
            date(2025, 2, 1),
            recognition=LONG,
            shared_at=shared_at,
            status="acknowledged",
        )
        long_shared = review(
            "teammate", date(2025, 1, 1), recognition=LONGER, shared_at=shared_at, status="shared"
        )
        draft = review(
            "teammate",
            date(2025, 3, 1),
            recognition="DRAFT-ONLY-TEXT",
            manager_notes="Talk about pipeline.",
        )
        bare_draft = review("rep", date(2025, 5, 1), recognition="Quiet draft praise")
        orphan = review(
            "south_rep",
            date(2025, 3, 1),
            recognition=" Thanks, Sofia ",
            shared_at=shared_at,
            status="shared",
        )
        silent = review("rep", date(2025, 4, 1), recognition="")
        team = cast["south_rep"].team
        team.manager = None
        team.save(update_fields=["manager"])

        new = migrate(MOVED)
        Kudos = new.get_model("coaching", "Kudos")
        NewReview = new.get_model("reporting", "MonthlyReview")
        by_review = {k.review_id: k for k in Kudos.objects.all()}
        # Only what the rep could read becomes kudos; drafts never reach the feed.
        assert set(by_review) == {shared.pk, acknowledged.pk, long_shared.pk, orphan.pk}
        assert all(k.carried_from_review for k in by_review.values())
        assert silent.pk not in by_review
        # A draft's text stays manager-only, appended to the manager's notes.
        assert NewReview.objects.get(pk=draft.pk).manager_notes == (
            "Talk about pipeline.\n\n" + DRAFT_PREFIX + "DRAFT-ONLY-TEXT"
        )
        assert NewReview.objects.get(pk=bare_draft.pk).manager_notes == (
            DRAFT_PREFIX + "Quiet draft praise"
        )
        # The one who shared it, else the team's manager, else nobody; when it was shared,
        # else when the review was built.
        moved = by_review[shared.pk]
        assert (moved.giver_id, moved.recipient_id, moved.message) == (
            cast["director"].pk,
            cast["rep"].pk,
            "Best demo of the quarter",
        )
        assert moved.created_at == shared_at
        assert by_review[acknowledged.pk].giver_id == cast["manager"].pk
        assert by_review[acknowledged.pk].message == LONG
        assert by_review[long_shared.pk].message == LONGER.strip()  # no cut at 2,000
        assert (by_review[orphan.pk].giver_id, by_review[orphan.pk].message) == (
            None,
            "Thanks, Sofia",
        )
        # Kudos given later from the review page are not carried rows: they stay.
        later = Kudos.objects.create(
            giver_id=cast["director"].pk,
            recipient_id=cast["rep"].pk,
            message="second",
            review_id=shared.pk,
            created_at=timezone.now(),
        )

        old = migrate(BEFORE)
        Review = old.get_model("reporting", "MonthlyReview")
        assert Review.objects.get(pk=shared.pk).recognition == "Best demo of the quarter"
        assert Review.objects.get(pk=acknowledged.pk).recognition == LONG
        assert Review.objects.get(pk=long_shared.pk).recognition == LONGER.strip()
        back = Review.objects.get(pk=draft.pk)
        assert (back.recognition, back.manager_notes) == (
            "DRAFT-ONLY-TEXT",
            "Talk about pipeline.",
        )
        back = Review.objects.get(pk=bare_draft.pk)
        assert (back.recognition, back.manager_notes) == ("Quiet draft praise", "")
        left = old.get_model("coaching", "Kudos").objects.all()
        assert [k.pk for k in left] == [later.pk]
    finally:
        migrate(leaves)


def test_the_review_has_no_recognition_field_any_more(db):
    assert "recognition" not in {f.name for f in MonthlyReview._meta.get_fields()}
