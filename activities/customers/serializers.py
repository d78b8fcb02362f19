"""Shapes of customers and contacts on the API.

Catalogue entries are named by their key (channel, lost reason); people and customers by
id. Anything outside the caller's scope is "does not exist", never "forbidden". Rules
live in activities.customers.services, not here."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.catalogue.serializers import CachedSlugRelatedField
from activities.customers.selectors import next_step_of
from activities.customers.services import CUSTOMER_FIELDS
from activities.models import (
    Channel,
    Contact,
    Customer,
    LostReason,
)
from salesmgmt.api_support import VERSION, ScopedRepField, require_version
from salesmgmt.models import CompanySettings

# --- Scoped references --------------------------------------------------------------------


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer the caller can see. A bulk request hands in the rows it
    needs as ``context["customers"]`` ({id: customer}), saving a query per row."""

    def get_queryset(self):
        return Customer.objects.visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        preloaded = self.context.get("customers")
        if preloaded is None:
            return super().to_internal_value(data)
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return preloaded[int(data)]
        except (KeyError, ValueError):
            self.fail("does_not_exist", pk_value=data)


def _default_rep(serializer, attrs, field):
    """Reps act for themselves without naming themselves; anyone else names the rep."""
    if serializer.instance is None and attrs.get(field) is None:
        user = serializer.context["request"].user
        if not user.is_rep:
            raise serializers.ValidationError({field: [_("Say which rep this is for.")]})
        attrs[field] = user


# As on weekly plans and goals: responses carry `version`; an update must send the
# version it read (400 without one) and a stale one answers 409 with nothing saved.
# --- Customers and contacts -----------------------------------------------------------------


class CustomerContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "role", "phone", "email"]


class ContactSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField()

    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "role", "phone", "email"]


class LastActivitySerializer(serializers.Serializer):
    day = serializers.DateField()
    metric = serializers.CharField(help_text=_("The metric's name."))


class NextStepSerializer(serializers.Serializer):
    day = serializers.DateField(help_text=_("When it is due (a task: its day, company time)."))
    text = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=["task", "deal"], help_text=_("An open task, or an open deal's next step.")
    )


class CustomerSerializer(serializers.ModelSerializer):
    owner = ScopedRepField(required=False, help_text=_("A rep; defaults to the caller (reps)."))
    source_channel = CachedSlugRelatedField(
        slug_field="key", queryset=Channel.objects.active(), required=False, allow_null=True
    )
    lost_reason = CachedSlugRelatedField(
        slug_field="key",
        queryset=LostReason.objects.active(),
        required=False,
        allow_null=True,
        help_text=_("Required when the status is did_not_buy or lost; cleared otherwise."),
    )
    contacts = CustomerContactSerializer(many=True, read_only=True)
    last_activity = serializers.SerializerMethodField(
        help_text=_("The latest activity logged for the customer or its deals, in your scope.")
    )
    next_step = serializers.SerializerMethodField(
        help_text=_(
            "The earliest open task for the customer or its open deals, or an open "
            "deal's next step if that comes first."
        )
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            *CUSTOMER_FIELDS,
            "contacts",
            "last_activity",
            "next_step",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"version": VERSION}

    @extend_schema_field(LastActivitySerializer(allow_null=True))
    def get_last_activity(self, customer) -> dict | None:
        day = getattr(customer, "last_activity", None)
        if day is None:
            return None
        return LastActivitySerializer({"day": day, "metric": customer.last_activity_metric}).data

    @extend_schema_field(NextStepSerializer(allow_null=True))
    def get_next_step(self, customer) -> dict | None:
        if not hasattr(customer, "next_task_due"):
            return None  # a customer read without the list's figures
        if "company" not in self.context:
            self.context["company"] = CompanySettings.load()
        step = next_step_of(customer, self.context["company"])
        if step is None:
            return None
        return NextStepSerializer({"day": step.day, "text": step.text, "kind": step.kind}).data

    def validate(self, attrs):
        _default_rep(self, attrs, "owner")
        require_version(self, attrs)
        return attrs
