"""Recognition: kudos, awards and the nudges that suggest them.

Recognition is its own act, never part of a coaching session or a review's areas to
improve: each kudos and each award tells the person on its own (KUDOS, AWARD). A cash
award is paid through the rep's commission statement of the month it was given (an
adjustment line "Award: ..."). Suggestions (``suggest_recognition``, the job) nudge a
rep's manager about a win; they never give anything by themselves.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities.models import Deal
from coaching.models import (
    Award,
    AwardKind,
    CoachingSettings,
    Kudos,
    RecognitionSuggestion,
    SuggestionReason,
)
from coaching.recognition import selectors
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalScope, Status
from reporting.commissions.services import add_award_adjustment
from reporting.kpis.selectors import evaluate_kpis, format_kpi
from reporting.models import Kpi, MonthlyReview
from salesmgmt.calendar import month_of, previous_month
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit
from salesmgmt.i18n import language_of, translated_name
from salesmgmt.models import CompanySettings, NotificationKind, User, WebhookEventType
from salesmgmt.money import format_money
from salesmgmt.notifications.services import notify

MESSAGE_MAX = 500
DEAL_MONTH = "deal-month:"
AWARD_LIMIT = Decimal("1000000")  # a typo beyond this: no award is worth a million


def _check_links(*, by: User, deal: Deal | None, goal: Goal | None, kpi: Kpi | None) -> dict:
    """Errors for a deal or goal the giver cannot see, or a KPI no longer in use."""
    errors = {}
    if deal is not None and not Deal.objects.visible_to(by).filter(pk=deal.pk).exists():
        errors["deal"] = _("Pick a deal you can see.")
    if goal is not None and not Goal.objects.visible_to(by).filter(pk=goal.pk).exists():
        errors["goal"] = _("Pick a goal you can see.")
    if kpi is not None and not kpi.active:
        errors["kpi"] = _("Pick a KPI in use.")
    return errors


def _pending_suggestion(suggestion, by: User) -> RecognitionSuggestion | None:
    if suggestion is None:
        return None
    return (
        RecognitionSuggestion.objects.visible_to(by)
        .pending()
        .select_for_update()
        .filter(pk=suggestion.pk)
        .first()
    )


def _acted(suggestion: RecognitionSuggestion | None, recipient: User) -> None:
    if suggestion is not None and suggestion.rep_id == recipient.pk:
        suggestion.acted_at = timezone.now()
        suggestion.save(update_fields=["acted_at"])


@transaction.atomic
def give_kudos(
    *,
    giver: User,
    recipient: User,
    message: str,
    deal: Deal | None = None,
    goal: Goal | None = None,
    kpi: Kpi | None = None,
    review: MonthlyReview | None = None,
    suggestion: RecognitionSuggestion | None = None,
) -> Kudos:
    """A thank-you from anyone to any other active colleague, optionally tied to a win the
    giver can see. The recipient is told (KUDOS); a suggestion it answers is marked acted.
    Given from a monthly review's page (``review``: the recipient's, one the giver sees),
    it shows on that review's recognition section whatever the month it is given in."""
    if not giver.is_authenticated or not giver.is_active:
        raise PermissionDenied(_("Sign in to give kudos."))
    errors = {}
    message = (message or "").strip()
    if not message:
        errors["message"] = _("Say what you are thanking them for.")
    elif len(message) > MESSAGE_MAX:
        errors["message"] = _("Keep it short: at most %(max)s characters.") % {"max": MESSAGE_MAX}
    if recipient is None or not recipient.is_active:
        errors["recipient"] = _("Pick a colleague who is with the company.")
    elif recipient.pk == giver.pk:
        errors["recipient"] = _("Kudos go to someone else.")
    errors |= _check_links(by=giver, deal=deal, goal=goal, kpi=kpi)
    if review is not None and (
        recipient is None
        or review.rep_id != recipient.pk
        or not MonthlyReview.objects.visible_to(giver).filter(pk=review.pk).exists()
    ):
        errors["review"] = _("Kudos from a review go to the rep it is about.")
    if errors:
        raise RuleViolation(errors)
    kudos = Kudos.objects.create(
        giver=giver,
        recipient=recipient,
        message=message,
        deal=deal,
        goal=goal,
        kpi=kpi,
        review=review,
        created_at=timezone.now(),
    )
    _acted(_pending_suggestion(suggestion, giver), recipient)
    notify(
        user=recipient,
        kind=NotificationKind.KUDOS,
        key=f"kudos:{kudos.pk}",
        title=format_lazy(gettext_lazy("Kudos from {name}"), name=str(giver)),
        body=message,
        url=reverse("recognition:feed") + f"#kudos-{kudos.pk}",
    )
    emit(
        WebhookEventType.KUDOS_GIVEN,
        kudos,
        load=lambda: selectors.kudos_for(SYSTEM).get(pk=kudos.pk),
    )
    return kudos


