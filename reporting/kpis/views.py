"""KPI pages: the KPI table for the people one looks after, and the deviation alerts."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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
    ("current", _("Each KPI's own period")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("custom", pgettext_lazy("period", "Custom")),
]
LONGEST_CUSTOM = 366  # days: a custom span longer than a year is a typo

STATUS_WORDS = {
    Status.GREEN: _("on track"),
    Status.AMBER: _("behind"),
    Status.RED: _("far behind"),
    Status.EARLY: _("too early to tell"),
}


def selected_period(request, company: CompanySettings) -> Period:
    """Each KPI's own current period (the default: what the alerts judge), this week /
    month / quarter, or a custom [start, end]. "Own period" spans this month on the
    page's head and the period controls; each row says its own."""
    key = request.GET.get("period", "current")
    today = company.today()
    if key == "current":
        month = month_of(today)
        return Period(month.start, month.end, gettext("each KPI over its own period"), "current")
    if key == "week":
        start = company.week_of(today)
        label = gettext("Week of %(day)s") % {"day": formats.date_format(start, "DATE_MEDIUM")}
        return Period(start, start + timedelta(days=6), label, "week")
    if key == "quarter":
        return quarter_of(today, company.fiscal_year_start_month)
    if key == "custom":
        start, end = parse_day(request.GET.get("start")), parse_day(request.GET.get("end"))
        if start and end and start <= end and (end - start).days < LONGEST_CUSTOM:
            label = "{} – {}".format(
                formats.date_format(start, "DATE_MEDIUM"), formats.date_format(end, "DATE_MEDIUM")
            )
            return Period(start, end, label, "custom")
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
            return gettext("%(subject)s: nothing to measure yet") % {"subject": self.subject.label}
        return gettext(
            "%(subject)s: %(value)s vs target %(target)s (%(status)s; %(thresholds)s)"
        ) % {
            "subject": self.subject.label,
            "value": f"{self.text} {v.per}" if v.per else self.text,
            "target": format_kpi(v.kpi, v.target),
            "status": STATUS_WORDS[v.status],
            "thresholds": thresholds_text(v.kpi, v.amber, v.red),
        }

    @property
    def status_word(self) -> str:
        return str(STATUS_WORDS.get(self.value.status, ""))


def amber_text(kpi, amber) -> str:
    if kpi.direction == KpiDirection.LOWER:
        return gettext("amber above %(value)s") % {"value": format_kpi(kpi, amber)}
    return gettext("amber below %(value)s") % {"value": format_kpi(kpi, amber)}


def red_text(kpi, red) -> str:
    if kpi.direction == KpiDirection.LOWER:
        return gettext("red above %(value)s") % {"value": format_kpi(kpi, red)}
    return gettext("red below %(value)s") % {"value": format_kpi(kpi, red)}


def thresholds_text(kpi, amber, red) -> str:
    return gettext("%(amber)s, %(red)s") % {
        "amber": amber_text(kpi, amber),
        "red": red_text(kpi, red),
    }


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
            v = cells[0].value
            row["target"] = f"{format_kpi(kpi, v.target)} {v.per_period}".strip()
            row["per"] = v.per
            row["amber"] = amber_text(kpi, v.amber)
            row["red"] = red_text(kpi, v.red)
            row["thresholds"] = thresholds_text(kpi, v.amber, v.red)
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
        period_error = gettext(
            "Give a start and an end date, the start first and less than %(days)s "
            "days apart. Showing this month instead."
        ) % {"days": LONGEST_CUSTOM}
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
        pgettext("CSV column", "kpi"),
        pgettext("CSV column", "kind"),
        pgettext("CSV column", "period_start"),
        pgettext("CSV column", "period_end"),
        pgettext("CSV column", "subject"),
        pgettext("CSV column", "value"),
        pgettext("CSV column", "target"),
        pgettext("CSV column", "amber_threshold"),
        pgettext("CSV column", "red_threshold"),
        pgettext("CSV column", "direction"),
        pgettext("CSV column", "status"),
        pgettext("CSV column", "numerator"),
        pgettext("CSV column", "denominator"),
        pgettext("CSV column", "reads"),
    ]
    return csv_response(
        f"kpis-{period.start}-{period.end}.csv",
        header,
        (
            [
                row["kpi"].label,
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
            pgettext("CSV column", "subject"),
            pgettext("CSV column", "owner"),
            pgettext("CSV column", "severity"),
            pgettext("CSV column", "period_start"),
            pgettext("CSV column", "opened_on"),
            pgettext("CSV column", "worsened_on"),
            pgettext("CSV column", "closed_on"),
            pgettext("CSV column", "actual"),
            pgettext("CSV column", "expected"),
            pgettext("CSV column", "link"),
            pgettext("CSV column", "acknowledged_at"),
            pgettext("CSV column", "snoozed_until"),
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
