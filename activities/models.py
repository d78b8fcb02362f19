"""The activity log and the CRM records: metrics, channels, products, activities,
customers, contacts, pipelines, stages, deals, stage transitions and tasks.

One models module for the app (Django's convention): just over 500 lines of fields,
constraints and query sets, with the rules in each feature's services."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.db.models.lookups import Contains
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from salesmgmt.audit.history import AuditedHistory
from salesmgmt.i18n import translated_name
from salesmgmt.money import quantize
from salesmgmt.scoping import scope_to_people


class MetricUnit(models.TextChoices):
    COUNT = "count", _("Count")
    MONEY = "money", _("Money")


class MetricKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OUTCOME = "outcome", _("Outcome")


class CatalogueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class MetricQuerySet(CatalogueQuerySet):
    FOCUS_DEFAULT = 6

    def focus_of(self, team) -> list["Metric"]:
        """The metrics a team plans and tracks; a team that has not chosen (or a
        rep without a team) gets the first few of the catalogue."""
        chosen = list(team.focus_metrics.active()) if team else []
        return chosen or list(self.active()[: self.FOCUS_DEFAULT])


class OrderedCatalogueEntry(models.Model):
    """A configurable list entry an admin names, orders and switches off."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (salesmgmt.i18n.translated_name)."""
        return translated_name(self.name)


class Metric(OrderedCatalogueEntry):
    unit = models.CharField(
        _("unit"), max_length=10, choices=MetricUnit.choices, default=MetricUnit.COUNT
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=MetricKind.choices, default=MetricKind.ACTIVITY
    )

    objects = MetricQuerySet.as_manager()

    class Meta(OrderedCatalogueEntry.Meta):
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    @property
    def is_money(self):
        return self.unit == MetricUnit.MONEY


