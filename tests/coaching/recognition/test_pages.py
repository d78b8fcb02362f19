"""Recognition pages: the feed (who sees what, amounts only where allowed, filters, CSV,
a fixed number of queries), the kudos and award forms, one award, the suggestions, and
the panels on the review, the team dashboard and a rep's home."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Deal
from coaching.models import Award, Kudos, RecognitionSuggestion, SuggestionReason
from coaching.recognition import services
from reporting.commissions.services import compute_statement
from reporting.reviews import services as reviews
from salesmgmt.calendar import previous_month
from salesmgmt.models import Notification, NotificationKind
from tests.cast import ROLES
from tests.coaching.recognition.conftest import READS_RITAS_AMOUNT, SEEN
from tests.factories import UserFactory
from tests.factories.deals import DealFactory
from tests.reporting.commissions.test_selectors import make_plan, won

FEED = reverse("recognition:feed")


def feed_ids(response) -> set[tuple[str, int]]:
    return {(item.feed_type, item.pk) for item in response.context["page"]}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def named(given, names) -> set[tuple[str, int]]:
    return {("kudos" if isinstance(given[n], Kudos) else "award", given[n].pk) for n in names}


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_feed_lists_the_recognition_in_scope(given, cast, client_for, who):
    response = client_for(cast[who]).get(FEED)
    assert response.status_code == 200
    assert feed_ids(response) == named(given, SEEN[who])


@pytest.mark.parametrize("who", ROLES)
def test_award_amount_only_for_recipient_giver_and_those_above(given, cast, client_for, who):
    """Rita's cash bonus reads 'USD 250.00' for her, Maria, the director and the admin;
    Tom sees the award (kind, reason) without the amount; others do not see it."""
    award = given["cash_to_rita"]
    response = client_for(cast[who]).get(reverse("recognition:award", args=[award.pk]))
    if "cash_to_rita" not in SEEN[who]:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert "Biggest deal of the quarter" in html
    assert ("250.00" in html) is (who in READS_RITAS_AMOUNT)
    feed = client_for(cast[who]).get(FEED).content.decode()
    item = feed.split(f'id="award-{award.pk}"')[1].split("</li>")[0]
    assert "Cash bonus" in item
    assert ("250.00" in item) is (who in READS_RITAS_AMOUNT)


PAGES = {
    "feed": (reverse("recognition:feed"), set(ROLES)),
    "kudos_new": (reverse("recognition:kudos_new"), set(ROLES)),
    "award_new": (
        reverse("recognition:award_new"),
        {"manager", "other_manager", "south_manager", "director", "admin"},
    ),
    "suggestions": (
        reverse("recognition:suggestions"),
        {"manager", "other_manager", "south_manager", "director", "admin"},
    ),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_permission_table(cast, client_for, who, page):
    url, allowed = PAGES[page]
    response = client_for(cast[who]).get(url)
    assert response.status_code == (200 if who in allowed else 404)


def test_pages_need_a_login(client, db):
    for url, _ in PAGES.values():
        assert client.get(url).status_code == 302


# --- The feed -----------------------------------------------------------------------------


def test_feed_is_newest_first_and_filters_by_kind_team_and_person(given, cast, client_for):
    client = client_for(cast["admin"])
    items = list(client.get(FEED).context["page"])
    assert [i.created_at for i in items] == sorted((i.created_at for i in items), reverse=True)
    assert feed_ids(client.get(FEED, {"kind": "kudos"})) == named(
        given, {"maria_to_rita", "tom_to_rita", "oscar_to_otto"}
    )
    assert feed_ids(client.get(FEED, {"kind": "cash"})) == named(given, {"cash_to_rita"})
    assert feed_ids(client.get(FEED, {"team": cast["south_rep"].team_id})) == named(
        given, {"sam_to_sofia"}
    )
    # A person: what they received and what they gave.
    assert feed_ids(client.get(FEED, {"person": cast["teammate"].pk})) == named(
        given, {"tom_to_rita"}
    )


def test_feed_csv_hides_amounts_a_teammate_may_not_read(given, cast, client_for):
    rows = csv_rows(client_for(cast["teammate"]).get(FEED, {"export": "csv"}))
    assert rows[0][:4] == ["at", "kind", "from", "to"]
    cash = next(r for r in rows if r[1] == "Cash bonus")
    assert cash[5] == "Biggest deal of the quarter" and cash[6] == ""
    rows = csv_rows(client_for(cast["rep"]).get(FEED, {"export": "csv"}))
    assert next(r for r in rows if r[1] == "Cash bonus")[6] == "250.00"
    assert len(rows) == 1 + len(SEEN["rep"])


def test_feed_queries_do_not_grow_with_rows(given, cast, client_for, django_assert_max_num_queries):
    client = client_for(cast["manager"])
    client.get(FEED)
    with django_assert_max_num_queries(12) as few:
        client.get(FEED)
    for n in range(6):
        services.give_kudos(giver=cast["teammate"], recipient=cast["rep"], message=f"Thanks {n}")
        services.give_award(
            by=cast["manager"],
            recipient=cast["teammate"],
            kind="gift",
            reason=f"Gift {n}",
            given_on=given["cash_to_rita"].given_on,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(FEED)
    assert len(response.context["page"].object_list) == 4 + 12


# --- Giving -------------------------------------------------------------------------------


def test_rep_gives_kudos_through_the_form(cast, client_for):
    client = client_for(cast["rep"])
    response = client.get(reverse("recognition:kudos_new"), {"recipient": cast["south_rep"].pk})
    assert response.status_code == 200
    assert response.context["form"].initial["recipient"] == cast["south_rep"].pk
    response = client.post(
        reverse("recognition:kudos_new"),
        {"recipient": cast["south_rep"].pk, "message": "Thanks for the referral"},
    )
    kudos = Kudos.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{FEED}#kudos-{kudos.pk}"
    assert (kudos.giver, kudos.recipient) == (cast["rep"], cast["south_rep"])


def test_kudos_form_shows_field_errors_and_keeps_the_text(cast, client_for):
    response = client_for(cast["rep"]).post(
        reverse("recognition:kudos_new"), {"recipient": cast["rep"].pk, "message": "Me, me"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["recipient"]
    assert "Me, me" in response.content.decode()
    assert not Kudos.objects.exists()


def test_people_lookup_finds_any_active_colleague(cast, client_for):
    UserFactory(username="gone", first_name="Sofie", is_active=False)
    response = client_for(cast["rep"]).get(reverse("recognition:people_lookup"), {"q": "Sof"})
    assert [r["id"] for r in response.json()["results"]] == [cast["south_rep"].pk]


def test_manager_gives_a_cash_award_and_it_shows_on_the_statement(cast, client_for, today):
    """Maria awards Rita 120 in cash dated in last month; Rita's statement page of last
    month shows the line 'Award: ...' and the total with it."""
    month = previous_month(today)
    make_plan(cast["rep"], rate="5", quota_key=None)
    won(cast["rep"], "1000.00", month.replace(day=10))
    statement = compute_statement(rep=cast["rep"], month=month)
    response = client_for(cast["manager"]).post(
        reverse("recognition:award_new"),
        {
            "recipient": cast["rep"].pk,
            "kind": "cash",
            "value": "120",
            "reason": "Harbour account won",
            "given_on": month.replace(day=28).isoformat(),
        },
    )
    award = Award.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("recognition:award", args=[award.pk])
    page = client_for(cast["rep"]).get(reverse("commissions:detail", args=[statement.pk]))
    html = page.content.decode()
    assert "Award: Harbour account won" in html
    statement.refresh_from_db()
    assert statement.total == Decimal("170.00")
    detail = client_for(cast["rep"]).get(reverse("recognition:award", args=[award.pk]))
    assert reverse("commissions:detail", args=[statement.pk]) in detail.content.decode()


def test_award_form_refuses_cash_without_amount_next_to_the_field(cast, client_for, today):
    response = client_for(cast["manager"]).post(
        reverse("recognition:award_new"),
        {"recipient": cast["rep"].pk, "kind": "cash", "reason": "x", "given_on": today},
    )
    assert response.status_code == 400
    assert "A cash bonus needs an amount above 0." in str(response.context["form"].errors["value"])
    assert not Award.objects.exists()


def test_award_form_lists_only_reps_one_manages(cast, client_for):
    form = client_for(cast["manager"]).get(reverse("recognition:award_new")).context["form"]
    assert set(form.fields["recipient"].queryset) == {cast["rep"], cast["teammate"]}


# --- Suggestions --------------------------------------------------------------------------


@pytest.fixture
def nudge(cast, today):
    return RecognitionSuggestion.objects.create(
        manager=cast["manager"],
        rep=cast["rep"],
        reason=SuggestionReason.GOAL_BEATEN,
        key="goal:9:2025-01-01",
        text="Rita beat her calls goal: 130 of 120.",
        created_on=today,
    )


def test_acting_on_a_suggestion_opens_the_form_prefilled_and_marks_it_acted(
    nudge, cast, client_for
):
    client = client_for(cast["manager"])
    listed = client.get(reverse("recognition:suggestions")).content.decode()
    assert "Rita beat her calls goal" in listed
    response = client.get(reverse("recognition:kudos_new"), {"suggestion": nudge.pk})
    assert response.context["form"].initial["recipient"] == cast["rep"].pk
    assert "Rita beat her calls goal" in response.content.decode()
    client.post(
        reverse("recognition:kudos_new"),
        {"recipient": cast["rep"].pk, "message": "Bravo", "suggestion": nudge.pk},
    )
    nudge.refresh_from_db()
    assert nudge.acted_at is not None
    assert (
        "Rita beat her calls goal"
        not in client.get(reverse("recognition:suggestions")).content.decode()
    )


def test_dismissing_a_suggestion(nudge, cast, client_for):
    assert (
        client_for(cast["other_manager"])
        .post(reverse("recognition:suggestion_dismiss", args=[nudge.pk]))
        .status_code
        == 404
    )
    response = client_for(cast["manager"]).post(
        reverse("recognition:suggestion_dismiss", args=[nudge.pk])
    )
    assert response.status_code == 302
    nudge.refresh_from_db()
    assert nudge.dismissed_at is not None and nudge.acted_at is None


# --- Panels -------------------------------------------------------------------------------


def test_review_lists_the_months_recognition_apart_from_areas_to_improve(
    given, cast, client_for, today
):
    """This month's review of Rita: its recognition section lists her kudos and awards,
    and nothing of it is in the areas to improve; the share notice carries none of it."""
    review = reviews.build_monthly_review(rep=cast["rep"], month=today.replace(day=1))
    html = client_for(cast["manager"]).get(f"/reviews/{review.pk}/").content.decode()
    section = html.split('<article id="recognition"')[1].split("</article>")[0]
    improve = html.split('id="improve"')[1].split("</article>")[0]
    for text in ("Great demo at Harbour", "Thanks for covering my calls", "Covered the trade fair"):
        assert text in section and text not in improve
    assert "Well done" not in section  # Otto's, not Rita's
    assert "250.00" in section  # Maria reads the amount
    reviews.share_review(review=review, by=cast["manager"], version=review.version)
    shared = Notification.objects.get(kind=NotificationKind.REVIEW_SHARED)
    assert "Harbour" not in shared.body and "trade fair" not in shared.body


def test_kudos_given_from_a_review_show_on_it_and_lead_back(cast, client_for, today):
    """From last month's review, Maria thanks Rita today: the kudos shows on that review."""
    review = reviews.build_monthly_review(rep=cast["rep"], month=previous_month(today))
    client = client_for(cast["manager"])
    response = client.post(
        reverse("recognition:kudos_new"),
        {"recipient": cast["rep"].pk, "message": "Strong finish", "review": review.pk},
    )
    assert response["Location"] == f"/reviews/{review.pk}/#recognition"
    section = client.get(f"/reviews/{review.pk}/").content.decode().split('id="recognition"')[1]
    assert "Strong finish" in section.split("</article>")[0]


