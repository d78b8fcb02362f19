"""Report packs: chosen reports e-mailed every month to chosen people.

A pack is due once its day of the month and hour (company time) have come; the
job then sends last month's reports, once: ``ReportPackDelivery`` is unique per
(pack, month) and is written under a row lock on the pack, in the same
transaction that sends, so two workers never both send and a failed send is
retried on the next run. Reports are computed with company (admin) scope.

Each recipient reads the e-mail in their own language (``language_of``): the pack goes
out as one message per language among its recipients, the other addresses in the
company's default language.

The e-mail: the company monthly report as the HTML body (with a plain-text
alternative) when the pack includes it, and one CSV per chosen table
(formula-injection safe, ``salesmgmt.csv_export.safe_cell``). Recipients are
blind-copied: investors and staff do not see each other's addresses.
"""

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from plans.goals.selectors import GoalProgress, attainments_by, goal_progress, mean_percent
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.company.report import company_report_context
from reporting.company.selectors import CompanyScope, company_scope
from reporting.kpis.selectors import evaluate_kpis
from reporting.models import (
    CommissionStatement,
    Kpi,
    ReportKind,
    ReportPack,
    ReportPackDelivery,
    ReviewStatus,
)
from salesmgmt.calendar import Period, month_of, previous_month
from salesmgmt.csv_export import safe_cell
from salesmgmt.errors import RuleViolation
from salesmgmt.i18n import company_default, language_of
from salesmgmt.models import CompanySettings, Role, User
from salesmgmt.money import quantize
from salesmgmt.versioning import check_version, lock_row

log = logging.getLogger(__name__)

CSV_KINDS = (
    ReportKind.LEADERBOARD,
    ReportKind.GOALS,
    ReportKind.KPIS,
    ReportKind.COMMISSIONS,
    ReportKind.TEAM_SUMMARY,
)


# --- Addresses ------------------------------------------------------------------------------------


def parse_extra_emails(text: str) -> list[str]:
    """One address per line (commas and semicolons work too); refuses any that is not one."""
    addresses, bad = [], []
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
        else:
            if address.lower() not in (a.lower() for a in addresses):
                addresses.append(address)
    if bad:
        raise ValidationError(
            ngettext(
                "Not an e-mail address: %(addresses)s. Put one address on each line.",
                "Not e-mail addresses: %(addresses)s. Put one address on each line.",
                len(bad),
            )
            % {"addresses": ", ".join(bad)}
        )
    return addresses


def pack_addresses(pack: ReportPack) -> list[str]:
    """Recipients' addresses (active users with one) then the extra ones, without repeats."""
    addresses: list[str] = []
    users = pack.recipients.filter(is_active=True).exclude(email="").order_by("email")
    extra = parse_extra_emails(pack.extra_emails) if pack.extra_emails else []
    for address in [u.email for u in users] + extra:
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    return addresses


def pack_audiences(pack: ReportPack) -> dict[str, list[str]]:
    """{language: addresses}: each recipient in their own language, the extra addresses
    (people without an account) in the company's default one; no address twice."""
    users = pack.recipients.filter(is_active=True).exclude(email="").order_by("email")
    extra = parse_extra_emails(pack.extra_emails) if pack.extra_emails else []
    default = company_default()
    audiences: dict[str, list[str]] = {}
    seen: set[str] = set()
    for address, language in [(u.email, language_of(u)) for u in users] + [
        (a, default) for a in extra
    ]:
        if address.lower() not in seen:
            seen.add(address.lower())
            audiences.setdefault(language, []).append(address)
    return audiences


# --- Writes ---------------------------------------------------------------------------------------


@transaction.atomic
def save_pack(
    *,
    by: User,
    name: str,
    reports: list[str],
    recipients: list[User],
    extra_emails: str,
    day_of_month: int,
    hour: int,
    active: bool,
    pack: ReportPack | None = None,
    version: int | None = None,
) -> ReportPack:
    """Create or change a pack. Only admins; it needs a report and someone to send it to.

    A change made from a read of ``version`` is refused (ConflictError) if another
    admin changed the pack since; that is checked before the rules."""
    if not by.is_admin:
        raise RuleViolation(_("Only administrators schedule report packs."))
    if pack is not None:
        pack = _locked_pack(pack, version)
    errors = {}
    unknown = [r for r in reports if r not in ReportKind.values]
    if not reports or unknown:
        errors["reports"] = (
            _("Choose at least one report.") if not reports else _("Unknown report.")
        )
    try:
        extra = parse_extra_emails(extra_emails)
    except ValidationError as exc:
        errors["extra_emails"] = exc.messages
        extra = []
    if not recipients and not extra and "extra_emails" not in errors:
        errors["recipients"] = _("Choose a recipient or give an e-mail address.")
    if errors:
        raise RuleViolation(errors)
    pack = pack or ReportPack(created_by=by)
    pack.name = name
    pack.reports = [k for k in ReportKind.values if k in reports]  # the catalogue's order
    pack.extra_emails = "\n".join(extra)
    pack.day_of_month, pack.hour, pack.active = day_of_month, hour, active
    pack.full_clean(exclude=["created_by"])
    pack.save()
    pack.recipients.set(recipients)
    return pack


