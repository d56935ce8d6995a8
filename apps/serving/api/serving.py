"""``/api/v1/serving/…``: reload, routing (champion/challenger split) and monitoring (runbook Appendix A)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.serving.api.permissions import MODEL_WRITERS, READERS, RELOADERS, actor_of
from apps.serving.monitoring.reports import monitoring_report, routing_report
from apps.serving.registry.services import models_reload
from apps.serving.services import routing_set


class ReloadView(APIView):
    permission_classes = [RELOADERS]

    class ReloadOutputSerializer(serializers.Serializer[Any]):
        model_name = serializers.CharField()
        loaded = serializers.BooleanField()
        champion_version = serializers.CharField(allow_null=True)
        challenger_version = serializers.CharField(allow_null=True)
        load_error = serializers.CharField(allow_null=True)
        last_reload_timestamp = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        request=None, responses={200: ReloadOutputSerializer}, summary="Reload the model aliases now, in every process."
    )
    def post(self, request: Request) -> Response:
        state = models_reload(actor=actor_of(request))
        body = {
            "model_name": state.model_name,
            "loaded": state.is_loaded,
            "champion_version": str(state.champion.version) if state.champion else None,
            "challenger_version": str(state.challenger.version) if state.challenger else None,
            "load_error": state.load_error,
            "last_reload_timestamp": state.last_reload,
        }
        return Response(self.ReloadOutputSerializer(body).data)


class RoutingView(APIView):
    def get_permissions(self) -> list[Any]:
        return [MODEL_WRITERS()] if self.request.method == "POST" else [READERS()]

    class RoutingInputSerializer(serializers.Serializer[Any]):
        champion_pct = serializers.IntegerField(min_value=0, max_value=100)
        challenger_pct = serializers.IntegerField(min_value=0, max_value=100)
        reason = serializers.CharField(max_length=1000, help_text="Why (kept in the change history).")

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Split, models and per-variant metrics (24 h).")
    def get(self, request: Request) -> Response:
        hours = _int_param(request, "hours", default=24, minimum=1, maximum=24 * 90)
        return Response(routing_report(hours=hours))

    @extend_schema(
        request=RoutingInputSerializer, responses={200: OpenApiTypes.OBJECT}, summary="Set the traffic split."
    )
    def post(self, request: Request) -> Response:
        data = self.RoutingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        routing_set(
            champion_pct=data.validated_data["champion_pct"],
            challenger_pct=data.validated_data["challenger_pct"],
            actor=actor_of(request),
            reason=data.validated_data["reason"],
        )
        return Response(routing_report())


class MonitoringView(APIView):
    permission_classes = [READERS]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT}, summary="Model health, score/latency and drift (runbook §9.3)."
    )
    def get(self, request: Request) -> Response:
        return Response(monitoring_report())


def _int_param(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    try:
        value = int(request.query_params.get(name, default))
    except ValueError:
        return default
    return min(max(value, minimum), maximum)
