"""KPIs through the API: definitions, current values for a scope, deviation episodes."""

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from reporting.alerts.selectors import api_alerts
from reporting.alerts.serializers import DeviationActionInputSerializer, DeviationActionSerializer
from reporting.alerts.services import acknowledge, add_note, give_task, may_act_on, snooze
from reporting.kpis.filters import AlertFilter
from reporting.kpis.selectors import BadScope, evaluate_kpis, kpi_period, resolve_subject
from reporting.kpis.serializers import (
    DeviationEpisodeSerializer,
    KpiSerializer,
    KpiValuesQuerySerializer,
    KpiValuesSerializer,
    unit_of,
)
from reporting.models import DeviationActionKind, Kpi
from salesmgmt.api_schema import ErrorSerializer, error_response
from salesmgmt.models import CompanySettings, Team


def default_scope(user) -> str:
    """The widest view ``user`` has: company, their division, their first team, themselves."""
    if user.is_admin:
        return "company"
    if user.is_director and user.division_id:
        return f"division:{user.division_id}"
    if user.is_manager:
        team = Team.objects.filter(manager=user).order_by("name").first()
        if team:
            return f"team:{team.pk}"
    return f"rep:{user.pk}"


@extend_schema_view(
    list=extend_schema(summary="KPI definitions"),
    retrieve=extend_schema(summary="One KPI definition"),
)
class KpiViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicators the admin defines: what each measures, its period, target,
    amber and red thresholds and direction. Everyone signed in may read them; the
    admin changes them in the admin site."""

    serializer_class = KpiSerializer
    filterset_fields = ["kind", "period", "active"]
    ordering_fields = ["position", "name"]

    def get_queryset(self):
        return Kpi.objects.select_related("metric", "denominator", "stage")

    @extend_schema(
        summary="Current KPI values for a scope",
        parameters=[KpiValuesQuerySerializer],
        responses={
            200: KpiValuesSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A query parameter is invalid."),
            404: OpenApiResponse(
                ErrorSerializer, description="A scope you may not look at (or that does not exist)."
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="values", pagination_class=None)
    def values(self, request):
        """Every active KPI measured for one rep, team, division or the company: the value
        (a team's counts are the average per rep), the target, thresholds and status.
        Without `start`/`end`, each KPI over its own current period (as the deviation
        alerts judge it). Counts run up to now against target and thresholds pro-rated to
        the working days over (today is not due yet); over a span longer than the KPI's
        own period, a count reads per period on average (`periods`, `per`) against the
        KPI's own target. Ratios are numerator / denominator x 100 (null when the
        denominator is 0). A director asking for `company` gets their division."""
        query = KpiValuesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        key = params.get("scope") or default_scope(request.user)
        if key == "company" and request.user.is_director:
            key = default_scope(request.user)  # a director's company is their division
        try:
            subject = resolve_subject(request.user, key)
        except BadScope:
            raise ValidationError(
                {"scope": [gettext("Use rep:<id>, team:<id>, division:<id> or company.")]}
            ) from None
        if subject is None:
            raise NotFound()
        company = CompanySettings.load()
        as_of = company.today()
        kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
        groups = {"scope": subject.rep_ids}
        if params.get("start"):
            spans = {k.pk: (params["start"], params["end"]) for k in kpis}
        else:
            spans = {k.pk: kpi_period(k, as_of, company) for k in kpis}
        values = {}
        for span in set(spans.values()):
            members = [k for k in kpis if spans[k.pk] == span]
            values |= evaluate_kpis(members, groups=groups, start=span[0], end=span[1], as_of=as_of)
        body = {
            "scope": {"key": subject.key, "label": subject.label, "reps": len(subject.rep_ids)},
            "as_of": as_of,
            "values": [
                {
                    **vars(values[(k.pk, "scope")]),
                    "per": values[(k.pk, "scope")].per,
                    "unit": unit_of(k),
                    "start": spans[k.pk][0],
                    "end": spans[k.pk][1],
                }
                for k in kpis
            ],
        }
        return Response(KpiValuesSerializer(body).data)


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Deviation episodes: a goal or KPI that fell behind pace, from the day it fell
    behind until it recovered (`closed_on`), with what managers did about it (`status`,
    `actions`). Same scope as the alerts page: your own, your reps', your teams' and
    (directors) your division's; filter with `open`, `state` (open leaves snoozed ones
    out), `status` (new, acknowledged, snoozed), `severity`, `subject` (goal or kpi),
    `rep`, `team`, `opened_from`, `opened_to`."""

    serializer_class = DeviationEpisodeSerializer
    filterset_class = AlertFilter
    ordering_fields = ["opened_on", "closed_on", "severity"]

    def get_queryset(self):
        return api_alerts(self.request.user)

    @extend_schema(
        summary="Record what was done about an alert",
        request=DeviationActionInputSerializer,
        responses={
            201: DeviationActionSerializer,
            400: error_response("A field is missing or wrong for this kind; see errors."),
            403: error_response("You see this alert but do not manage it (the rep it is about)."),
            409: error_response("Acknowledge or snooze with a stale version."),
        },
    )
    @action(detail=True, methods=["post"], url_path="actions", filterset_class=None)
    def record_action(self, request, pk=None):
        """A note (everyone who sees the alert reads it, the rep included), a task for the
        rep the alert is about (in their tasks, due at the end of `due`), an
        acknowledgement (seen, handled; ends a snooze) or a snooze until a day (out of
        the open list and no "far behind" notice before it). The managers, directors and
        admins who see the alert may act; the rep reads."""
        episode = self.get_object()
        if not may_act_on(episode, request.user):
            raise PermissionDenied(gettext("Only the rep's managers act on an alert."))
        body = DeviationActionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kind, text = data["kind"], data.get("text", "")
        if kind == DeviationActionKind.NOTE:
            done = add_note(episode=episode, by=request.user, text=text)
        elif kind == DeviationActionKind.TASK:
            done = give_task(episode=episode, by=request.user, text=text, due=data.get("due"))
        elif kind == DeviationActionKind.ACKNOWLEDGE:
            done = acknowledge(
                episode=episode, by=request.user, text=text, version=data.get("version")
            )
        else:
            done = snooze(
                episode=episode,
                by=request.user,
                until=data.get("until"),
                text=text,
                version=data.get("version"),
            )
        return Response(DeviationActionSerializer(done).data, status=201)


router = SimpleRouter()
router.register("kpis", KpiViewSet, basename="kpi")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = router.urls