@transaction.atomic
def delete_report_pack(*, pack: ReportPack, by: User, version: int | None) -> None:
    """Remove a pack as the admin saw it: changed since (``version``), it is a conflict,
    so nobody deletes what another admin just set up without seeing it."""
    if not by.is_admin:
        raise RuleViolation(_("Only administrators schedule report packs."))
    pack = lock_row(ReportPack, pack.pk, gone=_("Somebody removed this report pack already."))
    check_version(pack, version)
    pack.delete()


def _locked_pack(pack: ReportPack, version: int | None) -> ReportPack:
    """The pack locked by its key, its version checked (None passes) and raised."""
    locked = lock_row(
        ReportPack, pack.pk, gone=_("Somebody removed this report pack since you opened it.")
    )
    check_version(locked, version)
    locked.version += 1
    return locked


# --- CSV attachments ------------------------------------------------------------------------------


@dataclass
class Attachment:
    """A CSV: the header in the language active when it is built (the reader's), the
    figures machine-readable ("." decimals, no grouping, ISO dates)."""

    filename: str
    header: list[str]
    rows: list[list]

    def __post_init__(self):
        self.header = [str(h) for h in self.header]  # lazy column names, translated now

    @property
    def content(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow([safe_cell(v) for v in row])
        return out.getvalue()


def _blank(value):
    return "" if value is None else value


# The columns' names in the reader's language (English keeps the machine-style keys).
GOALS_TABLE_HEADER = [
    pgettext_lazy("CSV column", "scope"), pgettext_lazy("CSV column", "of"),
    pgettext_lazy("CSV column", "metric"), pgettext_lazy("CSV column", "period"),
    pgettext_lazy("CSV column", "start"), pgettext_lazy("CSV column", "end"),
    pgettext_lazy("CSV column", "target"), pgettext_lazy("CSV column", "stretch"),
    pgettext_lazy("CSV column", "actual"), pgettext_lazy("CSV column", "expected"),
    pgettext_lazy("CSV column", "attainment_percent"),
    pgettext_lazy("CSV column", "pace_percent"), pgettext_lazy("CSV column", "projection"),
    pgettext_lazy("CSV column", "status"),
]  # fmt: skip


def goals_table_row(p: GoalProgress) -> list:
    """A goal's line in the goals table (the pack's attachment and the company dashboard's CSV)."""
    return [
        p.goal.get_scope_display(), p.goal.owner_label, p.goal.label,
        p.goal.get_period_display(), p.goal.start, p.goal.end, p.goal.target,
        _blank(p.goal.stretch_target), p.actual, p.expected, _blank(p.attainment),
        _blank(p.pace), _blank(p.projection), p.status,
    ]  # fmt: skip


def _as_of(month: Period) -> date:
    return min(month.end, CompanySettings.load().today())


def leaderboard_table(scope: CompanyScope, month: Period) -> Attachment:
    """Reps ranked by the month's credited sales, then by mean attainment of their month goals."""
    values = dict(
        scope.activities()
        .credited_sales(start=month.start, end=month.end)
        .values_list("rep")
        .annotate(total=Sum("quantity"))
    )
    goals = Goal.objects.filter(
        scope=GoalScope.REP,
        period=GoalPeriod.MONTH,
        rep__in=scope.reps(),
        start__lte=month.end,
        end__gte=month.start,
    )
    attainments = attainments_by(
        goal_progress(goals, as_of=_as_of(month)), lambda goal: goal.rep_id
    )
    reps = [
        r
        for r in scope.reps().select_related("team__division")
        if r.is_active or r.pk in values or r.pk in attainments
    ]

    def mean(rep):
        return mean_percent(attainments.get(rep.pk, []))

    ranked = sorted(
        reps,
        key=lambda r: (-(values.get(r.pk) or 0), -(mean(r) or Decimal("-1")), str(r)),
    )
    return Attachment(
        f"leaderboard-{month.start:%Y-%m}.csv",
        [pgettext("CSV column", "rank"), pgettext("CSV column", "rep"),
         pgettext("CSV column", "username"), pgettext("CSV column", "team"),
         pgettext("CSV column", "division"), pgettext("CSV column", "sales_value"),
         pgettext("CSV column", "month_goals"),
         pgettext("CSV column", "mean_goal_attainment_percent")],
        [
            [n, str(r), r.username, r.team.name if r.team else "",
             r.team.division.name if r.team else "", quantize(values.get(r.pk) or Decimal(0)),
             len(attainments.get(r.pk, [])), _blank(mean(r))]
            for n, r in enumerate(ranked, start=1)
        ],
    )  # fmt: skip


def goals_table(scope: CompanyScope, month: Period) -> Attachment:
    """Every goal that ran in the month, with its pace as of the month's end."""
    goals = Goal.objects.filter(start__lte=month.end, end__gte=month.start).filter(
        Q(scope=GoalScope.COMPANY)
        | Q(division__in=scope.teams().values("division"))
        | Q(team__in=scope.teams())
        | Q(rep__in=scope.reps())
    )
    progress = goal_progress(
        goals.order_by(
            "scope", "division__name", "team__name", "rep__first_name", "metric__position"
        ),
        as_of=_as_of(month),
    )
    return Attachment(
        f"goals-{month.start:%Y-%m}.csv", GOALS_TABLE_HEADER, [goals_table_row(p) for p in progress]
    )


def kpis_table(scope: CompanyScope, month: Period) -> Attachment:
    """Every active KPI for every team over the month."""
    teams = list(scope.teams().select_related("division"))
    members: dict[int, list[int]] = {t.pk: [] for t in teams}
    # A KPI averages over the reps at work, as on the KPI page (kpis.selectors.kpi_subjects).
    for rep_id, team_id in scope.reps().reps().filter(team__in=teams).values_list("pk", "team"):
        members[team_id].append(rep_id)
    kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
    values = evaluate_kpis(
        kpis, groups=members, start=month.start, end=month.end, as_of=_as_of(month)
    )
    return Attachment(
        f"kpis-by-team-{month.start:%Y-%m}.csv",
        [pgettext("CSV column", "team"), pgettext("CSV column", "division"),
         pgettext("CSV column", "kpi"), pgettext("CSV column", "unit"),
         pgettext("CSV column", "value"), pgettext("CSV column", "target"),
         pgettext("CSV column", "amber"), pgettext("CSV column", "red"),
         pgettext("CSV column", "direction"), pgettext("CSV column", "status")],
        [
            [t.name, t.division.name, k.name,
             "percent" if k.is_percent else ("money" if k.is_money else "count"),
             _blank(v.value), v.target, v.amber, v.red, k.direction, v.status]
            for t in teams
            for k in kpis
            for v in [values[(k.pk, t.pk)]]
        ],
    )  # fmt: skip


def commissions_table(scope: CompanyScope, month: Period) -> Attachment:
    statements = (
        CommissionStatement.objects.filter(month=month.start, rep__in=scope.reps())
        .select_related("rep__team", "plan")
        .order_by("rep__team__name", "rep__first_name", "rep__last_name")
    )
    return Attachment(
        f"commission-statements-{month.start:%Y-%m}.csv",
        [pgettext("CSV column", "rep"), pgettext("CSV column", "username"),
         pgettext("CSV column", "team"), pgettext("CSV column", "plan"),
         pgettext("CSV column", "credited_value"), pgettext("CSV column", "quota"),
         pgettext("CSV column", "attainment_percent"), pgettext("CSV column", "commission"),
         pgettext("CSV column", "bonus"), pgettext("CSV column", "adjustment"),
         pgettext("CSV column", "total")],
        [
            [str(s.rep), s.rep.username, s.rep.team.name if s.rep.team else "", s.plan.name,
             s.credited_value, _blank(s.quota), _blank(s.attainment), s.commission, s.bonus, s.adjustment,
             s.total]
            for s in statements
        ],
    )  # fmt: skip


def team_summaries_table(scope: CompanyScope, month: Period) -> Attachment:
    """Per team: reps, and the month's reviews by status (one query)."""
    reviews = "members__monthly_reviews"
    of_month = Q(**{f"{reviews}__month": month.start})

    def by_status(status):
        return Count(
            f"{reviews}", filter=of_month & Q(**{f"{reviews}__status": status}), distinct=True
        )

    teams = (
        scope.teams()
        .select_related("division", "manager")
        .annotate(
            reps=Count(
                "members", filter=Q(members__role=Role.REP, members__is_active=True), distinct=True
            ),
            reviews=Count(reviews, filter=of_month, distinct=True),
            draft=by_status(ReviewStatus.DRAFT),
            shared=by_status(ReviewStatus.SHARED),
            acknowledged=by_status(ReviewStatus.ACKNOWLEDGED),
        )
        .order_by("division__name", "name")
    )
    return Attachment(
        f"team-summaries-{month.start:%Y-%m}.csv",
        [pgettext("CSV column", "team"), pgettext("CSV column", "division"),
         pgettext("CSV column", "manager"), pgettext("CSV column", "reps"),
         pgettext("CSV column", "reviews"), pgettext("CSV column", "ready_for_manager"),
         pgettext("CSV column", "shared"), pgettext("CSV column", "acknowledged"),
         pgettext("CSV column", "reps_without_review")],
        [
            [t.name, t.division.name, str(t.manager) if t.manager else "", t.reps, t.reviews,
             t.draft, t.shared, t.acknowledged, max(t.reps - t.reviews, 0)]
            for t in teams
        ],
    )  # fmt: skip


TABLES = {
    ReportKind.LEADERBOARD: leaderboard_table,
    ReportKind.GOALS: goals_table,
    ReportKind.KPIS: kpis_table,
    ReportKind.COMMISSIONS: commissions_table,
    ReportKind.TEAM_SUMMARY: team_summaries_table,
}


# --- The e-mail -----------------------------------------------------------------------------------


@dataclass
class PackEmail:
    subject: str
    addresses: list[str]
    text: str
    html: str
    attachments: list[Attachment]
    month: Period
    language: str

    def message(self) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            bcc=self.addresses,
            headers={"Content-Language": self.language},
        )
        message.attach_alternative(self.html, "text/html")
        for a in self.attachments:
            message.attach(a.filename, a.content, "text/csv")
        return message


