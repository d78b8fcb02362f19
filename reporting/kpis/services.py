"""Deviation alerts: tell people early, once, when a goal or KPI falls behind.

The job runs hourly; from ``CompanySettings.alert_hour`` (company time) it compares,
for every goal whose period holds today and every active KPI of every rep at work,
what was logged up to now with what was due by the end of yesterday: the same figures
as the goal and KPI pages (``salesmgmt.calendar.elapsed``: the day under way is not
due yet, so at seven in the morning nobody is a day behind).

A stretch of time behind is a ``DeviationEpisode`` (one open per subject and period):

- no open episode, status amber or red -> open one, tell people;
- open, amber -> red -> mark it red (``worsened_on``), tell people once more (unless a
  manager snoozed it past today: then it turns red silently);
- open, red -> amber -> keep it open, say nothing;
- open, green -> close it, say nothing; a later fall back opens a new episode.

Each run refreshes the open episodes' figures. Notices carry the keys
"deviation:<episode>:open" and "deviation:<episode>:red", so running the job twice
tells nobody twice. Open episodes of subjects no longer measured (a period that
ended, a KPI switched off, a rep who left) are closed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans.goals.selectors import GoalProgress, goal_progress
from plans.models import Goal, GoalScope
from reporting.kpis.selectors import KpiValue, evaluate_kpis, format_figure, format_kpi
from reporting.models import DeviationEpisode, Kpi, KpiKind, Status
from salesmgmt.calendar import elapsed, holidays_between, period_bounds
from salesmgmt.events import SYSTEM, emit_many
from salesmgmt.models import CompanySettings, NotificationKind, Role, Team, User, WebhookEventType
from salesmgmt.notifications.services import notify

BEHIND = (Status.AMBER, Status.RED)


@dataclass
class Reading:
    """One subject's figures today: what an episode opens, worsens or closes on."""

    key: tuple
    status: str
    actual: Decimal
    expected: Decimal
    period_start: date
    # Lazy: notify() renders them in each recipient's language (names, figures, dates).
    subject: str  # "Calls (Rita Rep)"
    text: str  # "Calls: 31 logged, 48 expected by the end of Tue 17 Nov (65%)."
    url: str
    recipients: list[User]
    fields: dict  # goal/kpi/rep/team/division of a new episode


class _People:
    """Who is told, loaded in a fixed number of queries."""

    def __init__(self):
        self.reps = {
            r.pk: r for r in User.objects.reps().select_related("team__manager").order_by()
        }
        self.teams = {t.pk: t for t in Team.objects.select_related("manager").order_by()}
        leaders = User.objects.filter(is_active=True).filter(
            Q(role__in=[Role.DIRECTOR, Role.ADMIN]) | Q(is_superuser=True)
        )
        self.directors: dict[int, list[User]] = {}
        self.admins: list[User] = []
        for person in leaders.order_by("pk"):
            if person.is_admin:
                self.admins.append(person)
            elif person.division_id:
                self.directors.setdefault(person.division_id, []).append(person)

    def rep_and_manager(self, rep_id: int) -> list[User]:
        rep = self.reps.get(rep_id)
        if rep is None:
            return []
        manager = rep.team.manager if rep.team else None
        return [rep] + ([manager] if manager and manager.pk != rep.pk else [])

    def team_manager(self, team_id: int) -> list[User]:
        team = self.teams.get(team_id)
        return [team.manager] if team and team.manager else []


def _day(day: date) -> str:
    return date_format(day, "WEEKDAY_DAY_MONTH")


def _goal_owner(goal: Goal) -> str:
    if goal.scope == GoalScope.REP:
        return str(goal.rep)
    if goal.scope == GoalScope.TEAM:
        return gettext("team %(name)s") % {"name": goal.team}
    if goal.scope == GoalScope.DIVISION:
        return gettext("division %(name)s") % {"name": goal.division}
    return gettext("the company")


def _goal_subject(goal: Goal) -> str:
    return gettext("%(goal)s goal (%(owner)s)") % {"goal": goal.label, "owner": _goal_owner(goal)}


def _goal_text(p: GoalProgress, today: date) -> str:
    goal, money = p.goal, p.goal.metric.is_money
    return gettext(
        "%(goal)s: %(actual)s logged, %(expected)s expected by the end of %(eve)s "
        "(%(pace)s of pace; target %(target)s by %(end)s)."
    ) % {
        "goal": goal.label,
        "actual": format_figure(p.actual, money=money),
        "expected": format_figure(p.expected, money=money),
        "eve": _day(_eve(today)),
        "pace": format_figure(p.pace, percent=True),
        "target": format_figure(goal.target, money=money),
        "end": _day(goal.end),
    }


def _kpi_subject(kpi: Kpi, rep: User) -> str:
    return gettext("%(kpi)s (%(rep)s)") % {"kpi": kpi.label, "rep": rep}


