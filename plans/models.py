from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from salesmgmt.scoping import scope_to_people


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class WeeklyPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")

    def for_week(self, week_start):
        return self.filter(week_start=week_start)


class WeeklyPlan(models.Model):
    """A rep's own plan for one week. The manager reviews it, never writes it."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="weekly_plans"
    )
    week_start = models.DateField(help_text="First day of the company week.")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    objectives = models.TextField(blank=True)
    priorities = models.TextField(blank=True)
    risks = models.TextField("risks and blockers", blank=True)
    key_accounts = models.TextField(blank=True)
    progress_note = models.TextField("progress", blank=True)
    problems_note = models.TextField("problems", blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every write; a stale version is refused."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = WeeklyPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "rep__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week_start"], name="one_plan_per_rep_week")
        ]

    def __str__(self):
        return f"{self.rep} — week of {self.week_start:%d %b %Y}"

    @property
    def week_end(self):
        return self.week_start + timedelta(days=6)

    @property
    def status_phrase(self) -> str:
        """For messages: 'This plan is {status_phrase}'."""
        return (
            "still a draft"
            if self.status == PlanStatus.DRAFT
            else self.get_status_display().lower()
        )

    @property
    def is_editable(self):
        """Content can change only while the rep still owns the draft."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanTarget(models.Model):
    """The number a rep plans for one metric in their week."""

    plan = models.ForeignKey(WeeklyPlan, on_delete=models.CASCADE, related_name="targets")
    metric = models.ForeignKey("activities.Metric", on_delete=models.PROTECT, related_name="+")
    planned = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["metric__position", "metric__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "metric"], name="one_target_per_plan_metric")
        ]

    def __str__(self):
        return f"{self.metric}: {self.planned}"


class PlanEvent(models.Model):
    """The plan's timeline: every status change, with who, when and comment."""

    class Kind(models.TextChoices):
        CREATED = "created", "Started"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"

    plan = models.ForeignKey(WeeklyPlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the e-mail about this event went out."
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"
