"""Control and feedback: KPIs, deviation episodes, monthly reviews, commissions, report packs.

One models module for the reporting app (Django's convention): just over 500 lines of
fields and constraints, with the logic in each feature's selectors and services."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans.models import Status
from salesmgmt.audit.history import AuditedHistory
from salesmgmt.i18n import translated_name
from salesmgmt.scoping import scope_to_people, scope_to_teams

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}


# --- KPIs -------------------------------------------------------------------------------------


class KpiKind(models.TextChoices):
    METRIC_TOTAL = "metric_total", _("Count or sum of a metric")
    RATIO = "ratio", _("Ratio of two metrics")
    STAGE_CONVERSION = "stage_conversion", _("Stage conversion")
    AVG_DEAL_SIZE = "avg_deal_size", _("Average deal size")
    PLAN_SUBMISSION_RATE = "plan_submission_rate", _("Plan submission rate")
    PLAN_ATTAINMENT = "plan_attainment", _("Plan attainment")
    TASK_ON_TIME_RATE = "task_on_time_rate", _("Task on-time rate")


class KpiDirection(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class KpiPeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class KpiQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Kpi(models.Model):
    """An indicator the admin defines: what is measured, the target and when it turns amber/red.

    Targets of ``metric_total`` KPIs are *per rep per period* and are pro-rated to
    today while the period runs; a team's value is the average per rep. Ratios and
    rates are pooled over the scope's numbers and are never pro-rated. Percent KPIs
    (ratio, conversion, rates, attainment) are stored as percentages (30 = 30%).

    With ``direction`` higher: amber below ``amber_threshold``, red below
    ``red_threshold``; with lower, amber above and red above.
    """

    key = models.SlugField(max_length=40, unique=True, verbose_name=_("key"))
    name = models.CharField(max_length=80, verbose_name=_("name"))
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))
    kind = models.CharField(max_length=24, choices=KpiKind.choices, verbose_name=_("kind"))
    metric = models.ForeignKey(
        "activities.Metric",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The metric (count or sum), or the ratio's numerator."),
        verbose_name=_("metric"),
    )
    denominator = models.ForeignKey(
        "activities.Metric",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The ratio's denominator."),
        verbose_name=_("denominator"),
    )
    stage = models.ForeignKey(
        "activities.Stage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For stage conversion: the stage whose deals should move on."),
        verbose_name=_("stage"),
    )
    period = models.CharField(
        max_length=10, choices=KpiPeriod.choices, default=KpiPeriod.MONTH, verbose_name=_("period")
    )
    target = models.DecimalField(**MONEY, verbose_name=_("target"))
    amber_threshold = models.DecimalField(**MONEY, verbose_name=_("amber threshold"))
    red_threshold = models.DecimalField(**MONEY, verbose_name=_("red threshold"))
    direction = models.CharField(
        max_length=6,
        choices=KpiDirection.choices,
        default=KpiDirection.HIGHER,
        verbose_name=_("direction"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    objects = KpiQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("KPI")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the seeded names are in kpis/catalogue_names.py)."""
        return translated_name(self.name)

    @property
    def is_percent(self) -> bool:
        return self.kind not in (KpiKind.METRIC_TOTAL, KpiKind.AVG_DEAL_SIZE)

    @property
    def is_money(self) -> bool:
        if self.kind == KpiKind.AVG_DEAL_SIZE:
            return True
        return (
            self.kind == KpiKind.METRIC_TOTAL and self.metric is not None and self.metric.is_money
        )

    @property
    def is_pro_rated(self) -> bool:
        return self.kind == KpiKind.METRIC_TOTAL


# --- Deviation episodes -------------------------------------------------------------------------


class DeviationEpisodeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rep-level episodes follow the people scope; team, division and company ones
        are seen by those who manage them."""

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        people = scope_to_people(self.filter(rep__isnull=False), user, rep_path="rep")
        teams = scope_to_teams(self.filter(team__isnull=False), user, team_path="team")
        seen = Q(pk__in=people.values("pk")) | Q(pk__in=teams.values("pk"))
        if user.is_director and user.division_id:
            seen |= Q(division=user.division_id)
        return self.filter(seen)

    def open(self):
        return self.filter(closed_on__isnull=True)

    def snoozed(self, today):
        """Open episodes a manager put aside until a later day (back on that day)."""
        return self.filter(closed_on__isnull=True, snoozed_until__gt=today)

    def awake(self, today):
        """Open episodes not snoozed on ``today``: the "open" list."""
        return self.filter(closed_on__isnull=True).exclude(snoozed_until__gt=today)


class DeviationEpisode(models.Model):
    """One stretch of time a goal or KPI ran behind pace, from when it fell behind until it
    recovered. People are told when it starts, and once more if it worsens to red."""

    goal = models.ForeignKey(
        "plans.Goal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="episodes",
        verbose_name=_("goal"),
    )
    kpi = models.ForeignKey(
        Kpi,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="episodes",
        verbose_name=_("KPI"),
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deviation_episodes",
        verbose_name=_("rep"),
    )
    team = models.ForeignKey(
        "salesmgmt.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    division = models.ForeignKey(
        "salesmgmt.Division",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("division"),
    )
    period_start = models.DateField(verbose_name=_("period start"))
    severity = models.CharField(
        max_length=5,
        choices=[(Status.AMBER, _("Behind")), (Status.RED, _("Far behind"))],
        verbose_name=_("severity"),
    )
    opened_on = models.DateField(verbose_name=_("opened on"))
    closed_on = models.DateField(null=True, blank=True, verbose_name=_("closed on"))
    worsened_on = models.DateField(
        null=True, blank=True, help_text=_("When it turned red."), verbose_name=_("worsened on")
    )
    actual = models.DecimalField(**MONEY, verbose_name=_("actual"))
    expected = models.DecimalField(**MONEY, verbose_name=_("expected"))
    url = models.CharField(max_length=300, blank=True)
    # What people did about it (the history is in DeviationAction; these filter fast).
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    snoozed_until = models.DateField(
        null=True,
        blank=True,
        help_text=_("Out of the open list and silent before this day."),
        verbose_name=_("snoozed until"),
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised by an acknowledgement or a snooze; a stale one is refused.")
    )

    objects = DeviationEpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__isnull=False, kpi__isnull=True)
                | Q(goal__isnull=True, kpi__isnull=False),
                name="episode_goal_or_kpi",
            ),
            # One open episode per subject and period, even with two job runs at once.
            models.UniqueConstraint(
                fields=["goal", "period_start"],
                condition=Q(closed_on__isnull=True, goal__isnull=False),
                name="one_open_episode_per_goal",
            ),
            models.UniqueConstraint(
                fields=["kpi", "rep", "period_start"],
                condition=Q(closed_on__isnull=True, kpi__isnull=False),
                name="one_open_episode_per_kpi_rep",
            ),
        ]
        indexes = [models.Index(fields=["closed_on"])]

    def __str__(self):
        subject = self.goal or self.kpi
        return gettext("%(subject)s: %(severity)s since %(day)s") % {
            "subject": subject,
            "severity": self.get_severity_display(),
            "day": formats.date_format(self.opened_on, "DATE_MEDIUM"),
        }


class DeviationActionKind(models.TextChoices):
    NOTE = "note", _("Note")
    TASK = "task", _("Task for the rep")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    SNOOZE = "snooze", _("Snoozed")


class DeviationAction(models.Model):
    """One thing a manager did about a deviation alert: a note, a task given to the rep,
    an acknowledgement ("seen, handled") or a snooze until a day. Never edited."""

    episode = models.ForeignKey(
        DeviationEpisode,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("episode"),
    )
    kind = models.CharField(
        max_length=12, choices=DeviationActionKind.choices, verbose_name=_("kind")
    )
    text = models.TextField(
        blank=True, help_text=_("The note, the task's title or a comment."), verbose_name=_("text")
    )
    task = models.ForeignKey(
        "activities.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    snoozed_until = models.DateField(null=True, blank=True, verbose_name=_("snoozed until"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(verbose_name=_("when"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["episode", "at"])]

    def __str__(self):
        return gettext("%(kind)s on alert %(episode)s") % {
            "kind": self.get_kind_display(),
            "episode": self.episode_id,
        }


# --- Monthly reviews ----------------------------------------------------------------------------


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Ready for the manager")
    SHARED = "shared", _("Shared with the rep")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class RootCause(models.TextChoices):
    PRODUCT = "product", _("Product")
    PRICING = "pricing", _("Pricing")
    DELIVERY = "delivery", _("Delivery delays")
    SERVICE = "service", _("Customer service")
    MARKET = "market", _("Market / competition")
    SKILL = "skill", _("Rep skill")
    EFFORT = "effort", _("Rep effort")


class MonthlyReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers see their reps' reviews; a rep sees their own once it is shared."""
        scoped = scope_to_people(self, user, rep_path="rep")
        if user.is_authenticated and not user.reviews_plans:
            scoped = scoped.exclude(status=ReviewStatus.DRAFT)
        return scoped


