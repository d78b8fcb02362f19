from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from activities.models import Activity
from plans.models import WeeklyPlan
from reporting.plan_actuals import plan_vs_actual, week_progress, with_pace
from salesmgmt import services
from salesmgmt.forms import FocusMetricsForm, ProfileForm, TokenForm
from salesmgmt.models import CompanySettings, Team


def home(request):
    """Reps land on their week; reviewers on their team's week."""
    if request.user.reviews_plans:
        return redirect("plans:team_week")
    company = CompanySettings.load()
    today = company.today()
    week = company.week_of(today)
    plan = WeeklyPlan.objects.filter(rep=request.user).for_week(week).first()
    context = {
        "week": week,
        "today": today,
        "plan": plan,
        "rows": with_pace(plan_vs_actual(plan), week_progress(week, today)) if plan else [],
        "progress": week_progress(week, today),
        "recent": Activity.objects.filter(rep=request.user).select_related(
            "metric", "channel", "product"
        )[:10],
        "returned": WeeklyPlan.objects.filter(rep=request.user, status="returned").order_by(
            "week_start"
        ),
    }
    return render(request, "salesmgmt/home.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"], healthy = f"error: {exc.__class__.__name__}", False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"], healthy = f"error: {exc.__class__.__name__}", False
    else:
        checks["redis"] = "not configured"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@login_not_required
@require_GET
def favicon(request):
    # Resolved per request: at import time the static manifest may not exist yet.
    return redirect(static("favicon.svg"), permanent=True)


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(
        request,
        "salesmgmt/profile.html",
        {
            "form": form,
            "token_form": TokenForm(),
            "tokens": request.user.api_tokens.all(),
            "new_key": request.session.pop("new_token_key", None),
        },
    )


@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the token a name.")
        return redirect("profile")
    token, key = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
    # Shown once on the next page, then gone: only the hash is stored.
    request.session["new_token_key"] = {"name": token.name, "key": key}
    return redirect("profile")


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(request.user.api_tokens.active(), pk=pk)
    services.revoke_api_token(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("profile")


def team_list(request):
    teams = (
        Team.objects.visible_to(request.user)
        .select_related("division", "manager")
        .prefetch_related("focus_metrics")
    )
    managed = set(Team.objects.managed_by(request.user).values_list("pk", flat=True))
    return render(request, "salesmgmt/team_list.html", {"teams": teams, "managed": managed})


def team_focus(request, pk):
    team = get_object_or_404(Team.objects.managed_by(request.user), pk=pk)
    form = FocusMetricsForm(request.POST or None, initial={"metrics": team.focus_metrics.all()})
    if request.method == "POST" and form.is_valid():
        too_many = services.set_focus_metrics(
            team=team, metrics=form.cleaned_data["metrics"], by=request.user
        )
        messages.success(request, f"Focus metrics for {team} saved.")
        if too_many:
            limit = CompanySettings.load().focus_metric_warning
            messages.warning(
                request,
                f"{team} now focuses on {len(form.cleaned_data['metrics'])} metrics. Reps do "
                f"their best work on a few; consider {limit} or fewer.",
            )
        return redirect("team_list")
    return render(request, "salesmgmt/team_focus.html", {"team": team, "form": form})
