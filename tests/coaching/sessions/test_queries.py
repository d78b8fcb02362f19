"""Query counts: the coaching overview, the session list and every panel run the same
number of queries with more reps, sessions and action items."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import SessionStatus
from coaching.sessions import services
from reporting.models import MonthlyReview, ReviewStatus
from salesmgmt.models import CompanySettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _grow(book, cast, n):
    """n more reps in Alpha, each with a held session and an open action item."""
    due = CompanySettings.load().today() + timedelta(days=2)
    for i in range(n):
        rep = UserFactory(team=cast["rep"].team)
        session = book(rep, cast["manager"], days=-(i + 1), status=SessionStatus.HELD)
        services.add_action_item(session=session, by=cast["manager"], text="x", owner=rep, due=due)
        book(rep, cast["manager"], days=i + 1)


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(url, follow=True).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who,url",
    [
        ("manager", lambda: reverse("coaching:overview")),
        ("rep", lambda: reverse("coaching:overview")),
        ("manager", lambda: reverse("coaching:list")),
        ("manager", lambda: reverse("plans:team_week")),
        ("rep", lambda: reverse("home")),
        ("manager", lambda: reverse("dashboards:team")),
    ],
)
def test_pages_and_panels_do_not_grow_with_data(
    who, url, book, cast, client_for, django_assert_max_num_queries
):
    _grow(book, cast, 1)
    book(cast["rep"], cast["manager"])
    client = client_for(cast[who])
    first = _queries(client, url(), django_assert_max_num_queries, 200)
    _grow(book, cast, 6)
    for i in range(3):
        book(cast["rep"], cast["manager"], days=i + 3)
    _queries(client, url(), django_assert_max_num_queries, first)


def test_review_panel_does_not_grow(book, cast, client_for, django_assert_max_num_queries):
    rep = cast["rep"]
    review = MonthlyReview.objects.create(
        rep=rep,
        month=CompanySettings.load().today().replace(day=1),
        status=ReviewStatus.SHARED,
        figures={},
        generated_at=timezone.now(),
    )
    book(rep, cast["manager"], days=0, status=SessionStatus.HELD)
    client = client_for(cast["manager"])
    url = reverse("reviews:detail", args=[review.pk])
    first = _queries(client, url, django_assert_max_num_queries, 200)
    for _ in range(5):
        book(
            rep,
            cast["manager"],
            days=0,
            status=SessionStatus.HELD,
            areas=("closing", "prospecting"),
        )
    _queries(client, url, django_assert_max_num_queries, first)
