"""Filings: list, export a validated FinCEN XML batch, mark submitted, record the BSA ID."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import COMPLIANCE, filing_json, ids, paginated
from apps.compliance.choices import FilingKind
from apps.compliance.models import Filing, FilingBatch
from apps.compliance.services.filings import filing_acknowledge, filing_batch_export, filing_batch_mark_submitted
from lakay.exceptions import NotFoundError


def batch_json(batch: FilingBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "activity_count": batch.activity_count,
        "total_amount": batch.total_amount,
        "sha256": batch.sha256,
        "created_at": batch.created_at,
        "submitted_at": batch.submitted_at,
    }


class FilingListView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="CTR and SAR filings (?kind=, ?status=).")
    def get(self, request: Request) -> Response:
        filings = Filing.objects.order_by("-created_at", "-id")
        for name in ("kind", "status"):
            if request.query_params.get(name):
                filings = filings.filter(**{name: request.query_params[name]})
        return paginated(request, self, filings, filing_json)


class FilingExportView(APIView):
    permission_classes = [COMPLIANCE]

    class InputSerializer(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=FilingKind.choices)
        filing_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=1000)

    @extend_schema(request=InputSerializer, summary="Export approved filings as one schema-valid FinCEN batch.")
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = filing_batch_export(
            actor=request.user,
            kind=data.validated_data["kind"],
            filing_ids=ids(data.validated_data["filing_ids"], "filing_ids"),
        )
        return Response(batch_json(batch), status=status.HTTP_201_CREATED)


class FilingBatchXmlView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="The batch's XML, as uploaded to BSA E-Filing.")
    def get(self, request: Request, batch_id: int) -> HttpResponse:
        batch = FilingBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise NotFoundError("No such batch.", code="batch_not_found")
        response = HttpResponse(batch.xml, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{batch.kind}-batch-{batch.pk}.xml"'
        return response


class FilingBatchSubmittedView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(request=None, summary="Record that the batch was uploaded to BSA E-Filing.")
    def post(self, request: Request, batch_id: int) -> Response:
        return Response(batch_json(filing_batch_mark_submitted(actor=request.user, batch_id=batch_id)))


class FilingAcknowledgeView(APIView):
    permission_classes = [COMPLIANCE]

    class InputSerializer(serializers.Serializer[Any]):
        bsa_id = serializers.CharField(max_length=14)

    @extend_schema(request=InputSerializer, summary="Record FinCEN's acknowledgement (14-digit BSA ID).")
    def post(self, request: Request, filing_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing = filing_acknowledge(actor=request.user, filing_id=filing_id, bsa_id=data.validated_data["bsa_id"])
        return Response(filing_json(filing))
