from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from activities.models import Activity, Metric
from plans.goals.reverse_funnel import plan_suggestions
from plans.models import PlanStatus, WeeklyPlan
from plans.weekly import services
from plans.weekly.filters import WeeklyPlanFilter
from plans.weekly.forms import PlanForm, ReviewForm, WeekNoteForm
from plans.weekly.selectors import (
    changes_since_return,
    plan_vs_actual,
    review_context,
    team_week_counts,
    team_week_rows,
    week_progress,
    with_pace,
)
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.web import apply_rule_errors, paginate, parse_day, query_without_page


def _plan_metrics(rep: User, plan: WeeklyPlan | None = None):
    metrics = Metric.objects.focus_of(rep.team)
    if plan is not None:
        seen = {m.pk for m in metrics}
        metrics += [
            t.metric for t in plan.targets.select_related("metric") if t.metric_id not in seen
        ]
    return metrics


def _visible_plan(request, pk) -> WeeklyPlan:
    return get_object_or_404(
        WeeklyPlan.objects.visible_to(request.user).select_related("rep__team", "reviewed_by"),
        pk=pk,
    )


def plan_list(request):
    plans = (
        WeeklyPlan.objects.visible_to(request.user)
        .select_related("rep__team", "reviewed_by")
        .order_by("-week_start", "rep__first_name", "rep__last_name")
    )
    filterset = WeeklyPlanFilter(request.GET, queryset=plans, request=request)
    if request.GET.get("export") == "csv":
        return csv_response(
            "weekly-plans.csv",
            [
                pgettext("CSV column", "week_start"),
                pgettext("CSV column", "rep"),
                pgettext("CSV column", "team"),
                pgettext("CSV column", "status"),
                pgettext("CSV column", "submitted_at"),
                pgettext("CSV column", "reviewed_by"),
                pgettext("CSV column", "objectives"),
            ],
            (
                [
                    p.week_start,
                    p.rep,
                    p.rep.team,
                    p.status,
                    _local(p.submitted_at),
                    p.reviewed_by or "",
                    p.objectives,
                ]
                for p in filterset.qs.iterator(chunk_size=500)
            ),
        )
    return render(
        request,
        "plans/weekly/list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "query": query_without_page(request),
            "next_week": _current_week() + timedelta(weeks=1),
        },
    )


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _current_week():
    company = CompanySettings.load()
    return company.week_of(company.today())


def my_week(request):
    return redirect("plans:for_week", week=_current_week())


def plan_for_week(request, week):
    """The rep's plan for a week: open it if it exists, otherwise write it."""
    if not request.user.is_rep:
        return redirect(f"{reverse('plans:team_week')}?week={week.isoformat()}")
    plan = WeeklyPlan.objects.filter(rep=request.user, week_start=week).first()
    if plan is not None:
        return redirect("plans:detail", pk=plan.pk)
    try:
        services.check_plan_week(week)
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:list")
    metrics = _plan_metrics(request.user)
    content, planned = services.draft_from_previous(request.user, week)
    form = PlanForm(request.POST or None, initial=content, metrics=metrics, planned=planned)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                rep=request.user,
                week_start=week,
                by=request.user,
                content=form.content(),
                targets=form.targets(),
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            return _after_save(request, plan)
    return render(
        request,
        "plans/weekly/form.html",
        {
            "form": form,
            "week": week,
            "week_end": week + timedelta(days=6),
            "prefilled": bool(content or planned),
            "funnel": _suggest(form, request.user, week),
            **_focus_warning(metrics),
        },
    )


def _suggest(form, rep, week):
    """Offer the reverse funnel's weekly needs as suggested numbers (the rep decides)."""
    if not rep.is_rep:
        return None
    funnel = plan_suggestions(rep, week)
    if funnel is not None:
        form.suggest(funnel.per_week)
    return funnel


def _focus_warning(metrics):
    limit = CompanySettings.load().focus_metric_warning
    return {"too_many_metrics": len(metrics) > limit, "focus_limit": limit}


def _after_save(request, plan):
    if request.POST.get("then") == "submit":
        try:
            services.submit_plan(plan=plan, by=request.user, version=plan.version)
        except (RuleViolation, ConflictError) as exc:
            messages.warning(
                request,
                _("Saved as a draft, not submitted: %(reason)s") % {"reason": _message(exc)},
            )
        else:
            messages.success(request, _("Plan submitted to your manager."))
            return redirect("plans:detail", pk=plan.pk)
    else:
        messages.success(request, _("Draft saved."))
    return redirect("plans:detail", pk=plan.pk)


def plan_edit(request, pk):
    plan = _visible_plan(request, pk)
    if plan.rep_id != request.user.pk:
        raise PermissionDenied(_("Only the rep who owns a plan writes it."))
    if not plan.is_editable:
        messages.info(request, _("This plan is read-only while it is submitted or approved."))
        return redirect("plans:detail", pk=plan.pk)
    metrics = _plan_metrics(plan.rep, plan)
    planned = {t.metric_id: t.planned for t in plan.targets.all()}
    form = PlanForm(request.POST or None, instance=plan, metrics=metrics, planned=planned)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                plan=plan,
                by=request.user,
                version=form.cleaned_data["version"],
                content=form.content(),
                targets=form.targets(),
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(form, exc)
        else:
            return _after_save(request, plan)
    return render(
        request,
        "plans/weekly/form.html",
        {
            "form": form,
            "plan": plan,
            "week": plan.week_start,
            "week_end": plan.week_end,
            "funnel": _suggest(form, plan.rep, plan.week_start),
            **_focus_warning(metrics),
        },
    )