def can_award(by: User, recipient: User | None) -> bool:
    """Managers, directors and admins award the active reps they manage, never themselves."""
    return bool(
        by.is_authenticated
        and by.reviews_plans
        and recipient is not None
        and recipient.pk != by.pk
        and recipient.is_active
        and recipient.is_rep
        and User.objects.visible_to(by).filter(pk=recipient.pk).exists()
    )


@transaction.atomic
def give_award(
    *,
    by: User,
    recipient: User,
    kind: str,
    reason: str,
    given_on: date,
    value: Decimal | None = None,
    value_text: str = "",
    deal: Deal | None = None,
    goal: Goal | None = None,
    kpi: Kpi | None = None,
    suggestion: RecognitionSuggestion | None = None,
) -> Award:
    """A manager's award to a rep they manage. A cash award (value > 0, in the company's
    currency) becomes an adjustment of the rep's commission statement for the month of
    ``given_on``; an existing statement of that month is recomputed at once. The rep is
    told (AWARD); a suggestion it answers is marked acted."""
    if not by.is_authenticated or not by.reviews_plans:
        raise PermissionDenied(_("Only managers give awards."))
    errors = {}
    if recipient is None or not can_award(by, recipient):
        errors["recipient"] = _("Pick a rep you manage.")
    if kind not in AwardKind.values:
        errors["kind"] = _("Pick one of the listed kinds.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say what the award is for.")
    elif len(reason) > MESSAGE_MAX:
        errors["reason"] = _("Keep the reason under %(max)s characters.") % {"max": MESSAGE_MAX}
    today = CompanySettings.load().today()
    if given_on is None:
        errors["given_on"] = _("Pick the day it is given.")
    elif given_on > today:
        errors["given_on"] = _("An award is given today or on a past day.")
    elif given_on < today - timedelta(days=366):
        errors["given_on"] = _("Pick a day within the last year.")
    if kind == AwardKind.CASH and (value is None or value <= 0):
        errors["value"] = _("A cash bonus needs an amount above 0.")
    elif value is not None and value < 0:
        errors["value"] = _("Enter an amount of 0 or more.")
    elif value is not None and value >= AWARD_LIMIT:
        errors["value"] = _("That amount looks like a typo.")
    value_text = (value_text or "").strip()
    if len(value_text) > 120:
        errors["value_text"] = _("Keep it under 120 characters.")
    errors |= _check_links(by=by, deal=deal, goal=goal, kpi=kpi)
    if errors:
        raise RuleViolation(errors)
    adjustment = None
    if kind == AwardKind.CASH:
        # Refused (on value) for a rep no statement would pay: nothing is saved.
        adjustment = add_award_adjustment(
            rep=recipient,
            month=month_of(given_on).start,
            amount=value,
            reason=reason,
            by=by,
        )
    award = Award.objects.create(
        recipient=recipient,
        given_by=by,
        kind=kind,
        value=value if value else None,
        value_text=value_text,
        reason=reason,
        given_on=given_on,
        deal=deal,
        goal=goal,
        kpi=kpi,
        adjustment=adjustment,
    )
    _acted(_pending_suggestion(suggestion, by), recipient)
    notify(
        user=recipient,
        kind=NotificationKind.AWARD,
        key=f"award:{award.pk}",
        title=format_lazy(
            gettext_lazy("{name} gave you an award: {kind}"),
            name=str(by),
            kind=AwardKind(award.kind).label,
        ),
        body=(
            format_lazy(
                gettext_lazy("{reason} It is paid with your commission statement of that month."),
                reason=reason,
            )
            if adjustment
            else reason
        ),
        url=reverse("recognition:award", args=[award.pk]),
    )
    # The payload shows the value (admins' view: receivers are an admin's integrations).
    emit(
        WebhookEventType.AWARD_GIVEN,
        award,
        load=lambda: selectors.awards_for(SYSTEM).get(pk=award.pk),
    )
    return award


@transaction.atomic
def dismiss_suggestion(*, suggestion: RecognitionSuggestion, by: User) -> RecognitionSuggestion:
    """The manager decides this win needs nothing more (it leaves their list)."""
    found = _pending_suggestion(suggestion, by)
    if found is None:
        if RecognitionSuggestion.objects.visible_to(by).filter(pk=suggestion.pk).exists():
            raise RuleViolation(_("This suggestion was already acted on or dismissed."))
        raise PermissionDenied(_("Only the manager it was made for dismisses a suggestion."))
    found.dismissed_at = timezone.now()
    found.save(update_fields=["dismissed_at"])
    return found