# Each built when notify() renders it, in the recipient's language.
lazy_goal_subject = lazy(_goal_subject, str)
lazy_goal_text = lazy(_goal_text, str)
lazy_kpi_subject = lazy(_kpi_subject, str)


def _eve(today: date) -> date:
    """The last day due on ``today``: the day before (``salesmgmt.calendar.elapsed``)."""
    return today - timedelta(days=1)


def _goal_readings(progress: list[GoalProgress], people: _People, today: date) -> list[Reading]:
    readings = []
    for p in progress:
        goal = p.goal
        if p.elapsed.too_early:  # as the pages say "too early to tell"
            continue
        if goal.scope == GoalScope.REP and goal.rep_id not in people.reps:
            continue  # the rep has left: nobody to tell, nothing to act on
        recipients = {
            GoalScope.REP: lambda g=goal: people.rep_and_manager(g.rep_id),
            GoalScope.TEAM: lambda g=goal: people.team_manager(g.team_id),
            GoalScope.DIVISION: lambda g=goal: people.directors.get(g.division_id, []),
            GoalScope.COMPANY: lambda: people.admins,
        }[goal.scope]()
        readings.append(
            Reading(
                key=("goal", goal.pk, None, goal.start),
                status=p.status,
                actual=p.actual,
                expected=p.expected,
                period_start=goal.start,
                subject=lazy_goal_subject(goal),
                text=lazy_goal_text(p, today),
                url=f"/goals/{goal.pk}/",
                recipients=recipients,
                fields={
                    "goal": goal,
                    "rep_id": goal.rep_id,
                    "team_id": goal.team_id,
                    "division_id": goal.division_id,
                },
            )
        )
    return readings


def _kpi_text(v: KpiValue, today: date) -> str:
    kpi = v.kpi
    if kpi.kind == KpiKind.METRIC_TOTAL:
        share = format_figure(v.value * 100 / v.target, percent=True) if v.target else "—"
        return gettext(
            "%(kpi)s: %(value)s logged, %(target)s expected by the end of %(eve)s (%(share)s)."
        ) % {
            "kpi": kpi.label,
            "value": format_kpi(kpi, v.value),
            "target": format_kpi(kpi, v.target),
            "eve": _day(_eve(today)),
            "share": share,
        }
    return gettext(
        "%(kpi)s: %(value)s against a target of %(target)s "
        "(amber %(amber)s, red %(red)s), as of %(today)s."
    ) % {
        "kpi": kpi.label,
        "value": format_kpi(kpi, v.value),
        "target": format_kpi(kpi, v.target),
        "amber": format_kpi(kpi, v.amber),
        "red": format_kpi(kpi, v.red),
        "today": _day(today),
    }


lazy_kpi_text = lazy(_kpi_text, str)


def _kpi_readings(today: date, people: _People) -> list[Reading]:
    company = CompanySettings.load()
    kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
    reps = list(people.reps.values())
    if not kpis or not reps:
        return []
    focus: dict[int, set[int]] = {}
    for team_id, metric_id in Team.focus_metrics.through.objects.values_list(
        "team_id", "metric_id"
    ):
        focus.setdefault(team_id, set()).add(metric_id)
    by_period: dict[str, list[Kpi]] = {}
    for kpi in kpis:
        by_period.setdefault(kpi.period, []).append(kpi)
    bounds = {period: period_bounds(period, today, company) for period in by_period}
    holidays = holidays_between(
        min(s for s, _ in bounds.values()), max(e for _, e in bounds.values())
    )
    groups = {rep.pk: [rep.pk] for rep in reps}
    readings = []
    for period, members in by_period.items():
        start, end = bounds[period]
        if elapsed(start, end, today, holidays, today=today).too_early:
            continue
        values = evaluate_kpis(
            members, groups=groups, start=start, end=end, as_of=today, today=today
        )
        for kpi in members:
            for rep in reps:
                v = values[(kpi.pk, rep.pk)]
                if v.value is None:
                    continue
                # A team that chose its few focus metrics is not judged on the others (an
                # SDR team sets appointments, another team holds them).
                chosen = focus.get(rep.team_id)
                if chosen and not {kpi.metric_id, kpi.denominator_id} - {None} <= chosen:
                    continue
                readings.append(
                    Reading(
                        key=("kpi", kpi.pk, rep.pk, start),
                        status=v.status,
                        actual=v.value,
                        expected=v.target,
                        period_start=start,
                        subject=lazy_kpi_subject(kpi, rep),
                        text=lazy_kpi_text(v, today),
                        url=f"/dashboard/reps/{rep.pk}/",
                        recipients=people.rep_and_manager(rep.pk),
                        fields={"kpi": kpi, "rep_id": rep.pk},
                    )
                )
    return readings


def _episode_key(episode: DeviationEpisode) -> tuple:
    if episode.goal_id:
        return ("goal", episode.goal_id, None, episode.period_start)
    return ("kpi", episode.kpi_id, episode.rep_id, episode.period_start)


