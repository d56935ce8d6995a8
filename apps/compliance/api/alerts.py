"""Compliance alerts: list (filters), one alert, dismiss with a rationale."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import CASE_WORKERS, COMPLIANCE, alert_json, paginated
from apps.compliance.selectors.alerts import alert_list
from apps.compliance.services.alerts import alert_dismiss
from lakay.exceptions import NotFoundError


class AlertListView(APIView):
    permission_classes = [CASE_WORKERS]

    @extend_schema(summary="Compliance alerts, newest first; filters alert_type, priority, status, user_id.")
    def get(self, request: Request) -> Response:
        params = request.query_params
        alerts = alert_list(
            alert_type=params.get("alert_type"),
            priority=params.get("priority"),
            status=params.get("status"),
            customer_id=params.get("user_id"),
        )
        return paginated(request, self, alerts, alert_json)


class AlertDetailView(APIView):
    permission_classes = [CASE_WORKERS]

    @extend_schema(summary="One compliance alert.")
    def get(self, request: Request, alert_id: int) -> Response:
        alert = alert_list().filter(pk=alert_id).first()
        if alert is None:
            raise NotFoundError("No such alert.", code="alert_not_found")
        return Response(alert_json(alert))


class AlertDismissView(APIView):
    permission_classes = [COMPLIANCE]

    class InputSerializer(serializers.Serializer[Any]):
        rationale = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, summary="Dismiss an alert with a rationale (audited).")
    def post(self, request: Request, alert_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alert_dismiss(actor=request.user, alert_id=alert_id, rationale=data.validated_data["rationale"])
        return Response(alert_json(alert))
