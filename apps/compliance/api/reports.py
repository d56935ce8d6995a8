"""Compliance reports (runbook Appendix A): generate CTR/SAR/summary/audit, list, retrieve."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import COMPLIANCE, paginated
from apps.compliance.choices import ReportType
from apps.compliance.models import ComplianceReport
from apps.compliance.services.reports import report_generate
from lakay.exceptions import NotFoundError


def report_json(report: ComplianceReport, *, with_content: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report_id": report.report_id,
        "report_type": report.report_type,
        "parameters": report.parameters,
        "generated_by": report.generated_by,
        "created_at": report.created_at,
    }
    if with_content:
        body["content"] = report.content
    return body


class ReportInput(serializers.Serializer[Any]):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    period = serializers.ChoiceField(choices=["daily", "weekly", "monthly", "quarterly"], required=False)


def _generate_view(report_type: str) -> type[APIView]:
    class GenerateView(APIView):
        permission_classes = [COMPLIANCE]

        @extend_schema(
            request=ReportInput,
            responses={201: OpenApiResponse(description="The generated report.")},
            summary=f"Generate the {report_type} report from stored data.",
        )
        def post(self, request: Request) -> Response:
            data = ReportInput(data=request.data)
            data.is_valid(raise_exception=True)
            report = report_generate(actor=request.user, report_type=report_type, **data.validated_data)
            return Response(report_json(report), status=status.HTTP_201_CREATED)

    GenerateView.__name__ = f"{report_type.title()}ReportView"
    GenerateView.__qualname__ = GenerateView.__name__
    return GenerateView


CtrReportView = _generate_view(ReportType.CTR)
SarReportView = _generate_view(ReportType.SAR)
SummaryReportView = _generate_view(ReportType.SUMMARY)
AuditReportView = _generate_view(ReportType.AUDIT)


class ReportListView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="Generated reports, newest first (?report_type=).")
    def get(self, request: Request) -> Response:
        reports = ComplianceReport.objects.order_by("-created_at", "-id")
        if request.query_params.get("report_type"):
            reports = reports.filter(report_type=request.query_params["report_type"])
        return paginated(request, self, reports, lambda report: report_json(report, with_content=False))


class ReportDetailView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="One generated report with its figures.")
    def get(self, request: Request, report_id: str) -> Response:
        report = ComplianceReport.objects.filter(report_id=report_id).first()
        if report is None:
            raise NotFoundError("No such report.", code="report_not_found")
        return Response(report_json(report))
