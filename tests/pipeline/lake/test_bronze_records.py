"""Bronze keeps every message, however hostile: the corpus becomes records and a Parquet table."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pyarrow.parquet as pq
from django.conf import settings

from apps.pipeline.lake.bronze.records import INVALID_EVENT_TYPE, BronzeRecord, bronze_record, records_table
from apps.pipeline.lake.silver.process import silver_transform
from tests.hostile.corpus import Case, build_corpus


def _corpus_in_bronze() -> tuple[list[Case], list[BronzeRecord]]:
    corpus = build_corpus(max_bytes=settings.EVENT_MAX_BYTES)
    now = datetime.now(UTC)
    records = [
        bronze_record(case.value, topic=case.topic, partition=0, offset=index, key=case.key, ingested_at=now)
        for index, case in enumerate(corpus)
    ]
    return corpus, records


def test_every_hostile_message_becomes_a_bronze_record_and_the_batch_writes():
    # Given the hostile corpus (deep nesting, lone surrogates, NUL, non-UTF-8, 2 MB bodies, ...)
    # When each message becomes a bronze record (bronze never raises on input)
    corpus, records = _corpus_in_bronze()

    # Then the whole batch writes as one Parquet table, and unparseable ones are marked, not dropped
    buffer = io.BytesIO()
    pq.write_table(records_table(records), buffer)
    assert pq.read_table(io.BytesIO(buffer.getvalue())).num_rows == len(corpus)
    deep = next(r for r, case in zip(records, corpus, strict=True) if "nest" in case.name)
    assert deep.parse_error == "invalid_json"
    assert deep.event_type == INVALID_EVENT_TYPE


def test_silver_rejects_or_keeps_every_hostile_bronze_record_without_raising():
    # Given the corpus in bronze, grouped by the event type bronze gave each record
    corpus, records = _corpus_in_bronze()
    table = records_table(records)
    now = datetime.now(UTC)

    # When silver transforms each type's partition
    total = 0
    for event_type in sorted({record.event_type for record in records}):
        rows = [index for index, record in enumerate(records) if record.event_type == event_type]
        output = silver_transform(event_type, table.take(rows), processed_at=now)

        # Then every row is accounted for: kept, rejected with a reason, or a duplicate
        assert output.passed + output.rejected_count + output.duplicates_removed == len(rows)
        total += len(rows)
    assert total == len(corpus)
