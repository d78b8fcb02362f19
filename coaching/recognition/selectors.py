"""Reads of recognition: the feed, who sees an award's value, a rep's month, a team's month.

Kudos and awards are read through their ``visible_to`` (the recognition feed's scope:
anyone one may see, one's own team, and what one gave or received). An award's value
is shown to its recipient, its giver and those who manage the recipient; teammates on
the feed read its kind and reason only (``with_value_shown``). A linked deal's title is
shown only to those who may see the deal (``with_deal_shown``); others read "a deal".
"""

from datetime import date

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from activities.models import Deal
from coaching.models import Award, Kudos, RecognitionSuggestion
from salesmgmt.calendar import month_of
from salesmgmt.models import CompanySettings, User
from salesmgmt.scoping import scope_to_people

KUDOS = "kudos"


def with_value_shown(awards: QuerySet, user) -> QuerySet:
    """``awards`` annotated with ``value_shown``: may ``user`` read the amount?"""
    if user.is_authenticated and user.is_admin:
        return awards.annotate(value_shown=Value(True, output_field=BooleanField()))
    managed = scope_to_people(User.objects.all(), user, rep_path="pk").values("pk")
    return awards.annotate(
        value_shown=ExpressionWrapper(
            Q(recipient=user.pk) | Q(given_by=user.pk) | Q(recipient__in=managed),
            output_field=BooleanField(),
        )
    )


def with_deal_shown(rows: QuerySet, user) -> QuerySet:
    """Kudos or awards annotated with ``deal_shown``: may ``user`` read the linked deal's
    title? (A teammate sees the recognition, not necessarily the deal behind it.)"""
    return rows.annotate(
        deal_shown=Exists(Deal.objects.visible_to(user).filter(pk=OuterRef("deal_id")))
    )


def kudos_for(user) -> QuerySet:
    return with_deal_shown(
        Kudos.objects.visible_to(user).select_related(
            "giver", "recipient__team", "deal", "goal__metric", "kpi"
        ),
        user,
    )


def awards_for(user) -> QuerySet:
    return with_deal_shown(
        with_value_shown(
            Award.objects.visible_to(user).select_related(
                "given_by", "recipient__team", "deal", "goal__metric", "kpi"
            ),
            user,
        ),
        user,
    )


def filter_feed(kudos: QuerySet, awards: QuerySet, *, team=None, person=None, kind=""):
    """Both halves of the feed filtered alike: a team's or a person's (given or received)
    recognition, and one kind ("kudos" or an award kind)."""
    if team is not None:
        kudos = kudos.filter(recipient__team=team)
        awards = awards.filter(recipient__team=team)
    if person is not None:
        kudos = kudos.filter(Q(recipient=person) | Q(giver=person))
        awards = awards.filter(Q(recipient=person) | Q(given_by=person))
    if kind == KUDOS:
        awards = awards.none()
    elif kind:
        kudos = kudos.none()
        awards = awards.filter(kind=kind)
    return kudos, awards


def feed_keys(kudos: QuerySet, awards: QuerySet) -> QuerySet:
    """(type, pk, at) of every kudos and award, newest first, as one UNION query: the
    feed pages through both at once."""
    text = CharField()
    k = kudos.order_by().annotate(type=Value(KUDOS, output_field=text), at=F("created_at"))
    a = awards.order_by().annotate(type=Value("award", output_field=text), at=F("created_at"))
    return (
        k.values_list("type", "pk", "at")
        .union(a.values_list("type", "pk", "at"), all=True)
        .order_by("-at", "-pk")
    )


def feed_items(keys, kudos: QuerySet, awards: QuerySet) -> list:
    """The rows of a page of ``feed_keys`` (two queries), in the page's order, each with
    ``feed_type`` set."""
    keys = list(keys)
    kudos_ids = [pk for kind, pk, _ in keys if kind == KUDOS]
    award_ids = [pk for kind, pk, _ in keys if kind != KUDOS]
    by_key = {(KUDOS, k.pk): k for k in kudos.filter(pk__in=kudos_ids)} if kudos_ids else {}
    if award_ids:
        by_key |= {("award", a.pk): a for a in awards.filter(pk__in=award_ids)}
    items = []
    for kind, pk, _ in keys:
        row = by_key.get((kind, pk))
        if row is not None:
            row.feed_type = kind
            items.append(row)
    return items


def month_recognition(rep: User, month: date, viewer, *, review=None) -> tuple[list, list]:
    """The kudos and awards ``rep`` received in ``month`` (two queries), as ``viewer`` may
    see them. Kudos by when they were given (company days), or given from ``review``'s
    page (kudos from another review stay on it); awards by ``given_on``."""
    period = month_of(month)
    start, end = period.bounds(CompanySettings.load().tzinfo)
    # Kudos written from a review belong to that review, whenever they were given.
    given = Q(created_at__gte=start, created_at__lt=end, review__isnull=True)
    if review is not None:
        given |= Q(review=review.pk)
    kudos = list(kudos_for(viewer).filter(given, recipient=rep))
    awards = list(
        awards_for(viewer).filter(recipient=rep, given_on__range=(period.start, period.end))
    )
    return kudos, awards


def team_month(team, today: date, viewer) -> dict:
    """A team's recognition this month for its dashboard: how many kudos and awards its
    people received, the latest three, and the viewer's pending suggestions for it."""
    period = month_of(today)
    start, end = period.bounds(CompanySettings.load().tzinfo)
    kudos = kudos_for(viewer).filter(
        recipient__team=team, created_at__gte=start, created_at__lt=end
    )
    awards = awards_for(viewer).filter(
        recipient__team=team, given_on__range=(period.start, period.end)
    )
    latest = feed_items(feed_keys(kudos, awards)[:3], kudos, awards)
    counts = kudos.aggregate(n=Count("pk"))["n"], awards.aggregate(n=Count("pk"))["n"]
    pending = (
        RecognitionSuggestion.objects.visible_to(viewer).pending().filter(rep__team=team).count()
    )
    return {
        "kudos_count": counts[0],
        "awards_count": counts[1],
        "latest": latest,
        "pending": pending,
        "month": period,
    }


def pending_suggestions(user) -> QuerySet:
    return (
        RecognitionSuggestion.objects.visible_to(user)
        .pending()
        .select_related("rep__team", "deal", "goal", "kpi")
        .order_by("-created_on", "-pk")
    )
