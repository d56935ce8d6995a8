"""Output shapes shared by the circle endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.circles.choices import Tier
from apps.circles.constants import DIMENSIONS
from apps.circles.models import Circle, CircleAnomaly, CircleHealth, CircleTierChange


class CircleAnomalyOutputSerializer(serializers.ModelSerializer[CircleAnomaly]):
    class Meta:
        model = CircleAnomaly
        fields = (
            "id",
            "anomaly_type",
            "severity",
            "cycle_number",
            "description",
            "affected_members",
            "evidence",
            "detected_at",
            "health",
        )


class CircleRecommendationSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    priority = serializers.ChoiceField(choices=["low", "medium", "high"])
    text = serializers.CharField()


class CircleClassificationOutputSerializer(serializers.Serializer[Any]):
    circle_id = serializers.CharField(source="circle.circle_id")
    tier = serializers.ChoiceField(choices=Tier.choices, help_text="Classified tier (after escalations).")
    score_tier = serializers.ChoiceField(choices=Tier.choices, help_text="Tier of the raw score.")
    health_score = serializers.FloatField()
    effective_score = serializers.FloatField(help_text="Score used for tiering (-10 when deteriorating).")
    trend = serializers.CharField()
    reason = serializers.CharField(source="classification_reason")
    recommendations = CircleRecommendationSerializer(many=True)
    computed_at = serializers.DateTimeField()


class CircleDimensionSerializer(serializers.Serializer[Any]):
    score = serializers.FloatField()
    weight = serializers.FloatField()
    factors = serializers.ListField(child=serializers.CharField())


class CircleHealthOutputSerializer(serializers.Serializer[Any]):
    health_id = serializers.IntegerField(source="id")
    circle_id = serializers.CharField(source="circle.circle_id")
    health_score = serializers.FloatField(help_text="Composite 0 (worst) - 100 (best).")
    tier = serializers.ChoiceField(choices=Tier.choices, help_text="Classified tier (after escalations).")
    score_tier = serializers.ChoiceField(choices=Tier.choices)
    confidence = serializers.FloatField(help_text="0-1: grows with completed cycles and members.")
    trend = serializers.CharField()
    trend_delta = serializers.FloatField(allow_null=True)
    score_one_cycle_ago = serializers.FloatField(allow_null=True)
    score_three_cycles_ago = serializers.FloatField(allow_null=True)
    cycle_number = serializers.IntegerField()
    cycles_completed = serializers.IntegerField()
    as_of = serializers.DateTimeField(allow_null=True, help_text="Event time of the newest fact used.")
    computed_at = serializers.DateTimeField()
    scoring_version = serializers.CharField()
    trigger = serializers.CharField()
    dimensions = serializers.SerializerMethodField()
    inputs = serializers.DictField(help_text="Every input, derived from the circle's events.")
    anomalies = serializers.SerializerMethodField()
    classification = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=CircleDimensionSerializer()))
    def get_dimensions(self, health: CircleHealth) -> dict[str, Any]:
        return {
            name: {
                "score": getattr(health, name),
                "weight": health.weights.get(name),
                "factors": health.factors.get(name, []),
            }
            for name in DIMENSIONS
        }

    @extend_schema_field(CircleAnomalyOutputSerializer(many=True))
    def get_anomalies(self, health: CircleHealth) -> list[Any]:
        return list(CircleAnomalyOutputSerializer(health.anomalies.order_by("id"), many=True).data)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_classification(self, health: CircleHealth) -> dict[str, Any]:
        return {
            "tier": health.tier,
            "effective_score": health.effective_score,
            "reason": health.classification_reason,
            "recommendations": health.recommendations,
        }


class CircleTierChangeOutputSerializer(serializers.ModelSerializer[CircleTierChange]):
    previous_tier = serializers.SerializerMethodField()

    class Meta:
        model = CircleTierChange
        fields = ("id", "previous_tier", "new_tier", "health_score", "reason", "changed_at")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_previous_tier(self, change: CircleTierChange) -> str | None:
        return change.previous_tier or None


class CircleSummarySerializer(serializers.ModelSerializer[Circle]):
    confidence = serializers.FloatField(source="latest_health.confidence")
    cycle_number = serializers.IntegerField(source="latest_health.cycle_number")

    class Meta:
        model = Circle
        fields = (
            "circle_id",
            "name",
            "status",
            "health_score",
            "tier",
            "trend",
            "confidence",
            "cycle_number",
            "last_scored_at",
        )
