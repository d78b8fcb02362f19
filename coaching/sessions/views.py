"""Coaching pages: the coaching overview (a manager's reps by need; a rep's own sessions),
the session list with filters and CSV, new/edit/detail with action items and the
session's effect, and its calendar file.

Reads go through ``CoachingSession.objects.visible_to`` (outside it: 404). The private
notes reach a page only for a viewer who may coach the rep.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from coaching.models import CoachingSession, CoachingSettings, SessionActionItem, SessionStatus
from coaching.sessions import selectors
from coaching.sessions import services as coaching
from coaching.sessions.filters import SessionFilter
from coaching.sessions.forms import ActionItemForm, SessionForm, VersionForm
from coaching.sessions.ics import session_ics
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.filtering import is_id
from salesmgmt.models import CompanySettings
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

PREFILL = {
    "episode": "prompt_episode",
    "kpi": "prompt_kpi",
    "miss": "prompt_miss",
    "deal": "prompt_deal",
}


def _visible(request, pk) -> CoachingSession:
    return get_object_or_404(
        selectors.sessions_for(request.user).select_related(
            "prompt_kpi",
            "prompt_episode__kpi",
            "prompt_episode__goal",
            "prompt_miss__review",
            "prompt_deal__customer",
        ),
        pk=pk,
    )


# --- The overview -------------------------------------------------------------------------------


def overview(request):
    user = request.user
    now = timezone.now()
    settings = CoachingSettings.load()
    items = list(selectors.open_items(user).order_by("task__due_at", "pk")[:50])
    for item in items:
        item.overdue = selectors.is_overdue(item, now)
    context = {
        "upcoming": selectors.upcoming_for(user, now=now, limit=10),
        "items": items,
        "gap_days": settings.coaching_gap_days,
        "now": now,
    }
    if not user.reviews_plans:
        context["recent"] = list(
            selectors.sessions_for(user).filter(starts_at__lt=now).order_by("-starts_at")[:10]
        )
        return render(request, "coaching/sessions/rep_overview.html", context)
    rows = selectors.overview(user, now=now)
    context |= {
        "rows": rows,
        "not_coached": sum(r.not_coached for r in rows),
        "month_sessions": sum(r.month_sessions for r in rows),
        "open_items": sum(r.open_items for r in rows),
    }
    return render(request, "coaching/sessions/overview.html", context)


# --- The list -----------------------------------------------------------------------------------


def session_list(request):
    qs = selectors.sessions_for(request.user).order_by("-starts_at", "-pk")
    filterset = SessionFilter(request.GET or None, queryset=qs, request=request)
    if filterset.is_bound and filterset.is_valid():
        qs = filterset.qs
    elif filterset.is_bound:
        qs = qs.none()
    if request.GET.get("export") == "csv":
        return _list_csv(qs, request.user)
    return render(
        request,
        "coaching/sessions/list.html",
        {"filter": filterset, "page": paginate(request, qs), "query": query_without_page(request)},
    )


def _list_csv(qs, user):
    """The rep's own export carries the shared notes only; a manager's has the private
    notes of sessions with reps they manage, decided row by row as the detail page does
    (``may_coach``): the rep is a rep the viewer sees (the list is scoped to those) and
    not the viewer. A rep promoted to manager gets no private notes of their own sessions."""
    with_private = user.reviews_plans

    def coaches(s) -> bool:
        return s.rep_id != user.pk and s.rep.is_rep

    def rows():
        for s in qs.iterator(chunk_size=500):
            row = [
                s.starts_at.isoformat(),
                s.rep,
                s.rep.team or "",
                s.coach,
                s.get_kind_display(),
                s.get_status_display(),
                s.duration_minutes,
                "; ".join(a.label for a in s.focus_areas.all()),
                s.prompt_note,
                s.shared_notes,
                s.next_session_on.isoformat() if s.next_session_on else "",
            ]
            if with_private:
                row.append(s.private_notes if coaches(s) else "")
            yield row

    # Column names in the reader's language; the cells stay machine-readable (ISO dates).
    header = [
        pgettext("CSV column", "starts_at"),
        pgettext("CSV column", "rep"),
        pgettext("CSV column", "team"),
        pgettext("CSV column", "coach"),
        pgettext("CSV column", "kind"),
        pgettext("CSV column", "status"),
        pgettext("CSV column", "minutes"),
        pgettext("CSV column", "focus_areas"),
        pgettext("CSV column", "prompt"),
        pgettext("CSV column", "shared_notes"),
        pgettext("CSV column", "next_session_on"),
    ]
    if with_private:
        header.append(pgettext("CSV column", "private_notes"))
    return csv_response("coaching-sessions.csv", header, rows())


# --- New and edit -------------------------------------------------------------------------------


def _prefill(request, form) -> dict:
    """?rep=&episode=&kpi=&miss=&deal= from the page that linked here: kept only when the
    viewer sees it (the form's scoped choices decide)."""
    initial = {}
    for param, name in (("rep", "rep"), *PREFILL.items()):
        value = request.GET.get(param, "")
        if is_id(value) and form.fields[name].queryset.filter(pk=value).exists():
            initial[name] = int(value)
    episode = initial.get("prompt_episode")
    if episode and "rep" not in initial:
        rep = form.fields["prompt_episode"].queryset.filter(pk=episode).values("rep").first()
        if rep and rep["rep"]:
            initial["rep"] = rep["rep"]
    return initial


def _prompt_of(form) -> object | None:
    """The alert, miss or deal the form carries: once posted, the cleaned (scoped, valid)
    value only; before that the initial id."""
    for name in ("prompt_episode", "prompt_miss", "prompt_deal"):
        if form.is_bound:
            value = getattr(form, "cleaned_data", {}).get(name)
            if value:
                return value
            continue
        value = form.initial.get(name)
        if value and is_id(str(value)):
            return form.fields[name].queryset.filter(pk=value).first()
    return None


def session_new(request):
    if not request.user.reviews_plans:
        raise PermissionDenied(_("Managers record coaching sessions."))
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "GET":
        form.initial = {"kind": "one_to_one", "duration_minutes": 60, **_prefill(request, form)}
    elif form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        status = SessionStatus.HELD if data.pop("held") else SessionStatus.PLANNED
        try:
            session = coaching.create_session(by=request.user, status=status, **data)
        except (RuleViolation, ConflictError) as exc:
            apply_rule_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("rep", str(exc))
        else:
            messages.success(request, _("Session saved; the rep can see it now."))
            return redirect("coaching:detail", session.pk)
    return render(
        request,
        "coaching/sessions/form.html",
        {"form": form, "session": None, "prompt": _prompt_of(form)},
        status=400 if form.is_bound else 200,
    )


def session_edit(request, pk):
    session = _visible(request, pk)
    if not coaching.may_coach(session.rep, request.user):
        raise PermissionDenied(_("Only the rep's manager edits the session."))
    form = SessionForm(request.POST or None, user=request.user, session=session)
    if request.method == "GET":
        form.initial = {
            **{
                name: getattr(session, name)
                for name in coaching.EDITABLE
                if not name.startswith("prompt_")
            },
            **{name: getattr(session, f"{name}_id") for name in coaching.PROMPTS},
            "prompt_note": session.prompt_note,
            "starts_at": timezone.localtime(session.starts_at),
            "focus_areas": list(session.focus_areas.all()),
            "version": session.version,
        }
    elif form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            coaching.update_session(session=session, by=request.user, version=version, **data)
        except (RuleViolation, ConflictError) as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect("coaching:detail", session.pk)
    return render(
        request,
        "coaching/sessions/form.html",
        {"form": form, "session": session, "prompt": _prompt_of(form)},
        status=400 if form.is_bound else 200,
    )


# --- One session --------------------------------------------------------------------------------


def _detail_context(request, session, **forms) -> dict:
    user = request.user
    now = timezone.now()
    can_coach = coaching.may_coach(session.rep, user)
    items = list(session.action_items.select_related("owner", "task"))
    for item in items:
        item.overdue = selectors.is_overdue(item, now)
        item.done = item.task is not None and item.task.done_at is not None
    return {
        "s": session,
        "can_coach": can_coach,
        "show_private": can_coach,
        "items": items,
        "item_form": forms.get("item_form") or ActionItemForm(session=session),
        "version_form": VersionForm(initial={"version": session.version}),
        "effect": selectors.session_effect(session),
        "company": CompanySettings.load(),
        "now": now,
        "action_errors": forms.get("action_errors"),
    }


def session_detail(request, pk):
    session = _visible(request, pk)
    return render(request, "coaching/sessions/detail.html", _detail_context(request, session))


ACTIONS = {
    "hold": (coaching.hold_session, gettext_lazy("Session marked held.")),
    "cancel": (coaching.cancel_session, gettext_lazy("Session cancelled; the rep was told.")),
}


@require_POST
def session_act(request, pk, kind):
    session = _visible(request, pk)
    if kind not in ACTIONS:
        raise Http404
    service, done = ACTIONS[kind]
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("coaching:detail", session.pk)
    try:
        service(session=session, by=request.user, version=form.cleaned_data["version"])
    except (RuleViolation, ConflictError) as exc:
        messages.error(
            request, exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)
        )
    else:
        messages.success(request, done)
    return redirect("coaching:detail", session.pk)


