"""Gold refreshes (build a dataset over a date range and replace its partitions) and gold reads."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.db.models import F

from apps.pipeline.lake import metrics
from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.gold.context import GoldContext
from apps.pipeline.lake.gold.reader import SilverReader
from apps.pipeline.lake.gold.registry import DATASETS, SNAPSHOT, GoldDataset
from apps.pipeline.lake.models import LakeFile, LakePartition
from apps.pipeline.lake.paths import gold_file
from apps.pipeline.lake.storage import lake_store
from lakay.exceptions import ApplicationError, NotFoundError
from lakay.logging import get_logger

logger = get_logger(__name__)

MAX_QUERY_ROWS = 1000


@dataclass
class GoldSummary:
    dataset: str
    date_from: str
    date_to: str
    partitions: int
    rows: int
    seconds: float


def gold_dataset(name: str) -> GoldDataset:
    dataset = DATASETS.get(name)
    if dataset is None:
        raise NotFoundError("Unknown gold dataset.", code="dataset_not_found", details={"known": sorted(DATASETS)})
    return dataset


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=offset) for offset in range((date_to - date_from).days + 1)]


def gold_refresh(name: str, date_from: date, date_to: date, *, reader: SilverReader | None = None) -> GoldSummary:
    """Rebuild ``name`` for [date_from, date_to] (snapshots: as of ``date_to``); replaces each partition."""
    dataset = gold_dataset(name)
    if date_from > date_to:
        raise ApplicationError("start_date is after end_date.", code="invalid_range")
    started = time.perf_counter()
    store = lake_store()
    context = GoldContext(date_from=date_from, date_to=date_to, reader=reader or SilverReader(store))
    table = dataset.build(context)
    days = [date_to] if dataset.grain == SNAPSHOT else _days(date_from, date_to)
    now = datetime.now(UTC)
    written: list[tuple[date, str, int, int]] = []
    dates = table.column("date") if table.num_rows else None
    for day in days:
        part = table.filter(pc.equal(dates, pa.scalar(day, pa.date32()))) if dates is not None else table
        path = gold_file(name, day)
        size = store.write_table(path, part, durable=False)
        written.append((day, path, part.num_rows, size))
    with transaction.atomic():
        for day, path, rows, size in written:
            LakeFile.objects.update_or_create(
                path=path,
                defaults={
                    "layer": LakeLayer.GOLD,
                    "dataset": name,
                    "partition_date": day,
                    "row_count": rows,
                    "size_bytes": size,
                },
            )
            partition, _ = LakePartition.objects.get_or_create(
                layer=LakeLayer.GOLD, dataset=name, partition_date=day, defaults={"updated_at": now}
            )
            LakePartition.objects.filter(pk=partition.pk).update(
                row_count=rows, file_count=1, size_bytes=size, version=F("version") + 1, updated_at=now
            )
    seconds = time.perf_counter() - started
    metrics.GOLD_REFRESH_SECONDS.labels(dataset=name).observe(seconds)
    total = sum(rows for _, _, rows, _ in written)
    logger.info("lake.gold.refreshed", dataset=name, date_from=str(date_from), date_to=str(date_to), rows=total)
    return GoldSummary(name, date_from.isoformat(), date_to.isoformat(), len(written), total, round(seconds, 3))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def gold_rows(
    name: str, *, start_date: date | None, end_date: date | None, limit: int = 100, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Rows of ``name`` with partition date in the range (newest partitions last), paginated."""
    gold_dataset(name)
    partitions = LakePartition.objects.filter(layer=LakeLayer.GOLD, dataset=name)
    if start_date:
        partitions = partitions.filter(partition_date__gte=start_date)
    if end_date:
        partitions = partitions.filter(partition_date__lte=end_date)
    store = lake_store()
    counts = list(partitions.order_by("partition_date").values_list("partition_date", "row_count"))
    total = sum(count for _, count in counts)
    limit = max(0, min(limit, MAX_QUERY_ROWS))
    rows: list[dict[str, Any]] = []
    skipped = 0
    for day, count in counts:
        if len(rows) >= limit:
            break
        if skipped + count <= offset:
            skipped += count
            continue
        table = store.read_table(gold_file(name, day))
        start = max(0, offset - skipped)
        skipped += count
        part = table.slice(start, limit - len(rows))
        rows.extend({key: _plain(value) for key, value in row.items()} for row in part.to_pylist())
    return rows, total


def gold_table(name: str, *, start_date: date, end_date: date) -> pa.Table | None:
    """Every row of ``name`` in the range as one Arrow table (dashboards)."""
    days = LakePartition.objects.filter(
        layer=LakeLayer.GOLD, dataset=name, partition_date__gte=start_date, partition_date__lte=end_date
    ).values_list("partition_date", flat=True)
    store = lake_store()
    return store.read_tables([gold_file(name, day) for day in sorted(days)])