def plan_detail(request, pk):
    plan = _visible_plan(request, pk)
    is_author = plan.rep_id == request.user.pk
    today = CompanySettings.load().today()
    progress = week_progress(plan.week_start, today)
    context = {
        "plan": plan,
        "rows": with_pace(plan_vs_actual(plan), progress),
        "progress": progress,
        "week_begun": plan.week_start <= today,
        "changes": changes_since_return(plan),
        # What a reviewer reads beside the plan: the rep's last week and goal pace.
        "review": None if is_author else review_context(plan, request.user, today=today),
        "prev_week": plan.week_start - timedelta(weeks=1),
        "next_week": plan.week_start + timedelta(weeks=1),
        "events": plan.events.select_related("by"),
        "is_author": is_author,
        "can_review": request.user.reviews_plans
        and not is_author
        and plan.status == PlanStatus.SUBMITTED,
        "review_form": ReviewForm(initial={"version": plan.version}),
        "note_form": WeekNoteForm(instance=plan, initial={"version": plan.version})
        if is_author and plan.week_start <= today
        else None,
    }
    return render(request, "plans/weekly/detail.html", context)


@require_POST
def plan_submit(request, pk):
    plan = _visible_plan(request, pk)
    version = _posted_version(request)
    if version is None:
        messages.error(request, _("Reload the plan and submit again."))
        return redirect("plans:detail", pk=plan.pk)
    try:
        services.submit_plan(plan=plan, by=request.user, version=version)
    except (RuleViolation, ConflictError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Plan submitted to your manager."))
    return redirect("plans:detail", pk=plan.pk)


@require_POST
def plan_review(request, pk):
    plan = _visible_plan(request, pk)
    form = ReviewForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        approving = data["decision"] == PlanStatus.APPROVED
        review = services.approve_plan if approving else services.return_plan
        try:
            review(plan=plan, by=request.user, comment=data["comment"], version=data["version"])
        except (RuleViolation, ConflictError) as exc:
            error = _message(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        plan.refresh_from_db()
        metrics = Metric.objects.focus_of(plan.rep.team)
        (row,) = team_week_rows([plan.rep], {plan.rep_id: plan}, plan.week_start, metrics)
        context = {"row": row, "error": error, "oob_counts": True}
        if plan.rep.team:
            context["counts"] = team_week_counts(plan.rep.team, plan.week_start)
        return render(request, "plans/weekly/_team_week_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Plan approved.") if plan.status == PlanStatus.APPROVED else _("Plan returned."),
        )
    return redirect("plans:detail", pk=plan.pk)


@require_POST
def plan_note(request, pk):
    plan = _visible_plan(request, pk)
    form = WeekNoteForm(request.POST, instance=plan)
    if form.is_valid():
        try:
            services.save_week_note(
                plan=plan,
                by=request.user,
                version=form.cleaned_data["version"],
                progress=form.cleaned_data["progress_note"],
                problems=form.cleaned_data["problems_note"],
            )
        except (RuleViolation, ConflictError) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("End-of-week note saved."))
    else:
        messages.error(request, _("The note could not be saved; check the fields."))
    return redirect("plans:detail", pk=plan.pk)


def _posted_version(request):
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _message(exc) -> str:
    return exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)


def team_week(request):
    """A manager's week: every rep, the status of their plan, plan vs actual."""
    if not request.user.reviews_plans:
        raise Http404
    company = CompanySettings.load()
    teams = list(Team.objects.managed_by(request.user).select_related("division"))
    if not teams:
        return render(request, "plans/weekly/team_week.html", {"teams": []})
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0])
    week = company.week_of(parse_day(request.GET.get("week")) or company.today())
    reps = list(User.objects.reps().filter(team=team).order_by("first_name", "last_name"))
    plans_by_rep = {p.rep_id: p for p in WeeklyPlan.objects.filter(rep__in=reps).for_week(week)}
    metrics = Metric.objects.focus_of(team)
    rows = team_week_rows(reps, plans_by_rep, week, metrics)
    counts = team_week_counts(team, week)
    return render(
        request,
        "plans/weekly/team_week.html",
        {
            "teams": teams,
            "team": team,
            "week": week,
            "week_end": week + timedelta(days=6),
            "prev_week": week - timedelta(weeks=1),
            "next_week": week + timedelta(weeks=1),
            "rows": rows,
            "grid_metrics": metrics,
            "counts": counts,
            "progress": week_progress(week, company.today()),
        },
    )


def home(request):
    """Each role lands where its day starts: reps on their week, managers on their team's
    week, directors on their division's overview and admins on the company's."""
    if request.user.is_director or request.user.is_admin:
        return redirect("company:dashboard")
    if request.user.reviews_plans:
        return redirect("plans:team_week")
    company = CompanySettings.load()
    today = company.today()
    week = company.week_of(today)
    plan = WeeklyPlan.objects.filter(rep=request.user).for_week(week).first()
    progress = week_progress(week, today)
    context = {
        "week": week,
        "today": today,
        "plan": plan,
        "rows": with_pace(plan_vs_actual(plan), progress) if plan else [],
        "progress": progress,
        "recent": Activity.objects.filter(rep=request.user).select_related(
            "metric", "channel", "product"
        )[:10],
        "returned": WeeklyPlan.objects.filter(rep=request.user, status="returned").order_by(
            "week_start"
        ),
    }
    return render(request, "plans/weekly/my_week.html", context)