@require_POST
def item_add(request, pk):
    session = _visible(request, pk)
    form = ActionItemForm(request.POST, session=session)
    if form.is_valid():
        owner = session.rep if form.cleaned_data["owner"] == session.rep_id else session.coach
        try:
            coaching.add_action_item(
                session=session,
                by=request.user,
                text=form.cleaned_data["text"],
                owner=owner,
                due=form.cleaned_data["due"],
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Action item added; its owner has it as a task."))
            return redirect(reverse("coaching:detail", args=[session.pk]) + "#items")
    session.refresh_from_db()
    return render(
        request,
        "coaching/sessions/detail.html",
        _detail_context(request, session, item_form=form),
        status=400,
    )


@require_POST
def item_done(request, pk):
    item = get_object_or_404(
        SessionActionItem.objects.visible_to(request.user).select_related(
            "owner", "task", "session"
        ),
        pk=pk,
    )
    try:
        coaching.complete_action_item(item=item, by=request.user)
    except (RuleViolation, ConflictError) as exc:
        messages.error(
            request, exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)
        )
    else:
        messages.success(request, _("Action item done."))
    return redirect(reverse("coaching:detail", args=[item.session_id]) + "#items")


def session_calendar(request, pk):
    session = _visible(request, pk)
    body = session_ics(
        session, url=request.build_absolute_uri(reverse("coaching:detail", args=[pk]))
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coaching-session-{pk}.ics"'
    return response