def build_pack_email(
    pack: ReportPack,
    month: date,
    *,
    language: str | None = None,
    addresses: list[str] | None = None,
) -> PackEmail:
    """What ``pack`` sends for ``month`` (any day of it), computed with company scope and
    written in ``language`` (the active one unless told), to ``addresses`` (everyone's
    unless told)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        company = CompanySettings.load()
        scope = company_scope()
        period = month_of(month)
        report = (
            company_report_context(user_or_scope=scope, month=period.start)
            if ReportKind.COMPANY_MONTHLY in pack.reports
            else None
        )
        attachments = [TABLES[kind](scope, period) for kind in CSV_KINDS if kind in pack.reports]
        context = {
            "pack": pack,
            "month": period,
            "report": report,
            "attachments": attachments,
            "company": company,
            "kinds": [ReportKind(k).label for k in pack.reports if k in ReportKind.values],
        }
        return PackEmail(
            subject=_("%(company)s: %(pack)s — %(month)s")
            % {
                "company": company.name,
                "pack": pack.name,
                "month": formats.date_format(period.start, "MONTH_YEAR"),
            },
            addresses=pack_addresses(pack) if addresses is None else addresses,
            text=render_to_string("reporting/packs/email/report_pack.txt", context),
            html=render_to_string("reporting/packs/email/report_pack.html", context),
            attachments=attachments,
            month=period,
            language=language,
        )


@transaction.atomic
def deliver_pack(
    *, pack: ReportPack, month: date, again: bool = False
) -> ReportPackDelivery | None:
    """Send ``pack`` for ``month`` (its first day) unless it went out already.

    The pack row is locked first, so a second worker waits and then finds the
    delivery. ``again`` (an admin's "send now") sends even so. The delivery row is
    written before sending: if sending fails, the transaction rolls it back. One
    message goes out per language among the recipients, each in that language.
    """
    locked = ReportPack.objects.select_for_update().get(pk=pack.pk)
    delivered = ReportPackDelivery.objects.filter(pack=locked, month=month).first()
    if delivered and not again:
        return None
    addresses = pack_addresses(locked)
    if not addresses:
        return None
    delivery = delivered or ReportPackDelivery(pack=locked, month=month)
    delivery.recipients = "\n".join(addresses)
    delivery.save()
    for language, group in pack_audiences(locked).items():
        build_pack_email(locked, month, language=language, addresses=group).message().send()
    return delivery


def send_report_packs(*, now=None) -> int:
    """The hourly job: every active pack that is due this month and has not gone out
    for last month goes out now. Returns how many packs were sent."""
    company = CompanySettings.load()
    local = timezone.localtime(now or timezone.now(), company.tzinfo)
    month = previous_month(local.date())
    due = [
        pack
        for pack in ReportPack.objects.filter(active=True).exclude(deliveries__month=month)
        if (local.day, local.hour) >= (pack.day_of_month, pack.hour)
    ]
    sent = 0
    for pack in due:
        try:
            sent += deliver_pack(pack=pack, month=month) is not None
        except ValidationError as exc:  # an address saved without the pages' checks
            log.error("Report pack %s not sent: %s", pack.pk, "; ".join(exc.messages))
    return sent


def send_pack_now(*, pack: ReportPack, by: User) -> ReportPackDelivery | None:
    """An admin sends last month's pack right away (again, if it went out already)."""
    if not by.is_admin:
        raise RuleViolation(_("Only administrators send report packs."))
    month = previous_month(CompanySettings.load().today())
    return deliver_pack(pack=pack, month=month, again=True)
