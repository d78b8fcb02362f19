"""Webhook endpoints and their deliveries on /api/v1/: admins only (403 for anyone else,
as for every configuration write)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from salesmgmt.api_schema import describe_crud
from salesmgmt.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from salesmgmt.webhooks import selectors, services
from salesmgmt.webhooks.filters import WebhookDeliveryFilter
from salesmgmt.webhooks.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
)


class IsAdmin(permissions.BasePermission):
    message = _("Only admins manage webhooks.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


STATUS_PARAMETER = OpenApiParameter(
    "status",
    str,
    enum=WebhookDeliveryStatus.values,
    description="Only deliveries in this state.",
)


@describe_crud(
    one="a webhook endpoint (its URL must be a public http(s) address unless the operator "
    "allows private networks; `secret` is generated when left out and returned once, in "
    "this response)",
    many="Webhook endpoints: where events are POSTed, signed with the endpoint's secret",
    readers="Admins only. The API returns the secret in the create response only (admins also see it on the endpoint's page).",
)
@extend_schema_view(
    create=extend_schema(responses={201: WebhookEndpointCreatedSerializer}),
    destroy=extend_schema(description="Delete a webhook endpoint and its delivery log."),
)
class WebhookEndpointViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, IsAdmin]
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.order_by("pk")
    filterset_fields = ["is_active"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        secret = data.pop("secret", None)
        endpoint = services.create_endpoint(**data, by=self.request.user)
        if secret:
            endpoint.secret = secret
            endpoint.save(update_fields=["secret"])
        serializer.instance = endpoint

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        body = WebhookEndpointCreatedSerializer(serializer.instance).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.update_endpoint(
            endpoint=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_endpoint(endpoint=instance)

    @extend_schema(
        description="The endpoint's deliveries, newest first. Admins only.",
        parameters=[STATUS_PARAMETER],
        responses=WebhookDeliverySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        filterset = WebhookDeliveryFilter(
            request.query_params, queryset=selectors.delivery_log(endpoint)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(
        description="One webhook delivery: its event, state and the "
        "receiver's last answer (status and a 300-character excerpt). Admins only."
    )
)
class WebhookDeliveryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, IsAdmin]
    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.select_related("event")

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer},
        description="Send the delivery again (same event id, so receivers deduplicate), "
        "with a fresh day of retries. Admins only.",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = services.redeliver(delivery=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
