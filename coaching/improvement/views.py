"""Improvement plan pages: the list, opening one, one plan, editing it, and the writes
on a plan's page (the rep's acknowledgement and comment; the manager's checkpoints,
extension and closing).

Every read goes through ``ImprovementPlan.objects.visible_to``; a plan outside it
answers 404. Writes go through coaching.improvement.services; a refusal shows next to
the form that asked, with what was typed kept.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from coaching.improvement import selectors
from coaching.improvement import services as improvement
from coaching.improvement.filters import ImprovementPlanFilter
from coaching.improvement.forms import (
    AcknowledgeForm,
    CheckpointAddForm,
    CheckpointFormSet,
    CheckpointRecordForm,
    CloseForm,
    CommentForm,
    ExtendForm,
    PlanForm,
    RepPickForm,
)
from coaching.models import ImprovementCheckpoint, ImprovementPlan
from reporting.models import MonthlyReview, ReviewMiss
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings
from salesmgmt.web import apply_rule_errors, paginate, plain_number, query_without_page


def _visible(request, pk) -> ImprovementPlan:
    return get_object_or_404(selectors.plan_detail(request.user), pk=pk)


def _message(exc) -> str:
    return exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)


# --- The list -----------------------------------------------------------------------------------


def plan_list(request):
    filterset = ImprovementPlanFilter.for_page(
        request.GET, queryset=selectors.plan_rows(request.user), request=request
    )
    if request.user.is_rep:  # their own plans only: no one else to filter by
        filterset.filters.pop("rep")
        filterset.filters.pop("team")
    plans = filterset.qs
    if request.GET.get("export") == "csv":
        return _list_csv(plans)
    return render(
        request,
        "coaching/improvement/list.html",
        {
            "filter": filterset,
            "page": paginate(request, plans),
            "query": query_without_page(request),
            "today": CompanySettings.load().today(),
        },
    )


# The columns, named in the reader's language when exported (order and values stay).
CSV_HEADER = [
    pgettext_lazy("CSV header", "id"),
    pgettext_lazy("CSV header", "rep"),
    pgettext_lazy("CSV header", "team"),
    pgettext_lazy("CSV header", "manager"),
    pgettext_lazy("CSV header", "starts_on"),
    pgettext_lazy("CSV header", "ends_on"),
    pgettext_lazy("CSV header", "outcome"),
    pgettext_lazy("CSV header", "next_checkpoint"),
    pgettext_lazy("CSV header", "checkpoints_done"),
    pgettext_lazy("CSV header", "checkpoints_total"),
    pgettext_lazy("CSV header", "acknowledged_at"),
    pgettext_lazy("CSV header", "goals"),
    pgettext_lazy("CSV header", "outcome_note"),
]


def _list_csv(plans):
    def rows():
        for p in plans.iterator(chunk_size=500):
            yield [
                p.pk,
                p.rep,
                p.rep.team or "",
                p.manager,
                p.starts_on,
                p.ends_on,
                p.outcome,
                p.next_checkpoint or "",
                p.checkpoints_done,
                p.checkpoints_total,
                p.acknowledged_at.isoformat() if p.acknowledged_at else "",
                p.goals_text,
                p.outcome_note,
            ]

    return csv_response("improvement-plans.csv", [str(name) for name in CSV_HEADER], rows())


# --- Opening a plan -----------------------------------------------------------------------------


def _miss_from(request, value) -> ReviewMiss | None:
    """The ``?miss=`` named: on a review the user sees (else 404)."""
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404(_("No such review miss."))
    reviews = MonthlyReview.objects.visible_to(request.user)
    return get_object_or_404(
        ReviewMiss.objects.filter(review__in=reviews).select_related("review__rep"), pk=value
    )


def plan_new(request):
    user = request.user
    if not user.reviews_plans:
        raise PermissionDenied(_("Managers open improvement plans."))
    source = request.POST if request.method == "POST" else request.GET
    miss = _miss_from(request, source.get("miss"))
    if miss is not None:
        rep = miss.review.rep
        try:
            improvement.check_miss(miss=miss, rep=rep, by=user)
        except RuleViolation as exc:
            return render(
                request,
                "coaching/improvement/form.html",
                {"miss": miss, "rep": rep, "miss_error": " ".join(exc.messages)},
            )
    else:
        pick = RepPickForm(source, user=user) if source.get("rep") else None
        if pick is None or not pick.is_valid():
            return render(
                request,
                "coaching/improvement/form.html",
                {"pick_form": pick or RepPickForm(user=user)},
            )
        rep = pick.cleaned_data["rep"]
    if not improvement.manages(user, rep):
        raise PermissionDenied(_("Only the rep's manager opens their improvement plan."))
    since = miss.review.month if miss else None
    if request.method == "POST":
        form = PlanForm(request.POST, user=user, rep=rep, with_reason=miss is None, since=since)
        checkpoints = CheckpointFormSet(request.POST, prefix="checkpoints")
        if form.is_valid() & checkpoints.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            entered = [
                improvement.CheckpointIn(due=c["due"], what=c["what"])
                for c in checkpoints.cleaned_data
                if c and not c.get("DELETE")
            ]
            try:
                plan = improvement.open_plan(
                    by=user, rep=rep, miss=miss, checkpoints=entered, **data
                )
            except RuleViolation as exc:
                _rule_errors(form, checkpoints, exc)
            else:
                messages.success(
                    request, _("Improvement plan opened; %(rep)s is told.") % {"rep": rep}
                )
                return redirect("improvement:detail", pk=plan.pk)
    else:
        today = CompanySettings.load().today()
        form = PlanForm(
            user=user,
            rep=rep,
            with_reason=miss is None,
            since=since,
            initial={"starts_on": today, "goals_text": _goal_from(miss)},
        )
        checkpoints = CheckpointFormSet(prefix="checkpoints")
    return render(
        request,
        "coaching/improvement/form.html",
        {"form": form, "checkpoints": checkpoints, "miss": miss, "rep": rep},
    )


def _goal_from(miss) -> str:
    if miss is None:
        return ""
    return _("%(miss)s: reach %(expected)s (was %(actual)s).") % {
        "miss": miss.display_label,
        "expected": formats.number_format(plain_number(miss.expected), force_grouping=True),
        "actual": formats.number_format(plain_number(miss.actual), force_grouping=True),
    }


def _rule_errors(form, checkpoints, exc: RuleViolation) -> None:
    """A service's refusal next to its field; checkpoint fields go on the formset."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in ("due", "what", "checkpoints"):
                for error in errors:
                    checkpoints._non_form_errors = checkpoints.error_class(
                        [*checkpoints.non_form_errors(), error]
                    )
            elif field in form.fields:
                form.add_error(field, errors)
            else:
                form.add_error(None, errors)
    else:
        apply_rule_errors(form, exc)


