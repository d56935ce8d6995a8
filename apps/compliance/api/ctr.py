"""CTR: a person's currency totals for a business day, pending and all CTR filings."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import COMPLIANCE, filing_json, paginated, parse_date
from apps.compliance.business_day import business_date
from apps.compliance.choices import CurrencyDirection, FilingKind, FilingStatus
from apps.compliance.config import rules
from apps.compliance.models import CurrencyDayTotal, Filing


class CtrDailyView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="Currency in and out of a person for a business day (?date=, default today).")
    def get(self, request: Request, user_id: str) -> Response:
        day = parse_date(request.query_params.get("date"), "date") or business_date(timezone.now())
        totals = {row.direction: row for row in CurrencyDayTotal.objects.filter(customer_id=user_id, business_date=day)}
        threshold = rules().ctr_threshold
        body = {"user_id": user_id, "business_date": day, "threshold": str(threshold)}
        for direction in CurrencyDirection.values:
            row = totals.get(direction)
            amount = row.total_amount if row else Decimal("0.00")
            body[direction] = {
                "total": str(amount),
                "transaction_count": row.transaction_count if row else 0,
                "is_reportable": amount > threshold,
            }
        return Response(body)


class CtrPendingView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="CTR filings not yet submitted to FinCEN, earliest due first.")
    def get(self, request: Request) -> Response:
        filings = Filing.objects.filter(
            kind=FilingKind.CTR, status__in=[FilingStatus.PREPARED, FilingStatus.APPROVED]
        ).order_by("due_on", "id")
        return paginated(request, self, filings, filing_json)


class CtrFilingsView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="All CTR filings (?status=, ?user_id=).")
    def get(self, request: Request) -> Response:
        filings = Filing.objects.filter(kind=FilingKind.CTR).order_by("-business_date", "-id")
        if request.query_params.get("status"):
            filings = filings.filter(status=request.query_params["status"])
        if request.query_params.get("user_id"):
            filings = filings.filter(customer_id=request.query_params["user_id"])
        return paginated(request, self, filings, filing_json)