def _tell(reading: Reading, episode: DeviationEpisode, *, worse: bool) -> int:
    if worse or episode.severity == Status.RED:
        title = format_lazy(_("Far behind: {subject}"), subject=reading.subject)
    else:
        title = format_lazy(_("Behind: {subject}"), subject=reading.subject)
    key = f"deviation:{episode.pk}:{'red' if worse else 'open'}"
    sent = 0
    for person in reading.recipients:
        told = notify(
            user=person,
            kind=NotificationKind.DEVIATION,
            key=key,
            title=title,
            body=reading.text,
            url=reading.url,
        )
        sent += told is not None
    return sent


@transaction.atomic
def send_deviation_alerts(*, now: datetime | None = None) -> int:
    """Open, worsen, refresh and close deviation episodes; returns notifications sent."""
    company = CompanySettings.load()
    local = (now or timezone.now()).astimezone(company.tzinfo)
    if local.hour < company.alert_hour:
        return 0
    # Two runs at once (a retry beside beat's run) take turns: the second then sees the
    # episodes the first opened. A unique constraint backs this up.
    CompanySettings.objects.select_for_update().get(pk=company.pk)
    today = local.date()
    people = _People()
    progress = goal_progress(Goal.objects.current(today), as_of=today, today=today)
    readings = _goal_readings(progress, people, today) + _kpi_readings(today, people)

    open_episodes = {_episode_key(e): e for e in DeviationEpisode.objects.open().order_by("pk")}
    sent, refreshed, opened, reddened = 0, [], [], []
    for reading in readings:
        episode = open_episodes.pop(reading.key, None)
        if episode is None:
            if reading.status in BEHIND:
                episode = DeviationEpisode.objects.create(
                    **reading.fields,
                    period_start=reading.period_start,
                    severity=reading.status,
                    opened_on=today,
                    worsened_on=today if reading.status == Status.RED else None,
                    actual=reading.actual,
                    expected=reading.expected,
                    url=reading.url,
                )
                sent += _tell(reading, episode, worse=False)
                opened.append(episode)
            continue
        changed = (episode.actual, episode.expected) != (reading.actual, reading.expected)
        episode.actual, episode.expected = reading.actual, reading.expected
        if reading.status == Status.GREEN:
            episode.closed_on, changed = today, True
        elif reading.status == Status.RED and episode.severity == Status.AMBER:
            episode.severity, episode.worsened_on, changed = Status.RED, today, True
            reddened.append(episode)
            if not (episode.snoozed_until and episode.snoozed_until > today):
                sent += _tell(reading, episode, worse=True)  # a snoozed alert stays silent
        if changed:
            refreshed.append(episode)
    DeviationEpisode.objects.bulk_update(
        refreshed, ["actual", "expected", "severity", "worsened_on", "closed_on"]
    )
    # What is left open was not measured today: its period ended or its subject is gone.
    stale = [e.pk for e in open_episodes.values()]
    if stale:
        DeviationEpisode.objects.filter(pk__in=stale).update(closed_on=today)
    # Webhooks: each episode opened, and each that turned red (snoozed or not), once: a
    # second run finds them open, and red stays red until the episode closes.
    emit_many(WebhookEventType.ALERT_OPENED, opened, load_many=_as_api_shows)
    emit_many(WebhookEventType.ALERT_RED, reddened, load_many=_as_api_shows)
    return sent


def _as_api_shows(episodes: list[DeviationEpisode]) -> list[DeviationEpisode]:
    # reporting.alerts.selectors imports this module (EPISODE_RELATED, episode_subject):
    # importing it here, not at the top, breaks that cycle.
    from reporting.alerts.selectors import api_alerts  # noqa: PLC0415

    by_pk = api_alerts(SYSTEM).in_bulk([e.pk for e in episodes])
    return [by_pk[e.pk] for e in episodes]


# --- Reading episodes (pages, API, CSV) ---------------------------------------------------------

EPISODE_RELATED = ("goal__metric", "goal__product", "kpi__metric", "rep", "team", "division")


def episode_subject(episode: DeviationEpisode) -> str:
    """ "Calls goal" or the KPI's name (needs ``EPISODE_RELATED``)."""
    if episode.goal_id:
        return gettext("%(goal)s goal") % {"goal": episode.goal.label}
    return episode.kpi.label


def episode_owner(episode: DeviationEpisode) -> str:
    owner = episode.rep or episode.team or episode.division
    if owner is None:
        return gettext("Company")
    if episode.team_id:
        return gettext("Team %(name)s") % {"name": owner}
    if episode.division_id:
        return gettext("Division %(name)s") % {"name": owner}
    return str(owner)


def episode_figure(episode: DeviationEpisode, value: Decimal) -> str:
    """``value`` (the actual or the expected) in the subject's unit."""
    if episode.goal_id:
        return format_figure(value, money=episode.goal.metric.is_money)
    return format_kpi(episode.kpi, value)
