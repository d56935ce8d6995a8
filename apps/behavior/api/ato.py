"""ATO endpoints: assess on demand (service clients); list, read and update alerts (analysts, admins)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.behavior.api.permissions import READERS, SERVICE
from apps.behavior.api.serializers import (
    AtoAlertDetailSerializer,
    AtoAlertSerializer,
    SessionDescriptionSerializer,
    SignalSerializer,
    description_of,
)
from apps.behavior.choices import AtoAlertStatus, AtoRiskLevel
from apps.behavior.config import behavior_settings
from apps.behavior.models import AtoAlert
from apps.behavior.selectors import ato_alert_get, ato_alert_list
from apps.behavior.services.ato import TRANSITIONS, ato_alert_set_status, ato_assess

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}\Z"


class AtoAssessView(APIView):
    """Assess a user's account-takeover risk now; raises (or merges into) an alert at high/critical."""

    permission_classes = [SERVICE]

    class InputSerializer(serializers.Serializer[Any]):
        user_id = serializers.RegexField(ID_PATTERN)
        session_id = serializers.RegexField(ID_PATTERN, required=False)
        session = SessionDescriptionSerializer(required=False)
        at = serializers.DateTimeField(
            required=False, help_text="Event time of the assessment (default: latest evidence)."
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs.get("session_id") and attrs.get("session"):
                raise serializers.ValidationError("Give either session_id or session, not both.")
            return attrs

    class AlertRefSerializer(serializers.Serializer[Any]):
        alert_id = serializers.UUIDField()
        status = serializers.CharField()
        created = serializers.BooleanField(help_text="False: merged into the user's open alert (dedup).")

    class OutputSerializer(serializers.Serializer[Any]):
        user_id = serializers.CharField()
        session_id = serializers.CharField(allow_null=True)
        assessed_at = serializers.DateTimeField()
        ato_risk_score = serializers.FloatField()
        risk_level = serializers.ChoiceField(choices=AtoRiskLevel.choices)
        recommended_response = serializers.CharField()
        contributing_signals = SignalSerializer(many=True)
        access_signal_present = serializers.BooleanField()
        familiar_context_capped = serializers.BooleanField()
        step_up_passed = serializers.BooleanField()
        alert = serializers.DictField(allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, summary="Assess account-takeover risk.")
    def post(self, request: Request) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        description = description_of(data["user_id"], data["session"]) if data.get("session") else None
        assessment = ato_assess(
            user_id=data["user_id"],
            settings=behavior_settings(),
            session_id=data.get("session_id"),
            description=description,
            at=data.get("at"),
        )
        result = assessment.result
        alert = None
        if assessment.alert is not None:
            alert = {
                "alert_id": str(assessment.alert.alert.alert_id),
                "status": assessment.alert.alert.status,
                "created": assessment.alert.created,
            }
        body = {
            "user_id": assessment.user_id,
            "session_id": assessment.session_id,
            "assessed_at": assessment.at,
            "ato_risk_score": result.score,
            "risk_level": result.risk_level,
            "recommended_response": result.recommended_response,
            "contributing_signals": [signal.as_dict() for signal in result.signals],
            "access_signal_present": result.access_signal_present,
            "familiar_context_capped": result.capped,
            "step_up_passed": result.step_up_passed,
            "alert": alert,
        }
        return Response(self.OutputSerializer(body).data)


class AtoAlertListView(ListAPIView[AtoAlert]):
    permission_classes = [READERS]
    serializer_class = AtoAlertSerializer
    filter_backends: list[Any] = []

    class FilterSerializer(serializers.Serializer[Any]):
        user_id = serializers.RegexField(ID_PATTERN, required=False)
        status = serializers.ChoiceField(choices=AtoAlertStatus.choices, required=False)
        risk_level = serializers.ChoiceField(choices=AtoRiskLevel.choices, required=False)
        detected_from = serializers.DateTimeField(required=False)
        detected_to = serializers.DateTimeField(required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("user_id", str),
            OpenApiParameter("status", str, enum=AtoAlertStatus.values),
            OpenApiParameter("risk_level", str, enum=AtoRiskLevel.values),
            OpenApiParameter("detected_from", str, description="ISO 8601, event time"),
            OpenApiParameter("detected_to", str, description="ISO 8601, event time"),
        ],
        summary="ATO alerts, newest first.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return ato_alert_list(**filters.validated_data).select_related("escalated_from")


class AtoAlertDetailView(APIView):
    permission_classes = [READERS]

    class InputSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=sorted(TRANSITIONS))
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(responses={200: AtoAlertDetailSerializer}, summary="One ATO alert with its status history.")
    def get(self, request: Request, alert_id: str) -> Response:
        return Response(AtoAlertDetailSerializer(ato_alert_get(alert_id=alert_id)).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: AtoAlertDetailSerializer},
        summary="Set an ATO alert's status (investigating, confirmed_ato, false_positive, resolved).",
    )
    def put(self, request: Request, alert_id: str) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ato_alert_set_status(
            alert_id=alert_id,
            to_status=given.validated_data["status"],
            actor=request.user.get_username(),
            note=given.validated_data["note"],
        )
        return Response(AtoAlertDetailSerializer(ato_alert_get(alert_id=alert_id)).data)
