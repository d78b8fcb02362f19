"""An alert's page: what it is about, what was done about it, and (for its managers)
the forms to add a note, give the rep a task, acknowledge or snooze it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from reporting.alerts import services
from reporting.alerts.forms import AcknowledgeForm, NoteForm, SnoozeForm, TaskForm
from reporting.alerts.selectors import note_readers, present_handling, with_actions
from reporting.kpis.services import EPISODE_RELATED, episode_figure, episode_owner, episode_subject
from reporting.models import DeviationEpisode
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings
from salesmgmt.web import apply_rule_errors

# kind -> (form, service, message on success)
ACTIONS = {
    "note": (NoteForm, services.add_note, _("Note added.")),
    "task": (TaskForm, services.give_task, _("Task given; the rep has it in their tasks.")),
    "acknowledge": (AcknowledgeForm, services.acknowledge, _("Alert acknowledged.")),
    "snooze": (SnoozeForm, services.snooze, _("Alert snoozed.")),
}


def _visible(request, pk) -> DeviationEpisode:
    episodes = DeviationEpisode.objects.visible_to(request.user).select_related(
        *EPISODE_RELATED, "acknowledged_by"
    )
    return get_object_or_404(with_actions(episodes), pk=pk)


def _context(request, episode, bound: dict) -> dict:
    today = CompanySettings.load().today()
    present_handling(episode, today)
    episode.subject = episode_subject(episode)
    episode.owner = episode_owner(episode)
    episode.actual_text = episode_figure(episode, episode.actual)
    episode.expected_text = episode_figure(episode, episode.expected)
    version = {"version": episode.version}
    return {
        "e": episode,
        "can_act": services.may_act_on(episode, request.user),
        "can_task": episode.rep_id is not None,
        "note_readers": note_readers(episode),
        "note_form": bound.get("note") or NoteForm(),
        "task_form": bound.get("task") or TaskForm(),
        "acknowledge_form": bound.get("acknowledge") or AcknowledgeForm(initial=version),
        "snooze_form": bound.get("snooze") or SnoozeForm(initial=version),
    }


def alert_detail(request, pk):
    episode = _visible(request, pk)
    return render(request, "reporting/alerts/detail.html", _context(request, episode, {}))


@require_POST
def alert_act(request, pk, kind):
    episode = _visible(request, pk)
    if kind not in ACTIONS:
        raise Http404
    if not services.may_act_on(episode, request.user):
        raise PermissionDenied(gettext("Only the rep's managers act on an alert."))
    form_class, service, done = ACTIONS[kind]
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            service(episode=episode, by=request.user, **form.cleaned_data)
        except (RuleViolation, ConflictError) as exc:
            apply_rule_errors(form, exc)
            status = 409 if isinstance(exc, ConflictError) else 400
        else:
            messages.success(request, done)
            return redirect(f"{services.alert_url(episode)}#history")
    episode = _visible(request, pk)  # as it stands now, with what others did meanwhile
    return render(
        request,
        "reporting/alerts/detail.html",
        _context(request, episode, {kind: form}),
        status=status,
    )
