"""Serializers shared by the behaviour endpoints (input parsing and output shapes)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.behavior.constants import ACTION_TYPES, DEVICE_TYPES
from apps.behavior.models import AtoAlert, AtoAlertStatusChange
from apps.behavior.services.scoring import SessionDescription


class GeoSerializer(serializers.Serializer[Any]):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    country = serializers.RegexField(r"^[A-Z]{2}\Z")
    city = serializers.CharField(max_length=100, required=False, default="")


class SessionDescriptionSerializer(serializers.Serializer[Any]):
    """A session the events have not (fully) told Lakay about yet."""

    started_at = serializers.DateTimeField()
    device_id = serializers.RegexField(r"^[A-Za-z0-9_.:-]{1,64}\Z", required=False, default="")
    device_type = serializers.ChoiceField(choices=DEVICE_TYPES, required=False, default="")
    geo_location = GeoSerializer(required=False, allow_null=True, default=None)
    duration_seconds = serializers.IntegerField(
        min_value=0, max_value=604800, required=False, allow_null=True, default=None
    )
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=ACTION_TYPES), max_length=1000, required=False, default=list
    )
    is_ended = serializers.BooleanField(required=False, default=False)


def description_of(user_id: str, data: dict[str, Any]) -> SessionDescription:
    geo = data.get("geo_location") or {}
    return SessionDescription(
        user_id=user_id,
        started_at=data["started_at"],
        device_id=data.get("device_id", ""),
        device_type=data.get("device_type", ""),
        country=geo.get("country", ""),
        city=geo.get("city", ""),
        latitude=geo.get("latitude"),
        longitude=geo.get("longitude"),
        duration_seconds=data.get("duration_seconds"),
        action_types=tuple(data.get("actions", ())),
        is_ended=data.get("is_ended", False),
    )


class SignalSerializer(serializers.Serializer[Any]):
    signal = serializers.CharField()
    score = serializers.FloatField()
    details = serializers.DictField()


class AtoAlertSerializer(serializers.ModelSerializer[AtoAlert]):
    session_id = serializers.SerializerMethodField()
    escalated_from = serializers.SerializerMethodField()
    signals = SignalSerializer(many=True)

    class Meta:
        model = AtoAlert
        fields: tuple[str, ...] = (
            "alert_id",
            "user_id",
            "session_id",
            "status",
            "risk_score",
            "risk_level",
            "recommended_response",
            "signals",
            "trigger",
            "detected_at",
            "created_at",
            "duplicate_count",
            "last_duplicate_at",
            "escalated_from",
            "status_changed_at",
            "resolved_at",
        )

    def get_session_id(self, alert: AtoAlert) -> str | None:
        return alert.session_id or None

    def get_escalated_from(self, alert: AtoAlert) -> str | None:
        return str(alert.escalated_from.alert_id) if alert.escalated_from_id and alert.escalated_from else None


class StatusChangeSerializer(serializers.ModelSerializer[AtoAlertStatusChange]):
    class Meta:
        model = AtoAlertStatusChange
        fields = ("from_status", "to_status", "actor", "note", "changed_at")


class AtoAlertDetailSerializer(AtoAlertSerializer):
    history = StatusChangeSerializer(many=True, source="status_changes")

    class Meta(AtoAlertSerializer.Meta):
        fields = (*AtoAlertSerializer.Meta.fields, "history")
