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
MOVED = [("coaching", "0003_review_recognition_to_kudos")]
LONG = ("Thank you " * 100).strip()  # 999 characters: kept whole


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
        draft = review("teammate", date(2025, 3, 1), recognition=LONG)
        orphan = review("south_rep", date(2025, 3, 1), recognition=" Thanks, Sofia ")
        silent = review("rep", date(2025, 4, 1), recognition="")
        team = cast["south_rep"].team
        team.manager = None
        team.save(update_fields=["manager"])

        new = migrate(MOVED)
        Kudos = new.get_model("coaching", "Kudos")
        by_review = {k.review_id: k for k in Kudos.objects.all()}
        assert set(by_review) == {shared.pk, draft.pk, orphan.pk}
        assert silent.pk not in by_review
        # The one who shared it, else the team's manager, else nobody; when it was shared,
        # else when the review was built.
        moved = by_review[shared.pk]
        assert (moved.giver_id, moved.recipient_id, moved.message) == (
            cast["director"].pk,
            cast["rep"].pk,
            "Best demo of the quarter",
        )
        assert moved.created_at == shared_at
        assert by_review[draft.pk].giver_id == cast["manager"].pk
        assert by_review[draft.pk].message == LONG
        assert by_review[draft.pk].created_at == built
        assert (by_review[orphan.pk].giver_id, by_review[orphan.pk].message) == (
            None,
            "Thanks, Sofia",
        )

        old = migrate(BEFORE)
        Review = old.get_model("reporting", "MonthlyReview")
        assert Review.objects.get(pk=shared.pk).recognition == "Best demo of the quarter"
        assert Review.objects.get(pk=draft.pk).recognition == LONG
        assert not old.get_model("coaching", "Kudos").objects.exists()
    finally:
        migrate(leaves)


def test_the_review_has_no_recognition_field_any_more(db):
    assert "recognition" not in {f.name for f in MonthlyReview._meta.get_fields()}
