"""Engagement endpoints: per user (computed now), the week's summary, the users at risk."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.behavior.api.permissions import READERS
from apps.behavior.config import behavior_settings
from apps.behavior.models import EngagementSnapshot
from apps.behavior.selectors import engagement_at_risk, engagement_summary, event_time_watermark
from apps.behavior.services.engagement import engagement_of_user


class AsOfSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateTimeField(required=False)


class UserEngagementView(APIView):
    permission_classes = [READERS]

    class OutputSerializer(serializers.Serializer[Any]):
        user_id = serializers.CharField()
        as_of = serializers.DateTimeField()
        score = serializers.FloatField()
        components = serializers.DictField(child=serializers.FloatField())
        stage = serializers.CharField()
        churn_risk = serializers.FloatField()
        churn_level = serializers.CharField()
        trend = serializers.CharField()
        sessions_7d = serializers.IntegerField()
        days_since_last_session = serializers.FloatField(allow_null=True)
        previous_weekly_scores = serializers.ListField(child=serializers.FloatField())

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="Event-time moment (default: latest event seen).")],
        responses={200: OutputSerializer},
        summary="A user's engagement score, lifecycle stage and churn risk.",
    )
    def get(self, request: Request, user_id: str) -> Response:
        query = AsOfSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or event_time_watermark()
        result, inputs, previous = engagement_of_user(user_id=user_id, as_of=as_of)
        body = {
            "user_id": user_id,
            "as_of": as_of,
            "score": result.score,
            "components": result.components,
            "stage": result.stage,
            "churn_risk": result.churn_risk,
            "churn_level": result.churn_level,
            "trend": result.trend,
            "sessions_7d": inputs.sessions_7d,
            "days_since_last_session": (
                round(inputs.days_since_last_session, 2) if inputs.days_since_last_session is not None else None
            ),
            "previous_weekly_scores": previous,
        }
        return Response(self.OutputSerializer(body).data)


class EngagementSummaryView(APIView):
    permission_classes = [READERS]

    class OutputSerializer(serializers.Serializer[Any]):
        week_start = serializers.DateField(allow_null=True)
        users = serializers.IntegerField()
        stages = serializers.DictField(child=serializers.IntegerField())
        churn_levels = serializers.DictField(child=serializers.IntegerField())
        average_score = serializers.FloatField(allow_null=True)

    @extend_schema(responses={200: OutputSerializer}, summary="Lifecycle stage distribution of the latest week.")
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(engagement_summary()).data)


class EngagementAtRiskView(ListAPIView[EngagementSnapshot]):
    """Users declining or with churn risk ≥ ``behavior.engagement_at_risk_churn`` (latest week)."""

    permission_classes = [READERS]

    class OutputSerializer(serializers.ModelSerializer[EngagementSnapshot]):
        class Meta:
            model = EngagementSnapshot
            fields = (
                "user_id",
                "week_start",
                "score",
                "stage",
                "churn_risk",
                "churn_level",
                "trend",
                "sessions_7d",
                "days_since_last_session",
            )

    serializer_class = OutputSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return engagement_at_risk(churn_at_least=behavior_settings().engagement_at_risk_churn)
