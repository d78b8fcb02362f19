import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from salesmgmt.audit.history import AuditedHistory
from salesmgmt.scoping import scope_to_people, scope_to_teams

TIMEZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz) + [
    ("UTC", "UTC")
]


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")
    ADMIN = "admin", _("Administrator")


class RepFunction(models.TextChoices):
    GENERALIST = "generalist", _("Generalist")
    SDR = "sdr", _("Sales development (SDR)")
    ACCOUNT_EXECUTIVE = "ae", _("Account executive")
    CUSTOMER_SUCCESS = "csm", _("Customer success")


class SalesModel(models.TextChoices):
    ISLAND = "island", _("Island (generalists)")
    ASSEMBLY_LINE = "assembly_line", _("Assembly line (specialised)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Division(models.Model):
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
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
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="teams", verbose_name=_("division")
    )
    manager = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
        limit_choices_to={"role__in": [Role.MANAGER, Role.DIRECTOR, Role.ADMIN]},
        verbose_name=_("manager"),
    )
    sales_model = models.CharField(
        max_length=20,
        choices=SalesModel.choices,
        default=SalesModel.ISLAND,
        verbose_name=_("sales model"),
    )
    focus_metrics = models.ManyToManyField(
        "activities.Metric",
        blank=True,
        related_name="focus_of_teams",
        help_text=_("The few metrics this team plans and tracks every week."),
        verbose_name=_("focus metrics"),
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
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
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.REP, verbose_name=_("role")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
    )
    division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directors",
        help_text=_("For directors: the division they lead."),
        verbose_name=_("division"),
    )
    rep_function = models.CharField(
        max_length=12,
        choices=RepFunction.choices,
        default=RepFunction.GENERALIST,
        verbose_name=_("rep function"),
    )
    timezone = models.CharField(
        max_length=64, choices=TIMEZONE_CHOICES, default="UTC", verbose_name=_("timezone")
    )
    # Null, not "": a nullable column without a default is added in place on SQLite
    # rather than by rebuilding the table. Empty means the browser's language.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        null=True,
        blank=True,
        help_text=_("Pages, e-mails and notifications in this language; empty: the browser's."),
        verbose_name=_("language"),
    )

    objects = SalesUserManager()
    # Who may do what: role, team, division, function, active, staff and superuser. The
    # password, logins, name, e-mail and preferences stay out of the history.
    history = AuditedHistory(
        excluded_fields=[
            "password",
            "last_login",
            "date_joined",
            "first_name",
            "last_name",
            "email",
            "timezone",
            "language",
        ],
        user_related_name="+",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
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
            raise ValidationError({"division": _("A director leads a division.")})

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
        help_text=_("The company's name: shown in the top bar, page titles, e-mails and reports."),
        verbose_name=_("company name"),
    )
    week_start = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, verbose_name=_("week starts on")
    )
    currency = models.CharField(max_length=3, default="USD", verbose_name=_("currency"))
    # Null, not "": see User.language (the activities week triggers read this table, so
    # it must not be rebuilt on SQLite).
    default_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        null=True,
        blank=True,
        help_text=_("For people who chose no language and whose browser asks for none we have."),
        verbose_name=_("default language"),
    )
    timezone = models.CharField(
        max_length=64,
        choices=TIMEZONE_CHOICES,
        default=default_timezone,
        help_text=_("Business dates (today, weeks, edit window) and reminder times follow it."),
        verbose_name=_("timezone"),
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, verbose_name=_("fiscal year starts in month")
    )
    activity_edit_days = models.PositiveSmallIntegerField(
        default=14,
        help_text=_("Reps may change their activity log this many days back."),
        verbose_name=_("activity edit days"),
    )
    plan_weeks_ahead = models.PositiveSmallIntegerField(
        default=4,
        help_text=_("How many weeks ahead a rep may plan."),
        verbose_name=_("plan weeks ahead"),
    )
    focus_metric_warning = models.PositiveSmallIntegerField(
        default=6,
        help_text=_("Warn when a team focuses on more metrics than this."),
        verbose_name=_("focus metric warning"),
    )
    # Reminder jobs (times in the company timezone).
    plan_reminder_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("Reps without a submitted plan are reminded from this day..."),
        verbose_name=_("plan reminder day"),
    )
    plan_reminder_hour = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(23)],
        help_text=_("...and hour."),
        verbose_name=_("plan reminder hour"),
    )
    plan_escalation_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.TUESDAY,
        help_text=_("From this day and hour their manager gets one list of them."),
        verbose_name=_("plan escalation day"),
    )
    plan_escalation_hour = models.PositiveSmallIntegerField(
        default=12, validators=[MaxValueValidator(23)], verbose_name=_("plan escalation hour")
    )
    review_reminder_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text=_("Remind managers of plans waiting longer than this."),
        verbose_name=_("review reminder hours"),
    )
    task_reminder_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(15)],
        help_text=_(
            "Remind the assignee this long before a task is due (the job runs every "
            "15 minutes, so at least 15)."
        ),
        verbose_name=_("task reminder minutes"),
    )
    stale_deal_days = models.PositiveSmallIntegerField(
        default=14,
        help_text=_("An open deal with no stage change for this long is stale."),
        verbose_name=_("stale deal days"),
    )
    commit_probability = models.PositiveSmallIntegerField(
        default=70,
        help_text=_("Deals at or above this probability count as 'commit'."),
        verbose_name=_("commit probability"),
    )
    # Goal pace: actual / expected-to-date, in percent.
    goal_amber_below = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(100)],
        help_text=_("A goal whose actual is below this percentage of expected-to-date is amber..."),
        verbose_name=_("goal amber below (%)"),
    )
    goal_red_below = models.PositiveSmallIntegerField(
        default=75,
        validators=[MaxValueValidator(100)],
        help_text=_("...and red below this %."),
        verbose_name=_("goal red below (%)"),
    )
    alert_hour = models.PositiveSmallIntegerField(
        default=7,
        validators=[MaxValueValidator(23)],
        help_text=_("Deviation alerts go out once a day from this hour."),
        verbose_name=_("alert hour"),
    )
    daily_figures_from = models.DateField(
        null=True,
        blank=True,
        help_text=_(
            "The first day logged day by day. Figures before it were imported as one "
            "total per month, so a part of a month before it is never compared with anything "
            "(year over year shows 'no comparable data'). Empty: every figure is daily."
        ),
        verbose_name=_("daily figures from"),
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = verbose_name_plural = _("company settings")

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
            obj = cls.objects.filter(pk=1).first() or cls._create_defaults()
            cache.set(cls.CACHE_KEY, obj, timeout=300)
        return obj

    @classmethod
    def _create_defaults(cls) -> "CompanySettings":
        """The row of defaults, written by whoever reads the settings first: nobody's
        change, so not in the audit trail (the first change made reads it as it stood)."""
        obj = cls(pk=1)
        obj.skip_history_when_saving = True
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
        except IntegrityError:  # another request wrote it first
            return cls.objects.get(pk=1)
        del obj.skip_history_when_saving
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

    day = models.DateField(unique=True, verbose_name=_("day"))
    name = models.CharField(max_length=100, verbose_name=_("name"))

    CACHE_KEY = "company-holidays"

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]

    def __str__(self):
        return f"{self.name} ({formats.date_format(self.day, 'DATE_MEDIUM')})"

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
    name = models.CharField(max_length=80, verbose_name=_("name"))
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class NotificationKind(models.TextChoices):
    PLAN_REMINDER = "plan_reminder", _("Weekly plan reminder")
    PLAN_MISSING = "plan_missing", _("Reps without a plan (for managers)")
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted for review")
    PLAN_REVIEWED = "plan_reviewed", _("Plan approved or returned")
    REVIEW_REMINDER = "review_reminder", _("Plans waiting for your review")
    TASK_REMINDER = "task_reminder", _("Task due soon")
    TASK_ASSIGNED = "task_assigned", _("Task assigned to you")
    OVERDUE_DIGEST = "overdue_digest", _("Daily overdue tasks")
    TEAM_OVERDUE_DIGEST = "team_overdue_digest", _("Daily overdue tasks of your team")
    STALE_DEAL = "stale_deal", _("Stale deal alert")
    GOAL_CHANGED = "goal_changed", _("Your goal was set or changed")
    DEVIATION = "deviation", _("Behind pace on a goal or KPI")
    REVIEW_READY = "review_ready", _("Monthly reviews ready to annotate")
    REVIEW_SHARED = "review_shared", _("Your monthly review was shared")
    REVIEW_ACKNOWLEDGED = "review_acknowledged", _("A rep acknowledged their review")
    STATEMENT_READY = "statement_ready", _("Commission statement ready")
    COACHING_SESSION = "coaching_session", _("Coaching session booked or coming up")
    ACTION_ITEM = "action_item", _("Coaching action item due")
    KUDOS = "kudos", _("Kudos for you")
    AWARD = "award", _("An award for you")
    RECOGNITION_NUDGE = "recognition_nudge", _("A win worth recognising (for managers)")
    TRAINING = "training", _("Training assigned or overdue")
    FEEDBACK = "feedback", _("Feedback period open or closing")
    IMPROVEMENT_PLAN = "improvement_plan", _("Improvement plan and its checkpoints")
    WEBHOOK_DISABLED = "webhook_disabled", _("A webhook endpoint was disabled (for admins)")


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
    kind = models.CharField(max_length=24, choices=NotificationKind.choices, verbose_name=_("kind"))
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    url = models.CharField(max_length=300, blank=True)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read"))
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The e-mail outbox: every failed attempt is counted and the next one waits longer;
    # after settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS the e-mail is given up (failed_at).
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_error = models.TextField(blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
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
            return _("not wanted")
        if self.emailed_at:
            return _("sent")
        return _("failed") if self.email_failed_at else _("pending")


class NotificationPreference(models.Model):
    """Per person and kind: in the app, by e-mail, both or neither (default both)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices, verbose_name=_("kind"))
    in_app = models.BooleanField(default=True, verbose_name=_("in the app"))
    email = models.BooleanField(default=True, verbose_name=_("by e-mail"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user} {self.kind}"


class WebhookEventType(models.TextChoices):
    """What a receiver may subscribe to. The keys are the ``type`` of a delivery's body:
    stable, never translated."""

    PLAN_SUBMITTED = "plan.submitted", _("Plan submitted")
    PLAN_APPROVED = "plan.approved", _("Plan approved")
    PLAN_RETURNED = "plan.returned", _("Plan returned")
    ACTIVITIES_LOGGED = "activities.logged", _("Activities logged")
    DEAL_CREATED = "deal.created", _("Deal created")
    DEAL_STAGE_CHANGED = "deal.stage_changed", _("Deal stage changed")
    DEAL_WON = "deal.won", _("Deal won")
    DEAL_LOST = "deal.lost", _("Deal lost")
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_UPDATED = "customer.updated", _("Customer changed")
    TASK_CREATED = "task.created", _("Task created")
    TASK_DONE = "task.done", _("Task done")
    TASK_OVERDUE = "task.overdue", _("Task overdue")
    GOAL_CHANGED = "goal.changed", _("Goal changed")
    ALERT_OPENED = "alert.opened", _("Deviation alert opened")
    ALERT_RED = "alert.turned_red", _("Deviation alert turned red")
    REVIEW_SHARED = "review.shared", _("Monthly review shared")
    REVIEW_ACKNOWLEDGED = "review.acknowledged", _("Monthly review acknowledged")
    STATEMENT_READY = "commission_statement.ready", _("Commission statement ready")
    COACHING_SESSION_RECORDED = "coaching_session.recorded", _("Coaching session recorded")
    KUDOS_GIVEN = "kudos.given", _("Kudos given")
    AWARD_GIVEN = "award.given", _("Award given")
    # Sent only by "Send a test event"; nobody subscribes to it.
    PING = "ping", _("Test event")


class WebhookEndpoint(models.Model):
    """A receiver an admin registered: where to POST, which events, the signing secret."""

    url = models.URLField(max_length=500, verbose_name=_("URL"))
    description = models.CharField(max_length=120, blank=True, verbose_name=_("description"))
    # A list of WebhookEventType keys.
    events = models.JSONField(default=list, verbose_name=_("events"))
    secret = models.CharField(max_length=80, verbose_name=_("secret"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("disabled"))
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["pk"]

    def __str__(self):
        return self.description or self.url


class WebhookEvent(models.Model):
    """Something that happened, as receivers see it: written in the same transaction as
    the change (the outbox), only when some active endpoint wants its type."""

    # The event id receivers deduplicate on.
    uuid = models.UUIDField(unique=True, editable=False)
    type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # What the event is about, e.g. ("deal", "42"): deliveries of one object to one
    # endpoint go out in order.
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    # The object as the API shows it, at the time of the event.
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="webhook_event_object")]

    def __str__(self):
        return f"{self.type} {self.object_type}:{self.object_id}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempted until the receiver answers 2xx, with
    back-off, for up to a day; then failed."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=12,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
        verbose_name=_("status"),
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last attempt"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered"))
    response_code = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("response code")
    )
    # A short excerpt only: receivers' bodies are not ours to keep.
    response_excerpt = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=300, blank=True, verbose_name=_("error"))
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The headers of the last attempt (signature included), shown on the delivery page.
    request_headers = models.JSONField(default=dict, blank=True)
    # Set by "Redeliver": retries then run for a day from here, not from the event.
    requeued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        """Feeds that answer: not revoked, and their owner can still sign in."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class CalendarFeed(models.Model):
    """A person's private iCalendar feed: a secret URL calendar apps subscribe to.

    The token is kept as it is (not hashed like an API token) so the profile can show
    the URL again: people subscribe on a phone, then a laptop, weeks apart, and calendar
    apps do not show the URL back. It reads only what its owner may read anyway, and
    "reset" replaces it, so a leaked URL is ended by one click.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    # Looked up by its first characters (indexed), then compared whole in constant time.
    token = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, db_index=True)
    created_at = models.DateTimeField(verbose_name=_("created"))
    last_fetched_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last fetched"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Spreadsheet imports (salesmgmt.imports) -------------------------------------------------


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        # An upload holds its creator's file: nobody else opens it, whatever their role.
        return self.filter(user=user)


class ImportJob(models.Model):
    """One uploaded spreadsheet on its way in: checked (the dry run), then imported.

    The file's bytes live here, not on a disk, so the web process that took the upload
    and the worker that reads it need share nothing but the database."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("file"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    # {"create": n, "update": n, "unchanged": n, "invalid": n}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # File-level problems (strings) and row problems ({"row", "column", "message"}).
    file_problems = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_recent")]

    def __str__(self):
        return f"{self.kind}: {self.file_name}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def ready(self) -> bool:
        """Checked with no problem: the import may run."""
        return (
            self.status == self.Status.CHECKED
            and not self.file_problems
            and not self.problems
            and self.total_rows > 0
        )

    @property
    def percent(self) -> int:
        return min(100, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0
