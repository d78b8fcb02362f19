"""KPI pages: the KPI table for the people one looks after, and the deviation alerts."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.shortcuts import render
from django.urls import reverse

from reporting.alerts.selectors import SNOOZED, present_handling, status_q, with_actions
from reporting.kpis.filters import AlertFilter, recent_episodes
from reporting.kpis.selectors import (
    KpiValue,
    Subject,
    describe,
    evaluate_current,
    evaluate_kpis,
    format_kpi,
    kpi_period,
    kpi_subjects,
)
from reporting.kpis.services import EPISODE_RELATED, episode_figure, episode_owner, episode_subject
from reporting.models import Kpi, KpiDirection, Status
from salesmgmt.calendar import Period, month_of, quarter_of
from salesmgmt.csv_export import csv_response
from salesmgmt.models import CompanySettings
from salesmgmt.web import paginate, parse_day, query_without_page

PERIOD_CHOICES = [
    ("current", "Each KPI's own period"),
    ("week", "This week"),
    ("month", "This month"),
    ("quarter", "This quarter"),
    ("custom", "Custom"),
]
LONGEST_CUSTOM = 366  # days: a custom span longer than a year is a typo

STATUS_WORDS = {
    Status.GREEN: "on track",
    Status.AMBER: "behind",
    Status.RED: "far behind",
    Status.EARLY: "too early to tell",
}


def selected_period(request, company: CompanySettings) -> Period:
    """Each KPI's own current period (the default: what the alerts judge), this week /
    month / quarter, or a custom [start, end]. "Own period" spans this month on the
    page's head and the period controls; each row says its own."""
    key = request.GET.get("period", "current")
    today = company.today()
    if key == "current":
        month = month_of(today)
        return Period(month.start, month.end, "each KPI over its own period", "current")
    if key == "week":
        start = company.week_of(today)
        return Period(start, start + timedelta(days=6), f"Week of {start:%-d %b %Y}", "week")
    if key == "quarter":
        return quarter_of(today, company.fiscal_year_start_month)
    if key == "custom":
        start, end = parse_day(request.GET.get("start")), parse_day(request.GET.get("end"))
        if start and end and start <= end and (end - start).days < LONGEST_CUSTOM:
            return Period(start, end, f"{start:%-d %b %Y} – {end:%-d %b %Y}", "custom")
    return month_of(today)


@dataclass
class Cell:
    subject: Subject
    value: KpiValue

    @property
    def text(self) -> str:
        return format_kpi(self.value.kpi, self.value.value)

    @property
    def title(self) -> str:
        v = self.value
        if v.value is None:
            return f"{self.subject.label}: nothing to measure yet"
        word = "above" if v.kpi.direction == KpiDirection.LOWER else "below"
        return (
            f"{self.subject.label}: {self.text}{' ' + v.per if v.per else ''} vs target "
            f"{format_kpi(v.kpi, v.target)} "
            f"({STATUS_WORDS[v.status]}; amber {word} {format_kpi(v.kpi, v.amber)}, "
            f"red {word} {format_kpi(v.kpi, v.red)})"
        )

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.value.status, "")


def kpi_rows(user, period: Period):
    """(subjects, rows): one row per active KPI with a cell per subject."""
    subjects = kpi_subjects(user)
    kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
    groups = {s.key: s.rep_ids for s in subjects}
    company = CompanySettings.load()
    if period.key == "current":  # as the alerts judge them: a query family per period kind
        values = evaluate_current(kpis, groups=groups)
        spans = {k.pk: kpi_period(k, company.today(), company) for k in kpis}
    else:
        values = evaluate_kpis(kpis, groups=groups, start=period.start, end=period.end)
        spans = {k.pk: (period.start, period.end) for k in kpis}
    rows = []
    for kpi in kpis:
        cells = [Cell(s, values[(kpi.pk, s.key)]) for s in subjects]
        start, end = spans[kpi.pk]
        row = {
            "kpi": kpi,
            "definition": describe(kpi),
            "cells": cells,
            "target": "—",
            "start": start,
            "end": end,
        }
        if cells:
            v, word = cells[0].value, "above" if kpi.direction == KpiDirection.LOWER else "below"
            row["target"] = f"{format_kpi(kpi, v.target)} {v.per_period}".strip()
            row["per"] = v.per
            row["amber"] = f"amber {word} {format_kpi(kpi, v.amber)}"
            row["red"] = f"red {word} {format_kpi(kpi, v.red)}"
            row["thresholds"] = f"{row['amber']}, {row['red']}"
        rows.append(row)
    return subjects, rows


