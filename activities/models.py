from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from salesmgmt.scoping import scope_to_people


class MetricUnit(models.TextChoices):
    COUNT = "count", "Count"
    MONEY = "money", "Money"


class MetricKind(models.TextChoices):
    ACTIVITY = "activity", "Activity"
    OUTCOME = "outcome", "Outcome"


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


class Metric(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    unit = models.CharField(max_length=10, choices=MetricUnit.choices, default=MetricUnit.COUNT)
    kind = models.CharField(max_length=10, choices=MetricKind.choices, default=MetricKind.ACTIVITY)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def is_money(self):
        return self.unit == MetricUnit.MONEY


class Channel(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    sku = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ActivitySource(models.TextChoices):
    MANUAL = "manual", "Logged by hand"
    API = "api", "API"


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_people(self, user, rep_path="rep")


class Activity(models.Model):
    """A number a rep did on a day: 12 calls, 2 appointments, 4,500.00 of sales.

    ``quantity`` is in the metric's unit (a count, or money in the company
    currency). A day may have several rows for one metric when the rep breaks
    it down by channel or product; totals are the sum of the rows.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    day = models.DateField(db_index=True)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="activities")
    quantity = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=40, default=ActivitySource.MANUAL)
    external_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "metric__position", "pk"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="activity_unique_source_external_id",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="activity_quantity_gte_0"),
        ]
        indexes = [models.Index(fields=["rep", "day"])]

    def __str__(self):
        return f"{self.rep} {self.day} {self.metric}: {self.quantity}"

    def snapshot(self) -> dict:
        """The values the change log keeps for this row."""
        return {
            "rep": self.rep_id,
            "day": self.day.isoformat(),
            "metric": self.metric.key,
            "quantity": f"{Decimal(self.quantity):.2f}",
            "channel": self.channel.key if self.channel_id else None,
            "product": self.product.sku if self.product_id else None,
            "note": self.note,
        }


class ActivityChange(models.Model):
    """Every create, edit and delete of an activity: who, when, old, new."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"

    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["rep", "day"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.day} by {self.by_id} at {self.at:%Y-%m-%d %H:%M}"
