"""Pages for tasks: a rep's day, the manager's team board, task history."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from activities.models import Task, TaskStatus
from activities.tasks import services
from activities.tasks.filters import TaskBoardFilter
from activities.tasks.forms import TaskForm, TaskHistoryForm
from activities.tasks.selectors import (
    midnight,
    task_counts_by_rep,
    task_history_by_rep,
    task_history_by_team,
)
from salesmgmt.audit.selectors import object_history
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.imports import registry
from salesmgmt.imports.files import SHEET_EXPORTS, export_response
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

DAY_AHEAD = 7  # "next 7 days" on My day


def _visible_task(request, pk) -> Task:
    return get_object_or_404(
        Task.objects.visible_to(request.user).select_related(
            "assignee", "created_by", "customer", "deal"
        ),
        pk=pk,
    )


def _visible_rep(request, rep_id) -> User:
    try:
        return User.objects.visible_to(request.user).sales_reps().get(pk=int(rep_id))
    except (TypeError, ValueError, User.DoesNotExist) as exc:
        raise Http404 from exc


def _next_url(request, default: str) -> str:
    """Where to go back to after a write: a same-site ``next``, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _day_url(rep: User, viewer: User) -> str:
    url = reverse("tasks:my_day")
    return url if rep.pk == viewer.pk else f"{url}?rep={rep.pk}"


# --- My day -----------------------------------------------------------------------------------


def my_day(request):
    """A rep's tasks: overdue, due today, due in the next seven days.

    Days follow the company calendar; times show in the viewer's timezone.
    Reviewers open a rep's day with ?rep=<id>; without it they land on the board.
    """
    if "rep" in request.GET:
        rep = _visible_rep(request, request.GET["rep"])
    elif request.user.is_rep:
        rep = request.user
    else:
        return redirect("tasks:team")
    company = CompanySettings.load()
    today, now = company.today(), timezone.now()
    today_start = midnight(today, company)
    tomorrow_start = midnight(today + timedelta(days=1), company)
    horizon = midnight(today + timedelta(days=DAY_AHEAD + 1), company)
    tasks = (
        Task.objects.filter(assignee=rep)
        .filter(
            Q(done_at__isnull=True, due_at__lt=horizon)
            | Q(due_at__gte=today_start, due_at__lt=horizon)
            | Q(done_at__gte=today_start)
        )
        .select_related("customer", "deal")
        .order_by("due_at", "pk")
    )
    if request.GET.get("export") in SHEET_EXPORTS:
        return export_response(registry.get("tasks"), SHEET_EXPORTS[request.GET["export"]], tasks)
    sections = {"overdue": [], "today_tasks": [], "ahead": [], "done_today": []}
    for task in tasks:
        if task.is_overdue(now):
            sections["overdue"].append(task)
        elif today_start <= task.due_at < tomorrow_start:
            sections["today_tasks"].append(task)
        elif tomorrow_start <= task.due_at < horizon:
            sections["ahead"].append(task)
        else:  # done today, though due on another day: kept in sight so it can be reopened
            sections["done_today"].append(task)
    return render(
        request,
        "activities/tasks/my_day.html",
        {
            "rep": rep,
            "is_own": rep.pk == request.user.pk,
            "today": today,
            "ahead_end": today + timedelta(days=DAY_AHEAD),
            "days_ahead": DAY_AHEAD,
            "open_counts": {
                name: sum(1 for t in ts if t.done_at is None) for name, ts in sections.items()
            },
            "now": now,
            "back": _day_url(rep, request.user),
            "query": query_without_page(request),
            **sections,
        },
    )


# --- Writing tasks ----------------------------------------------------------------------------


