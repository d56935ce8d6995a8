"""Circle health endpoints: recompute now, latest health, summary, anomalies, classification, at-risk.

Every input is derived from the circle's events; the endpoints never take health inputs from callers.
Read: service, analyst, compliance officer, admin. ``POST …/score``: service, analyst, admin.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.circles import selectors
from apps.circles.api.serializers import (
    CircleAnomalyOutputSerializer,
    CircleClassificationOutputSerializer,
    CircleHealthOutputSerializer,
    CircleSummarySerializer,
    CircleTierChangeOutputSerializer,
)
from apps.circles.choices import AnomalyType, CircleStatus, ScoringTrigger, Severity, Tier
from apps.circles.models import Circle, CircleAnomaly, CircleHealth
from apps.circles.services.scoring import circle_score
from lakay.exceptions import ApplicationError
from lakay.security.permissions import HasRole
from lakay.security.roles import Role

READERS = HasRole.of(Role.SERVICE, Role.ANALYST, Role.COMPLIANCE_OFFICER, Role.ADMIN)
SCORERS = HasRole.of(Role.SERVICE, Role.ANALYST, Role.ADMIN)


def _with_circle(health: CircleHealth, circle: Circle) -> CircleHealth:
    health.circle = circle  # already loaded: no query per field
    return health


class CircleScoreOutputSerializer(CircleHealthOutputSerializer):
    tier_change = CircleTierChangeOutputSerializer(allow_null=True, help_text="Set when this score changed the tier.")


class CircleScoreView(APIView):
    permission_classes = [SCORERS]

    @extend_schema(
        request=None,
        responses={200: CircleScoreOutputSerializer, 400: OpenApiResponse(description="A body was sent"), 404: None},
        summary="Recompute a circle's health now from its events (and store it).",
    )
    def post(self, request: Request, circle_id: str) -> Response:
        if request.data:
            raise ApplicationError(
                "Circle health inputs are derived from the circle's events; send no body.",
                code="inputs_not_accepted",
            )
        outcome = circle_score(circle_id=circle_id, trigger=ScoringTrigger.API, requested_by=str(request.user)[:150])
        health = outcome.health
        health.tier_change = outcome.tier_change
        return Response(CircleScoreOutputSerializer(health).data)


class CircleHealthView(APIView):
    permission_classes = [READERS]

    @extend_schema(
        responses={200: CircleHealthOutputSerializer, 404: None}, summary="The circle's latest stored health."
    )
    def get(self, request: Request, circle_id: str) -> Response:
        health = selectors.circle_latest_health(circle_id=circle_id)
        return Response(CircleHealthOutputSerializer(health).data)


class CircleClassificationView(APIView):
    permission_classes = [READERS]

    @extend_schema(
        responses={200: CircleClassificationOutputSerializer, 404: None},
        summary="The circle's latest tier, why, and the recommended actions.",
    )
    def get(self, request: Request, circle_id: str) -> Response:
        health = selectors.circle_latest_health(circle_id=circle_id)
        return Response(CircleClassificationOutputSerializer(health).data)


class CircleAnomalyListView(ListAPIView[CircleAnomaly]):
    permission_classes = [READERS]
    serializer_class = CircleAnomalyOutputSerializer
    filterset_class = None
    filter_backends = ()

    class FilterSerializer(serializers.Serializer[Any]):
        anomaly_type = serializers.ChoiceField(choices=AnomalyType.choices, required=False)
        severity = serializers.ChoiceField(choices=Severity.choices, required=False)
        history = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer],
        summary="Anomalies of the circle's latest health (history=true: of every computation), newest first.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.circle_anomalies(circle_id=self.kwargs["circle_id"], **filters.validated_data)


ORDERINGS = ("health_score", "-health_score", "last_scored_at", "-last_scored_at", "circle_id")


class _CircleListView(ListAPIView[Circle]):
    permission_classes = [READERS]
    serializer_class = CircleSummarySerializer
    filter_backends = ()

    class FilterSerializer(serializers.Serializer[Any]):
        tier = serializers.MultipleChoiceField(choices=Tier.choices, required=False)
        status = serializers.MultipleChoiceField(choices=CircleStatus.choices, required=False)
        ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="health_score")

    def filters(self) -> dict[str, Any]:
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return dict(filters.validated_data)


class CircleHealthSummaryView(_CircleListView):
    @extend_schema(
        parameters=[_CircleListView.FilterSerializer],
        summary="Latest health of every scored circle (filter by tier/status; ordering).",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = self.filters()
        return selectors.scored_circles(
            tiers=filters.get("tier", ()), statuses=filters.get("status", ()), ordering=filters["ordering"]
        )


class CircleAtRiskView(_CircleListView):
    @extend_schema(
        parameters=[OpenApiParameter("status", str, many=True, enum=CircleStatus.values)],
        summary="Circles whose latest tier is at-risk or critical, lowest score first.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.circles_at_risk(statuses=self.filters().get("status", ()))
