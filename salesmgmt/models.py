import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import cached_property

from salesmgmt.scoping import scope_to_people, scope_to_teams

TIMEZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz) + [
    ("UTC", "UTC")
]


class Role(models.TextChoices):
    REP = "rep", "Sales rep"
    MANAGER = "manager", "Manager"
    DIRECTOR = "director", "Director"
    ADMIN = "admin", "Administrator"


class RepFunction(models.TextChoices):
    GENERALIST = "generalist", "Generalist"
    SDR = "sdr", "Sales development (SDR)"
    ACCOUNT_EXECUTIVE = "ae", "Account executive"
    CUSTOMER_SUCCESS = "csm", "Customer success"


class SalesModel(models.TextChoices):
    ISLAND = "island", "Island (generalists)"
    ASSEMBLY_LINE = "assembly_line", "Assembly line (specialised)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Division(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_teams(self, user)

    def managed_by(self, user):
        """Teams whose plans and logs ``user`` reviews (not merely sees)."""
        if user.is_admin:
            return self
        if user.is_director:
            return self.filter(division=user.division_id)
        if user.is_manager:
            return self.filter(manager=user)
        return self.none()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="teams")
    manager = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
        limit_choices_to={"role__in": [Role.MANAGER, Role.DIRECTOR, Role.ADMIN]},
    )
    sales_model = models.CharField(
        max_length=20, choices=SalesModel.choices, default=SalesModel.ISLAND
    )
    focus_metrics = models.ManyToManyField(
        "activities.Metric",
        blank=True,
        related_name="focus_of_teams",
        help_text="The few metrics this team plans and tracks every week.",
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def metrics():
        """The metric catalogue a team picks its focus from (activities.Metric, named by
        the field so that the core never imports the activities app)."""
        return Team._meta.get_field("focus_metrics").related_model.objects


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="pk")

    def sales_reps(self):
        """Everyone in the rep role, including those who have left (for history)."""
        return self.filter(role=Role.REP)

    def reps(self):
        """Reps at work now."""
        return self.sales_reps().filter(is_active=True)


class SalesUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directors",
        help_text="For directors: the division they lead.",
    )
    rep_function = models.CharField(
        max_length=12, choices=RepFunction.choices, default=RepFunction.GENERALIST
    )
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    # Null, not "": a nullable column without a default is added in place on SQLite
    # rather than by rebuilding the table. Empty means the browser's language.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        null=True,
        blank=True,
        help_text="Pages, e-mails and notifications in this language; empty: the browser's.",
    )

    objects = SalesUserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo | None:
        """The person's own timezone; None when it is not set or not a known zone name.

        The one lookup of a person's zone: pages fall back to the site's zone, jobs and
        e-mails to UTC (salesmgmt.calendar.zone_of)."""
        try:
            return zoneinfo.ZoneInfo(self.timezone) if self.timezone else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None

    def clean(self):
        super().clean()
        if self.role == Role.DIRECTOR and not self.division_id:
            raise ValidationError({"division": "A director leads a division."})

    @property
    def is_rep(self):
        return self.role == Role.REP

    @property
    def is_manager(self):
        return self.role == Role.MANAGER

    @property
    def is_director(self):
        return self.role == Role.DIRECTOR

    @property
    def is_admin(self):
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def reviews_plans(self):
        """Managers, directors and admins review plans; reps never do."""
        return self.is_manager or self.is_director or self.is_admin


def default_timezone() -> str:
    return settings.TIME_ZONE


class CompanySettings(models.Model):
    """The one row of company-wide settings (one deployment, one company)."""

    name = models.CharField(
        max_length=120,
        default="Demo Company",
        help_text="The company's name: shown in the top bar, page titles, e-mails and reports.",
    )
    week_start = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    currency = models.CharField(max_length=3, default="USD")
    # Null, not "": see User.language (the activities week triggers read this table, so
    # it must not be rebuilt on SQLite).
    default_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        null=True,
        blank=True,
        help_text="For people who chose no language and whose browser asks for none we have.",
    )
    timezone = models.CharField(
        max_length=64,
        choices=TIMEZONE_CHOICES,
        default=default_timezone,
        help_text="Business dates (today, weeks, edit window) and reminder times follow it.",
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(default=1)
    activity_edit_days = models.PositiveSmallIntegerField(
        default=14, help_text="Reps may change their activity log this many days back."
    )
    plan_weeks_ahead = models.PositiveSmallIntegerField(
        default=4, help_text="How many weeks ahead a rep may plan."
    )
    focus_metric_warning = models.PositiveSmallIntegerField(
        default=6, help_text="Warn when a team focuses on more metrics than this."
    )
    # Reminder jobs (times in the company timezone).
    plan_reminder_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text="Reps without a submitted plan are reminded from this day...",
    )
    plan_reminder_hour = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(23)], help_text="...and hour."
    )
    plan_escalation_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.TUESDAY,
        help_text="From this day and hour their manager gets one list of them.",
    )
    plan_escalation_hour = models.PositiveSmallIntegerField(
        default=12, validators=[MaxValueValidator(23)]
    )
    review_reminder_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Remind managers of plans waiting longer than this."
    )
    task_reminder_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(15)],
        help_text="Remind the assignee this long before a task is due (the job runs every "
        "15 minutes, so at least 15).",
    )
    stale_deal_days = models.PositiveSmallIntegerField(
        default=14, help_text="An open deal with no stage change for this long is stale."
    )
    commit_probability = models.PositiveSmallIntegerField(
        default=70, help_text="Deals at or above this probability count as 'commit'."
    )
    # Goal pace: actual / expected-to-date, in percent.
    goal_amber_below = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(100)],
        help_text="A goal whose actual is below this % of expected-to-date is amber...",
    )
    goal_red_below = models.PositiveSmallIntegerField(
        default=75,
        validators=[MaxValueValidator(100)],
        help_text="...and red below this %.",
    )
    alert_hour = models.PositiveSmallIntegerField(
        default=7,
        validators=[MaxValueValidator(23)],
        help_text="Deviation alerts go out once a day from this hour.",
    )
    daily_figures_from = models.DateField(
        null=True,
        blank=True,
        help_text="The first day logged day by day. Figures before it were imported as one "
        "total per month, so a part of a month before it is never compared with anything "
        "(year over year shows 'no comparable data'). Empty: every figure is daily.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "company settings"

    def __str__(self):
        return self.name

    CACHE_KEY = "company-settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls) -> "CompanySettings":
        """The settings row, read through the cache: every page needs it."""
        obj = cache.get(cls.CACHE_KEY)
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, obj, timeout=300)
        return obj

    def week_of(self, day: date) -> date:
        """First day of the company week that contains ``day``."""
        return day - timedelta(days=(day.weekday() - self.week_start) % 7)

    @cached_property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> date:
        """Today in the company's timezone: the date business rules use."""
        return timezone.localdate(timezone=self.tzinfo)

    def oldest_editable_day(self) -> date:
        return self.today() - timedelta(days=self.activity_edit_days)