def test_review_panel_has_a_fixed_number_of_queries(
    given, cast, client_for, today, django_assert_max_num_queries
):
    review = reviews.build_monthly_review(rep=cast["rep"], month=today.replace(day=1))
    client = client_for(cast["manager"])
    client.get(f"/reviews/{review.pk}/")
    with django_assert_max_num_queries(60) as before:
        client.get(f"/reviews/{review.pk}/")
    for n in range(5):
        services.give_kudos(giver=cast["teammate"], recipient=cast["rep"], message=f"Ta {n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(f"/reviews/{review.pk}/")


def test_team_dashboard_shows_recognition_given_this_month(
    given, cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast["manager"])
    RecognitionSuggestion.objects.create(
        manager=cast["manager"],
        rep=cast["teammate"],
        reason=SuggestionReason.BIGGEST_DEAL,
        key="deal:1",
        text="Tom closed the biggest deal.",
        created_on=given["cash_to_rita"].given_on,
    )
    html = client.get("/dashboard/team/").content.decode()
    panel = html.split('id="team-recognition"')[1].split("All of Alpha")[0]
    assert 'id="team-kudos-count">2<' in panel
    assert 'id="team-awards-count">2<' in panel
    assert ">1</a>" in panel.split('id="team-pending-count"')[1]
    with django_assert_max_num_queries(200) as before:
        client.get("/dashboard/team/")
    services.give_kudos(giver=cast["rep"], recipient=cast["teammate"], message="Cheers")
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get("/dashboard/team/").content.decode()
    assert 'id="team-kudos-count">3<' in html


def test_rep_home_shows_the_latest_kudos(given, cast, client_for):
    html = client_for(cast["rep"]).get("/").content.decode()
    assert 'id="my-kudos"' in html and "Thanks for covering my calls" in html


def test_recognition_carried_over_without_an_author_reads_as_the_managers(cast, client_for):
    """Kudos moved from a review nobody shared have no giver: 'Their manager'."""
    Kudos.objects.create(recipient=cast["rep"], message="Carried over", created_at=timezone.now())
    html = client_for(cast["rep"]).get(FEED).content.decode()
    assert "Their manager" in html and "Carried over" in html


# --- Writes, role by role -----------------------------------------------------------------

MANAGES_RITA = {"manager", "director", "admin"}


@pytest.mark.parametrize("who", ROLES)
def test_who_posts_what(cast, client_for, who, today):
    """Kudos: anyone (to anyone else). An award to Rita: her manager, director and admin
    (other managers get the form back with the rep refused; reps a 404). The people lookup
    answers everyone signed in."""
    client = client_for(cast[who])
    to = "teammate" if who == "rep" else "rep"
    response = client.post(
        reverse("recognition:kudos_new"), {"recipient": cast[to].pk, "message": "Thanks"}
    )
    assert response.status_code == 302
    assert Kudos.objects.filter(giver=cast[who]).count() == 1

    response = client.post(
        reverse("recognition:award_new"),
        {
            "recipient": cast["rep"].pk,
            "kind": "gift",
            "reason": "Thanks",
            "given_on": today.isoformat(),
        },
    )
    if who in MANAGES_RITA:
        assert response.status_code == 302
    elif cast[who].reviews_plans:
        assert response.status_code == 400 and response.context["form"].errors["recipient"]
    else:
        assert response.status_code == 404
    assert Award.objects.count() == (1 if who in MANAGES_RITA else 0)
    assert client.get(reverse("recognition:people_lookup"), {"q": "Rita"}).status_code == 200


@pytest.mark.parametrize("who", ROLES)
def test_who_dismisses_a_suggestion_on_the_page(nudge, cast, client_for, who):
    response = client_for(cast[who]).post(
        reverse("recognition:suggestion_dismiss", args=[nudge.pk])
    )
    nudge.refresh_from_db()
    mine = who in {"manager", "admin"}  # the manager it was made for, and admins
    assert response.status_code == (302 if mine else 404)
    assert (nudge.dismissed_at is not None) is mine


def test_suggestions_page_has_a_fixed_number_of_queries(
    nudge, cast, client_for, today, django_assert_max_num_queries
):
    client = client_for(cast["manager"])
    client.get(reverse("recognition:suggestions"))
    with django_assert_max_num_queries(12) as before:
        client.get(reverse("recognition:suggestions"))
    for n in range(5):
        RecognitionSuggestion.objects.create(
            manager=cast["manager"],
            rep=cast["teammate"],
            reason=SuggestionReason.KPI_STREAK,
            key=f"kpi:{n}:1:2025-01-06",
            text=f"Tom kept KPI {n} green.",
            created_on=today,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("recognition:suggestions"))
    assert len(response.context["page"].object_list) == 6


def test_a_deal_title_shows_only_to_those_who_see_the_deal(cast, client_for, today):
    """A teammate sees the kudos and the award but reads "a deal", not the title of a deal
    they cannot open (feed and award page); the rep and their manager read the title."""
    rep, mate = cast["rep"], cast["teammate"]
    deal = DealFactory(owner=rep, title="Harbour-Secret-Renewal 250k")
    assert not Deal.objects.visible_to(mate).filter(pk=deal.pk).exists()
    award = services.give_award(
        by=cast["manager"], recipient=rep, kind="gift", reason="Nice", given_on=today, deal=deal
    )
    services.give_kudos(giver=cast["manager"], recipient=rep, message="Well won", deal=deal)
    award_page = reverse("recognition:award", args=[award.pk])
    for url in (FEED, award_page):
        html = client_for(mate).get(url).content.decode()
        assert "Harbour-Secret-Renewal" not in html and "a deal" in html, url
    for who in ("rep", "manager"):
        for url in (FEED, award_page):
            html = client_for(cast[who]).get(url).content.decode()
            assert "Harbour-Secret-Renewal" in html, (who, url)
