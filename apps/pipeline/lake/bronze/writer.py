"""Write buffered bronze records to Parquet and record them (files, partitions, checkpoints) in
PostgreSQL — in that order, so metadata never points at a file that is not durable."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction
from django.db.models import F

from apps.pipeline.lake.bronze.records import BronzeRecord, records_table
from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.models import BronzeCheckpoint, LakeFile, LakePartition
from apps.pipeline.lake.paths import bronze_file
from apps.pipeline.lake.storage import LakeStore


@dataclass(frozen=True, slots=True)
class WrittenFile:
    event_type: str
    partition_date: date
    path: str
    row_count: int
    size_bytes: int


def bronze_files_write(store: LakeStore, records: list[BronzeRecord]) -> list[WrittenFile]:
    """One file per (event type, event date) of ``records``; returns them once durable."""
    groups: dict[tuple[str, date], list[BronzeRecord]] = defaultdict(list)
    for record in records:
        groups[(record.event_type, record.partition_date)].append(record)
    now = datetime.now(UTC)
    written = []
    for (event_type, day), group in sorted(groups.items()):
        path = bronze_file(event_type, day, now)
        size = store.write_table(path, records_table(group))
        written.append(WrittenFile(event_type, day, path, len(group), size))
    return written


def bronze_files_register(
    files: list[WrittenFile], *, consumer_group: str, checkpoints: dict[tuple[str, int], int]
) -> None:
    """Record durable files and the offsets they make safe, in one transaction."""
    now = datetime.now(UTC)
    with transaction.atomic():
        LakeFile.objects.bulk_create(
            [
                LakeFile(
                    layer=LakeLayer.BRONZE,
                    dataset=file.event_type,
                    partition_date=file.partition_date,
                    path=file.path,
                    row_count=file.row_count,
                    size_bytes=file.size_bytes,
                )
                for file in files
            ]
        )
        totals: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
        for file in files:
            entry = totals[(file.event_type, file.partition_date)]
            entry[0] += file.row_count
            entry[1] += 1
            entry[2] += file.size_bytes
        for (event_type, day), (rows, count, size) in sorted(totals.items()):
            partition, created = LakePartition.objects.get_or_create(
                layer=LakeLayer.BRONZE,
                dataset=event_type,
                partition_date=day,
                defaults={"row_count": rows, "file_count": count, "size_bytes": size, "version": 1, "updated_at": now},
            )
            if not created:
                LakePartition.objects.filter(pk=partition.pk).update(
                    row_count=F("row_count") + rows,
                    file_count=F("file_count") + count,
                    size_bytes=F("size_bytes") + size,
                    version=F("version") + 1,
                    updated_at=now,
                )
        for (topic, partition_number), offset in sorted(checkpoints.items()):
            BronzeCheckpoint.objects.update_or_create(
                consumer_group=consumer_group,
                topic=topic,
                partition=partition_number,
                defaults={"offset": offset},
            )