class Holiday(models.Model):
    """A company holiday: not a working day for goal pace and expected-to-date."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    CACHE_KEY = "company-holidays"

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"{self.name} ({self.day:%d %b %Y})"

    @classmethod
    def days(cls) -> frozenset[date]:
        """Every holiday's day, read through the cache (a few dozen a year; pace on most
        pages needs them). Saving or deleting a holiday clears it (signals below)."""
        days = cache.get(cls.CACHE_KEY)
        if days is None:
            days = frozenset(cls.objects.values_list("day", flat=True))
            cache.set(cls.CACHE_KEY, days, timeout=300)
        return days


@receiver([post_save, post_delete], sender=Holiday)
def _forget_holidays(**kwargs) -> None:
    cache.delete(Holiday.CACHE_KEY)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API key. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class NotificationKind(models.TextChoices):
    PLAN_REMINDER = "plan_reminder", "Weekly plan reminder"
    PLAN_MISSING = "plan_missing", "Reps without a plan (for managers)"
    PLAN_SUBMITTED = "plan_submitted", "Plan submitted for review"
    PLAN_REVIEWED = "plan_reviewed", "Plan approved or returned"
    REVIEW_REMINDER = "review_reminder", "Plans waiting for your review"
    TASK_REMINDER = "task_reminder", "Task due soon"
    TASK_ASSIGNED = "task_assigned", "Task assigned to you"
    OVERDUE_DIGEST = "overdue_digest", "Daily overdue tasks"
    TEAM_OVERDUE_DIGEST = "team_overdue_digest", "Daily overdue tasks of your team"
    STALE_DEAL = "stale_deal", "Stale deal alert"
    GOAL_CHANGED = "goal_changed", "Your goal was set or changed"
    DEVIATION = "deviation", "Behind pace on a goal or KPI"
    REVIEW_READY = "review_ready", "Monthly reviews ready to annotate"
    REVIEW_SHARED = "review_shared", "Your monthly review was shared"
    REVIEW_ACKNOWLEDGED = "review_acknowledged", "A rep acknowledged their review"
    STATEMENT_READY = "statement_ready", "Commission statement ready"
    COACHING_SESSION = "coaching_session", "Coaching session booked or coming up"
    ACTION_ITEM = "action_item", "Coaching action item due"
    KUDOS = "kudos", "Kudos for you"
    AWARD = "award", "An award for you"
    RECOGNITION_NUDGE = "recognition_nudge", "A win worth recognising (for managers)"
    TRAINING = "training", "Training assigned or overdue"
    FEEDBACK = "feedback", "Feedback period open or closing"
    IMPROVEMENT_PLAN = "improvement_plan", "Improvement plan and its checkpoints"


class NotificationQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(in_app=True)

    def unread(self):
        return self.shown().filter(read_at__isnull=True)

    def email_pending(self):
        """E-mail wanted, not sent, not given up: the outbox."""
        return self.filter(email=True, emailed_at__isnull=True, email_failed_at__isnull=True)

    def email_due(self, now):
        """Pending e-mails whose (next) attempt is due by ``now``."""
        return self.email_pending().filter(
            models.Q(email_next_attempt_at__isnull=True) | models.Q(email_next_attempt_at__lte=now)
        )

    def email_failed(self):
        return self.filter(email=True, emailed_at__isnull=True, email_failed_at__isnull=False)


class Notification(models.Model):
    """Something a person was told, in the app and/or by e-mail.

    ``key`` names the occasion (e.g. "task-reminder:42"): one notification per
    user and key, so a job that runs twice tells nobody twice.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The e-mail outbox: every failed attempt is counted and the next one waits longer;
    # after settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS the e-mail is given up (failed_at).
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_error = models.TextField(blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # Small: holds only the outbox, which the sweep reads every minute.
            models.Index(
                fields=["email_next_attempt_at"],
                condition=models.Q(
                    email=True, emailed_at__isnull=True, email_failed_at__isnull=True
                ),
                name="notification_email_outbox",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def email_state(self) -> str:
        if not self.email:
            return "not wanted"
        if self.emailed_at:
            return "sent"
        return "failed" if self.email_failed_at else "pending"


class NotificationPreference(models.Model):
    """Per person and kind: in the app, by e-mail, both or neither (default both)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user} {self.kind}"
