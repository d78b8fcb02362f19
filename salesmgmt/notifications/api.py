"""Notifications on /api/v1/: everyone reads and marks only their own.

Nobody, an admin included, sees another person's notifications: the list is
the caller's in-app notifications and anything else answers 404.
"""

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from salesmgmt.models import Notification, NotificationKind, NotificationPreference
from salesmgmt.notifications.forms import NotificationFilter
from salesmgmt.notifications.services import mark_all_read, mark_read, preferences_of


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications, newest first; `?unread=true` for the bell's count."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Notification.objects.none()
        return Notification.objects.shown().filter(user=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (again changes nothing)."""
        notification = self.get_object()
        mark_read(notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request):
        """Mark every unread notification of yours read; says how many."""
        return Response({"marked": mark_all_read(user=request.user)})


class NotificationPreferenceSerializer(serializers.Serializer):
    # Plain text, not a second enum of kinds: GET lists every kind with its label.
    kind = serializers.CharField(help_text=gettext_lazy("A notification kind, as GET lists them."))
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()

    def validate_kind(self, value):
        if value not in NotificationKind.values:
            raise serializers.ValidationError(
                gettext('"%(value)s" is not a notification kind.') % {"value": value}
            )
        return value


def _preferences(user) -> list[dict]:
    chosen = preferences_of(user)
    rows = []
    for kind, label in NotificationKind.choices:
        in_app, email = chosen.get(kind, (True, True))
        rows.append({"kind": kind, "label": label, "in_app": in_app, "email": email})
    return rows


@extend_schema(methods=["GET"], request=None, responses=NotificationPreferenceSerializer(many=True))
@extend_schema(
    methods=["PUT"],
    request=NotificationPreferenceSerializer(many=True),
    responses=NotificationPreferenceSerializer(many=True),
)
@api_view(["GET", "PUT"])
def notification_preferences(request):
    """Per kind of notification: in the app, by e-mail, both or neither.

    GET lists every kind (unchanged kinds are both on). PUT takes a list of
    kinds with their two switches; kinds you leave out keep their setting.
    """
    if request.method == "PUT":
        body = NotificationPreferenceSerializer(data=request.data, many=True)
        if not body.is_valid():
            errors = body.errors
            if isinstance(errors, list):
                errors = dict(enumerate(errors))
            # Bad rows are named by their index, as in the bulk endpoints.
            raise serializers.ValidationError({str(k): v for k, v in errors.items() if v})
        kinds = [row["kind"] for row in body.validated_data]
        if len(kinds) != len(set(kinds)):
            raise serializers.ValidationError(
                {"non_field_errors": [gettext("Each kind may appear once.")]}
            )
        with transaction.atomic():
            for row in body.validated_data:
                NotificationPreference.objects.update_or_create(
                    user=request.user,
                    kind=row["kind"],
                    defaults={"in_app": row["in_app"], "email": row["email"]},
                )
    return Response(_preferences(request.user))
