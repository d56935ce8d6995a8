"""Profile endpoints: the full profile and its summary (analysts, admins)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.behavior.api.permissions import READERS
from apps.behavior.models import BehaviorProfile
from apps.behavior.selectors import profile_get, profile_summary


class ProfileView(APIView):
    permission_classes = [READERS]

    class OutputSerializer(serializers.ModelSerializer[BehaviorProfile]):
        class Meta:
            model = BehaviorProfile
            exclude = ("id",)

    @extend_schema(responses={200: OutputSerializer}, summary="A user's behaviour profile (learnt from events).")
    def get(self, request: Request, user_id: str) -> Response:
        return Response(self.OutputSerializer(profile_get(user_id=user_id)).data)


class ProfileSummaryView(APIView):
    permission_classes = [READERS]

    class OutputSerializer(serializers.Serializer[Any]):
        user_id = serializers.CharField()
        status = serializers.CharField()
        maturity = serializers.IntegerField()
        active_days = serializers.IntegerField()
        last_session_at = serializers.DateTimeField(allow_null=True)
        primary_device_id = serializers.CharField()
        primary_location = serializers.DictField(allow_null=True)
        top_hours_utc = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(responses={200: OutputSerializer}, summary="Status, primary device and place, busiest hours.")
    def get(self, request: Request, user_id: str) -> Response:
        return Response(self.OutputSerializer(profile_summary(profile_get(user_id=user_id))).data)
