"""Monthly review pages: the list, one review, and the team and division summaries.

Just over 500 lines: four pages and their write actions (notes, sharing, acknowledging,
misses) share one visibility rule and one set of helpers.

Every read goes through ``MonthlyReview.objects.visible_to``; a review outside it
(or a draft, for a rep) answers 404. Writes go through reporting.reviews.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from plans.models import PlanStatus, Status
from reporting.models import MonthlyReview, ReviewActionItem, ReviewMiss, ReviewStatus, RootCause
from reporting.reviews import selectors as reviews_selectors
from reporting.reviews import services as reviews
from reporting.reviews.forms import (
    AcknowledgeForm,
    ActionItemForm,
    MissForm,
    NotesForm,
    ReviewFilterForm,
    VersionForm,
)
from salesmgmt.calendar import parse_month, previous_month, recent_months
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, Division, Team, User
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

ROOT_CAUSES = [("", gettext_lazy("Not decided yet")), *RootCause.choices]


def _visible(request, pk) -> MonthlyReview:
    return get_object_or_404(
        MonthlyReview.objects.visible_to(request.user).select_related(
            "rep__team__manager", "shared_by"
        ),
        pk=pk,
    )


def _message(exc) -> str:
    return exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)


def _default_month():
    return previous_month(CompanySettings.load().today())


# --- The list -----------------------------------------------------------------------------------


def review_list(request):
    user = request.user
    company = CompanySettings.load()
    data = request.GET.copy()
    if user.reviews_plans and "month" not in data:
        data["month"] = f"{_default_month():%Y-%m}"
    form = ReviewFilterForm(data, user=user, today=company.today())
    form.is_valid()
    chosen = getattr(form, "cleaned_data", {})
    qs = (
        MonthlyReview.objects.visible_to(user)
        .select_related("rep__team")
        .annotate(
            open_misses=Count("misses", filter=Q(misses__stale=False)),
            causes_given=Count("misses", filter=Q(misses__stale=False) & ~Q(misses__root_cause="")),
        )
        .order_by("-month", "rep__first_name", "rep__last_name", "pk")
    )
    if chosen.get("month"):
        qs = qs.filter(month=chosen["month"])
    if chosen.get("team"):
        qs = qs.filter(rep__team=chosen["team"])
    if chosen.get("status"):
        qs = qs.filter(status=chosen["status"])
    if request.GET.get("export") == "csv":
        return _list_csv(qs)
    return render(
        request,
        "reporting/reviews/list.html",
        {
            "filter": {"form": form},
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "month": chosen.get("month"),
            "team": chosen.get("team"),
            "currency": company.currency,
        },
    )


def _list_csv(qs):
    def rows():
        for r in qs.iterator(chunk_size=500):
            s = r.figures.get("summary", {})
            yield [
                f"{r.month:%Y-%m}",
                r.rep,
                r.rep.team or "",
                r.get_status_display(),
                s.get("plans_submitted"),
                s.get("weeks"),
                s.get("goal_metric") or "",
                s.get("goal_attainment") or "",
                s.get("won"),
                s.get("won_value"),
                s.get("task_on_time_rate") or "",
                r.open_misses,
                r.causes_given,
                r.shared_at.isoformat() if r.shared_at else "",
                r.acknowledged_at.isoformat() if r.acknowledged_at else "",
            ]

    return csv_response(
        "monthly-reviews.csv",
        [
            pgettext("CSV column", "month"),
            pgettext("CSV column", "rep"),
            pgettext("CSV column", "team"),
            pgettext("CSV column", "status"),
            pgettext("CSV column", "plans_submitted"),
            pgettext("CSV column", "weeks"),
            pgettext("CSV column", "month_goal"),
            pgettext("CSV column", "goal_attainment_percent"),
            pgettext("CSV column", "deals_won"),
            pgettext("CSV column", "won_value"),
            pgettext("CSV column", "tasks_on_time_percent"),
            pgettext("CSV column", "misses"),
            pgettext("CSV column", "misses_with_cause"),
            pgettext("CSV column", "shared_at"),
            pgettext("CSV column", "acknowledged_at"),
        ],
        rows(),
    )


# --- One review ---------------------------------------------------------------------------------


def _detail_context(request, review: MonthlyReview, **forms) -> dict:
    user = request.user
    is_rep = review.rep_id == user.pk
    can_annotate = user.reviews_plans and review.status != ReviewStatus.ACKNOWLEDGED
    misses = list(review.misses.all())
    initial = {"version": review.version}
    figures = review.figures
    _label_misses(misses, figures)
    return {
        "review": review,
        "f": figures,
        **_dated(figures),
        "currency": CompanySettings.load().currency,
        "is_rep": is_rep,
        "can_annotate": can_annotate,
        "can_regenerate": user.reviews_plans,
        "misses": [m for m in misses if not m.stale],
        "stale_misses": [m for m in misses if m.stale],
        "root_causes": ROOT_CAUSES,
        "actions": review.actions.select_related("task"),
        "notes_form": forms.get("notes_form")
        or NotesForm(
            initial={
                **initial,
                "manager_notes": review.manager_notes,
                "coaching_remarks": review.coaching_remarks,
            }
        ),
        "action_form": forms.get("action_form") or ActionItemForm(),
        "ack_form": forms.get("ack_form")
        or AcknowledgeForm(initial={**initial, "comment": review.rep_comment}),
        "can_acknowledge": is_rep and review.status == ReviewStatus.SHARED,
        "can_comment": is_rep and review.status == ReviewStatus.ACKNOWLEDGED,
    }


def _label_misses(misses, figures: dict) -> None:
    """Each miss's label in the reader's language (stored: English, as the figures)."""
    labels = reviews_selectors.gap_labels(figures)
    for miss in misses:
        miss.display_label = labels.get(miss.key, miss.label)


def _dated(figures: dict) -> dict:
    """The figures' ISO dates as dates, and their stored keys (a plan's or a goal's
    status) as words in the reader's language, for the template."""
    day = date.fromisoformat
    lights, plan_statuses = dict(Status.choices), dict(PlanStatus.choices)
    for row in [*figures.get("goals", []), *figures.get("kpis", [])]:
        row["status_label"] = lights.get(row.get("status"), row.get("status") or "")
    for goal in figures.get("goals", []):
        goal["period_text"] = reviews_selectors.period_text(goal)
    missed = figures.get("missed", {})
    for d in missed.get("overdue_next_steps", {}).get("items", []):
        d["day"] = day(d["date"])
    for t in missed.get("overdue_tasks", {}).get("items", []):
        t["day"] = day(t["due"])
    alerts = [
        {
            **a,
            "opened": day(a["opened_on"]),
            "worsened": day(a["worsened_on"]) if a["worsened_on"] else None,
            "closed": day(a["closed_on"]) if a["closed_on"] else None,
            "actions": [
                {
                    **x,
                    "day": day(x["on"]),
                    "until": day(x["snoozed_until"]) if x["snoozed_until"] else None,
                }
                for x in a["actions"]
            ],
        }
        for a in figures.get("alerts", [])  # reviews built before alerts had actions: none
    ]
    return {
        "has_alerts": "alerts" in figures,
        "alerts": alerts,
        "plan_rows": [
            {
                **w,
                "week": day(w["week_start"]),
                "status_label": plan_statuses.get(w.get("status"), w.get("status") or ""),
            }
            for w in figures.get("plans", {}).get("rows", [])
        ],
        "month_end": day(figures["end"]) if "end" in figures else None,
    }