# --- The job: suggestions -----------------------------------------------------------------------


@dataclass
class Win:
    rep: User
    manager: User
    reason: str
    key: str
    text: str
    deal: Deal | None = None
    goal: Goal | None = None
    kpi: Kpi | None = None


def _managed_reps():
    return (
        User.objects.reps()
        .filter(team__manager__isnull=False, team__manager__is_active=True)
        .select_related("team__manager")
    )


def _goal_wins(today: date) -> list[Win]:
    """Rep goals that ended in the last two weeks, or run now, whose actual reached the
    target (one grouped query for every goal's actual, one for holidays). Two weeks: late
    entries of a month just closed still count, and older wins are not news any more."""
    goals = Goal.objects.filter(
        scope=GoalScope.REP,
        rep__in=_managed_reps(),
        start__lte=today,
        end__gte=today - timedelta(days=14),
    ).select_related("metric", "rep__team__manager")
    wins = []
    for p in goal_progress(goals, as_of=today, today=today):
        goal = p.goal
        if p.actual < goal.target:
            continue
        manager = goal.rep.team.manager
        # Stored, and read by the manager: written in the manager's language.
        with translation.override(language_of(manager)):
            values = {
                "rep": goal.rep,
                "metric": goal.metric,
                "period": _period(goal),
                "actual": _number(p.actual),
                "target": _number(goal.target),
                "pct": formats.number_format(p.attainment),
            }
            if goal.end < today:
                text = _(
                    "%(rep)s beat their %(metric)s goal for %(period)s: "
                    "%(actual)s of %(target)s (%(pct)s%%)."
                )
            else:
                text = _(
                    "%(rep)s already reached their %(metric)s goal for %(period)s: "
                    "%(actual)s of %(target)s (%(pct)s%%)."
                )
            text = text % values
        wins.append(
            Win(
                rep=goal.rep,
                manager=manager,
                reason=SuggestionReason.GOAL_BEATEN,
                key=f"goal:{goal.pk}:{goal.start:%Y-%m-%d}",
                text=text[:300],
                goal=goal,
            )
        )
    return wins


def _period(goal: Goal) -> str:
    """'November 2025' for a calendar month, else '3 Mar – 9 Mar 2025' (the active
    language's formats)."""
    month = month_of(goal.start)
    if (goal.start, goal.end) == (month.start, month.end):
        return formats.date_format(goal.start, "MONTH_YEAR")
    return "{} – {}".format(
        formats.date_format(goal.start, "DAY_MONTH"), formats.date_format(goal.end, "DATE_MEDIUM")
    )


def _number(value) -> str:
    """A figure with two decimals, grouped, in the active language (1,234.50 / 1.234,50)."""
    return formats.number_format(Decimal(value), decimal_pos=2, force_grouping=True)


def _deal_text(deal: Deal, month, currency: str) -> str:
    with translation.override(language_of(deal.owner.team.manager)):
        return _("%(rep)s closed %(month)s's biggest deal in %(team)s: %(deal)s (%(amount)s).") % {
            "rep": deal.owner,
            "month": formats.date_format(month.start, "MONTH_YEAR"),
            "team": deal.owner.team,
            "deal": deal.title,
            "amount": format_money(deal.amount, currency),
        }


def _deal_wins(today: date, currency: str) -> list[Win]:
    """The biggest deal won last month in each team (one query). Keyed by team and month
    ("deal-month:{team}:{YYYY-MM}"), not by deal: a bigger deal entered late for the same
    month, or by another rep of the team, is not a second nudge."""
    month = month_of(previous_month(today))
    won = Deal.objects.won().filter(closed_on__range=(month.start, month.end))
    top_of_team = won.filter(owner__team=OuterRef("owner__team")).order_by(
        "-amount", "closed_on", "pk"
    )
    deals = (
        won.filter(owner__in=_managed_reps())
        .filter(pk=Subquery(top_of_team.values("pk")[:1]))
        .select_related("owner__team__manager")
    )
    return [
        Win(
            rep=deal.owner,
            manager=deal.owner.team.manager,
            reason=SuggestionReason.BIGGEST_DEAL,
            key=f"deal-month:{deal.owner.team_id}:{month.start:%Y-%m}",
            text=_deal_text(deal, month, currency)[:300],
            deal=deal,
        )
        for deal in deals
    ]


