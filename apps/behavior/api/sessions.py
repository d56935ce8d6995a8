"""``POST /api/v1/behavior/sessions/score``: session anomaly on demand (service clients)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.behavior.api.permissions import SERVICE
from apps.behavior.api.serializers import SessionDescriptionSerializer, description_of
from apps.behavior.config import behavior_settings
from apps.behavior.services.scoring import session_score_on_demand


class SessionScoreView(APIView):
    """Score a known session (by ``session_id``) or a described one (``user_id`` + ``session``).

    A finished session returns the score stored when it ended (judged against the profile before it);
    a running or described session is scored now and nothing is stored. Profiles learn only from events.
    """

    permission_classes = [SERVICE]

    class InputSerializer(serializers.Serializer[Any]):
        session_id = serializers.RegexField(r"^[A-Za-z0-9_.:-]{1,64}\Z", required=False)
        user_id = serializers.RegexField(r"^[A-Za-z0-9_.:-]{1,64}\Z", required=False)
        session = SessionDescriptionSerializer(required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs.get("session_id"):
                if attrs.get("session"):
                    raise serializers.ValidationError("Give either session_id or session, not both.")
                return attrs
            if not attrs.get("session") or not attrs.get("user_id"):
                raise serializers.ValidationError("Give a session_id, or a user_id with a session description.")
            return attrs

    class OutputSerializer(serializers.Serializer[Any]):
        session_id = serializers.CharField(allow_null=True)
        user_id = serializers.CharField()
        anomaly_score = serializers.FloatField()
        anomaly_class = serializers.CharField()
        recommended_action = serializers.CharField()
        dimensions = serializers.DictField(child=serializers.FloatField())
        profile_status = serializers.CharField()
        multiplier = serializers.FloatField()
        reasons = serializers.ListField(child=serializers.CharField())
        as_of = serializers.DateTimeField()
        source = serializers.ChoiceField(choices=("stored", "computed"))  # type: ignore[assignment]

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, 400: OpenApiResponse(description="Invalid input"), 404: None},
        summary="Session anomaly score (stored at session end, or computed now).",
    )
    def post(self, request: Request) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        description = description_of(data["user_id"], data["session"]) if data.get("session") else None
        scored = session_score_on_demand(
            settings=behavior_settings(), session_id=data.get("session_id"), description=description
        )
        result = scored.result
        body = {
            "session_id": scored.session_id,
            "user_id": scored.user_id,
            "anomaly_score": result.score,
            "anomaly_class": result.anomaly_class,
            "recommended_action": result.recommended_action,
            "dimensions": result.dimensions,
            "profile_status": result.profile_status,
            "multiplier": result.multiplier,
            "reasons": result.reasons,
            "as_of": scored.as_of,
            "source": scored.source,
        }
        return Response(self.OutputSerializer(body).data)