def task_create(request):
    form = TaskForm(request.POST or None, user=request.user, initial=_create_initial(request))
    if request.method == "POST" and form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            task = services.create_task(by=request.user, assignee=assignee, **form.task_fields())
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(
                request,
                _("Task “%(task)s” added for %(rep)s.") % {"task": task.title, "rep": assignee},
            )
            return redirect(_next_url(request, _day_url(assignee, request.user)))
    return render(
        request,
        "activities/tasks/form.html",
        {"form": form, "next": _next_url(request, "")},
    )


def _create_initial(request) -> dict:
    """Defaults for a new task: for me (or ?rep=), due next hour, ?customer= / ?deal= prefilled."""
    initial = {"due_at": TaskForm.default_due(), "assignee": request.user.pk}
    for name in ("rep", "customer", "deal"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial["assignee" if name == "rep" else name] = int(value)
    return initial


def task_edit(request, pk):
    task = _visible_task(request, pk)
    form = TaskForm(
        request.POST or None, user=request.user, task=task, initial=TaskForm.initial_for(task)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(
                task=task,
                by=request.user,
                assignee=form.cleaned_data["assignee"],
                version=form.cleaned_data["version"],
                **form.task_fields(),
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return redirect(_next_url(request, _day_url(task.assignee, request.user)))
    return render(
        request,
        "activities/tasks/form.html",
        {
            "form": form,
            "task": task,
            "next": _next_url(request, ""),
            "history": object_history(task, request.GET.get("changes")),
        },
    )


def _set_done(request, pk, service):
    """Done or reopened as the page showed it: if someone changed the task meanwhile
    (the row's version is stale), nothing changes and the row comes back as it stands."""
    task = _visible_task(request, pk)
    conflict = None
    try:
        task = service(task=task, by=request.user, version=_posted_version(request))
    except ConflictError:
        conflict = _(
            "This task was changed by someone else since you opened it; nothing was saved. "
            "Here it is as it stands now."
        )
        task = _visible_task(request, pk)
        if not request.htmx:
            messages.error(request, conflict)
    if request.htmx:
        response = render(
            request,
            "activities/tasks/_row.html",
            {
                "task": task,
                "now": timezone.now(),
                "show_assignee": request.POST.get("cols") == "assignee",
                "next": request.POST.get("next", ""),
                "conflict": conflict,
            },
        )
        response["HX-Trigger"] = "tasks-changed"  # the day's counts refresh themselves
        return response
    return redirect(_next_url(request, _day_url(task.assignee, request.user)))


def _posted_version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None  # an older page without the field: judged on the task as it stands


@require_POST
def task_done(request, pk):
    return _set_done(request, pk, services.complete_task)


@require_POST
def task_reopen(request, pk):
    return _set_done(request, pk, services.reopen_task)


# --- The team board ---------------------------------------------------------------------------


def _reviewed_teams(request) -> list[Team]:
    if not request.user.reviews_plans:
        raise Http404
    return list(Team.objects.managed_by(request.user).select_related("division"))


def _chosen_team(request, teams: list[Team]) -> Team:
    return next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0])


def team_board(request):
    """Per rep of a team: open, overdue, due today, done this week; then a filtered task list
    (overdue unless another status is chosen), exportable to CSV."""
    teams = _reviewed_teams(request)
    if not teams:
        return render(request, "activities/tasks/team.html", {"teams": []})
    team = _chosen_team(request, teams)
    company, now = CompanySettings.load(), timezone.now()
    reps = User.objects.reps().filter(team=team).order_by("first_name", "last_name", "pk")

    data = request.GET.copy()
    data.setdefault("status", TaskStatus.OVERDUE)
    tasks = (
        Task.objects.visible_to(request.user)
        .filter(assignee__team=team)
        .select_related("assignee", "customer", "deal")
        .order_by("due_at", "pk")
    )
    filterset = TaskBoardFilter(data, queryset=tasks, request=request)
    # The board's own selector picks the team; customers and deals are filtered on the API.
    for name in ("team", "customer", "deal"):
        filterset.filters.pop(name)
    filterset.filters["rep"].queryset = reps
    if request.GET.get("export") in SHEET_EXPORTS:
        return export_response(
            registry.get("tasks"), SHEET_EXPORTS[request.GET["export"]], filterset.qs
        )
    if request.GET.get("export") == "csv":
        return _tasks_csv(f"tasks-{team.name}.csv", filterset.qs, now)
    return render(
        request,
        "activities/tasks/team.html",
        {
            "teams": teams,
            "team": team,
            "counts": task_counts_by_rep(reps, now=now, company=company),
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "query": query_without_page(request),
            "status": data["status"],
            "now": now,
            "week_start": company.week_of(company.today()),
        },
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# Column names, translated when the file is written (the values stay machine-readable).
TASK_CSV_HEADER = [
    pgettext_lazy("CSV column", "id"),
    pgettext_lazy("CSV column", "title"),
    pgettext_lazy("CSV column", "rep"),
    pgettext_lazy("CSV column", "customer"),
    pgettext_lazy("CSV column", "deal"),
    pgettext_lazy("CSV column", "due_at"),
    pgettext_lazy("CSV column", "priority"),
    pgettext_lazy("CSV column", "status"),
    pgettext_lazy("CSV column", "done_at"),
]
HISTORY_CSV_HEADER = [
    pgettext_lazy("CSV column", "rep"),
    pgettext_lazy("CSV column", "team"),
    pgettext_lazy("CSV column", "completed"),
    pgettext_lazy("CSV column", "on_time"),
    pgettext_lazy("CSV column", "late"),
    pgettext_lazy("CSV column", "on_time_rate"),
    pgettext_lazy("CSV column", "avg_lateness_hours"),
]


def _task_state(task, now) -> str:
    if task.done_at:
        return pgettext("CSV value", "done")
    return (
        pgettext("CSV value", "overdue") if task.is_overdue(now) else pgettext("CSV value", "open")
    )


def _tasks_csv(filename: str, tasks, now):
    return csv_response(
        filename,
        [str(name) for name in TASK_CSV_HEADER],
        (
            [
                t.pk,
                t.title,
                t.assignee,
                t.customer or "",
                t.deal or "",
                _local(t.due_at),
                t.priority,
                _task_state(t, now),
                _local(t.done_at),
            ]
            for t in tasks.iterator(chunk_size=500)
        ),
    )


# --- Task history -----------------------------------------------------------------------------


def task_history(request):
    """Completed, on-time rate and average lateness per rep and per team, for a period."""
    company = CompanySettings.load()
    today = company.today()
    reviewer = request.user.reviews_plans
    teams = Team.objects.managed_by(request.user) if reviewer else None
    params = request.GET.copy()  # the period is this month to date unless chosen
    params.setdefault("start", today.replace(day=1).isoformat())
    params.setdefault("end", today.isoformat())
    form = TaskHistoryForm(params, teams=teams)
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or today.replace(day=1)
    end = data.get("end") or today
    if start > end:
        start, end = end, start
    reps = User.objects.visible_to(request.user).sales_reps()
    team = data.get("team")
    if team is not None:
        reps, teams = reps.filter(team=team), teams.filter(pk=team.pk)
    rows = task_history_by_rep(reps, start=start, end=end)
    if request.GET.get("export") == "csv":
        return csv_response(
            f"task-history-{start}-{end}.csv",
            [str(name) for name in HISTORY_CSV_HEADER],
            (
                [
                    r.subject,
                    r.subject.team or "",
                    r.completed,
                    r.on_time,
                    r.late,
                    "" if r.on_time_rate is None else r.on_time_rate,
                    "" if r.avg_lateness_hours is None else r.avg_lateness_hours,
                ]
                for r in rows
            ),
        )
    return render(
        request,
        "activities/tasks/history.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": rows,
            "team_rows": task_history_by_team(teams, start=start, end=end) if reviewer else [],
            "query": query_without_page(request),
        },
    )
