"""Reads of the lake for the API and the admin: bronze/silver statistics, partitions, quality,
rejected samples, gold dataset freshness, jobs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.conf import bronze_consumer_group
from apps.pipeline.lake.gold.registry import DATASETS
from apps.pipeline.lake.models import BronzeCheckpoint, LakeJob, LakePartition, SilverQualityLog
from apps.pipeline.lake.paths import rejected_file
from apps.pipeline.lake.storage import lake_store
from apps.pipeline.spine.topics import logical_name
from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key

logger = get_logger(__name__)


def partitions(
    *, layer: str, dataset: str | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[LakePartition]:
    queryset = LakePartition.objects.filter(layer=layer)
    if dataset:
        queryset = queryset.filter(dataset=dataset)
    if date_from:
        queryset = queryset.filter(partition_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(partition_date__lte=date_to)
    return queryset.order_by("-partition_date", "dataset")


def bronze_buffers() -> dict[str, int]:
    """Events waiting in the running bronze consumers' buffers (reported every ~2 s)."""
    totals: dict[str, int] = {}
    try:
        states = get_redis().hgetall(redis_key("lake", "bronze", "buffers"))
    except Exception as error:  # statistics only
        logger.debug("lake.bronze.stats_unavailable", error=type(error).__name__)
        return totals
    for raw in states.values():
        for event_type, count in json.loads(raw).get("buffered", {}).items():
            totals[event_type] = totals.get(event_type, 0) + int(count)
    return totals


def bronze_stats() -> dict[str, Any]:
    rows = (
        LakePartition.objects.filter(layer=LakeLayer.BRONZE)
        .values("dataset")
        .annotate(rows=Sum("row_count"), files=Sum("file_count"), size=Sum("size_bytes"), latest=Max("updated_at"))
        .order_by("dataset")
    )
    by_type = {row["dataset"]: int(row["rows"] or 0) for row in rows}
    checkpoints: dict[str, dict[str, int]] = {}
    for checkpoint in BronzeCheckpoint.objects.filter(consumer_group=bronze_consumer_group()).order_by(
        "topic", "partition"
    ):
        checkpoints.setdefault(logical_name(checkpoint.topic), {})[str(checkpoint.partition)] = checkpoint.offset
    latest = max((row["latest"] for row in rows), default=None)
    return {
        "total_events_ingested": sum(by_type.values()),
        "events_by_type": by_type,
        "partitions_created": LakePartition.objects.filter(layer=LakeLayer.BRONZE).count(),
        "files": sum(int(row["files"] or 0) for row in rows),
        "total_size_bytes": sum(int(row["size"] or 0) for row in rows),
        "last_flush_at": latest,
        "buffered_events": bronze_buffers(),
        "latest_checkpoints": checkpoints,
        "consumer_group": bronze_consumer_group(),
        "storage": lake_store().location.describe(),
    }


def silver_stats() -> dict[str, Any]:
    silver = LakePartition.objects.filter(layer=LakeLayer.SILVER).aggregate(
        partitions=Count("id"), rows=Sum("row_count"), rejected=Sum("rejected_count"), latest=Max("updated_at")
    )
    runs = SilverQualityLog.objects.aggregate(
        runs=Count("id"),
        total=Sum("total"),
        passed=Sum("passed"),
        rejected=Sum("rejected"),
        duplicates=Sum("duplicates_removed"),
    )
    stale = _stale_count()
    rows = int(silver["rows"] or 0)
    rejected = int(silver["rejected"] or 0)
    return {
        "partitions": silver["partitions"],
        "events": rows,
        "rejected_events": rejected,
        "rejection_rate": round(rejected / (rows + rejected), 6) if rows + rejected else 0.0,
        "last_processed_at": silver["latest"],
        "partitions_pending": stale,
        "runs": runs["runs"],
        "processed_total": int(runs["total"] or 0),
        "duplicates_removed_total": int(runs["duplicates"] or 0),
        "alerts": SilverQualityLog.objects.filter(is_alert=True).count(),
    }


def _stale_count() -> int:
    from apps.pipeline.lake.silver.service import silver_stale_partitions

    return len(silver_stale_partitions())


def quality_logs(*, event_type: str | None = None, alerts_only: bool = False) -> QuerySet[SilverQualityLog]:
    queryset = SilverQualityLog.objects.all()
    if event_type:
        queryset = queryset.filter(event_type=event_type)
    if alerts_only:
        queryset = queryset.filter(is_alert=True)
    return queryset.order_by("-id")


def rejected_sample(*, event_type: str | None, partition_date: date | None, limit: int) -> list[dict[str, Any]]:
    """Rejected events (tokenized) of the newest partitions with rejections, newest first."""
    queryset = LakePartition.objects.filter(layer=LakeLayer.SILVER, rejected_count__gt=0)
    if event_type:
        queryset = queryset.filter(dataset=event_type)
    if partition_date:
        queryset = queryset.filter(partition_date=partition_date)
    store = lake_store()
    sample: list[dict[str, Any]] = []
    for partition in queryset.order_by("-partition_date", "dataset"):
        if len(sample) >= limit:
            break
        path = rejected_file(partition.dataset, partition.partition_date)
        if not store.exists(path):
            continue
        for row in store.read_table(path).slice(0, limit - len(sample)).to_pylist():
            sample.append(
                {
                    "event_id": row["event_id"],
                    "event_type": row["event_type"] or partition.dataset,
                    "partition_date": partition.partition_date.isoformat(),
                    "reasons": json.loads(row["reasons"]),
                    "event": json.loads(row["event_tokenized"]) if row["event_tokenized"] else None,
                    "raw_sha256": row["raw_sha256"],
                    "source_topic": row["_source_topic"],
                    "partition": row["_partition"],
                    "offset": row["_offset"],
                    "ingested_at": row["_ingested_at"],
                }
            )
    return sample


def gold_datasets() -> list[dict[str, Any]]:
    stats = {
        row["dataset"]: row
        for row in LakePartition.objects.filter(layer=LakeLayer.GOLD)
        .values("dataset")
        .annotate(
            partitions=Count("id"),
            rows=Sum("row_count"),
            size=Sum("size_bytes"),
            refreshed=Max("updated_at"),
            first=Max("partition_date"),
        )
    }
    bounds = {
        row["dataset"]: row
        for row in LakePartition.objects.filter(layer=LakeLayer.GOLD)
        .values("dataset")
        .annotate(newest=Max("partition_date"))
    }
    now = datetime.now(UTC)
    result = []
    for name, dataset in DATASETS.items():
        row = stats.get(name)
        refreshed = row["refreshed"] if row else None
        result.append(
            {
                "name": name,
                "grain": dataset.grain,
                "description": dataset.description,
                "partitions": row["partitions"] if row else 0,
                "rows": int(row["rows"] or 0) if row else 0,
                "size_bytes": int(row["size"] or 0) if row else 0,
                "last_refreshed_at": refreshed,
                "freshness_seconds": int((now - refreshed).total_seconds()) if refreshed else None,
                "newest_partition": bounds[name]["newest"] if name in bounds else None,
                "roles": [str(role) for role in dataset.roles],
            }
        )
    return result


def lake_jobs(*, kind: str | None = None) -> QuerySet[LakeJob]:
    queryset = LakeJob.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-id")
