"""Dashboards for people: ``/api/v1/dashboards/{platform,fraud,circles,compliance,corridor}``
with ``start_date``/``end_date`` (default: the last 7 days). Compliance is for compliance roles."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.pipeline.lake.dashboards import dashboard
from lakay.security.permissions import HasRole
from lakay.security.roles import Role

PEOPLE = HasRole.of(Role.ANALYST, Role.COMPLIANCE_OFFICER, Role.OPERATOR, Role.ADMIN)
COMPLIANCE = HasRole.of(Role.COMPLIANCE_OFFICER, Role.ADMIN)


class PeriodSerializer(serializers.Serializer[Any]):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)


class DashboardView(APIView):
    name = "platform"
    permission_classes = [PEOPLE]

    @extend_schema(parameters=[PeriodSerializer], responses={200: dict})
    def get(self, request: Request) -> Response:
        query = PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(dashboard(self.name, start_date=data.get("start_date"), end_date=data.get("end_date")))


class PlatformDashboardView(DashboardView):
    name = "platform"


class FraudDashboardView(DashboardView):
    name = "fraud"


class CirclesDashboardView(DashboardView):
    name = "circles"


class ComplianceDashboardView(DashboardView):
    name = "compliance"
    permission_classes = [COMPLIANCE]


class CorridorDashboardView(DashboardView):
    name = "corridor"
