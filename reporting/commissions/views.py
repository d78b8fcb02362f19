"""Commission pages: statements (list and detail, with CSV) and the plans' terms.

Statements are read through ``CommissionStatement.objects.visible_to``: a rep sees their
own, a manager their teams', a director their division's, an admin all; anything else
is a 404. Plans are configuration, edited in the admin; reps read their own plan's terms
on their statements, so the plans page is for managers, directors and admins.
"""

from django.db.models import Count, Prefetch, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from reporting.commissions.filters import CommissionStatementFilter
from reporting.commissions.selectors import month_to_date, plans_with_terms
from reporting.models import CommissionStatement
from salesmgmt.csv_export import csv_response
from salesmgmt.models import CompanySettings, User
from salesmgmt.web import paginate, query_without_page

STATEMENT_HEADER = [
    "rep",
    "team",
    "month",
    "plan",
    "won_value",
    "quota",
    "attainment_percent",
    "commission",
    "bonus",
    "total",
    "currency",
    "computed_at",
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
        won_value=Sum("won_value"),
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
        STATEMENT_HEADER,
        (
            [
                s.rep,
                s.rep.team or "",
                f"{s.month:%Y-%m}",
                s.plan,
                s.won_value,
                s.quota,
                s.attainment,
                s.commission,
                s.bonus,
                s.total,
                currency,
                s.computed_at.isoformat(),
            ]
            for s in statements.iterator(chunk_size=500)
        ),
    )


def statement_detail(request, pk):
    statement = get_object_or_404(
        CommissionStatement.objects.visible_to(request.user).select_related(
            "rep__team", "plan__quota_metric"
        ),
        pk=pk,
    )
    lines = statement.lines.select_related("deal")
    if request.GET.get("export") == "csv":
        return _lines_csv(statement, lines)
    plan = plans_with_terms().get(pk=statement.plan_id)
    return render(
        request,
        "reporting/commissions/detail.html",
        {"statement": statement, "lines": lines, "plan": plan},
    )


def _lines_csv(statement, lines):
    return csv_response(
        f"commission-{statement.rep.username}-{statement.month:%Y-%m}.csv",
        ["rep", "month", "position", "kind", "description", "deal_id", "base", "rate", "amount"],
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