class Channel(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return translated_name(self.name)


class Product(models.Model):
    sku = models.SlugField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


class ActivitySource(models.TextChoices):
    MANUAL = "manual", _("Logged by hand")
    API = "api", _("API")
    DEAL = "deal", _("Won deal")
    # Logged on a customer's or a deal's page: its own row, not a line of the day log
    # (which keys its lines by metric, channel and product and would merge or replace it).
    RECORD = "record", _("Logged on a customer or deal")
    IMPORT = "import", _("Imported from a spreadsheet")


# The metrics of the company's sales: their value (money) and how many (a count). A won deal
# writes one row of each; walk-in sales are logged in them by hand or by API.
SALES_VALUE = "sales-value"
SALES_CLOSED = "sales-closed"


class ActivityQuerySet(models.QuerySet):
    """Rows that belong to a rep (activities and their month rollup)."""

    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")

    def credited_sales(self, *, start=None, end=None, metrics=(SALES_VALUE,)):
        """**Credited sales**: the one definition of "a sale" for quota attainment,
        commission, bonuses and every sales figure.

        A rep's credited sales in a period are their rows (``rep``) of the sales metrics
        dated in the period: the sales-value metric (``SALES_VALUE``, money) gives their
        value, and with ``metrics=(SALES_VALUE, SALES_CLOSED)`` the sales-closed count
        says how many sales that value holds. Two kinds of rows:

        - *won deals*: the rows a deal writes when it is won (source "deal", ``deal``
          set), dated on the win day, at the deal amount (and a count of 1), credited to
          the deal owner; they follow the deal (a changed amount or owner rewrites them,
          a reopened deal deletes them: ``activities.deals.services._sync_deal_outcome``);
        - *walk-in sales*: rows logged by hand, by API or imported, without a deal.

        Nothing else writes rows with source "deal" (ingest refuses it), and a sale logged
        by hand or by API may not name a deal (``activities.log.services.check_links``:
        a deal's sale is its win), so no sale counts twice. ``start``/``end`` (inclusive) bound the day when given.
        """
        rows = self.filter(metric__key__in=metrics)
        if start is not None:
            rows = rows.filter(day__gte=start)
        if end is not None:
            rows = rows.filter(day__lte=end)
        return rows


class Activity(models.Model):
    """A number a rep did on a day: 12 calls, 2 appointments, 4,500.00 of sales.

    ``quantity`` is in the metric's unit (a count, or money in the company
    currency). A day may have several rows for one metric when the rep breaks
    it down by channel or product; totals are the sum of the rows.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("rep"),
    )
    day = models.DateField(_("day"), db_index=True)
    metric = models.ForeignKey(
        Metric, on_delete=models.PROTECT, related_name="activities", verbose_name=_("metric")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("channel"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("product"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("customer"),
    )
    deal = models.ForeignKey(
        "Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("deal"),
    )
    source = models.CharField(_("source"), max_length=40, default=ActivitySource.MANUAL)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every write; a stale version is refused.")
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "metric__position", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="activity_unique_source_external_id",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="activity_quantity_gte_0"),
        ]
        indexes = [
            models.Index(fields=["rep", "day"]),
            # A rep's numbers of one metric over a range: goal actuals, plan attainment,
            # the reviews' metric figures (the company's plan attainment: 600 -> 300 ms).
            models.Index(fields=["rep", "metric", "day"], name="activity_rep_metric_day"),
        ]

    def __str__(self):
        return f"{self.rep} {self.day} {self.metric}: {self.quantity}"

    def snapshot(self) -> dict:
        """The values the change log keeps for this row."""
        return self.snapshot_of(
            rep_id=self.rep_id,
            day=self.day,
            metric=self.metric,
            quantity=self.quantity,
            channel=self.channel if self.channel_id else None,
            product=self.product if self.product_id else None,
            note=self.note,
        )

    @staticmethod
    def snapshot_of(*, rep_id, day, metric, quantity, channel, product, note) -> dict:
        """The snapshot of a row with these values, for writers that insert without
        building model instances (bulk ingest)."""
        return {
            "rep": rep_id,
            "day": day.isoformat(),
            "metric": metric.key,
            "quantity": f"{Decimal(quantity):.2f}",
            "channel": channel.key if channel is not None else None,
            "product": product.sku if product is not None else None,
            "note": note,
        }


class ActivityMonth(models.Model):
    """What a rep logged of a metric in a month: the sum of the activity rows, kept by
    database triggers on every insert, update and delete of an activity, whatever wrote
    it (pages, the API, bulk ingest, COPY, deletes), in the same transaction. Long
    ranges (a year goal, month series) read whole months here instead of every row.
    ``manage.py check_rollups`` compares it with the rows (and ``--fix`` rebuilds it).
    Never written by the application (migration 0009 holds the triggers)."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    metric = models.ForeignKey(
        Metric, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    quantity = models.DecimalField(max_digits=16, decimal_places=2)
    entries = models.IntegerField(
        _("entries"), help_text=_("How many activity rows the sum holds.")
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "metric", "month"], name="one_month_per_rep_metric"
            )
        ]
        indexes = [models.Index(fields=["metric", "month"])]

    def __str__(self):
        return f"{self.rep_id} {self.metric_id} {self.month:%Y-%m}: {self.quantity}"


class ActivityWeek(models.Model):
    """What a rep logged of a metric in a company week (``week``: its first day, by the
    company's week start): the sum of the activity rows, kept like ``ActivityMonth`` by
    database triggers on every write of an activity, and rebuilt by a trigger when the
    company's week start changes. Weekly plans are judged against it (plan attainment
    reads a whole past week here instead of its days). Never written by the
    application (migration 0012 holds the triggers)."""

    # Read by (rep, week) (the index below) and by (rep, metric, week) (the unique one).
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    metric = models.ForeignKey(
        Metric, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    week = models.DateField(_("week"), help_text=_("First day of the company week."))
    quantity = models.DecimalField(max_digits=16, decimal_places=2)
    entries = models.IntegerField(
        _("entries"), help_text=_("How many activity rows the sum holds.")
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "metric", "week"], name="one_week_per_rep_metric"
            )
        ]
        indexes = [models.Index(fields=["rep", "week"], name="activity_week_rep_week")]

    def __str__(self):
        return f"{self.rep_id} {self.metric_id} week of {self.week}: {self.quantity}"


