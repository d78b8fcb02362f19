"""Developing the people: coaching sessions, recognition (kept apart from coaching),
a training cadence, anonymous upward feedback and improvement plans.

Coaching sits on top of every other app: it may read goals, KPIs, alerts, reviews and
deals; nothing below imports it (pages below show its panels through
``salesmgmt.panels``).
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import OrderedCatalogueEntry
from salesmgmt.scoping import scope_to_people

MONEY = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class CoachingSettings(models.Model):
    """The one row of people-development settings (beside the company settings, which
    the core owns)."""

    coaching_gap_days = models.PositiveSmallIntegerField(
        verbose_name=_("coaching gap (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A rep with no coaching session for this many days is 'not coached'."),
    )
    session_reminder_hours = models.PositiveSmallIntegerField(
        verbose_name=_("session reminder (hours)"),
        default=24,
        help_text=_("Remind coach and rep this long before a coaching session."),
    )
    recognition_streak_weeks = models.PositiveSmallIntegerField(
        verbose_name=_("recognition streak (weeks)"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_("Suggest recognising a rep whose KPI stayed green this many weeks."),
    )
    onboarding_track = models.BooleanField(
        verbose_name=_("onboarding track"),
        default=True,
        help_text=_("Assign the onboarding training modules to reps who join a team."),
    )
    feedback_period_months = models.PositiveSmallIntegerField(
        verbose_name=_("feedback period (months)"),
        default=3,
        choices=[(1, _("Every month")), (3, _("Every quarter")), (6, _("Every half year"))],
        help_text=_("How often reps are asked for anonymous feedback on their manager."),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("coaching settings")

    def __str__(self):
        return gettext("Coaching settings")

    CACHE_KEY = "coaching-settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls) -> "CoachingSettings":
        obj = cache.get(cls.CACHE_KEY)
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, obj, timeout=300)
        return obj


class FocusArea(OrderedCatalogueEntry):
    """What a session works on or a training module teaches (configurable, seeded with
    prospecting, presentation, closing, product knowledge, territory planning,
    communication and time management)."""

    class Meta(OrderedCatalogueEntry.Meta):
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")


# --- Coaching sessions --------------------------------------------------------------------------


class SessionKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    RIDE_ALONG = "ride_along", _("Field ride-along")
    CALL_REVIEW = "call_review", _("Call review")
    DEAL_REVIEW = "deal_review", _("Deal review")
    TRAINING = "training", _("Training follow-up")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CoachingSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rep's own sessions; their manager's, director's and admin's by the people
        scope. (The private notes are a field the rep's pages never show.)"""
        return scope_to_people(self, user, rep_path="rep")

    def upcoming(self, now):
        return self.filter(status=SessionStatus.PLANNED, starts_at__gte=now)

    def held(self):
        return self.filter(status=SessionStatus.HELD)


class CoachingSession(models.Model):
    """A manager's coaching time with one rep: what it worked on, what prompted it, what
    was agreed (action items, each a task) and when they meet next."""

    rep = models.ForeignKey(
        USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="coaching_sessions"
    )
    coach = models.ForeignKey(
        USER, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="sessions_coached"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=12, choices=SessionKind.choices)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.PLANNED,
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(720)],
    )
    location = models.CharField(verbose_name=_("location"), max_length=200, blank=True)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="sessions"
    )
    # What prompted it: at most one of these (a KPI, a deviation alert, a review miss with
    # its root cause, a deal), with a word on why.
    prompt_kpi = models.ForeignKey(
        "reporting.Kpi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prompting KPI"),
    )
    prompt_episode = models.ForeignKey(
        "reporting.DeviationEpisode",
        verbose_name=_("prompting alert"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    prompt_miss = models.ForeignKey(
        "reporting.ReviewMiss",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prompting review miss"),
    )
    prompt_deal = models.ForeignKey(
        "activities.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prompting deal"),
    )
    prompt_note = models.CharField(verbose_name=_("why"), max_length=200, blank=True)
    private_notes = models.TextField(
        verbose_name=_("private notes"),
        blank=True,
        help_text=_("The manager's only; never the rep's."),
    )
    shared_notes = models.TextField(
        verbose_name=_("shared notes"), blank=True, help_text=_("What the rep reads.")
    )
    next_session_on = models.DateField(verbose_name=_("next session on"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        verbose_name=_("version"),
        default=1,
        help_text=_("Raised on every write; a stale version is refused."),
    )

    objects = CoachingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["rep", "starts_at"]),
            models.Index(fields=["coach", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        prompt_kpi__isnull=True,
                        prompt_episode__isnull=True,
                        prompt_miss__isnull=True,
                    )
                    | Q(
                        prompt_kpi__isnull=True,
                        prompt_episode__isnull=True,
                        prompt_deal__isnull=True,
                    )
                    | Q(prompt_kpi__isnull=True, prompt_miss__isnull=True, prompt_deal__isnull=True)
                    | Q(
                        prompt_episode__isnull=True,
                        prompt_miss__isnull=True,
                        prompt_deal__isnull=True,
                    )
                ),
                name="session_one_prompt",
            )
        ]

    def __str__(self):
        return gettext("%(kind)s with %(rep)s on %(day)s") % {
            "kind": self.get_kind_display(),
            "rep": self.rep,
            "day": formats.date_format(self.starts_at, "DATE_MEDIUM"),
        }


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(session__in=CoachingSession.objects.visible_to(user))


