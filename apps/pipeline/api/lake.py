"""Data lake endpoints (runbook Appendix A): bronze/silver/gold statistics, partitions, quality,
rejected events, gold datasets (query, refresh) and lake jobs. Silver and gold are tokenized; the
compliance-reporting dataset (SAR counts) is for compliance roles only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.pipeline.lake.choices import LakeJobKind, LakeLayer
from apps.pipeline.lake.gold.service import MAX_QUERY_ROWS, gold_dataset, gold_rows
from apps.pipeline.lake.jobs import lake_job_create
from apps.pipeline.lake.models import LakeJob, LakePartition, SilverQualityLog
from apps.pipeline.lake.pii import pii_reveal
from apps.pipeline.lake.selectors import (
    bronze_stats,
    gold_datasets,
    lake_jobs,
    partitions,
    quality_logs,
    rejected_sample,
    silver_stats,
)
from apps.pipeline.tasks import lake_run_job
from lakay.exceptions import NotFoundError, PermissionDeniedError
from lakay.security.permissions import HasRole, has_role
from lakay.security.roles import Role

LAKE_READERS = HasRole.of(Role.OPERATOR, Role.ADMIN, Role.ANALYST, Role.ML_ENGINEER, Role.COMPLIANCE_OFFICER)
LAKE_OPERATORS = HasRole.of(Role.OPERATOR, Role.ADMIN, Role.ML_ENGINEER)


class RangeSerializer(serializers.Serializer[Any]):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start_date") and attrs.get("end_date") and attrs["start_date"] > attrs["end_date"]:
            raise serializers.ValidationError({"start_date": "after end_date"})
        return attrs


class PartitionOutputSerializer(serializers.ModelSerializer[LakePartition]):
    event_type = serializers.CharField(source="dataset")
    date = serializers.DateField(source="partition_date")

    class Meta:
        model = LakePartition
        fields = (
            "layer",
            "event_type",
            "date",
            "row_count",
            "rejected_count",
            "file_count",
            "size_bytes",
            "version",
            "updated_at",
        )


class JobOutputSerializer(serializers.ModelSerializer[LakeJob]):
    percent = serializers.IntegerField()

    class Meta:
        model = LakeJob
        fields = (
            "id",
            "kind",
            "status",
            "parameters",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "result",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        )


def _enqueue(job: LakeJob) -> None:
    lake_run_job.delay(job.pk)


# ---------------------------------------------------------------------------------- bronze
class BronzeStatsView(APIView):
    permission_classes = [LAKE_READERS]

    @extend_schema(responses={200: dict}, summary="Bronze: events ingested by type, files, checkpoints, buffers.")
    def get(self, request: Request) -> Response:
        return Response(bronze_stats())


class PartitionListView(ListAPIView[LakePartition]):
    """Partitions of one layer (``?event_type=&start_date=&end_date=``), newest first."""

    permission_classes = [LAKE_READERS]
    serializer_class = PartitionOutputSerializer
    layer = LakeLayer.BRONZE

    def get_queryset(self) -> Any:
        query = RangeSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return partitions(
            layer=self.layer,
            dataset=self.request.query_params.get("event_type") or None,
            date_from=query.validated_data.get("start_date"),
            date_to=query.validated_data.get("end_date"),
        )


class BronzePartitionsView(PartitionListView):
    layer = LakeLayer.BRONZE


class SilverPartitionsView(PartitionListView):
    layer = LakeLayer.SILVER


# ---------------------------------------------------------------------------------- silver
class SilverStatsView(APIView):
    permission_classes = [LAKE_READERS]

    @extend_schema(responses={200: dict}, summary="Silver: events, rejection rate, pending partitions, runs.")
    def get(self, request: Request) -> Response:
        return Response(silver_stats())


class QualityOutputSerializer(serializers.ModelSerializer[SilverQualityLog]):
    class Meta:
        model = SilverQualityLog
        fields = (
            "id",
            "job",
            "event_type",
            "partition_date",
            "total",
            "passed",
            "rejected",
            "duplicates_removed",
            "rejection_rate",
            "reasons",
            "is_alert",
            "started_at",
            "finished_at",
        )


class SilverQualityView(ListAPIView[SilverQualityLog]):
    """Quality log of silver runs (``?event_type=&alerts_only=true``), newest first."""

    permission_classes = [LAKE_READERS]
    serializer_class = QualityOutputSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return quality_logs(
            event_type=params.get("event_type") or None, alerts_only=params.get("alerts_only") == "true"
        )


class SilverRejectedView(APIView):
    permission_classes = [LAKE_READERS]

    class QuerySerializer(serializers.Serializer[Any]):
        event_type = serializers.CharField(required=False, max_length=64)
        date = serializers.DateField(required=False)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=20)

    @extend_schema(
        parameters=[QuerySerializer], responses={200: dict}, summary="Sample of rejected events (tokenized)."
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        items = rejected_sample(event_type=data.get("event_type"), partition_date=data.get("date"), limit=data["limit"])
        return Response({"items": items, "total": len(items), "limit": data["limit"], "offset": 0})


class SilverRunView(APIView):
    permission_classes = [LAKE_OPERATORS]

    class InputSerializer(RangeSerializer):
        event_type = serializers.CharField(required=False, max_length=64)
        force = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={202: JobOutputSerializer}, summary="Run silver now.")
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = lake_job_create(
            kind=LakeJobKind.SILVER,
            parameters={
                "date_from": data["start_date"].isoformat() if data.get("start_date") else None,
                "date_to": data["end_date"].isoformat() if data.get("end_date") else None,
                "event_type": data.get("event_type"),
                "force": data["force"],
            },
            requested_by=request.user.get_username() if hasattr(request.user, "get_username") else "service",
        )
        _enqueue(job)
        job.refresh_from_db()
        return Response(JobOutputSerializer(job).data, status=202)


# ---------------------------------------------------------------------------------- gold
def _check_dataset_access(request: Request, name: str) -> None:
    dataset = gold_dataset(name)
    if not has_role(request.user, *dataset.roles):
        raise PermissionDeniedError("This dataset is restricted.", code="dataset_restricted")


class GoldDatasetsView(APIView):
    permission_classes = [LAKE_READERS]

    @extend_schema(responses={200: dict}, summary="Gold datasets with freshness and row counts.")
    def get(self, request: Request) -> Response:
        items = [item for item in gold_datasets() if has_role(request.user, *item["roles"])]
        return Response({"items": items, "total": len(items), "limit": len(items), "offset": 0})


class GoldQueryView(APIView):
    permission_classes = [LAKE_READERS]

    class QuerySerializer(RangeSerializer):
        limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_QUERY_ROWS, default=100)
        offset = serializers.IntegerField(required=False, min_value=0, default=0)

    @extend_schema(parameters=[QuerySerializer], responses={200: dict}, summary="Rows of a gold dataset.")
    def get(self, request: Request, dataset_name: str) -> Response:
        _check_dataset_access(request, dataset_name)
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows, total = gold_rows(
            dataset_name,
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            limit=data["limit"],
            offset=data["offset"],
        )
        return Response({"items": rows, "total": total, "limit": data["limit"], "offset": data["offset"]})


class GoldRefreshView(APIView):
    permission_classes = [LAKE_OPERATORS]

    @extend_schema(request=RangeSerializer, responses={202: JobOutputSerializer}, summary="Refresh a gold dataset.")
    def post(self, request: Request, dataset_name: str) -> Response:
        _check_dataset_access(request, dataset_name)
        payload = RangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = lake_job_create(
            kind=LakeJobKind.GOLD,
            parameters={
                "datasets": [dataset_name],
                "date_from": data["start_date"].isoformat() if data.get("start_date") else None,
                "date_to": data["end_date"].isoformat() if data.get("end_date") else None,
            },
            requested_by=request.user.get_username() if hasattr(request.user, "get_username") else "service",
        )
        _enqueue(job)
        job.refresh_from_db()
        return Response(JobOutputSerializer(job).data, status=202)


# ---------------------------------------------------------------------------------- jobs
class LakeJobListView(ListAPIView[LakeJob]):
    permission_classes = [LAKE_READERS]
    serializer_class = JobOutputSerializer

    def get_queryset(self) -> Any:
        return lake_jobs(kind=self.request.query_params.get("kind") or None)


class LakeJobDetailView(APIView):
    permission_classes = [LAKE_READERS]

    @extend_schema(responses={200: JobOutputSerializer}, summary="One lake job with its progress.")
    def get(self, request: Request, job_id: int) -> Response:
        job = LakeJob.objects.filter(pk=job_id).first()
        if job is None:
            raise NotFoundError("No such lake job.", code="lake_job_not_found")
        return Response(JobOutputSerializer(job).data)


# ---------------------------------------------------------------------------------- PII
class PiiRevealView(APIView):
    """The original value behind a lake token, for compliance officers and admins (audited)."""

    permission_classes = [HasRole.of(Role.COMPLIANCE_OFFICER, Role.ADMIN)]

    class InputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField(max_length=80)
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: dict}, summary="Reveal a PII token (audited).")
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        value = pii_reveal(token=data["token"], actor=request.user, reason=data["reason"])
        return Response({"token": data["token"], "value": value})
