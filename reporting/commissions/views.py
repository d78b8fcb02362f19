"""Commission pages: statements (list and detail, with CSV) and the plans' terms.

Statements are read through ``CommissionStatement.objects.visible_to``: a rep sees their
own, a manager their teams', a director their division's, an admin all; anything else
is a 404. The rep's manager (director, admin) adds manual adjustments on the statement
page (``services.add_adjustment``); the rep reads them. Plans are configuration, edited in the admin; reps read their own plan's terms
on their statements, so the plans page is for managers, directors and admins.
"""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from reporting.commissions.filters import CommissionStatementFilter
from reporting.commissions.forms import AdjustmentForm
from reporting.commissions.selectors import month_to_date, plans_with_terms
from reporting.commissions.services import add_adjustment, can_adjust
from reporting.models import CommissionStatement, StatementLine
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, User
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

# Column names in the reader's language (English: machine-style keys); the figures
# stay machine-readable: "." decimals, no grouping, ISO months and times.
STATEMENT_HEADER = [
    pgettext_lazy("CSV column", "rep"),
    pgettext_lazy("CSV column", "team"),
    pgettext_lazy("CSV column", "month"),
    pgettext_lazy("CSV column", "plan"),
    pgettext_lazy("CSV column", "credited_value"),
    pgettext_lazy("CSV column", "quota"),
    pgettext_lazy("CSV column", "attainment_percent"),
    pgettext_lazy("CSV column", "commission"),
    pgettext_lazy("CSV column", "bonus"),
    pgettext_lazy("CSV column", "adjustment"),
    pgettext_lazy("CSV column", "total"),
    pgettext_lazy("CSV column", "currency"),
    pgettext_lazy("CSV column", "computed_at"),
]
LINES_HEADER = [
    pgettext_lazy("CSV column", "rep"),
    pgettext_lazy("CSV column", "month"),
    pgettext_lazy("CSV column", "position"),
    pgettext_lazy("CSV column", "kind"),
    pgettext_lazy("CSV column", "description"),
    pgettext_lazy("CSV column", "deal_id"),
    pgettext_lazy("CSV column", "base"),
    pgettext_lazy("CSV column", "rate"),
    pgettext_lazy("CSV column", "amount"),
]


def statement_list(request):
    statements = CommissionStatement.objects.visible_to(request.user).select_related(
        "rep__team", "plan"
    )
    filterset = CommissionStatementFilter(request.GET, queryset=statements, request=request)
    if request.GET.get("export") == "csv":
        return _statements_csv(filterset.qs)
    totals = filterset.qs.aggregate(
        count=Count("pk"),
        credited_value=Sum("credited_value"),
        commission=Sum("commission"),
        bonus=Sum("bonus"),
        total=Sum("total"),
    )
    return render(
        request,
        "reporting/commissions/list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "totals": totals,
            "preview": month_to_date(rep=request.user),
            "query": query_without_page(request),
        },
    )


def _statements_csv(statements):
    currency = CompanySettings.load().currency
    return csv_response(
        "commission-statements.csv",
        [str(h) for h in STATEMENT_HEADER],
        (
            [
                s.rep,
                s.rep.team or "",
                f"{s.month:%Y-%m}",
                s.plan,
                s.credited_value,
                s.quota,
                s.attainment,
                s.commission,
                s.bonus,
                s.adjustment,
                s.total,
                currency,
                s.computed_at.isoformat(),
            ]
            for s in statements.iterator(chunk_size=500)
        ),
    )


def _visible_statement(request, pk):
    return get_object_or_404(
        CommissionStatement.objects.visible_to(request.user).select_related(
            "rep__team", "plan__quota_metric"
        ),
        pk=pk,
    )


def statement_detail(request, pk, *, form=None, status=200):
    statement = _visible_statement(request, pk)
    lines = statement.lines.select_related("deal")
    if request.GET.get("export") == "csv":
        return _lines_csv(statement, lines)
    plan = plans_with_terms().get(pk=statement.plan_id)
    sales = statement.lines.filter(kind=StatementLine.Kind.SALE).aggregate(
        count=Count("pk"), won=Count("pk", filter=Q(deal__isnull=False))
    )
    sales["walk_ins"] = sales["count"] - sales["won"]
    adjustable = can_adjust(statement, request.user)
    return render(
        request,
        "reporting/commissions/detail.html",
        {
            "statement": statement,
            "lines": lines,
            "plan": plan,
            "sales": sales,
            "can_adjust": adjustable,
            "adjustment_form": (form or AdjustmentForm()) if adjustable else None,
        },
        status=status,
    )


@require_POST
def statement_adjust(request, pk):
    statement = _visible_statement(request, pk)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            add_adjustment(statement=statement, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Adjustment added; the statement is recomputed."))
            return redirect(f"{reverse('commissions:detail', args=[pk])}#lines")
    return statement_detail(request, pk, form=form, status=400)


def _lines_csv(statement, lines):
    return csv_response(
        f"commission-{statement.rep.username}-{statement.month:%Y-%m}.csv",
        [str(h) for h in LINES_HEADER],
        (
            [
                statement.rep,
                f"{statement.month:%Y-%m}",
                line.position,
                line.kind,
                line.description,
                line.deal_id or "",
                line.base,
                line.rate,
                line.amount,
            ]
            for line in lines
        ),
    )


def plan_list(request):
    if not request.user.reviews_plans:
        raise Http404
    members = User.objects.visible_to(request.user).select_related("team")
    plans = (
        plans_with_terms()
        .annotate(member_count=Count("reps", distinct=True))
        .prefetch_related(Prefetch("reps", queryset=members, to_attr="visible_members"))
    )
    return render(request, "reporting/commissions/plans.html", {"plans": plans})
