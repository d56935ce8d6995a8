"""Fraud alerts: ``GET /api/v1/fraud/alerts`` (filters, pagination), ``GET/PATCH .../alerts/{alert_id}``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.fraud.choices import AlertSeverity, AlertStatus, RiskTier
from apps.fraud.models import FraudAlert
from apps.fraud.selectors import ALERT_ORDERINGS, alert_get, alert_history, alert_list, alert_scores
from apps.fraud.services.alerts import alert_add_note, alert_assign, alert_transition
from lakay.exceptions import ApplicationError
from lakay.security.permissions import HasRole, has_role
from lakay.security.roles import Role

READERS = HasRole.of(Role.SERVICE, Role.ANALYST, Role.ADMIN)
ANALYSTS = HasRole.of(Role.ANALYST, Role.ADMIN)


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def alert_summary(alert: FraudAlert) -> dict[str, Any]:
    return {
        "alert_id": str(alert.alert_id),
        "user_id": alert.user_id,
        "transaction_id": alert.transaction_id,
        "severity": alert.severity,
        "status": alert.status,
        "score": round(alert.score, 6),
        "assigned_to": _username(alert.assigned_to),
        "linked_score_count": alert.linked_score_count,
        "occurred_at": alert.occurred_at,
        "created_at": alert.created_at,
        "updated_at": alert.updated_at,
        "closed_at": alert.closed_at,
    }


def alert_detail(alert: FraudAlert) -> dict[str, Any]:
    scores = list(alert_scores(alert))
    body = alert_summary(alert)
    body["scores"] = [
        {
            "transaction_id": score.transaction_id,
            "score": round(score.score, 6),
            "rule_score": round(score.rule_score, 6),
            "ml_score": score.ml_score,
            "risk_tier": score.risk_tier,
            "recommendation": score.recommendation,
            "confidence": score.confidence,
            "model_version": score.model_version,
            "opened_alert": score.alert_opened,
            "occurred_at": score.occurred_at,
            "triggered_rules": score.triggered_rules,
        }
        for score in scores
    ]
    body["decision_trace"] = scores[0].trace if scores else None
    body["history"] = [
        {
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor": event.actor_name,
            "reason": event.reason,
            "data": event.data,
            "at": event.created_at,
        }
        for event in alert_history(alert)
    ]
    return body


class AlertFilterSerializer(serializers.Serializer[Any]):
    status = serializers.MultipleChoiceField(choices=AlertStatus.choices, required=False)
    severity = serializers.MultipleChoiceField(choices=AlertSeverity.choices, required=False)
    user_id = serializers.CharField(max_length=64, required=False)
    risk_tier = serializers.ChoiceField(choices=RiskTier.choices, required=False)
    assigned_to = serializers.CharField(max_length=150, required=False, help_text="A username, or 'me'.")
    unassigned = serializers.BooleanField(required=False, default=False)
    date_from = serializers.DateTimeField(required=False, help_text="Created at or after.")
    date_to = serializers.DateTimeField(required=False, help_text="Created before.")
    max_age_hours = serializers.IntegerField(min_value=1, required=False)
    sort = serializers.ChoiceField(choices=list(ALERT_ORDERINGS), required=False, default="-created_at")


def _split(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, values in request.query_params.lists():
        if key in ("status", "severity"):
            data[key] = [item for value in values for item in value.split(",") if item]
        elif key == "sort_by":  # the upstream API's name for it
            data["sort"] = values[-1]
        elif key not in ("limit", "offset"):
            data[key] = values[-1]
    return data


class FraudAlertListView(ListAPIView[FraudAlert]):
    permission_classes = [READERS]
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[AlertFilterSerializer],
        responses={200: OpenApiResponse(description="{items, total, limit, offset}")},
        summary="Fraud alerts, filtered and paginated (?limit&offset).",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filters = AlertFilterSerializer(data=_split(self.request))
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        assignee_id = None
        if data.get("assigned_to") == "me":
            assignee_id = getattr(self.request.user, "pk", None)
            if not isinstance(assignee_id, int):
                raise ApplicationError("'me' needs a person's login.", code="not_a_person")
        elif data.get("assigned_to"):
            assignee = get_user_model().objects.filter(username=data["assigned_to"]).first()
            assignee_id = assignee.pk if assignee else -1
        return alert_list(
            status=sorted(data.get("status", [])) or None,
            severity=sorted(data.get("severity", [])) or None,
            user_id=data.get("user_id"),
            risk_tier=data.get("risk_tier"),
            assigned_to_id=assignee_id,
            unassigned=data["unassigned"],
            created_from=data.get("date_from"),
            created_to=data.get("date_to"),
            max_age=timedelta(hours=data["max_age_hours"]) if data.get("max_age_hours") else None,
            ordering=data["sort"],
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([alert_summary(alert) for alert in page or []])


class AlertUpdateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    assigned_to = serializers.CharField(max_length=150, required=False, help_text="A username, or 'me'.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"status", "assigned_to", "note"} & set(attrs):
            raise serializers.ValidationError("Give at least one of status, assigned_to, note.")
        return attrs


class FraudAlertDetailView(APIView):
    def get_permissions(self) -> list[Any]:
        return [ANALYSTS()] if self.request.method == "PATCH" else [READERS()]

    @extend_schema(responses={200: OpenApiResponse(description="The alert, its scores, trace and history.")})
    def get(self, request: Request, alert_id: str) -> Response:
        return Response(alert_detail(alert_get(alert_id)))

    @extend_schema(
        request=AlertUpdateSerializer,
        responses={
            200: OpenApiResponse(description="The updated alert."),
            409: OpenApiResponse(description="Transition not allowed from the current status."),
        },
        summary="Assign, disposition (reason required) or annotate an alert.",
    )
    def patch(self, request: Request, alert_id: str) -> Response:
        serializer = AlertUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = request.user
        with transaction.atomic():
            alert = alert_get(alert_id)
            if "assigned_to" in data:
                assignee = actor if data["assigned_to"] == "me" else self._person(data["assigned_to"])
                alert = alert_assign(alert_id=alert.alert_id, assignee=assignee, actor=actor, reason=data["reason"])
            if "status" in data and data["status"] != alert.status:
                alert = alert_transition(
                    alert_id=alert.alert_id, to_status=data["status"], actor=actor, reason=data["reason"]
                )
            if data.get("note"):
                alert_add_note(alert_id=alert.alert_id, actor=actor, text=data["note"])
        return Response(alert_detail(alert_get(alert_id)))

    def _person(self, username: str) -> Any:
        person = get_user_model().objects.filter(username=username, is_active=True).first()
        if person is None or not has_role(person, Role.ANALYST, Role.ADMIN):
            raise ApplicationError(
                "Alerts can only be assigned to an active analyst.",
                code="invalid_assignee",
                details={"assigned_to": username},
            )
        return person
