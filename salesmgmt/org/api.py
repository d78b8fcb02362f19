from django.contrib.auth import authenticate
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from salesmgmt.api_schema import describe_crud
from salesmgmt.api_support import LockedOut
from salesmgmt.models import Role, Team, User
from salesmgmt.org.filters import TeamFilter, UserFilter
from salesmgmt.org.services import create_api_token, update_user


class IsAdminOrReadOnly(permissions.BasePermission):
    """Configuration and people: everyone signed in reads, admins write."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_admin


class TeamSerializer(serializers.ModelSerializer):
    focus_metrics = serializers.SlugRelatedField(
        slug_field="key", many=True, queryset=Team.metrics().all()
    )

    class Meta:
        model = Team
        fields = ["id", "name", "division", "manager", "sales_model", "focus_metrics"]


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "first_name",
            "last_name",
            "email",
            "role",
            "team",
            "division",
            "rep_function",
            "timezone",
            "language",
            "is_active",
        ]

    def validate(self, attrs):
        role = attrs.get("role", getattr(self.instance, "role", None))
        division = attrs.get("division", getattr(self.instance, "division", None))
        if role == Role.DIRECTOR and division is None:
            raise serializers.ValidationError(
                {"division": [gettext("A director leads a division.")]}
            )
        return attrs


@describe_crud(
    one="a team",
    many="Teams with their division, manager, sales model and focus metrics (by key)",
    readers="Scoped like the Teams page: a rep sees their team, a manager the teams they "
    "manage, a director their division's, an admin all; anything else is a 404.",
)
class TeamViewSet(viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdminOrReadOnly]
    filterset_class = TeamFilter
    ordering_fields = ["name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).prefetch_related("focus_metrics")


@describe_crud(
    one="a user",
    many="People with their role, team, division and rep function",
    readers="Scoped like everything else: a rep sees only themself, a manager themself and "
    "their teams' members, a director themself and their division's people, an admin "
    "everyone; anyone else is a 404.",
)
class UserViewSet(viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdminOrReadOnly]
    filterset_class = UserFilter
    ordering_fields = ["username", "last_name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return User.objects.visible_to(self.request.user).order_by("pk")

    def perform_update(self, serializer):
        # Nobody changes their own role or active flag; the last active admin stays one.
        serializer.instance = update_user(
            user=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class PreferencesSerializer(serializers.ModelSerializer):
    """What a person sets for themselves: the language and timezone they read in."""

    class Meta:
        model = User
        fields = ["language", "timezone"]


@extend_schema(methods=["GET"], responses=UserSerializer)
@extend_schema(methods=["PATCH"], request=PreferencesSerializer, responses=UserSerializer)
@api_view(["GET", "PATCH"])
def me(request):
    """The signed-in user: who the token or session belongs to. PATCH changes their own
    preferences (``language``: en, id, fil or el, null for the browser's; ``timezone``)."""
    if request.method == "PATCH":
        serializer = PreferencesSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
    return Response(UserSerializer(request.user).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(max_length=80, required=False, default="API token")


class TokenRateThrottle(SimpleRateThrottle):
    """Limits token requests per client address, signed in or not."""

    scope = "token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        201: inline_serializer(
            "TokenCreated",
            {
                "key": serializers.CharField(),
                "name": serializers.CharField(),
                "prefix": serializers.CharField(),
            },
        )
    },
    auth=[],
)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([TokenRateThrottle])
def obtain_token(request):
    """Exchange a username and password for a new personal token (shown once).

    Repeated failures lock the account out for a while, as on the login page.
    """
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    django_request = request._request
    user = authenticate(
        django_request,
        username=data.validated_data["username"],
        password=data.validated_data["password"],
    )
    if getattr(django_request, "axes_locked_out", False):
        raise LockedOut()
    if user is None:
        raise AuthenticationFailed(gettext("Wrong username or password."))
    token, key = create_api_token(user=user, name=data.validated_data["name"])
    return Response(
        {"key": key, "name": token.name, "prefix": token.prefix}, status=status.HTTP_201_CREATED
    )