class ActivityChange(models.Model):
    """Every create, edit and delete of an activity: who, when, old, new."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        DELETED = "deleted", _("Deleted")

    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    old = models.JSONField(_("old values"), null=True, blank=True)
    new = models.JSONField(_("new values"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("activity change")
        verbose_name_plural = _("activity changes")
        indexes = [models.Index(fields=["rep", "day"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.day} by {self.by_id} at {self.at:%Y-%m-%d %H:%M}"


# --- Customers ----------------------------------------------------------------------------


class LostReason(OrderedCatalogueEntry):
    """Why a customer did not buy or a deal was lost (configurable list)."""

    class Meta(OrderedCatalogueEntry.Meta):
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active customer")
    DID_NOT_BUY = "did_not_buy", _("Did not buy")
    LOST = "lost", pgettext_lazy("customer status", "Lost")


CLOSED_CUSTOMER_STATUSES = (CustomerStatus.DID_NOT_BUY, CustomerStatus.LOST)


class Segment(models.TextChoices):
    SMALL = "small", _("Small business")
    MID = "mid", _("Mid-market")
    ENTERPRISE = "enterprise", _("Enterprise")
    PUBLIC = "public", _("Public sector")


# What people type between the digits of a phone number: "(415) 555-0123", "+44 20 7946 0958".
PHONE_PUNCTUATION = " -().+/"


def phone_matches(field: str, text: str) -> Q:
    """Rows whose phone ``field`` contains ``text``, as typed or, when ``text`` reads as
    a phone number (3 digits or more), digit for digit: "4155550123" finds
    "(415) 555-0123" and "415-555 0123" finds it too. The punctuation is stripped in SQL
    (a scan, like every ``icontains``: no index serves a substring)."""
    match = Q(**{f"{field}__icontains": text})
    digits = text.translate(str.maketrans("", "", PHONE_PUNCTUATION))
    if len(digits) >= 3 and digits.isascii() and digits.isdigit():
        bare = F(field)
        for mark in PHONE_PUNCTUATION:
            bare = Replace(bare, Value(mark), Value(""))
        match |= Q(Contains(bare, digits))
    return match


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="owner")

    def search(self, text: str):
        """Customers whose name, city, phone or e-mail, or a contact's name, phone or
        e-mail, contains ``text``: the customer list's search and the global search's."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(city__icontains=text)
            | Q(email__icontains=text)
            | phone_matches("phone", text)
            | Q(contacts__name__icontains=text)
            | Q(contacts__email__icontains=text)
            | phone_matches("contacts__phone", text)
        ).distinct()


class Customer(models.Model):
    """An account: a company or person the force sells to, bought or not."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True)
    source_channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("source channel"),
    )
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("lost reason"),
    )
    lost_note = models.TextField(_("lost note"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every write; a stale version is refused.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["did_not_buy", "lost"]) | Q(lost_reason__isnull=False),
                name="customer_closed_has_reason",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="customer_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["name", "id"], name="customer_default_order"),
        ]

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever sees the customer sees its contacts."""
        return self.filter(customer__in=Customer.objects.visible_to(user))

    def search(self, text: str):
        """Contacts whose name, phone or e-mail contains ``text``."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(email__icontains=text) | phone_matches("phone", text)
        )


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    objects = ContactQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


# --- Pipelines, stages, deals ----------------------------------------------------------------


class Pipeline(OrderedCatalogueEntry):
    """A sequence of stages, e.g. new business or renewals."""

    class Meta(OrderedCatalogueEntry.Meta):
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")


class StageKind(models.TextChoices):
    OPEN = "open", pgettext_lazy("deal state", "Open")
    WON = "won", pgettext_lazy("deal state", "Won")
    LOST = "lost", pgettext_lazy("deal state", "Lost")


class Stage(models.Model):
    """A transition milestone; ordered within its pipeline."""

    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline")
    )
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability"),
        default=0,
        help_text=_("Default win probability, in percent, of a deal at this stage."),
    )
    kind = models.CharField(
        _("kind"), max_length=5, choices=StageKind.choices, default=StageKind.OPEN
    )

    class Meta:
        ordering = ["pipeline__position", "position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "key"], name="stage_unique_key"),
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="stage_probability_lte_100"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return translated_name(self.name)

    @property
    def is_open(self):
        return self.kind == StageKind.OPEN


class DealQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="owner")

    def open(self):
        return self.filter(stage__kind=StageKind.OPEN)

    def search(self, text: str):
        """Deals whose title or customer's name contains ``text``."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(customer__name__icontains=text))

    def won(self):
        return self.filter(stage__kind=StageKind.WON)

    def lost(self):
        return self.filter(stage__kind=StageKind.LOST)

    def needing_attention(self, today):
        """Open deals with no next step, a next step already in the past, or an expected
        close date already in the past (``Deal.attention_reasons`` says which)."""
        return self.open().filter(
            Q(next_step="")
            | Q(next_step_date__isnull=True)
            | Q(next_step_date__lt=today)
            | Q(expected_close__lt=today)
        )