class SessionActionItem(models.Model):
    """Something agreed in a session; recording it creates its owner's task, and the task
    being done is the item being done."""

    session = models.ForeignKey(
        CoachingSession,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("session"),
    )
    text = models.CharField(verbose_name=_("text"), max_length=200)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(verbose_name=_("due"))
    task = models.OneToOneField(
        "activities.Task",
        verbose_name=_("task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coaching_item",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "pk"]

    def __str__(self):
        return self.text


# --- Recognition (never written in a coaching session or a review's improvement section) ------


def _recognition_scope(qs, user, *, giver):
    """The recognition feed: recognition of anyone one may see, of one's own team, and
    what one gave or received."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_admin:
        return qs
    people = scope_to_people(qs, user, rep_path="recipient").values("pk")
    seen = Q(pk__in=people) | Q(**{giver: user.pk}) | Q(recipient=user.pk)
    if user.team_id:
        seen |= Q(recipient__team=user.team_id)
    return qs.filter(seen)


class KudosQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _recognition_scope(self, user, giver="giver")


class Kudos(models.Model):
    """A short thank-you from anyone to anyone, optionally tied to a win."""

    giver = models.ForeignKey(
        USER,
        verbose_name=_("giver"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kudos_given",
        help_text=_("Empty for recognition carried over from a review without a known author."),
    )
    recipient = models.ForeignKey(
        USER, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="kudos_received"
    )
    # New kudos take 500 characters (forms, API); recognition carried over from a review
    # keeps every word (coaching 0003).
    message = models.TextField(verbose_name=_("message"))
    deal = models.ForeignKey(
        "activities.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deal"),
    )
    goal = models.ForeignKey(
        "plans.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("goal"),
    )
    kpi = models.ForeignKey(
        "reporting.Kpi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    review = models.ForeignKey(
        "reporting.MonthlyReview",
        verbose_name=_("review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The monthly review this recognition was written on (before it moved here)."),
    )
    carried_from_review = models.BooleanField(
        verbose_name=_("carried over from a review"),
        default=False,
        help_text=_(
            "Recognition text carried over from a shared monthly review "
            "(coaching 0003); its reverse removes only these."
        ),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    objects = KudosQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        indexes = [models.Index(fields=["recipient", "created_at"])]

    def __str__(self):
        return gettext("Kudos to %(name)s: %(message)s") % {
            "name": self.recipient,
            "message": self.message[:40],
        }


class AwardKind(models.TextChoices):
    CASH = "cash", _("Cash bonus")
    TIME_OFF = "time_off", _("Time off")
    TRAVEL = "travel", _("Travel")
    GIFT = "gift", _("Gift")
    TITLE = "title", _("Title")


class AwardQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Like kudos: an award is public recognition on the team's feed."""
        return _recognition_scope(self, user, giver="given_by")


class Award(models.Model):
    """A manager's award. A cash award is paid through the rep's commission statement
    (``adjustment``: an adjustment line of its month)."""

    recipient = models.ForeignKey(
        USER, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="awards"
    )
    given_by = models.ForeignKey(
        USER, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="awards_given"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=AwardKind.choices)
    value = models.DecimalField(
        verbose_name=_("value"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("The amount of a cash bonus, or what it is worth."),
    )
    value_text = models.CharField(
        verbose_name=_("what it is"),
        max_length=120,
        blank=True,
        help_text=_("What it is, in words: '2 days', 'Team lead title'."),
    )
    reason = models.CharField(verbose_name=_("reason"), max_length=500)
    given_on = models.DateField(verbose_name=_("given on"))
    deal = models.ForeignKey(
        "activities.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deal"),
    )
    goal = models.ForeignKey(
        "plans.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("goal"),
    )
    kpi = models.ForeignKey(
        "reporting.Kpi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    adjustment = models.OneToOneField(
        "reporting.CommissionAdjustment",
        verbose_name=_("adjustment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-given_on", "-pk"]
        indexes = [models.Index(fields=["recipient", "given_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AwardKind.CASH) | Q(value__gt=0), name="cash_award_has_amount"
            )
        ]

    def __str__(self):
        return gettext("%(kind)s for %(name)s") % {
            "kind": self.get_kind_display(),
            "name": self.recipient,
        }


class SuggestionReason(models.TextChoices):
    GOAL_BEATEN = "goal_beaten", _("Beat a goal")
    BIGGEST_DEAL = "biggest_deal", _("Closed the month's biggest deal")
    KPI_STREAK = "kpi_streak", _("Kept a KPI green")


class RecognitionSuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A nudge is for the manager it was made for (and admins)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        return self.filter(manager=user.pk)

    def pending(self):
        return self.filter(acted_at__isnull=True, dismissed_at__isnull=True)


class RecognitionSuggestion(models.Model):
    """A nudge to a manager that a win deserves recognition. Never recognition itself:
    the manager decides (kudos, an award, or dismiss)."""

    manager = models.ForeignKey(
        USER, verbose_name=_("manager"), on_delete=models.CASCADE, related_name="+"
    )
    rep = models.ForeignKey(USER, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(
        verbose_name=_("reason"), max_length=14, choices=SuggestionReason.choices
    )
    key = models.CharField(
        verbose_name=_("key"), max_length=80, help_text=_("The win, stably: 'goal:12', 'deal:7'.")
    )
    text = models.CharField(verbose_name=_("text"), max_length=300)
    deal = models.ForeignKey(
        "activities.Deal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deal"),
    )
    goal = models.ForeignKey(
        "plans.Goal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("goal"),
    )
    kpi = models.ForeignKey(
        "reporting.Kpi",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    created_on = models.DateField(verbose_name=_("created on"))
    acted_at = models.DateTimeField(verbose_name=_("acted at"), null=True, blank=True)
    dismissed_at = models.DateTimeField(verbose_name=_("dismissed at"), null=True, blank=True)

    objects = RecognitionSuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("recognition suggestion")
        verbose_name_plural = _("recognition suggestions")
        ordering = ["-created_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "rep", "key"], name="one_suggestion_per_win")
        ]

    def __str__(self):
        return self.text


# --- Training -----------------------------------------------------------------------------------


class TrainingModuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class TrainingModule(models.Model):
    """Something to learn: a topic, its material, how long it takes and how often it
    is repeated. Modules on the onboarding track are assigned to new reps."""

    title = models.CharField(verbose_name=_("title"), max_length=120, unique=True)
    topic = models.ForeignKey(
        FocusArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="modules",
        verbose_name=_("topic"),
    )
    material_url = models.URLField(verbose_name=_("material (link)"), blank=True)
    material_text = models.TextField(verbose_name=_("material (text)"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 40)],
    )
    recurrence_months = models.PositiveSmallIntegerField(
        verbose_name=_("repeat every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_(
            "Repeat this many months after each completion (3: every quarter). Empty: once."
        ),
    )
    onboarding = models.BooleanField(
        verbose_name=_("onboarding"),
        default=False,
        help_text=_("Part of the onboarding track every new rep is assigned."),
    )
    onboarding_due_days = models.PositiveSmallIntegerField(
        verbose_name=_("onboarding: due after (days)"),
        default=30,
        help_text=_("On the onboarding track: due this many days after joining."),
    )
    active = models.BooleanField(verbose_name=_("active"), default=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["title"]

    def __str__(self):
        return self.title


class AssignmentSource(models.TextChoices):
    MANUAL = "manual", _("Assigned")
    TEAM = "team", _("Assigned to the team")
    ONBOARDING = "onboarding", _("Onboarding track")
    RECURRENCE = "recurrence", _("Recurring")


class TrainingAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")

    def open(self):
        return self.filter(completed_at__isnull=True)

    def overdue(self, today):
        return self.open().filter(due__lt=today)


class TrainingAssignment(models.Model):
    """One rep's assignment of a module, due by a day; the rep records completing it
    (with an optional score) and the manager confirms."""

    module = models.ForeignKey(
        TrainingModule,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    rep = models.ForeignKey(
        USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="training_assignments"
    )
    due = models.DateField(verbose_name=_("due"))
    source = models.CharField(
        verbose_name=_("source"),
        max_length=10,
        choices=AssignmentSource.choices,
        default=AssignmentSource.MANUAL,
    )
    assigned_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(verbose_name=_("assigned at"), auto_now_add=True)
    completed_at = models.DateTimeField(verbose_name=_("completed at"), null=True, blank=True)
    rep_note = models.CharField(verbose_name=_("rep's note"), max_length=300, blank=True)
    score = models.PositiveSmallIntegerField(
        verbose_name=_("score"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("0-100."),
    )
    confirmed_at = models.DateTimeField(verbose_name=_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    version = models.PositiveIntegerField(verbose_name=_("version"), default=1)

    objects = TrainingAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["rep", "completed_at", "due"])]
        constraints = [
            models.UniqueConstraint(fields=["module", "rep", "due"], name="one_assignment_per_due"),
            # At most one open assignment of a module per rep (a recurrence opens the next
            # only once the last is done).
            models.UniqueConstraint(
                fields=["module", "rep"],
                condition=Q(completed_at__isnull=True),
                name="one_open_assignment_per_module",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(completed_at__isnull=False),
                name="confirmed_only_when_completed",
            ),
        ]

    def __str__(self):
        return gettext("%(module)s for %(rep)s by %(day)s") % {
            "module": self.module,
            "rep": self.rep,
            "day": formats.date_format(self.due, "DATE_MEDIUM"),
        }


# --- Anonymous upward feedback ------------------------------------------------------------------
#
# Anonymity is a property of the tables: a submission has no author, no time finer than
# its period, and a random key (so neither its key nor any order it is read in follows
# the order of submission). The one record per person ("has answered this period") is a
# separate table with no link to any submission, keyed at random too.


class FeedbackQuestion(OrderedCatalogueEntry):
    """A rated statement about one's manager ("My manager helps me win deals"), 1-5."""

    class Meta(OrderedCatalogueEntry.Meta):
        verbose_name = _("feedback question")
        verbose_name_plural = _("feedback questions")


class FeedbackPeriod(models.Model):
    """A window in which reps give feedback (a quarter by default)."""

    start = models.DateField(verbose_name=_("start"), unique=True)
    end = models.DateField(verbose_name=_("end"))
    closes_on = models.DateField(
        verbose_name=_("closes on"), help_text=_("Last day answers are taken.")
    )
    job_ran_on = models.DateField(
        verbose_name=_("job ran on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The company day the feedback job last acted (it acts once a day)."),
    )

    class Meta:
        verbose_name = _("feedback period")
        verbose_name_plural = _("feedback periods")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_in_order")
        ]

    def __str__(self):
        return "{} - {}".format(
            formats.date_format(self.start, "SHORT_MONTH_YEAR"),
            formats.date_format(self.end, "SHORT_MONTH_YEAR"),
        )


class FeedbackSubmission(models.Model):
    """One anonymous answer: ratings and free text about a manager, for a period.

    ``team`` is the team the author was in; ``division`` always set. No author, no time.

    ``batch``: results read only batched submissions. A submission is written with none;
    when the unbatched submissions of its pool (its team, or for teams too small to reach
    the threshold the division's small teams) reach the threshold, all of them get the
    pool's next batch number in one UPDATE. So figures move only in steps of at least
    three answers and no single answer can be read off by differencing. A batch number is
    shared by at least three submissions and says nothing of who wrote any of them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.ForeignKey(
        FeedbackPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    manager = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    team = models.ForeignKey(
        "salesmgmt.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    division = models.ForeignKey(
        "salesmgmt.Division",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("division"),
    )
    text = models.TextField(verbose_name=_("text"), blank=True)
    batch = models.PositiveSmallIntegerField(
        verbose_name=_("batch"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("feedback submission")
        verbose_name_plural = _("feedback submissions")
        ordering = ["id"]  # random: never the order of submission

    def __str__(self):
        return gettext("Feedback for %(period)s") % {"period": self.period}


class FeedbackRating(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(
        FeedbackSubmission,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("submission"),
    )
    question = models.ForeignKey(
        FeedbackQuestion, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        verbose_name=_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("feedback rating")
        verbose_name_plural = _("feedback ratings")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="one_rating_each"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self):
        return f"{self.rating}/5"


class FeedbackAnswered(models.Model):
    """The only per-person record: ``user`` has answered ``period``. Nothing links it
    to what they wrote."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.ForeignKey(
        FeedbackPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback answered")
        verbose_name_plural = _("feedback answered")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "user"], name="answer_once_per_period")
        ]

    def __str__(self):
        return gettext("answered")


class SignedFeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The author and the manager it is for (and admins)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        return self.filter(Q(author=user.pk) | Q(manager=user.pk))


class SignedFeedback(models.Model):
    """Feedback a rep chose to sign: a separate, explicit act, kept apart from the
    anonymous answers."""

    author = models.ForeignKey(
        USER, verbose_name=_("author"), on_delete=models.CASCADE, related_name="+"
    )
    manager = models.ForeignKey(
        USER, verbose_name=_("manager"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        FeedbackPeriod,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("period"),
    )
    text = models.TextField(verbose_name=_("text"))
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = SignedFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("signed feedback")
        verbose_name_plural = _("signed feedback")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return gettext("Signed feedback for %(name)s") % {"name": self.manager}


# --- Improvement plans --------------------------------------------------------------------------


class PlanOutcome(models.TextChoices):
    OPEN = "open", pgettext_lazy("improvement plan outcome", "Open")
    MET = "met", _("Met")
    EXTENDED = "extended", _("Extended")
    NOT_MET = "not_met", _("Not met")


class ImprovementPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")

    def open(self):
        return self.filter(outcome__in=[PlanOutcome.OPEN, PlanOutcome.EXTENDED])


class ImprovementPlan(models.Model):
    """Opened when a review's root cause for a miss is the rep (skill, effort): what to
    reach, the support promised, checkpoints, and how it ended."""

    rep = models.ForeignKey(
        USER, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="improvement_plans"
    )
    manager = models.ForeignKey(
        USER, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="+"
    )
    review = models.ForeignKey(
        "reporting.MonthlyReview",
        verbose_name=_("review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    miss = models.ForeignKey(
        "reporting.ReviewMiss",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("miss"),
    )
    goals_text = models.TextField(
        verbose_name=_("goals, in words"), help_text=_("The goals to reach, in words.")
    )
    goals = models.ManyToManyField(
        "plans.Goal", verbose_name=_("goals"), blank=True, related_name="+"
    )
    support_text = models.TextField(
        verbose_name=_("support promised"), blank=True, help_text=_("The support promised.")
    )
    sessions = models.ManyToManyField(
        CoachingSession, verbose_name=_("sessions"), blank=True, related_name="+"
    )
    modules = models.ManyToManyField(
        TrainingModule, verbose_name=_("modules"), blank=True, related_name="+"
    )
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    outcome = models.CharField(
        verbose_name=_("outcome"),
        max_length=10,
        choices=PlanOutcome.choices,
        default=PlanOutcome.OPEN,
    )
    outcome_note = models.TextField(verbose_name=_("outcome note"), blank=True)
    acknowledged_at = models.DateTimeField(verbose_name=_("acknowledged at"), null=True, blank=True)
    rep_comment = models.TextField(verbose_name=_("rep comment"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(verbose_name=_("version"), default=1)

    objects = ImprovementPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="improvement_plan_in_order"
            )
        ]

    def __str__(self):
        return gettext("Improvement plan for %(rep)s from %(day)s") % {
            "rep": self.rep,
            "day": formats.date_format(self.starts_on, "DATE_MEDIUM"),
        }


class ImprovementCheckpoint(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="checkpoints",
    )
    due = models.DateField(verbose_name=_("due"))
    what = models.CharField(verbose_name=_("what"), max_length=200)
    result = models.TextField(verbose_name=_("result"), blank=True)
    done_at = models.DateTimeField(verbose_name=_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("improvement checkpoint")
        verbose_name_plural = _("improvement checkpoints")
        ordering = ["due", "pk"]

    def __str__(self):
        return gettext("%(what)s by %(day)s") % {
            "what": self.what,
            "day": formats.date_format(self.due, "DATE_MEDIUM"),
        }


class ImprovementEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    CHANGED = "changed", _("Changed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the rep")
    COMMENTED = "commented", _("Rep commented")
    CHECKPOINT = "checkpoint", _("Checkpoint reviewed")
    EXTENDED = "extended", _("Extended")
    CLOSED = "closed", _("Closed")


class ImprovementEvent(models.Model):
    """The plan's history: who did what, when. Never edited."""

    plan = models.ForeignKey(
        ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=12, choices=ImprovementEventKind.choices
    )
    text = models.TextField(verbose_name=_("text"), blank=True)
    by = models.ForeignKey(
        USER, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(verbose_name=_("at"))

    class Meta:
        verbose_name = _("improvement plan event")
        verbose_name_plural = _("improvement plan events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.plan_id})"
