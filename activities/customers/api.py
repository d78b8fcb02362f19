"""Customers and their contacts on /api/v1/.

Every read goes through ``visible_to``: a customer outside the caller's scope answers
404. Writes go through activities.customers.services, so the API keeps the rules the
pages keep. Customers are never deleted: one who did not buy stays, with the reason."""

from rest_framework import viewsets

from activities.catalogue.api import NO_DELETE
from activities.customers import services
from activities.customers.filters import ContactFilter, CustomerFilter
from activities.customers.selectors import api_customers
from activities.customers.serializers import ContactSerializer, CustomerSerializer
from activities.models import (
    Contact,
)
from salesmgmt.api_support import StaleVersionFirst

# --- Customers and contacts -------------------------------------------------------------------


class CustomerViewSet(StaleVersionFirst, viewsets.ModelViewSet):
    """Accounts, bought or not. 'Did not buy' and 'lost' carry a reason; contacts
    are read here and written through /contacts/."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["name", "created_at", "updated_at"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return api_customers(self.request.user)

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        customer = services.save_customer(by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=customer.pk)

    def perform_update(self, serializer):
        customer = services.save_customer(
            by=self.request.user, customer=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=customer.pk)


class ContactViewSet(viewsets.ModelViewSet):
    """The people at a customer; whoever sees the customer sees and edits them."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["name"]

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user).order_by("name", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.save_contact(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_contact(
            contact=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_contact(contact=instance)
