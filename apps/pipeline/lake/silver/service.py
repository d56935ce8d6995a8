"""Silver runs: find bronze partitions whose content changed since silver last processed them (or a
date range on demand), process each, and record files, partitions, quality and token mappings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db import transaction

from apps.pipeline.lake import metrics
from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.conf import lake_setting
from apps.pipeline.lake.models import LakeFile, LakePartition, SilverQualityLog
from apps.pipeline.lake.paths import rejected_file, silver_file
from apps.pipeline.lake.pii import pii_mappings_store
from apps.pipeline.lake.silver.process import SilverOutput, now_utc, silver_transform
from apps.pipeline.lake.storage import lake_store
from lakay.logging import get_logger

logger = get_logger(__name__)

# Everything silver needs from bronze (not the payload column: it re-parses the raw message).
BRONZE_COLUMNS_READ = [
    "event_id", "event_type", "event_version", "timestamp", "_raw_json", "_parse_error",
    "_ingested_at", "_source_topic", "_partition", "_offset",
]  # fmt: skip


@dataclass(frozen=True)
class PartitionKey:
    event_type: str
    partition_date: date

    def label(self) -> str:
        return f"{self.event_type}/{self.partition_date.isoformat()}"


@dataclass
class SilverSummary:
    event_type: str
    partition_date: str
    total: int
    passed: int
    rejected: int
    duplicates_removed: int
    rejection_rate: float
    is_alert: bool
    new_tokens: int


def silver_stale_partitions(
    *, date_from: date | None = None, date_to: date | None = None, event_type: str | None = None, force: bool = False
) -> list[PartitionKey]:
    """Bronze partitions (optionally in a range / of one type) that silver must (re)process.

    Without ``force`` only those whose bronze content changed since silver processed them."""
    bronze = LakePartition.objects.filter(layer=LakeLayer.BRONZE)
    if date_from:
        bronze = bronze.filter(partition_date__gte=date_from)
    if date_to:
        bronze = bronze.filter(partition_date__lte=date_to)
    if event_type:
        bronze = bronze.filter(dataset=event_type)
    done = {
        (dataset, day): source_version
        for dataset, day, source_version in LakePartition.objects.filter(layer=LakeLayer.SILVER).values_list(
            "dataset", "partition_date", "source_version"
        )
    }
    stale = [
        PartitionKey(dataset, day)
        for dataset, day, version in bronze.values_list("dataset", "partition_date", "version")
        if force or done.get((dataset, day), -1) < version
    ]
    # In date order: a chunk of partitions shares days, so its metadata queries stay small.
    return sorted(stale, key=lambda key: (key.partition_date, key.event_type))


def silver_partition_process(key: PartitionKey, *, job_id: int | None = None) -> SilverSummary:
    """(Re)build one silver partition from all its bronze files; replaces the previous output."""
    return silver_partitions_process([key], job_id=job_id)[0]


def silver_partitions_process(keys: list[PartitionKey], *, job_id: int | None = None) -> list[SilverSummary]:
    """(Re)build several silver partitions, recording their metadata in one transaction.

    Files are written first (each replaces its partition's previous file), then token mappings,
    partitions, files and quality logs are recorded together: a crash in between leaves partitions
    that are simply processed again."""
    if not keys:
        return []
    store = lake_store()
    wanted = {(key.event_type, key.partition_date) for key in keys}
    types = {key.event_type for key in keys}
    days = {key.partition_date for key in keys}
    versions = {
        (dataset, day): version
        for dataset, day, version in LakePartition.objects.filter(
            layer=LakeLayer.BRONZE, dataset__in=types, partition_date__in=days
        ).values_list("dataset", "partition_date", "version")
    }
    paths: dict[tuple[str, date], list[str]] = {}
    for dataset, day, path in LakeFile.objects.filter(
        layer=LakeLayer.BRONZE, dataset__in=types, partition_date__in=days
    ).values_list("dataset", "partition_date", "path"):
        if (dataset, day) in wanted:
            paths.setdefault((dataset, day), []).append(path)

    threshold = float(lake_setting("LAKE_SILVER_REJECTION_ALERT_RATE"))
    results: list[tuple[PartitionKey, SilverOutput, int, str, int, datetime, datetime]] = []
    mappings: dict[str, tuple[str, str]] = {}
    for key in keys:
        started = now_utc()
        bronze = store.read_tables(sorted(paths.get((key.event_type, key.partition_date), [])), BRONZE_COLUMNS_READ)
        output = silver_transform(key.event_type, bronze, processed_at=started)
        mappings.update(output.token_mappings)
        data_path = silver_file(key.event_type, key.partition_date)
        size = store.write_table(data_path, output.table, durable=False)
        rejected_path = rejected_file(key.event_type, key.partition_date)
        if output.rejected_count:
            store.write_table(rejected_path, output.rejected, durable=False)
        else:
            store.delete(rejected_path)
        source_version = versions.get((key.event_type, key.partition_date), 0)
        results.append((key, output, size, data_path, source_version, started, now_utc()))
    new_tokens = pii_mappings_store(mappings)
    _record(results, threshold, job_id)

    summaries = []
    for key, output, _size, _path, _version, _started, _finished in results:
        rate = output.rejected_count / output.total if output.total else 0.0
        summary = SilverSummary(
            event_type=key.event_type,
            partition_date=key.partition_date.isoformat(),
            total=output.total,
            passed=output.passed,
            rejected=output.rejected_count,
            duplicates_removed=output.duplicates_removed,
            rejection_rate=round(rate, 6),
            is_alert=rate > threshold,
            new_tokens=new_tokens,
        )
        summaries.append(summary)
        metrics.SILVER_EVENTS.labels(outcome="passed").inc(output.passed)
        metrics.SILVER_EVENTS.labels(outcome="rejected").inc(output.rejected_count)
        metrics.SILVER_EVENTS.labels(outcome="duplicate").inc(output.duplicates_removed)
        if summary.is_alert:
            metrics.SILVER_REJECTION_ALERTS.inc()
            logger.error(
                "lake.silver.rejection_rate_high",
                event_type=key.event_type,
                partition_date=summary.partition_date,
                rejected=output.rejected_count,
                total=output.total,
                rate=round(rate, 4),
                reasons=dict(output.reasons),
            )
    logger.info(
        "lake.silver.partitions_processed",
        partitions=len(summaries),
        passed=sum(s.passed for s in summaries),
        rejected=sum(s.rejected for s in summaries),
        duplicates=sum(s.duplicates_removed for s in summaries),
    )
    return summaries


def _record(
    results: list[tuple[PartitionKey, SilverOutput, int, str, int, datetime, datetime]],
    threshold: float,
    job_id: int | None,
) -> None:
    finished = now_utc()
    with transaction.atomic():
        existing = {
            (partition.dataset, partition.partition_date): partition
            for partition in LakePartition.objects.select_for_update().filter(
                layer=LakeLayer.SILVER,
                dataset__in={key.event_type for key, *_ in results},
                partition_date__in={key.partition_date for key, *_ in results},
            )
        }
        files: list[LakeFile] = []
        partitions: list[LakePartition] = []
        logs: list[SilverQualityLog] = []
        for key, output, size, path, source_version, started, done in results:
            previous = existing.get((key.event_type, key.partition_date))
            rate = output.rejected_count / output.total if output.total else 0.0
            files.append(
                LakeFile(
                    layer=LakeLayer.SILVER,
                    dataset=key.event_type,
                    partition_date=key.partition_date,
                    path=path,
                    row_count=output.passed,
                    size_bytes=size,
                )
            )
            partitions.append(
                LakePartition(
                    layer=LakeLayer.SILVER,
                    dataset=key.event_type,
                    partition_date=key.partition_date,
                    row_count=output.passed,
                    rejected_count=output.rejected_count,
                    file_count=1,
                    size_bytes=size,
                    version=(previous.version if previous else 0) + 1,
                    source_version=source_version,
                    updated_at=finished,
                )
            )
            logs.append(
                SilverQualityLog(
                    job_id=job_id,
                    event_type=key.event_type,
                    partition_date=key.partition_date,
                    total=output.total,
                    passed=output.passed,
                    rejected=output.rejected_count,
                    duplicates_removed=output.duplicates_removed,
                    rejection_rate=round(rate, 6),
                    reasons=dict(output.reasons),
                    is_alert=rate > threshold,
                    started_at=started,
                    finished_at=done,
                )
            )
        LakeFile.objects.bulk_create(
            files,
            update_conflicts=True,
            unique_fields=["path"],
            update_fields=["row_count", "size_bytes", "created_at"],
        )
        LakePartition.objects.bulk_create(
            partitions,
            update_conflicts=True,
            unique_fields=["layer", "dataset", "partition_date"],
            update_fields=["row_count", "rejected_count", "file_count", "size_bytes", "version", "source_version",
                           "updated_at"],
        )  # fmt: skip
        SilverQualityLog.objects.bulk_create(logs)


def silver_partitions_process_dicts(keys: list[PartitionKey], job_id: int | None = None) -> list[dict[str, object]]:
    """Picklable wrapper for worker processes."""
    return [asdict(summary) for summary in silver_partitions_process(keys, job_id=job_id)]