def review_detail(request, pk):
    review = _visible(request, pk)
    return render(request, "reporting/reviews/detail.html", _detail_context(request, review))


def _rerender(request, review, status=400, **forms):
    review.refresh_from_db()
    return render(
        request,
        "reporting/reviews/detail.html",
        _detail_context(request, review, **forms),
        status=status,
    )


@require_POST
def review_annotate(request, pk):
    review = _visible(request, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        given = {
            name: form.cleaned_data[name]
            for name in reviews.ANNOTATIONS
            if name in request.POST  # a page form carries only its own fields
        }
        try:
            reviews.annotate_review(
                review=review, by=request.user, version=form.cleaned_data["version"], **given
            )
        except (ConflictError, RuleViolation) as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("Notes saved."))
            return redirect("reviews:detail", pk=review.pk)
    return _rerender(request, review, notes_form=form)


@require_POST
def review_miss(request, pk, miss_pk):
    review = _visible(request, pk)
    miss = get_object_or_404(ReviewMiss.objects.filter(review=review), pk=miss_pk)
    form = MissForm(request.POST)
    error = None
    if form.is_valid():
        try:
            reviews.set_miss_cause(
                miss=miss,
                by=request.user,
                root_cause=form.cleaned_data["root_cause"],
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except (RuleViolation, ConflictError) as exc:
            error = _message(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        miss.refresh_from_db()
        _label_misses([miss], review.figures)
        if error and form.is_valid():
            # Nothing lost: the cause and note as typed, with the version they were read at.
            data = form.cleaned_data
            miss.root_cause, miss.note, miss.version = (
                data["root_cause"],
                data["note"],
                data["version"],
            )
        context = {
            "miss": miss,
            "review": review,
            "can_annotate": True,
            "root_causes": ROOT_CAUSES,
            "error": error,
            "saved": error is None,
        }
        return render(request, "reporting/reviews/_miss.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Root cause saved."))
    return redirect(f"{review_url(review)}#miss-{miss.pk}")


def review_url(review) -> str:
    return reverse("reviews:detail", args=[review.pk])


@require_POST
def review_action_add(request, pk):
    review = _visible(request, pk)
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            reviews.add_action_item(review=review, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Action item added; the rep has it as a task."))
            return redirect(f"{review_url(review)}#actions")
    return _rerender(request, review, action_form=form)


@require_POST
def review_action_remove(request, pk, action_pk):
    review = _visible(request, pk)
    action = get_object_or_404(ReviewActionItem.objects.filter(review=review), pk=action_pk)
    try:
        reviews.remove_action_item(action=action, by=request.user)
    except RuleViolation as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Action item removed."))
    return redirect(f"{review_url(review)}#actions")


def _versioned(request, review, service, success: str, **extra):
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the review and try again."))
        return redirect("reviews:detail", pk=review.pk)
    try:
        service(review=review, by=request.user, version=form.cleaned_data["version"], **extra)
    except (RuleViolation, ConflictError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, success)
    return redirect("reviews:detail", pk=review.pk)


@require_POST
def review_share(request, pk):
    review = _visible(request, pk)
    return _versioned(
        request, review, reviews.share_review, _("Shared with %(rep)s.") % {"rep": review.rep}
    )


@require_POST
def review_regenerate(request, pk):
    review = _visible(request, pk)
    reviews.regenerate_review(review=review, by=request.user)
    messages.success(request, _("Figures recalculated; notes, causes and actions kept."))
    return redirect("reviews:detail", pk=review.pk)


def _rep_answers(request, pk, *, service, done: str):
    """The rep's own words on their review: acknowledging it, or commenting after."""
    review = _visible(request, pk)
    if review.rep_id != request.user.pk:
        raise PermissionDenied(_("Only the rep answers their own review."))
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            service(
                review=review,
                by=request.user,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except (RuleViolation, ConflictError) as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, done)
            return redirect("reviews:detail", pk=review.pk)
    return _rerender(request, review, ack_form=form)


@require_POST
def review_acknowledge(request, pk):
    return _rep_answers(
        request,
        pk,
        service=reviews.acknowledge_review,
        done=_("Review acknowledged; your manager is told."),
    )


@require_POST
def review_comment(request, pk):
    return _rep_answers(request, pk, service=reviews.comment_on_review, done=_("Comment saved."))


# --- Summaries ----------------------------------------------------------------------------------


def _summary_month(request):
    return parse_month(request.GET.get("month")) or _default_month()


def _month_choices(month):
    months = recent_months(CompanySettings.load().today())
    if month not in months:
        months.insert(0, month)
    return months


def _cause_table(counts: list[dict]) -> list[tuple[str, int]]:
    by_cause = {row["root_cause"]: row["count"] for row in counts}
    return [(label, by_cause.get(key, 0)) for key, label in ROOT_CAUSES]


def team_summary(request):
    """A manager's month: each rep's review with its key figures, totals, causes, statuses."""
    if not request.user.reviews_plans:
        raise Http404
    teams = list(Team.objects.managed_by(request.user).select_related("division"))
    month = _summary_month(request)
    context = {"teams": teams, "month": month, "months": _month_choices(month)}
    if not teams:
        return render(request, "reporting/reviews/team_summary.html", context)
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0])
    team_reviews = MonthlyReview.objects.visible_to(request.user).filter(
        month=month, rep__team=team
    )
    rows = list(
        team_reviews.select_related("rep")
        .annotate(
            open_misses=Count("misses", filter=Q(misses__stale=False)),
            causes_given=Count("misses", filter=Q(misses__stale=False) & ~Q(misses__root_cause="")),
        )
        .order_by("rep__first_name", "rep__last_name", "pk")
    )
    without = (
        User.objects.visible_to(request.user)
        .reps()
        .filter(team=team)
        .exclude(monthly_reviews__month=month)
        .order_by("first_name", "last_name")
    )
    if request.GET.get("export") == "csv":
        return _summary_csv(f"team-{team.pk}-reviews-{month:%Y-%m}.csv", rows)
    context.update(
        {
            "team": team,
            "rows": rows,
            "without": list(without),
            "totals": reviews_selectors.summary_totals(team_reviews),
            "causes": _cause_table(reviews_selectors.root_cause_counts(team_reviews)),
            "currency": CompanySettings.load().currency,
        }
    )
    return render(request, "reporting/reviews/team_summary.html", context)


