"""Upward feedback pages: give (anonymous), signed feedback, and the results.

Giving is anonymous through every surface: the page's success message names nothing
of the answer, nothing is logged, and no notification goes out per answer. Results
follow the threshold rule of coaching.feedback.selectors.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coaching.feedback import selectors, services
from coaching.feedback.forms import FeedbackForm, PeriodForm, SignedFeedbackForm
from coaching.models import FeedbackPeriod, SignedFeedback
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, Team
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

TREND_PERIODS = 8


def _rep_only(request):
    if not request.user.is_rep:
        raise PermissionDenied(_("Only reps give upward feedback."))


def _can_give(user) -> str:
    """ "" when ``user`` has a manager to give feedback to, else why not."""
    team = Team.objects.filter(pk=user.team_id).only("manager").first()
    if team is None or team.manager_id is None or team.manager_id == user.pk:
        return services.NO_MANAGER
    return ""


def give(request):
    _rep_only(request)
    user = request.user
    period = selectors.open_period(CompanySettings.load().today())
    questions = selectors.questions()
    answered = period is not None and selectors.has_answered(user, period)
    blocked = _can_give(user)
    form = FeedbackForm(request.POST or None, questions=questions)
    if request.method == "POST" and period and not answered and not blocked and form.is_valid():
        try:
            services.submit_feedback(
                by=user, ratings=form.ratings(), text=form.cleaned_data["text"]
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            # Says nothing of the answer: messages may sit in the session, next to the user.
            messages.success(request, _("Thank you. Your answer was recorded anonymously."))
            return redirect("feedback:give")
    return render(
        request,
        "coaching/feedback/give.html",
        {"period": period, "answered": answered, "blocked": blocked, "form": form},
    )


def signed_new(request):
    _rep_only(request)
    blocked = _can_give(request.user)
    form = SignedFeedbackForm(request.POST or None)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            signed = services.send_signed_feedback(by=request.user, text=form.cleaned_data["text"])
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(
                request,
                _("Sent to %(manager)s, signed with your name.") % {"manager": signed.manager},
            )
            return redirect("feedback:signed_list")
    return render(request, "coaching/feedback/signed_new.html", {"form": form, "blocked": blocked})


def signed_list(request):
    form = PeriodForm(request.GET or None)
    form.fields["period"].required = False
    form.fields["period"].empty_label = _("All periods")
    qs = (
        SignedFeedback.objects.visible_to(request.user)
        .select_related("author", "manager", "period")
        .order_by("-created_at", "-pk")
    )
    if form.is_valid() and form.cleaned_data.get("period"):
        qs = qs.filter(period=form.cleaned_data["period"])
    if request.GET.get("export") == "csv":
        return csv_response(
            "signed-feedback.csv",
            [
                pgettext("CSV header", "sent"),
                pgettext("CSV header", "from"),
                pgettext("CSV header", "to"),
                pgettext("CSV header", "period"),
                pgettext("CSV header", "text"),
            ],
            (
                [s.created_at.isoformat(), s.author, s.manager, s.period or "", s.text]
                for s in qs.iterator(chunk_size=500)
            ),
        )
    return render(
        request,
        "coaching/feedback/signed_list.html",
        {
            "filter": {"form": form},
            "page": paginate(request, qs),
            "query": query_without_page(request),
        },
    )


def _chosen_period(request) -> FeedbackPeriod | None:
    form = PeriodForm(request.GET or None)
    if request.GET.get("period") and form.is_valid() and form.cleaned_data["period"]:
        return form.cleaned_data["period"]
    today = CompanySettings.load().today()
    return selectors.open_period(today) or FeedbackPeriod.objects.order_by("-start").first()


def results(request):
    user = request.user
    if not selectors.sees_results(user):
        raise PermissionDenied(_("Managers, directors and admins see feedback results."))
    period = _chosen_period(request)
    division = _int(request.GET["division"]) if request.GET.get("division") else None
    try:
        found = selectors.results_for(user, period, division=division, trend_periods=TREND_PERIODS)
    except selectors.OutOfScope:
        raise Http404 from None
    for group in [*found.teams, *found.divisions]:
        group.trend = _with_chart(group.trend)
    if period is not None and request.GET.get("export") == "csv":
        return _results_csv(period, found.teams, found.divisions)
    return render(
        request,
        "coaching/feedback/results.html",
        {
            "period": period,
            "periods": list(FeedbackPeriod.objects.order_by("-start")[:20]),
            "threshold": selectors.THRESHOLD,
            "teams": found.teams,
            "divisions": found.divisions,
        },
    )


def _with_chart(trend: dict | None) -> dict | None:
    """A trend with table cells and a Chart.js config (see static/js/charts.js)."""
    if trend is None:
        return None
    labels = [p["label"] for p in trend["periods"]]
    for series in trend["series"]:
        series["cells"] = list(zip(labels, series["averages"], strict=True))
    trend["chart"] = {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [{"label": s["name"], "data": s["averages"]} for s in trend["series"]],
        },
        "options": {"scales": {"y": {"min": 1, "max": 5}}},
    }
    return trend


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _results_csv(period, teams, divisions):
    def rows():
        groups = [("team", t) for t in teams]
        for d in divisions:
            groups.append(("division", d))
            groups.extend(("manager", m) for m in d.managers)
        for kind, group in groups:
            if not group.shown:
                yield [str(period), kind, group.label, group.answers, "", "", ""]
                continue  # no question of a group that is not shown
            for q in group.questions:
                yield [
                    str(period),
                    kind,
                    group.label,
                    group.answers,
                    q["name"],
                    q["average"],
                    q["count"],
                ]

    return csv_response(
        f"feedback-{period.start:%Y-%m}.csv",
        [
            pgettext("CSV header", "period"),
            pgettext("CSV header", "group"),
            pgettext("CSV header", "name"),
            pgettext("CSV header", "answers"),
            pgettext("CSV header", "question"),
            pgettext("CSV header", "average"),
            pgettext("CSV header", "ratings"),
        ],
        rows(),
    )
