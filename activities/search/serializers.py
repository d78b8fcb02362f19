"""Shapes of the global search on the API (read only): each kind's first matches and
how many match in all."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.models import Contact, Customer, Deal
from activities.search.selectors import LIMIT, MAX_LENGTH, MIN_LENGTH
from salesmgmt.models import User


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        help_text=format_lazy(
            _(
                "What to look for, {min} to {max} characters: part of a name, phone number "
                "(spaces, dashes and brackets do not matter) or e-mail address."
            ),
            min=MIN_LENGTH,
            max=MAX_LENGTH,
        ),
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=50,
        default=LIMIT,
        help_text=_("How many results of each kind (the `count` says how many match in all)."),
    )


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CustomerHitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "status", "city", "phone", "email", "owner"]


class ContactHitSerializer(serializers.ModelSerializer):
    customer = NamedSerializer()

    class Meta:
        model = Contact
        fields = ["id", "name", "role", "phone", "email", "customer"]


class StageRefSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class DealHitSerializer(serializers.ModelSerializer):
    customer = NamedSerializer()
    stage = StageRefSerializer()

    class Meta:
        model = Deal
        fields = ["id", "title", "customer", "stage", "amount", "expected_close", "owner"]


class RepHitSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name")
    team = NamedSerializer(allow_null=True)

    class Meta:
        model = User
        fields = ["id", "name", "username", "email", "team", "is_active"]


class CustomerGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many customers match in all."))
    results = CustomerHitSerializer(many=True, source="rows")


class ContactGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many contacts match in all."))
    results = ContactHitSerializer(many=True, source="rows")


class DealGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many deals match in all."))
    results = DealHitSerializer(many=True, source="rows")


class RepGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("How many reps match in all."))
    results = RepHitSerializer(many=True, source="rows")


class SearchResultsSerializer(serializers.Serializer):
    q = serializers.CharField()
    customers = CustomerGroupSerializer()
    contacts = ContactGroupSerializer()
    deals = DealGroupSerializer()
    reps = RepGroupSerializer()