class MonthlyReview(models.Model):
    """A rep's month, computed by the monthly job; the manager annotates and shares it.

    ``figures`` holds everything computed (regenerating replaces it); the text fields
    belong to people and survive regeneration.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="monthly_reviews",
        verbose_name=_("rep"),
    )
    month = models.DateField(
        help_text=_("First day of the month reviewed."), verbose_name=_("month")
    )
    status = models.CharField(
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        verbose_name=_("status"),
    )
    figures = models.JSONField(default=dict)
    generated_at = models.DateTimeField(verbose_name=_("generated at"))
    manager_notes = models.TextField(blank=True, verbose_name=_("manager notes"))
    coaching_remarks = models.TextField(blank=True, verbose_name=_("coaching remarks"))
    shared_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shared at"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    rep_comment = models.TextField(blank=True, verbose_name=_("rep comment"))
    version = models.PositiveIntegerField(default=1)

    objects = MonthlyReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "rep__first_name", "rep__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "month"], name="one_review_per_rep_month")
        ]

    def __str__(self):
        return f"{self.rep} — {formats.date_format(self.month, 'MONTH_YEAR')}"


class ReviewMiss(models.Model):
    """A computed gap (a goal or planned metric missed) with the manager's root cause.

    ``key`` names the gap stably ("goal:12", "metric:calls") so regeneration keeps
    the cause and note the manager gave it.
    """

    review = models.ForeignKey(
        MonthlyReview, on_delete=models.CASCADE, related_name="misses", verbose_name=_("review")
    )
    key = models.CharField(max_length=60, verbose_name=_("key"))
    label = models.CharField(max_length=200, verbose_name=_("label"))
    expected = models.DecimalField(**MONEY, verbose_name=_("expected"))
    actual = models.DecimalField(**MONEY, verbose_name=_("actual"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    root_cause = models.CharField(
        max_length=10, choices=RootCause.choices, blank=True, verbose_name=_("root cause")
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    stale = models.BooleanField(
        default=False,
        help_text=_("No longer a miss after regeneration (kept for its text)."),
        verbose_name=_("stale"),
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every write; a stale version is refused.")
    )

    class Meta:
        ordering = ["stale", "position", "pk"]
        verbose_name = _("review miss")
        verbose_name_plural = _("review misses")
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="one_miss_per_review_key")
        ]

    def __str__(self):
        return self.label

    @property
    def display_label(self) -> str:
        """The label in the reader's language: ``label`` is stored in English, and the
        review's figures say what it names ("Calls: planned vs done")."""
        if "_display_label" in self.__dict__:  # a page that worked out all its misses' at once
            return self._display_label
        # reporting.reviews.selectors imports these models: imported here, at use.
        from reporting.reviews.selectors import gap_labels  # noqa: PLC0415

        return gap_labels(self.review.figures).get(self.key, self.label)

    @display_label.setter
    def display_label(self, value: str) -> None:
        self._display_label = value


class ReviewActionItem(models.Model):
    """Something to do after the review; creating it creates the rep's task."""

    review = models.ForeignKey(
        MonthlyReview, on_delete=models.CASCADE, related_name="actions", verbose_name=_("review")
    )
    text = models.CharField(max_length=200, verbose_name=_("text"))
    due = models.DateField(verbose_name=_("due"))
    task = models.OneToOneField(
        "activities.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self):
        return self.text


# --- Compensation -------------------------------------------------------------------------------


class CommissionPlan(models.Model):
    """How a rep earns on their credited sales (``ActivityQuerySet.credited_sales``: won
    deals and walk-ins): a base rate, optional accelerators above quota, an optional cap,
    and bonus rules tied to goal attainment.

    Quota and attainment come from the rep's monthly goal on ``quota_metric``.
    """

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    rate = models.DecimalField(
        **PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Percent of credited sales (won deals and walk-ins)."),
        verbose_name=_("rate"),
    )
    cap = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Most a rep earns in commission per month."),
        verbose_name=_("cap"),
    )
    quota_metric = models.ForeignKey(
        "activities.Metric",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The monthly goal whose attainment drives accelerators and bonuses."),
        verbose_name=_("quota metric"),
    )
    reps = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="commission_plans",
        verbose_name=_("reps"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))

    history = AuditedHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommissionTier(models.Model):
    """An accelerator: credited sales above ``attainment_from``% of quota earns ``rate``."""

    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("plan")
    )
    attainment_from = models.DecimalField(
        **PERCENT, validators=[MinValueValidator(100)], verbose_name=_("attainment from")
    )
    rate = models.DecimalField(
        **PERCENT, validators=[MinValueValidator(Decimal("0"))], verbose_name=_("rate")
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["attainment_from"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "attainment_from"], name="one_tier_per_step")
        ]

    def __str__(self):
        return gettext("%(rate)s%% above %(attainment)s%%") % {
            "rate": formats.localize(self.rate),
            "attainment": formats.localize(self.attainment_from),
        }


class BonusRule(models.Model):
    """A fixed bonus when the month's attainment reaches ``attainment_at_least``%.

    Every rule met pays; a ladder is several rules whose amounts add up.
    """

    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.CASCADE, related_name="bonuses", verbose_name=_("plan")
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    attainment_at_least = models.DecimalField(
        **PERCENT, validators=[MinValueValidator(0)], verbose_name=_("attainment at least")
    )
    amount = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal("0"))], verbose_name=_("amount")
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["attainment_at_least"]

    def __str__(self):
        return self.name


class CommissionStatementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")


class CommissionStatement(models.Model):
    """A rep's earnings for one month, with every line that makes up the total."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commission_statements",
        verbose_name=_("rep"),
    )
    month = models.DateField(verbose_name=_("month"))
    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.PROTECT, related_name="statements", verbose_name=_("plan")
    )
    credited_value = models.DecimalField(
        **MONEY,
        help_text=_("Credited sales of the month: won deals and walk-ins."),
        verbose_name=_("credited value"),
    )
    quota = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("quota"))
    attainment = models.DecimalField(**PERCENT, null=True, blank=True, verbose_name=_("attainment"))
    commission = models.DecimalField(**MONEY, verbose_name=_("commission"))
    bonus = models.DecimalField(**MONEY, verbose_name=_("bonus"))
    adjustment = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text=_("Sum of the managers' manual adjustments."),
        verbose_name=_("adjustment"),
    )
    total = models.DecimalField(**MONEY, verbose_name=_("total"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

    objects = CommissionStatementQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "rep__first_name", "rep__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "month"], name="one_statement_per_rep_month")
        ]

    def __str__(self):
        return f"{self.rep} — {formats.date_format(self.month, 'MONTH_YEAR')}: {formats.localize(self.total)}"


class StatementLine(models.Model):
    class Kind(models.TextChoices):
        SALE = "sale", _("Credited sale")  # the base, line by line; amount 0
        COMMISSION = "commission", _("Commission")
        ACCELERATOR = "accelerator", _("Accelerator")
        CAP = "cap", _("Cap")
        BONUS = "bonus", _("Bonus")
        ADJUSTMENT = "adjustment", _("Adjustment")

    statement = models.ForeignKey(
        CommissionStatement,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("statement"),
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    deal = models.ForeignKey(
        "activities.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deal"),
    )
    description = models.CharField(max_length=200, verbose_name=_("description"))
    base = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("base"))
    rate = models.DecimalField(**PERCENT, null=True, blank=True, verbose_name=_("rate"))
    amount = models.DecimalField(**MONEY, verbose_name=_("amount"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.description}: {self.amount}"


class CommissionAdjustmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")


class CommissionAdjustment(models.Model):
    """A manager's correction of a rep's month for a case the credited-sales rule does
    not cover (a split deal, a clawback). Never edited or deleted: a correction of an
    adjustment is another adjustment, so the list is the history. Statement lines are
    rebuilt from these rows on every recomputation, so they survive it."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commission_adjustments",
        verbose_name=_("rep"),
    )
    month = models.DateField(help_text=_("First day of the month."), verbose_name=_("month"))
    amount = models.DecimalField(
        **MONEY, help_text=_("Positive pays more, negative less."), verbose_name=_("amount")
    )
    reason = models.CharField(max_length=200, verbose_name=_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("when"))

    objects = CommissionAdjustmentQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["rep", "month"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
        ]

    def __str__(self):
        return f"{self.rep} {self.month:%Y-%m}: {self.amount} ({self.reason})"


# --- Report packs -------------------------------------------------------------------------------


class ReportKind(models.TextChoices):
    COMPANY_MONTHLY = "company_monthly", _("Company monthly report")
    TEAM_SUMMARY = "team_summary", _("Team summaries (reviews)")
    LEADERBOARD = "leaderboard", _("Leaderboard (CSV)")
    GOALS = "goals", _("Goals with pace (CSV)")
    KPIS = "kpis", _("KPIs by team (CSV)")
    COMMISSIONS = "commissions", _("Commission statements (CSV)")


class ReportPack(models.Model):
    """Reports an admin has e-mailed every month to chosen recipients."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    reports = models.JSONField(
        default=list, help_text=_("Report kinds, in order."), verbose_name=_("reports")
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("recipients")
    )
    extra_emails = models.TextField(
        blank=True,
        help_text=_("Other addresses (investors, partners), one per line."),
        verbose_name=_("extra emails"),
    )
    day_of_month = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        verbose_name=_("day of month"),
    )
    hour = models.PositiveSmallIntegerField(
        default=8, validators=[MaxValueValidator(23)], verbose_name=_("hour")
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every write; a stale version is refused.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReportPackDelivery(models.Model):
    """That a pack went out for a month: the job sends each pack once per month."""

    pack = models.ForeignKey(
        ReportPack, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("pack")
    )
    month = models.DateField(verbose_name=_("month"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))
    recipients = models.TextField(blank=True, verbose_name=_("recipients"))

    class Meta:
        ordering = ["-month"]
        verbose_name_plural = _("report pack deliveries")
        constraints = [
            models.UniqueConstraint(fields=["pack", "month"], name="one_delivery_per_pack_month")
        ]

    def __str__(self):
        return f"{self.pack} {self.month:%Y-%m}"