class Deal(models.Model):
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="deals", verbose_name=_("customer")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deals",
        verbose_name=_("owner"),
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="deals", verbose_name=_("products")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    expected_close = models.DateField(_("expected close"))
    probability = models.PositiveSmallIntegerField(
        _("probability"),
        null=True,
        blank=True,
        help_text=_("Overrides the stage's probability when set (percent)."),
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("lost reason"),
    )
    lost_note = models.TextField(_("lost note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("stage entered at"))
    source = models.CharField(_("source"), max_length=40, blank=True)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every write; a stale version is refused.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DealQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["expected_close", "pk"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="deal_unique_source_external_id",
            ),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100),
                name="deal_probability_lte_100",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_gte_0"),
        ]
        indexes = [
            models.Index(fields=["owner", "stage"]),
            # The default order: lists and API pages read it from the index, not a sort.
            models.Index(fields=["expected_close", "id"], name="deal_default_order"),
        ]

    def __str__(self):
        return self.title

    def attention_reasons(self, today) -> list[str]:
        """Why this deal needs attention on ``today``, in words (none: it does not); the
        rule of ``DealQuerySet.needing_attention``."""
        if not self.stage.is_open:
            return []
        reasons = []
        if not self.next_step or self.next_step_date is None:
            reasons.append(gettext("No next step"))
        elif self.next_step_date < today:
            reasons.append(gettext("Next step overdue"))
        if self.expected_close < today:
            reasons.append(gettext("Past expected close"))
        return reasons

    @property
    def win_probability(self) -> int:
        return self.stage.probability if self.probability is None else self.probability

    @property
    def weighted_amount(self) -> Decimal:
        """amount x win probability, rounded half up to the cent (salesmgmt.money)."""
        return quantize(self.amount * self.win_probability / 100)


class StageTransition(models.Model):
    """Every stage change of a deal: from, to, when, by. Written once, never edited."""

    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("deal")
    )
    from_stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from stage"),
    )
    to_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("to stage")
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        # (at): what moved in a period, and whether any history lies outside it (funnel).
        indexes = [
            models.Index(fields=["to_stage", "at"]),
            models.Index(fields=["at"], name="stage_transition_at"),
        ]

    def __str__(self):
        return f"{self.deal}: {self.from_stage} -> {self.to_stage}"


# --- Tasks -----------------------------------------------------------------------------------


class TaskPriority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")


class TaskStatus(models.TextChoices):
    """Not a field: how lists filter tasks (overdue is open and past due)."""

    OPEN = "open", pgettext_lazy("task state", "Open")
    OVERDUE = "overdue", pgettext_lazy("task state", "Overdue")
    DONE = "done", pgettext_lazy("task state", "Done")


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="assignee")

    def open(self):
        return self.filter(done_at__isnull=True)

    def done(self):
        return self.filter(done_at__isnull=False)

    def overdue(self, now):
        return self.open().filter(due_at__lt=now)


class Task(models.Model):
    """Something a rep must do, by a time; set by the rep or their manager."""

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    deal = models.ForeignKey(
        Deal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("deal"),
    )
    due_at = models.DateTimeField(_("due at"))
    priority = models.CharField(
        _("priority"), max_length=6, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Another system's id for the task, so a spreadsheet imported twice updates, not doubles.
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every write; a stale version is refused.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="task_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_at"]),
            models.Index(fields=["due_at", "id"], name="task_default_order"),
        ]

    def __str__(self):
        return self.title

    def is_overdue(self, now) -> bool:
        return self.done_at is None and self.due_at < now