# --- One plan -----------------------------------------------------------------------------------


def plan_detail(request, pk):
    return _detail(request, _visible(request, pk))


def _detail(request, plan: ImprovementPlan, status: int = 200, **forms):
    user = request.user
    is_rep = plan.rep_id == user.pk
    is_open = plan.outcome in improvement.OPEN_OUTCOMES
    can_manage = is_open and improvement.manages(user, plan.rep)
    version = {"version": plan.version}
    checkpoints = list(plan.checkpoints.all())
    context = {
        "plan": plan,
        "is_rep": is_rep,
        "is_open": is_open,
        "can_manage": can_manage,
        "checkpoint_rows": [
            (
                c,
                forms.get(f"record_{c.pk}")
                or CheckpointRecordForm(
                    initial={**version, "result": c.result, "done": c.done_at is not None}
                ),
            )
            for c in checkpoints
        ],
        "events": list(plan.events.all()),
        "today": CompanySettings.load().today(),
        "can_acknowledge": is_rep and is_open and plan.acknowledged_at is None,
        "can_comment": is_rep and is_open,
        "ack_form": forms.get("ack_form") or AcknowledgeForm(initial=version),
        "comment_form": forms.get("comment_form") or CommentForm(initial=version),
        "add_form": forms.get("add_form") or CheckpointAddForm(initial=version),
        "extend_form": forms.get("extend_form") or ExtendForm(initial=version),
        "close_form": forms.get("close_form") or CloseForm(initial=version),
    }
    return render(request, "coaching/improvement/detail.html", context, status=status)


