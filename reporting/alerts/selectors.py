"""Reading an alert's handling: its status (new, acknowledged, snoozed), its history of
actions and who reads its notes. Statuses are filtered in SQL (``with_status``); the
same rule, written once more for one row already loaded, names a row's status."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from reporting.kpis.services import EPISODE_RELATED, episode_figure, episode_subject
from reporting.models import DeviationAction, DeviationActionKind, DeviationEpisode
from salesmgmt.models import CompanySettings

NEW, ACKNOWLEDGED, SNOOZED = "new", "acknowledged", "snoozed"
STATUS_CHOICES = [
    (NEW, pgettext_lazy("alert", "New")),
    (ACKNOWLEDGED, _("Acknowledged")),
    (SNOOZED, _("Snoozed")),
]


def status_q(status: str, today: date) -> Q:
    """Episodes in ``status`` on ``today``: a closed episode is never snoozed."""
    snoozed = Q(closed_on__isnull=True, snoozed_until__gt=today)
    if status == SNOOZED:
        return snoozed
    acknowledged = Q(acknowledged_at__isnull=False)
    return (acknowledged if status == ACKNOWLEDGED else ~acknowledged) & ~snoozed


def status_of(episode: DeviationEpisode, today: date) -> str:
    if episode.closed_on is None and episode.snoozed_until and episode.snoozed_until > today:
        return SNOOZED
    return ACKNOWLEDGED if episode.acknowledged_at else NEW


def with_actions(episodes: QuerySet) -> QuerySet:
    """Episodes with their actions, oldest first, in one more query for any number."""
    return episodes.prefetch_related(
        Prefetch(
            "actions",
            queryset=DeviationAction.objects.select_related("by", "task").order_by("at", "pk"),
        )
    )


def describe_action(action: DeviationAction) -> str:
    """One line: "Snoozed until Mon 14 Dec", "Task: call the three lost leads"."""
    if action.kind == DeviationActionKind.TASK:
        return gettext("Task: %(text)s") % {"text": action.text}
    if action.kind == DeviationActionKind.SNOOZE:
        return gettext("Snoozed until %(day)s") % {
            "day": formats.date_format(action.snoozed_until, "WEEKDAY_DAY_MONTH")
        }
    if action.text:
        return gettext("%(kind)s: %(text)s") % {
            "kind": action.get_kind_display(),
            "text": action.text,
        }
    return action.get_kind_display()


def present_handling(episode: DeviationEpisode, today: date) -> DeviationEpisode:
    """``status`` and ``last_action`` on an episode read ``with_actions``."""
    episode.status = status_of(episode, today)
    actions = list(episode.actions.all())
    episode.history = actions
    episode.last_action = actions[-1] if actions else None
    return episode


def note_readers(episode: DeviationEpisode) -> str:
    """Who reads a note on this alert: everyone who sees the alert."""
    if episode.rep_id:
        return gettext("%(rep)s and the people who manage them (manager, director, admins)") % {
            "rep": episode.rep
        }
    if episode.team_id:
        return gettext("the reps and managers of team %(team)s, its director and admins") % {
            "team": episode.team
        }
    if episode.division_id:
        return gettext("the directors of division %(division)s and admins") % {
            "division": episode.division
        }
    return gettext("admins")


def month_alerts(rep_ids: list[int], start: date, end: date) -> dict[int, list[dict]]:
    """Per rep, JSON-ready: the rep's alerts open at any time from ``start`` to ``end``,
    oldest first, each with what was done about it (2 queries for any number of reps).
    For the monthly review: ``closed_on`` is null for an alert still open at ``end``."""
    zone = CompanySettings.load().tzinfo
    episodes = with_actions(
        DeviationEpisode.objects.filter(rep__in=rep_ids, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .select_related(*EPISODE_RELATED)
        .prefetch_related("goal__channels")  # a goal's label names its channels
        .order_by("opened_on", "pk")
    )
    result: dict[int, list[dict]] = {rep_id: [] for rep_id in rep_ids}
    for e in episodes:
        closed = e.closed_on if e.closed_on and e.closed_on <= end else None
        result[e.rep_id].append(
            {
                "id": e.pk,
                "subject": episode_subject(e),
                "severity": e.severity,
                "opened_on": e.opened_on.isoformat(),
                "worsened_on": e.worsened_on.isoformat() if e.worsened_on else None,
                "closed_on": closed.isoformat() if closed else None,
                "actual": episode_figure(e, e.actual),
                "expected": episode_figure(e, e.expected),
                "actions": [
                    {
                        "kind": a.kind,
                        "label": a.get_kind_display(),
                        "text": a.text,
                        "by": str(a.by) if a.by else None,
                        "on": timezone.localtime(a.at, zone).date().isoformat(),
                        "snoozed_until": a.snoozed_until.isoformat() if a.snoozed_until else None,
                        "task_done": None if a.task is None else a.task.done_at is not None,
                    }
                    for a in e.actions.all()
                ],
            }
        )
    return result


def api_alerts(user):
    """Deviation episodes ``user`` sees, read as the alerts API reads them."""
    return with_actions(
        DeviationEpisode.objects.visible_to(user)
        .select_related(*EPISODE_RELATED, "acknowledged_by")
        .prefetch_related("goal__channels")  # a goal's label names its channels
        .order_by("-opened_on", "-pk")
    )
