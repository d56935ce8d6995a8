"""``POST /api/v1/events``: submit one Trebanx event over HTTP (same contract and handlers as Kafka)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.pipeline.spine.contracts import ContractViolationError
from apps.pipeline.spine.ingest import ingest_envelope
from lakay.security.permissions import HasRole
from lakay.security.roles import Role


class EventSubmitView(APIView):
    permission_classes = [HasRole.of(Role.SERVICE)]

    class InputSerializer(serializers.Serializer[Any]):
        event_id = serializers.CharField()
        event_type = serializers.CharField()
        event_version = serializers.CharField()
        timestamp = serializers.CharField()
        source_service = serializers.CharField()
        correlation_id = serializers.CharField(required=False)
        payload = serializers.DictField()

    class OutputSerializer(serializers.Serializer[Any]):
        event_id = serializers.UUIDField()
        event_type = serializers.CharField()
        created = serializers.BooleanField(help_text="False when this exact event was already stored.")

    @extend_schema(
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            200: OutputSerializer,
            400: OpenApiResponse(description="Contract violation"),
        },
        summary="Submit one event (validated against its contract, stored once, handled).",
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            return Response(_error("not_an_object", "Body must be a JSON object."), status=400)
        try:
            event, created = ingest_envelope(dict(request.data))
        except ContractViolationError as violation:
            return Response(_error(str(violation.reason), violation.message, violation.details), status=400)
        body = self.OutputSerializer({"event_id": event.event_id, "event_type": event.event_type, "created": created})
        return Response(body.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _error(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}