def plan_edit(request, pk):
    plan = _visible(request, pk)
    if not improvement.manages(request.user, plan.rep):
        raise PermissionDenied(_("Only the rep's manager edits this plan."))
    if plan.outcome not in improvement.OPEN_OUTCOMES:
        messages.error(request, _("This plan is closed; it no longer changes."))
        return redirect("improvement:detail", pk=plan.pk)
    if request.method == "POST":
        form = PlanForm(
            request.POST,
            user=request.user,
            rep=plan.rep,
            linked=_linked(plan),
            linked_modules=_linked_modules(plan),
            editing=True,
        )
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                improvement.update_plan(plan=plan, by=request.user, **data)
            except (RuleViolation, ConflictError) as exc:
                apply_rule_errors(form, exc)
            else:
                messages.success(request, _("Plan saved; the rep is told what changed."))
                return redirect("improvement:detail", pk=plan.pk)
    else:
        form = PlanForm(
            user=request.user,
            rep=plan.rep,
            linked=_linked(plan),
            linked_modules=_linked_modules(plan),
            editing=True,
            initial={
                "goals_text": plan.goals_text,
                "support_text": plan.support_text,
                "starts_on": plan.starts_on,
                "ends_on": plan.ends_on,
                "goals": list(plan.goals.all()),
                "sessions": list(plan.sessions.all()),
                "modules": list(plan.modules.all()),
                "version": plan.version,
            },
        )
    return render(
        request, "coaching/improvement/form.html", {"form": form, "plan": plan, "rep": plan.rep}
    )


def _linked(plan) -> list[int]:
    return [goal.pk for goal in plan.goals.all()]


def _linked_modules(plan) -> list[int]:
    return list(plan.modules.values_list("pk", flat=True))


def _act(request, pk, form_class, form_name: str, call, done: str, anchor: str):
    """A write from the plan's page: valid input goes to the service; a refusal shows
    on the page again beside the form, with what was typed."""
    plan = _visible(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(plan, form.cleaned_data)
        except (RuleViolation, ConflictError) as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('improvement:detail', args=[plan.pk])}#{anchor}")
    plan = _visible(request, pk)
    return _detail(request, plan, status=400, **{form_name: form})


def _rep_only(request, plan):
    if plan.rep_id != request.user.pk:
        raise PermissionDenied(_("Only the rep answers their own improvement plan."))


def _manager_only(request, plan):
    if not improvement.manages(request.user, plan.rep):
        raise PermissionDenied(_("Only the rep's manager does this."))


@require_POST
def plan_acknowledge(request, pk):
    _rep_only(request, _visible(request, pk))
    return _act(
        request,
        pk,
        AcknowledgeForm,
        "ack_form",
        lambda plan, d: improvement.acknowledge_plan(plan=plan, by=request.user, **d),
        _("Plan acknowledged; your manager is told."),
        "answer",
    )


@require_POST
def plan_comment(request, pk):
    _rep_only(request, _visible(request, pk))
    return _act(
        request,
        pk,
        CommentForm,
        "comment_form",
        lambda plan, d: improvement.comment_on_plan(plan=plan, by=request.user, **d),
        _("Comment saved; your manager is told."),
        "answer",
    )


@require_POST
def checkpoint_add(request, pk):
    _manager_only(request, _visible(request, pk))
    return _act(
        request,
        pk,
        CheckpointAddForm,
        "add_form",
        lambda plan, d: improvement.add_checkpoint(plan=plan, by=request.user, **d),
        _("Checkpoint added."),
        "checkpoints",
    )


@require_POST
def checkpoint_record(request, pk, checkpoint_pk):
    plan = _visible(request, pk)
    _manager_only(request, plan)
    checkpoint = get_object_or_404(
        ImprovementCheckpoint.objects.filter(plan=plan), pk=checkpoint_pk
    )
    return _act(
        request,
        pk,
        CheckpointRecordForm,
        f"record_{checkpoint.pk}",
        lambda plan, d: improvement.record_checkpoint(checkpoint=checkpoint, by=request.user, **d),
        _("Checkpoint saved."),
        f"checkpoint-{checkpoint.pk}",
    )


@require_POST
def plan_extend(request, pk):
    _manager_only(request, _visible(request, pk))
    return _act(
        request,
        pk,
        ExtendForm,
        "extend_form",
        lambda plan, d: improvement.extend_plan(plan=plan, by=request.user, **d),
        _("Plan extended; the rep is told."),
        "outcome",
    )


@require_POST
def plan_close(request, pk):
    _manager_only(request, _visible(request, pk))
    return _act(
        request,
        pk,
        CloseForm,
        "close_form",
        lambda plan, d: improvement.close_plan(plan=plan, by=request.user, **d),
        _("Plan closed; the rep is told."),
        "outcome",
    )