def _kpi_wins(today: date, company: CompanySettings) -> list[Win]:
    """Reps whose KPI was green in each of the last N whole weeks and not the week before:
    a streak that has just reached N (N+1 evaluations of every KPI for every rep at once,
    a fixed number of queries)."""
    weeks_wanted = CoachingSettings.load().recognition_streak_weeks
    reps = list(_managed_reps())
    kpis = list(Kpi.objects.active())
    if not reps or not kpis:
        return []
    last = company.week_of(today) - timedelta(days=7)
    weeks = [last - timedelta(days=7 * i) for i in range(weeks_wanted, -1, -1)]
    groups = {rep.pk: [rep.pk] for rep in reps}
    greens = [
        evaluate_kpis(
            kpis,
            groups=groups,
            start=w,
            end=w + timedelta(days=6),
            as_of=w + timedelta(days=6),
            today=today,
        )
        for w in weeks
    ]
    wins = []
    for rep in reps:
        for kpi in kpis:
            states = [week[(kpi.pk, rep.pk)].status for week in greens]
            if states[0] == Status.GREEN or any(s != Status.GREEN for s in states[1:]):
                continue
            latest = greens[-1][(kpi.pk, rep.pk)]
            with translation.override(language_of(rep.team.manager)):
                text = ngettext(
                    "%(rep)s kept %(kpi)s green for %(weeks)s week in a row (last week %(value)s).",
                    "%(rep)s kept %(kpi)s green for %(weeks)s weeks in a row (last week %(value)s).",
                    weeks_wanted,
                ) % {
                    "rep": rep,
                    "kpi": translated_name(kpi.name),
                    "weeks": weeks_wanted,
                    "value": format_kpi(kpi, latest.value),
                }
            wins.append(
                Win(
                    rep=rep,
                    manager=rep.team.manager,
                    reason=SuggestionReason.KPI_STREAK,
                    key=f"kpi:{kpi.pk}:{rep.pk}:{weeks[1]:%Y-%m-%d}",
                    text=text[:300],
                    kpi=kpi,
                )
            )
    return wins


def suggest_recognition(*, now: datetime | None = None) -> int:
    """The hourly job: from the company's alert hour, once a day, nudge each rep's manager
    about a goal beaten, the month's biggest deal of the team, and a KPI green N weeks
    running.
    Each win is suggested and told once (unique per manager, rep and win); nothing is
    given. Returns how many suggestions were made."""
    company = CompanySettings.load()
    local = (now or timezone.now()).astimezone(company.tzinfo)
    if local.hour < company.alert_hour:
        return 0
    today = local.date()
    done_today = f"suggest-recognition:{today.isoformat()}"
    if cache.get(done_today):  # wins are daily news: the day's first run found them all
        return 0
    wins = _goal_wins(today) + _deal_wins(today, company.currency) + _kpi_wins(today, company)
    with transaction.atomic():
        # Two runs at once take turns; the unique constraint backs it up.
        CompanySettings.objects.select_for_update().get(pk=company.pk)
        known = set(
            RecognitionSuggestion.objects.filter(key__in=[w.key for w in wins]).values_list(
                "manager_id", "rep_id", "key"
            )
        )
        # A team's month is one win whichever rep holds its biggest deal now.
        team_months = {(m, key) for m, _, key in known if key.startswith(DEAL_MONTH)}
        made = 0
        for win in wins:
            if (win.manager.pk, win.rep.pk, win.key) in known or (
                win.manager.pk,
                win.key,
            ) in team_months:
                continue
            known.add((win.manager.pk, win.rep.pk, win.key))
            if win.key.startswith(DEAL_MONTH):
                team_months.add((win.manager.pk, win.key))
            suggestion = RecognitionSuggestion.objects.create(
                manager=win.manager,
                rep=win.rep,
                reason=win.reason,
                key=win.key,
                text=win.text,
                deal=win.deal,
                goal=win.goal,
                kpi=win.kpi,
                created_on=today,
            )
            notify(
                user=win.manager,
                kind=NotificationKind.RECOGNITION_NUDGE,
                key=f"recognition-nudge:{suggestion.pk}",
                title=format_lazy(gettext_lazy("Worth recognising: {name}"), name=str(win.rep)),
                body=format_lazy(
                    gettext_lazy("{text} Give kudos or an award if you think so."), text=win.text
                ),
                url=reverse("recognition:suggestions"),
            )
            made += 1
    # Only a shortcut for the rest of the day's hourly runs: what makes the job idempotent
    # is the suggestion's unique key (a lost cache just means one more evaluation).
    cache.set(done_today, True, timeout=26 * 3600)
    return made
