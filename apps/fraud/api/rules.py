"""``GET /api/v1/fraud/rules``: the rules with their live weights, thresholds and flags."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.fraud.selectors import rules_inventory
from lakay.security.permissions import HasRole
from lakay.security.roles import Role


class FraudRulesView(APIView):
    permission_classes = [HasRole.of(Role.SERVICE, Role.ANALYST, Role.ML_ENGINEER, Role.OPERATOR, Role.ADMIN)]

    @extend_schema(
        responses={200: OpenApiResponse(description="Rules, category caps, corroboration, tiers, blend.")},
        summary="The fraud rules and their live configuration.",
    )
    def get(self, request: Request) -> Response:
        return Response(rules_inventory())
