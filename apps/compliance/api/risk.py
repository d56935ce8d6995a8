"""Customer risk: profile, history, officer review/override, high-risk list, EDD reviews."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import COMPLIANCE, paginated, username
from apps.compliance.choices import EddStatus, RiskLevel
from apps.compliance.models import ComplianceCustomer, EddReview, RiskAssessment
from apps.compliance.selectors.risk import high_risk_customers, risk_history
from apps.compliance.services.risk import edd_review_complete, risk_review
from lakay.exceptions import NotFoundError


def profile_json(customer: ComplianceCustomer) -> dict[str, Any]:
    return {
        "user_id": customer.customer_id,
        "risk_level": customer.effective_risk_level or None,
        "computed_level": customer.risk_level or None,
        "override_level": customer.risk_override_level or None,
        "risk_score": customer.risk_score,
        "assessed_at": customer.risk_assessed_at,
        "review_due_on": customer.risk_review_due_on,
        "is_edd_required": customer.is_edd_required,
        "registered_at": customer.registered_at,
        "is_verified": customer.is_verified,
        "last_activity_at": customer.last_activity_at,
    }


def assessment_json(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "score": assessment.score,
        "level": assessment.level,
        "computed_level": assessment.computed_level,
        "previous_level": assessment.previous_level or None,
        "source": assessment.source,
        "category_scores": assessment.category_scores,
        "factors": assessment.factors,
        "reason": assessment.reason,
        "actor": username(assessment.actor),
        "review_due_on": assessment.review_due_on,
        "as_of": assessment.as_of,
        "created_at": assessment.created_at,
    }


def edd_json(review: EddReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "trigger_id": review.trigger_id,
        "user_id": review.customer_id,
        "previous_level": review.previous_level or None,
        "new_level": review.new_level,
        "risk_score": review.risk_score,
        "reasons": review.reasons,
        "review_due_on": review.review_due_on,
        "status": review.status,
        "completed_by": username(review.completed_by),
        "completed_at": review.completed_at,
        "outcome": review.outcome,
    }


def _customer(user_id: str) -> ComplianceCustomer:
    customer = ComplianceCustomer.objects.filter(customer_id=user_id).first()
    if customer is None:
        raise NotFoundError("No risk profile for this user.", code="customer_not_found")
    return customer


class HighRiskView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="Customers rated high or prohibited (enhanced due diligence).")
    def get(self, request: Request) -> Response:
        return paginated(request, self, high_risk_customers(), profile_json)


class RiskProfileView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="The customer's current risk rating.")
    def get(self, request: Request, user_id: str) -> Response:
        return Response(profile_json(_customer(user_id)))


class RiskHistoryView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="Every rating of the customer, newest first (computed, reviews, overrides).")
    def get(self, request: Request, user_id: str) -> Response:
        _customer(user_id)
        return paginated(request, self, risk_history(user_id).select_related("actor"), assessment_json)


class RiskReviewView(APIView):
    permission_classes = [COMPLIANCE]

    class InputSerializer(serializers.Serializer[Any]):
        level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, allow_null=True)
        reason = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, summary="Review the rating: confirm (no level) or override it.")
    def post(self, request: Request, user_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = risk_review(
            actor=request.user,
            customer_id=user_id,
            level=data.validated_data.get("level"),
            reason=data.validated_data["reason"],
        )
        return Response(assessment_json(assessment))


class EddReviewListView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="EDD reviews (?status=open|completed), earliest due first.")
    def get(self, request: Request) -> Response:
        reviews = EddReview.objects.select_related("completed_by").order_by("review_due_on", "id")
        if request.query_params.get("status") in EddStatus.values:
            reviews = reviews.filter(status=request.query_params["status"])
        return paginated(request, self, reviews, edd_json)


class EddReviewCompleteView(APIView):
    permission_classes = [COMPLIANCE]

    class InputSerializer(serializers.Serializer[Any]):
        outcome = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, summary="Complete an EDD review with its outcome.")
    def post(self, request: Request, review_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = edd_review_complete(actor=request.user, review_id=review_id, outcome=data.validated_data["outcome"])
        return Response(edd_json(review))