def _summary_csv(filename, rows):
    return csv_response(
        filename,
        [
            pgettext("CSV column", "rep"),
            pgettext("CSV column", "status"),
            pgettext("CSV column", "plans_submitted"),
            pgettext("CSV column", "weeks"),
            pgettext("CSV column", "goal_attainment_percent"),
            pgettext("CSV column", "deals_won"),
            pgettext("CSV column", "won_value"),
            pgettext("CSV column", "tasks_on_time_percent"),
            pgettext("CSV column", "misses"),
            pgettext("CSV column", "misses_with_cause"),
        ],
        (
            [
                r.rep,
                r.get_status_display(),
                r.figures.get("summary", {}).get("plans_submitted"),
                r.figures.get("summary", {}).get("weeks"),
                r.figures.get("summary", {}).get("goal_attainment") or "",
                r.figures.get("summary", {}).get("won"),
                r.figures.get("summary", {}).get("won_value"),
                r.figures.get("summary", {}).get("task_on_time_rate") or "",
                r.open_misses,
                r.causes_given,
            ]
            for r in rows
        ),
    )


def division_summary(request):
    """A director's month: each team's reviews summed, causes per team, statuses."""
    user = request.user
    if user.is_admin:
        divisions = list(Division.objects.all())
    elif user.is_director:  # without a division yet: the page says so
        divisions = list(Division.objects.filter(pk=user.division_id)) if user.division_id else []
    else:
        raise Http404
    month = _summary_month(request)
    context = {"divisions": divisions, "month": month, "months": _month_choices(month)}
    if not divisions:
        return render(request, "reporting/reviews/division_summary.html", context)
    division = next(
        (d for d in divisions if str(d.pk) == request.GET.get("division")), divisions[0]
    )
    division_reviews = MonthlyReview.objects.visible_to(user).filter(
        month=month, rep__team__division=division
    )
    rows = reviews_selectors.team_rows(division_reviews)
    causes: dict = {}
    for row in reviews_selectors.root_cause_counts(division_reviews, group="rep__team"):
        causes.setdefault(row["review__rep__team"], {})[row["root_cause"]] = row["count"]
    for row in rows:
        by_cause = causes.get(row["rep__team"], {})
        row["causes"] = [by_cause.get(key, 0) for key, _ in ROOT_CAUSES]
    if request.GET.get("export") == "csv":
        return csv_response(
            f"division-{division.pk}-reviews-{month:%Y-%m}.csv",
            [
                pgettext("CSV column", "team"),
                pgettext("CSV column", "reviews"),
                pgettext("CSV column", "draft"),
                pgettext("CSV column", "shared"),
                pgettext("CSV column", "acknowledged"),
                pgettext("CSV column", "plans_submitted"),
                pgettext("CSV column", "weeks"),
                pgettext("CSV column", "deals_won"),
                pgettext("CSV column", "won_value"),
                pgettext("CSV column", "misses"),
                *(
                    pgettext("CSV column", "cause_%(key)s") % {"key": key or "undecided"}
                    for key, _label in ROOT_CAUSES
                ),
            ],
            (
                [
                    r["rep__team__name"] or _("No team"),
                    r["reviews"],
                    r["draft"],
                    r["shared"],
                    r["acknowledged"],
                    r["plans_submitted"],
                    r["weeks"],
                    r["won"],
                    r["won_value"],
                    r["gaps"],
                    *r["causes"],
                ]
                for r in rows
            ),
        )
    labels = [label for _, label in ROOT_CAUSES]
    for r in rows:  # each team's root causes in words, the ones it has (the page's one cell)
        r["named_causes"] = [(label, n) for label, n in zip(labels, r["causes"], strict=True) if n]
    context.update(
        {
            "division": division,
            "rows": rows,
            "totals": reviews_selectors.summary_totals(division_reviews),
            "causes": _cause_table(reviews_selectors.root_cause_counts(division_reviews)),
            "cause_labels": [label for _, label in ROOT_CAUSES],
            "currency": CompanySettings.load().currency,
        }
    )
    return render(request, "reporting/reviews/division_summary.html", context)