def _subject_url(subject: Subject) -> str:
    if subject.kind == "rep":
        return reverse("dashboards:rep", args=[subject.pk])
    return ""


def kpi_list(request):
    company = CompanySettings.load()
    period = selected_period(request, company)
    period_error = ""
    if request.GET.get("period") == "custom" and period.key != "custom":
        period_error = (
            f"Give a start and an end date, the start first and less than {LONGEST_CUSTOM} "
            "days apart. Showing this month instead."
        )
    subjects, rows = kpi_rows(request.user, period)
    if request.GET.get("export") == "csv":
        return _kpi_csv(rows, period)
    for s in subjects:
        s.url = _subject_url(s)
    return render(
        request,
        "reporting/kpis/list.html",
        {
            "period": period,
            "period_choices": PERIOD_CHOICES,
            "period_error": period_error,
            "subjects": subjects,
            "rows": rows,
            "today": company.today(),
            "query": request.GET.urlencode(),
        },
    )


def _kpi_csv(rows, period: Period):
    header = [
        "kpi",
        "kind",
        "period_start",
        "period_end",
        "subject",
        "value",
        "target",
        "amber_threshold",
        "red_threshold",
        "direction",
        "status",
        "numerator",
        "denominator",
        "reads",
    ]
    return csv_response(
        f"kpis-{period.start}-{period.end}.csv",
        header,
        (
            [
                row["kpi"].name,
                row["kpi"].kind,
                row["start"],
                row["end"],
                cell.subject.label,
                cell.value.value,
                cell.value.target,
                cell.value.amber,
                cell.value.red,
                row["kpi"].direction,
                cell.value.status,
                cell.value.numerator,
                cell.value.denominator,
                cell.value.per,
            ]
            for row in rows
            for cell in row["cells"]
        ),
    )


def _alerts(request):
    episodes = (
        recent_episodes(request.user)
        .select_related(*EPISODE_RELATED)
        .prefetch_related("goal__channels")  # a goal's label names its channels
        .order_by(F("closed_on").desc(nulls_first=True), "-severity", "-opened_on", "-pk")
    )
    return AlertFilter.for_page(request.GET, queryset=episodes, request=request)


def _present(episode):
    episode.subject = episode_subject(episode)
    episode.owner = episode_owner(episode)
    episode.actual_text = episode_figure(episode, episode.actual)
    episode.expected_text = episode_figure(episode, episode.expected)
    return episode


def alert_list(request):
    filterset = _alerts(request)
    if request.GET.get("export") == "csv":
        return _alerts_csv(filterset.qs)
    page = paginate(request, with_actions(filterset.qs))
    today = CompanySettings.load().today()
    for episode in page:
        present_handling(_present(episode), today)
    counts = recent_episodes(request.user).aggregate(
        open=Count("pk", filter=Q(closed_on__isnull=True) & ~status_q(SNOOZED, today)),
        snoozed=Count("pk", filter=status_q(SNOOZED, today)),
    )
    return render(
        request,
        "reporting/kpis/alert_list.html",
        {
            "filter": filterset,
            "page": page,
            "open_count": counts["open"],
            "snoozed_count": counts["snoozed"],
            "query": query_without_page(request),
            "export_query": request.GET.urlencode(),
        },
    )


def _alerts_csv(episodes):
    return csv_response(
        "deviation-alerts.csv",
        [
            "subject",
            "owner",
            "severity",
            "period_start",
            "opened_on",
            "worsened_on",
            "closed_on",
            "actual",
            "expected",
            "link",
            "acknowledged_at",
            "snoozed_until",
        ],
        (
            [
                episode_subject(e),
                episode_owner(e),
                e.severity,
                e.period_start,
                e.opened_on,
                e.worsened_on,
                e.closed_on,
                e.actual,
                e.expected,
                e.url,
                e.acknowledged_at,
                e.snoozed_until,
            ]
            for e in episodes.iterator(chunk_size=500)
        ),
    )
