"""Dead letters for operators: list (filterable) and replay one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.pipeline.spine.choices import DeadLetterReason, DeadLetterStatus
from apps.pipeline.spine.dead_letters import dead_letter_replay
from apps.pipeline.spine.models import DeadLetter
from lakay.exceptions import NotFoundError
from lakay.security.permissions import HasRole
from lakay.security.roles import Role

OPERATORS = HasRole.of(Role.OPERATOR, Role.ADMIN)


class DeadLetterOutputSerializer(serializers.ModelSerializer[DeadLetter]):
    class Meta:
        model = DeadLetter
        fields = (
            "id",
            "topic",
            "partition",
            "offset",
            "event_id",
            "event_type",
            "reason",
            "error_message",
            "error_details",
            "status",
            "replay_count",
            "created_at",
            "last_replayed_at",
        )


class DeadLetterListView(ListAPIView[DeadLetter]):
    permission_classes = [OPERATORS]
    serializer_class = DeadLetterOutputSerializer
    filterset_fields = {"topic": ["exact"], "reason": ["exact"], "status": ["exact"], "event_type": ["exact"]}

    def get_queryset(self) -> Any:
        return DeadLetter.objects.order_by("-id")


class DeadLetterReplayView(APIView):
    permission_classes = [OPERATORS]

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        status = serializers.ChoiceField(choices=DeadLetterStatus.choices)

    @extend_schema(request=None, responses={200: OutputSerializer}, summary="Replay one dead letter now.")
    def post(self, request: Request, dead_letter_id: int) -> Response:
        dead_letter = DeadLetter.objects.filter(id=dead_letter_id).first()
        if dead_letter is None:
            raise NotFoundError("No such dead letter.", code="dead_letter_not_found")
        new_status = dead_letter_replay(dead_letter)
        return Response(self.OutputSerializer({"id": dead_letter.id, "status": new_status}).data)


__all__ = ["DeadLetterListView", "DeadLetterReason", "DeadLetterReplayView"]
