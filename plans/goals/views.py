"""Goal pages: the list with pace, one goal with its history, and the writes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from plans.goals import services as goal_services
from plans.goals.filters import GoalFilter, top_down
from plans.goals.forms import (
    GoalChangeForm,
    GoalDeleteForm,
    GoalForm,
    TeamGoalsGridForm,
    TeamGoalsPickForm,
)
from plans.goals.reverse_funnel import SALES, SALES_VALUE, reverse_funnel
from plans.goals.selectors import (
    children_of,
    goal_progress,
    progress_of_rows,
    progress_over_time,
    rollup,
    with_actuals,
)
from plans.models import Goal, GoalScope
from salesmgmt.audit.selectors import object_history
from salesmgmt.calendar import period_bounds
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.imports import registry
from salesmgmt.imports.files import SHEET_EXPORTS, export_response
from salesmgmt.models import CompanySettings, User
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

RELATED = ("metric", "product", "rep__team", "team", "division")
# Column names, in the reader's language when the file is made (the values stay
# machine-readable: keys, ISO dates, plain decimals).
CSV_HEADER = [
    pgettext_lazy("CSV column", "scope"),
    pgettext_lazy("CSV column", "owner"),
    pgettext_lazy("CSV column", "metric"),
    pgettext_lazy("CSV column", "unit"),
    pgettext_lazy("CSV column", "period"),
    pgettext_lazy("CSV column", "start"),
    pgettext_lazy("CSV column", "end"),
    pgettext_lazy("CSV column", "target"),
    pgettext_lazy("CSV column", "stretch_target"),
    pgettext_lazy("CSV column", "actual"),
    pgettext_lazy("CSV column", "expected"),
    pgettext_lazy("CSV column", "attainment_pct"),
    pgettext_lazy("CSV column", "pace_pct"),
    pgettext_lazy("CSV column", "projection"),
    pgettext_lazy("CSV column", "status"),
    pgettext_lazy("CSV column", "children_total"),
    pgettext_lazy("CSV column", "rollup_gap"),
    pgettext_lazy("CSV column", "product"),
    pgettext_lazy("CSV column", "channels"),
]


def _visible_goals(request):
    return Goal.objects.visible_to(request.user).with_limits().select_related(*RELATED)


def _visible_goal(request, pk) -> Goal:
    return get_object_or_404(_visible_goals(request), pk=pk)


def _writable_goal(request, pk) -> Goal:
    goal = _visible_goal(request, pk)
    if not goal_services.may_write_goal(request.user, goal):
        raise PermissionDenied(_("You may not change this goal."))
    return goal


def goal_list(request):
    company = CompanySettings.load()
    today = company.today()
    data = request.GET.copy()
    data.setdefault("when", "current")
    filterset = GoalFilter.for_page(
        data, queryset=top_down(_visible_goals(request)), request=request
    )
    goals = filterset.qs
    if request.GET.get("export") in SHEET_EXPORTS:
        # The quota sheet shape (salesmgmt.imports): monthly rep goals, importable back.
        return export_response(registry.get("goals"), SHEET_EXPORTS[request.GET["export"]], goals)
    if request.GET.get("export") == "csv":
        progress = goal_progress(goals, as_of=today)
        rolls = rollup(p.goal for p in progress)
        return csv_response(
            "goals.csv", [str(h) for h in CSV_HEADER], (_csv_row(p, rolls) for p in progress)
        )
    page = paginate(request, with_actuals(goals, as_of=today))
    progress = progress_of_rows(page.object_list, as_of=today)
    rolls = rollup(p.goal for p in progress)
    return render(
        request,
        "plans/goals/list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": [
                (p, rolls.get(p.goal.pk), goal_services.may_write_goal(request.user, p.goal))
                for p in progress
            ],
            "query": query_without_page(request),
            "can_set": bool(goal_services.writable_scopes(request.user)),
            "today": today,
        },
    )


def _csv_row(progress, rolls):
    goal, roll = progress.goal, rolls.get(progress.goal.pk)
    return [
        goal.scope,
        goal.owner_label,
        goal.metric.key,
        goal.metric.unit,
        goal.period,
        goal.start,
        goal.end,
        goal.target,
        goal.stretch_target,
        progress.actual,
        progress.expected,
        progress.attainment,
        progress.pace,
        progress.projection,
        progress.status,
        roll.children_total if roll else None,
        roll.gap if roll else None,
        goal.product.sku if goal.product_id else "",
        " ".join(sorted(c.key for c in goal.channels.all())),
    ]


def goal_detail(request, pk):
    return _goal_page(request, _visible_goal(request, pk))


def _goal_page(request, goal, delete_form=None):
    """The goal page; ``delete_form`` is a refused removal, shown again with its error."""
    today = CompanySettings.load().today()
    (progress,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=today)
    points = progress_over_time(goal, as_of=today)
    children, roll = [], None
    if goal.scope != GoalScope.REP:
        children = goal_progress(top_down(children_of(goal).visible_to(request.user)), as_of=today)
        roll = rollup([goal]).get(goal.pk)
    funnel = None
    outcome = goal.scope == GoalScope.REP and goal.metric.key in (SALES, SALES_VALUE)
    if outcome and goal.start <= today <= goal.end:
        funnel = reverse_funnel(goal.rep, as_of=today, goal=goal)
    can_write = goal_services.may_write_goal(request.user, goal)
    return render(
        request,
        "plans/goals/detail.html",
        {
            "goal": goal,
            "progress": progress,
            "points": points,
            "chart": _chart(goal, points),
            "children": children,
            "rollup": roll,
            "changes": goal.changes.select_related("by"),
            "history": object_history(goal, request.GET.get("changes")),
            "funnel": funnel,
            "can_write": can_write,
            "delete_form": delete_form
            or (GoalDeleteForm(initial={"version": goal.version}) if can_write else None),
        },
    )


def _chart(goal, points) -> dict:
    as_float = [None if p.actual is None else float(p.actual) for p in points]
    return {
        "type": "line",
        "data": {
            "labels": [p.label for p in points],
            "datasets": [
                {
                    "label": _("Actual (cumulative)"),
                    "data": as_float,
                    "color": "#1f6feb",
                    "cubicInterpolationMode": "monotone",  # a running total never dips
                },
                {
                    "label": _("Expected (cumulative)"),
                    "data": [float(p.expected) for p in points],
                    "color": "#8a94a8",
                    "borderDash": [6, 4],
                    "fill": False,
                },
                {
                    "label": _("Target"),
                    "data": [float(goal.target)] * len(points),
                    "color": "#2da44e",
                    "pointRadius": 0,
                    "borderWidth": 1,
                    "fill": False,
                },
            ],
        },
        "options": {"scales": {"y": {"beginAtZero": True}}},
    }


def goal_create(request):
    if not goal_services.writable_scopes(request.user):
        raise PermissionDenied(_("Reps do not set goals."))
    form = GoalForm(request.POST or None, user=request.user, initial=_prefill(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = goal_services.set_goal(
                by=request.user,
                scope=data["scope"],
                rep=data["rep"],
                team=data["team"],
                division=data["division"],
                metric=data["metric"],
                period=data["period"],
                day=data["day"],
                target=data["target"],
                stretch_target=data["stretch_target"],
                note=data["note"],
                product=data["product"],
                channels=data["channels"],
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Goal set."))
            return redirect("goals:detail", pk=goal.pk)
    return render(request, "plans/goals/form.html", {"form": form})


def _prefill(request) -> dict:
    """A link such as ?scope=rep&rep=5&metric=calls opens the form ready to fill."""
    keys = ("scope", "rep", "team", "division", "metric", "product", "period", "day")
    initial = {k: request.GET[k] for k in keys if request.GET.get(k)}
    if request.GET.getlist("channels"):
        initial["channels"] = request.GET.getlist("channels")
    return initial


def goal_edit(request, pk):
    goal = _writable_goal(request, pk)
    form = GoalChangeForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal_services.change_goal(
                goal=goal,
                by=request.user,
                target=data["target"],
                stretch_target=data["stretch_target"],
                reason=data["reason"],
                version=data["version"],
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Goal changed; the people it concerns are told."))
            return redirect("goals:detail", pk=goal.pk)
    return render(request, "plans/goals/edit.html", {"form": form, "goal": goal})


@require_POST
def goal_delete(request, pk):
    goal = _writable_goal(request, pk)
    form = GoalDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the goal is removed; the rep will read it."))
        return redirect("goals:detail", pk=goal.pk)
    try:
        goal_services.delete_goal(
            goal=goal,
            by=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ConflictError as exc:
        # The page again, as it now stands, with the reason typed and the conflict said.
        form.add_error(None, exc.message)
        if not Goal.objects.filter(pk=goal.pk).exists():
            messages.error(request, _("This goal was removed by somebody else."))
            return redirect("goals:list")
        goal.refresh_from_db()
        return _goal_page(request, goal, delete_form=form)
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("goals:detail", pk=goal.pk)
    messages.success(request, _("Goal removed: %(goal)s.") % {"goal": goal})
    return redirect("goals:list")


def team_set(request):
    """A manager's grid: one team, one metric, one period; a target per rep."""
    if not goal_services.writable_scopes(request.user):
        raise PermissionDenied(_("Reps do not set goals."))
    pick = TeamGoalsPickForm(request.GET or None, user=request.user)
    if not pick.fields["team"].queryset.exists():
        return render(request, "plans/goals/team_set.html", {"pick": pick, "no_teams": True})
    if not pick.is_bound or not pick.is_valid():
        return render(request, "plans/goals/team_set.html", {"pick": pick})
    choice = pick.cleaned_data
    team, metric, period = choice["team"], choice["metric"], choice["period"]
    reps = list(User.objects.reps().filter(team=team).order_by("first_name", "last_name"))
    start, end = period_bounds(period, choice["day"])
    existing = {
        g.rep_id: g
        for g in Goal.objects.unlimited().filter(
            scope=GoalScope.REP, rep__in=reps, metric=metric, period=period, start=start
        )
    }
    grid = TeamGoalsGridForm(request.POST or None, reps=reps, existing=existing)
    if request.method == "POST" and grid.is_valid():
        try:
            result = goal_services.set_team_rep_goals(
                by=request.user,
                team=team,
                metric=metric,
                period=period,
                day=start,
                targets=grid.targets(),
                reason=grid.cleaned_data["reason"],
                versions=grid.versions(),
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(grid, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(created)d set, %(changed)d changed, %(unchanged)d unchanged.",
                    "%(created)d set, %(changed)d changed, %(unchanged)d unchanged.",
                    len(result.created) + len(result.changed) + result.unchanged,
                )
                % {
                    "created": len(result.created),
                    "changed": len(result.changed),
                    "unchanged": result.unchanged,
                },
            )
            return redirect(request.get_full_path())
    team_goal = (
        Goal.objects.unlimited()
        .filter(scope=GoalScope.TEAM, team=team, metric=metric, period=period, start=start)
        .first()
    )
    return render(
        request,
        "plans/goals/team_set.html",
        {
            "pick": pick,
            "grid": grid,
            "team": team,
            "metric": metric,
            "period_label": Goal(period=period, start=start, end=end).period_label,
            "existing": existing,
            "team_goal": team_goal,
            "allocated": rollup([team_goal]).get(team_goal.pk) if team_goal else None,
        },
    )
