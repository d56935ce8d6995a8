"""Shared set-up of the circle benchmarks: own database and Redis prefix, simulator sink, feeding events.

Never touches the development or test data: each benchmark uses ``--database`` (created and migrated if
missing) and a Redis prefix of its own.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CIRCLE_TOPIC = "trebanx.circle.events"
TRANSACTION_TYPES = ("transaction-initiated", "transaction-completed", "transaction-failed")


def setup(database: str) -> None:
    import psycopg

    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    os.environ.setdefault("REDIS_KEY_PREFIX", f"bench-{database}")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "lakay.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reset_circles() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE circles_circle SET latest_health_id = NULL")
        cursor.execute(
            "TRUNCATE circles_circletierchange, circles_circleanomaly, circles_circlehealth, "
            "circles_circletransaction, circles_circlepayout, circles_circlemissedcontribution, "
            "circles_circlecontribution, circles_circlemember, circles_circle RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM pipeline_outboxmessage WHERE topic = 'lakay.circles.tier-changes'")


class CircleSink:
    """A simulator sink that keeps circle events and the circles' transactions (the rest is dropped),
    so a long backfill fits in memory."""

    description = "memory:circles"
    is_broker = False
    failures = 0

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.labels: list[dict[str, Any]] = []
        self.produced = 0
        self._circle_transactions: set[str] = set()

    def write(self, topic: str, key: str, envelope: dict[str, Any]) -> None:
        self.produced += 1
        event_type = envelope["event_type"]
        if topic == CIRCLE_TOPIC:
            self.events.append(envelope)
        elif event_type == "transaction-initiated" and (envelope["payload"].get("metadata") or {}).get("circle_id"):
            self._circle_transactions.add(envelope["payload"]["transaction_id"])
            self.events.append(envelope)
        elif event_type in TRANSACTION_TYPES and envelope["payload"]["transaction_id"] in self._circle_transactions:
            self.events.append(envelope)

    def write_labels(self, records: list[dict[str, Any]]) -> None:
        self.labels.extend(records)

    def close(self) -> None:
        return None


def to_event(envelope: dict[str, Any]) -> Any:
    from apps.pipeline.spine.contracts import get_registry, validate_inbound
    from apps.pipeline.spine.events import Event

    topic = get_registry().topic_of_type[envelope["event_type"]]
    return Event.from_envelope(envelope, occurred_at=validate_inbound(envelope, topic=topic), topic=topic)


def feed(envelopes: Iterable[dict[str, Any]], batch_size: int = 500) -> int:
    """Run the circles handlers (the code the consumer runs) on ``envelopes``, one transaction per batch."""
    from django.db import transaction

    from apps.circles.handlers import HANDLERS

    count = 0
    batch: list[Any] = []

    def flush() -> None:
        with transaction.atomic():
            for event in batch:
                HANDLERS[event.event_type](event)
        batch.clear()

    for envelope in envelopes:
        batch.append(to_event(envelope))
        count += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return count


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"n": 0}

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)

    return {
        "n": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }
