from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salesmgmt.audit.history import AuditedHistory
from salesmgmt.models import Team
from salesmgmt.scoping import scope_to_people


class Status(models.TextChoices):
    """Traffic light of a goal or KPI."""

    GREEN = "green", _("On track")
    AMBER = "amber", _("Behind")
    RED = "red", _("Far behind")
    EARLY = "early", _("Too early to tell")  # behind, but too little of the period is over


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class WeeklyPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")

    def for_week(self, week_start):
        return self.filter(week_start=week_start)


class WeeklyPlan(models.Model):
    """A rep's own plan for one week. The manager reviews it, never writes it."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="weekly_plans",
        verbose_name=_("rep"),
    )
    week_start = models.DateField(_("week start"), help_text=_("First day of the company week."))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    objectives = models.TextField(_("objectives"), blank=True)
    priorities = models.TextField(_("priorities"), blank=True)
    risks = models.TextField(_("risks and blockers"), blank=True)
    key_accounts = models.TextField(_("key accounts"), blank=True)
    progress_note = models.TextField(_("progress"), blank=True)
    problems_note = models.TextField(_("problems"), blank=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised on every write; a stale version is refused."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    objects = WeeklyPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly plan")
        verbose_name_plural = _("weekly plans")
        ordering = ["-week_start", "rep__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week_start"], name="one_plan_per_rep_week")
        ]

    def __str__(self):
        return gettext("%(rep)s — week of %(week)s") % {
            "rep": self.rep,
            "week": formats.date_format(self.week_start, "DATE_MEDIUM"),
        }

    @property
    def week_end(self):
        return self.week_start + timedelta(days=6)

    @property
    def status_phrase(self) -> str:
        """For messages: 'This plan is {status_phrase}'."""
        return (
            gettext("still a draft")
            if self.status == PlanStatus.DRAFT
            else str(self.get_status_display()).lower()
        )

    @property
    def is_editable(self):
        """Content can change only while the rep still owns the draft."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanTarget(models.Model):
    """The number a rep plans for one metric in their week."""

    plan = models.ForeignKey(
        WeeklyPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan")
    )
    metric = models.ForeignKey(
        "activities.Metric", on_delete=models.PROTECT, related_name="+", verbose_name=_("metric")
    )
    planned = models.DecimalField(
        _("planned"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("planned number")
        verbose_name_plural = _("planned numbers")
        ordering = ["metric__position", "metric__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "metric"], name="one_target_per_plan_metric")
        ]

    def __str__(self):
        return f"{self.metric}: {self.planned}"


class PlanEvent(models.Model):
    """The plan's timeline: every status change, with who, when and comment."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Started")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    plan = models.ForeignKey(
        WeeklyPlan, on_delete=models.CASCADE, related_name="events", verbose_name=_("plan")
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    notified_at = models.DateTimeField(
        _("notified at"),
        null=True,
        blank=True,
        help_text=_("When the e-mail about this event went out."),
    )
    snapshot = models.JSONField(
        _("snapshot"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "On a return: the plan as it stood (content and planned numbers), so the "
            "resubmission can show what changed since."
        ),
    )

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["at", "pk"]

    def __str__(self):
        return gettext("%(kind)s by %(person)s at %(at)s") % {
            "kind": self.get_kind_display(),
            "person": self.by,
            "at": formats.date_format(self.at, "DATETIME_MEDIUM"),
        }


# --- Goals ------------------------------------------------------------------------------------


class GoalScope(models.TextChoices):
    REP = "rep", _("Rep")
    TEAM = "team", _("Team")
    DIVISION = "division", _("Division")
    COMPANY = "company", _("Company")


class GoalPeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class GoalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Company goals to everyone; a division's and a team's goals to their people and
        those above them; rep goals as the people scope says (own, team's, division's)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self

        if user.is_director and not user.division_id:
            # A director not yet given a division sees only the company's goals.
            return self.filter(scope=GoalScope.COMPANY)
        if user.is_director:
            reps = Q(rep=user) | Q(rep__team__division=user.division_id)
            teams = Q(team__division=user.division_id)
            divisions = Q(division=user.division_id)
        elif user.is_manager:
            reps = Q(rep=user) | Q(rep__team__manager=user)
            teams = Q(team__manager=user)
            divisions = Q(division__in=Team.objects.filter(manager=user).values("division"))
        else:
            reps = Q(rep=user)
            teams = Q(team=user.team_id) if user.team_id else Q(pk__in=[])
            divisions = Q(division__in=Team.objects.filter(pk=user.team_id).values("division"))
        return self.filter(
            (Q(scope=GoalScope.REP) & reps)
            | (Q(scope=GoalScope.TEAM) & teams)
            | (Q(scope=GoalScope.DIVISION) & divisions)
            | Q(scope=GoalScope.COMPANY)
        )

    def current(self, today):
        return self.filter(start__lte=today, end__gte=today)

    def unlimited(self):
        """Goals on a metric's whole total: no product, no channels named."""
        return self.filter(product__isnull=True, channel_key="")

    def with_limits(self):
        """With what ``Goal.label`` names, bar the channels (``load_channels``)."""
        return self.select_related("metric", "product")


def load_channels(goals) -> None:
    """Fetch the channels of those of ``goals`` that name some, in one query (none when
    no goal does), so naming many goals (``Goal.label``) costs no query per goal."""
    goals = list(goals)
    limited = [g for g in goals if g.channel_key]
    if limited:
        models.prefetch_related_objects(limited, "channels")
    for goal in goals:
        if not goal.channel_key:  # known to have none: no query to say so
            goal._prefetched_objects_cache = {"channels": goal.channels.none()}


def channel_key_of(channels) -> str:
    """The ``Goal.channel_key`` of a set of channels: their ids, sorted, comma-joined."""
    return ",".join(str(pk) for pk in sorted({c.pk for c in channels}))


def _one_goal_per(owner: str | None, scope: str, name: str) -> models.UniqueConstraint:
    """One goal per owner, metric, period and start for each product/channel limit (a
    goal without a product counts as product 0, so two unlimited goals still clash)."""
    owner_fields = [F(owner)] if owner else []
    return models.UniqueConstraint(
        *owner_fields,
        F("metric"),
        F("period"),
        F("start"),
        Coalesce(F("product"), Value(0)),
        F("channel_key"),
        condition=Q(scope=scope),
        name=name,
    )


class Goal(models.Model):
    """A quantitative target for a rep, a team, a division or the company, for one period.

    ``start``/``end`` are the period's first and last business day (weeks follow the
    company week; quarters and years the fiscal year). Every change is kept as a
    ``GoalChange`` with who, when, old, new and why.
    """

    scope = models.CharField(_("scope"), max_length=10, choices=GoalScope.choices)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("rep"),
    )
    team = models.ForeignKey(
        "salesmgmt.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("team"),
    )
    division = models.ForeignKey(
        "salesmgmt.Division",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("division"),
    )
    metric = models.ForeignKey(
        "activities.Metric",
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("metric"),
    )
    # Limits: the goal counts only the activity rows of this product and of any of these
    # channels ("40 sales of product A", "walk-in and up-sell 20"). Set with the goal and
    # never changed after (like its metric and period): a different limit is another goal.
    product = models.ForeignKey(
        "activities.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("product"),
    )
    channels = models.ManyToManyField(
        "activities.Channel", blank=True, related_name="goals", verbose_name=_("channels")
    )
    channel_key = models.CharField(
        _("channel key"),
        max_length=200,
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "The channels' ids, sorted and comma-joined (empty: any channel); what "
            "uniqueness and roll-up match on. Written with the channels by plans.goals.services."
        ),
    )
    # Another system's id (a quota sheet's row), so a sheet imported twice updates, not doubles.
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    period = models.CharField(_("period"), max_length=10, choices=GoalPeriod.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    stretch_target = models.DecimalField(
        _("stretch target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GoalQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-start", "scope", "metric__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="rep", rep__isnull=False, team__isnull=True, division__isnull=True)
                    | Q(scope="team", rep__isnull=True, team__isnull=False, division__isnull=True)
                    | Q(
                        scope="division",
                        rep__isnull=True,
                        team__isnull=True,
                        division__isnull=False,
                    )
                    | Q(scope="company", rep__isnull=True, team__isnull=True, division__isnull=True)
                ),
                name="goal_owner_matches_scope",
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="goal_end_after_start"),
            _one_goal_per("rep", "rep", "one_rep_goal_per_metric_period_limit"),
            _one_goal_per("team", "team", "one_team_goal_per_metric_period_limit"),
            _one_goal_per("division", "division", "one_division_goal_per_metric_period_limit"),
            _one_goal_per(None, "company", "one_company_goal_per_metric_period_limit"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="goal_unique_external_id",
            ),
        ]
        indexes = [models.Index(fields=["start", "end"])]

    def __str__(self):
        return f"{self.owner_label}: {self.label} {self.period_label} — {self.target}"

    @property
    def is_limited(self) -> bool:
        return bool(self.product_id or self.channel_key)

    @property
    def limits_label(self) -> str:
        """ "Product A · Walk-in, Up-sell"; empty for a goal on the metric's whole total.
        (Load goals ``with_limits()`` to name many without a query each.)"""
        parts = [str(self.product)] if self.product_id else []
        if self.channel_key:
            parts.append(self.channels_label)
        return " · ".join(parts)

    @property
    def channels_label(self) -> str:
        """ "Walk-in, Up-sell" in the reader's language; empty for any channel."""
        if not self.channel_key:
            return ""
        return ", ".join(sorted(c.label for c in self.channels.all()))

    @property
    def label(self) -> str:
        """What the goal counts, as every page, notice, alert and review names it:
        "Sales value", or "Sales value · Product A · Walk-in, Up-sell"."""
        limits = self.limits_label
        return f"{self.metric} · {limits}" if limits else str(self.metric)

    @property
    def owner(self):
        return {"rep": self.rep, "team": self.team, "division": self.division}.get(self.scope)

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner is not None else gettext("Company")

    @property
    def period_label(self) -> str:
        if self.period == GoalPeriod.WEEK:
            return gettext("week of %(day)s") % {
                "day": formats.date_format(self.start, "DATE_MEDIUM")
            }
        if self.period == GoalPeriod.MONTH:
            return formats.date_format(self.start, "MONTH_YEAR")
        if self.period == GoalPeriod.QUARTER:
            return "{} – {}".format(
                formats.date_format(self.start, "M"),
                formats.date_format(self.end, "SHORT_MONTH_YEAR"),
            )
        return "{} – {}".format(
            formats.date_format(self.start, "SHORT_MONTH_YEAR"),
            formats.date_format(self.end, "SHORT_MONTH_YEAR"),
        )


class GoalChange(models.Model):
    """A goal's history: created, changed (old -> new, with the reason) or removed."""

    class Action(models.TextChoices):
        CREATED = "created", _("Set")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Removed")

    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("goal"),
    )
    goal_label = models.CharField(
        _("goal label"), max_length=300, help_text=_("What the goal was, kept if removed.")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    old_target = models.DecimalField(
        _("old target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    new_target = models.DecimalField(
        _("new target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    old_stretch = models.DecimalField(
        _("old stretch target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    new_stretch = models.DecimalField(
        _("new stretch target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("goal change")
        verbose_name_plural = _("goal changes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.goal_label} by {self.by_id}"
