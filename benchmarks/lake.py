"""Data lake benchmark: bronze write rate, then silver and gold over a 1M-event bronze.

    .venv/bin/python benchmarks/lake.py [--events 1000000] [--users 100000] [--days 30] [--kafka 100000]

Uses its own database (``--database``, created and migrated if missing) and lake folder
(``var/bench/lake``, emptied first), never the development data. Events are synthesised from the
contract examples (valid envelopes; realistic mix of types, ~100k users, in time order as they would
arrive), written to bronze by the real writer (buffer per type, 1,000-event Parquet files, metadata
and checkpoints in PostgreSQL), then the lake is rebuilt: silver (every partition, worker processes)
and gold (every dataset over the whole range). ``--kafka N`` also measures N events end to end
through the broker and the bronze consumer.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIX: dict[str, float] = {
    "transaction-initiated": 0.17,
    "transaction-completed": 0.15,
    "transaction-failed": 0.01,
    "transaction-flagged": 0.005,
    "session-started": 0.11,
    "session-ended": 0.10,
    "login-attempt": 0.04,
    "login-success": 0.04,
    "login-failed": 0.005,
    "user-action-performed": 0.12,
    "device-registered": 0.005,
    "user-registered": 0.01,
    "remittance-initiated": 0.05,
    "remittance-processing": 0.02,
    "remittance-completed": 0.045,
    "remittance-failed": 0.004,
    "exchange-rate-updated": 0.001,
    "circle-created": 0.002,
    "circle-member-joined": 0.01,
    "circle-member-dropped": 0.001,
    "circle-contribution-received": 0.07,
    "circle-contribution-missed": 0.005,
    "circle-payout-executed": 0.007,
    "account-locked": 0.001,
    "fraud-alert-raised": 0.005,
    "circle-tier-changed": 0.002,
    "ato-alert-raised": 0.001,
    "compliance-alert-raised": 0.003,
    "edd-triggered": 0.001,
}


def setup(database: str, lake: Path) -> None:
    import psycopg

    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            admin.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    os.environ["DATALAKE_LOCAL_PATH"] = str(lake)
    os.environ.pop("DATALAKE_ENDPOINT", None)
    os.environ.setdefault("REDIS_KEY_PREFIX", f"bench-{database}")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "lakay.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pipeline_lakefile, pipeline_lakepartition, pipeline_bronzecheckpoint, "
            "pipeline_silverqualitylog, pipeline_lakejob CASCADE"
        )


def examples() -> dict[str, dict[str, Any]]:
    folder = ROOT / "contracts" / "examples"
    return {name: json.loads((folder / f"{name}.json").read_text()) for name in MIX}


def synthesise(count: int, users: int, days: int, seed: int) -> list[tuple[str, bytes]]:
    """``count`` valid envelopes (topic, JSON bytes) in time order over ``days`` days."""
    from apps.pipeline.spine.contracts import get_registry

    registry = get_registry()
    rng = random.Random(seed)
    bases = examples()
    names = list(MIX)
    weights = [MIX[name] for name in names]
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
    step = days * 86400 / count
    devices = [f"device_{i:016x}" for i in range(users)]
    circles = [f"circle_{i:06d}" for i in range(max(users // 20, 1))]
    chosen = rng.choices(names, weights=weights, k=count)
    output: list[tuple[str, bytes]] = []
    for index, name in enumerate(chosen):
        envelope = copy.deepcopy(bases[name])
        moment = start + timedelta(seconds=index * step)
        stamp = moment.isoformat().replace("+00:00", "Z")
        envelope["event_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        envelope["timestamp"] = stamp
        payload = envelope["payload"]
        user = f"user_{rng.randrange(users):06d}"
        for key in ("user_id", "sender_id", "organizer_id"):
            if key in payload:
                payload[key] = user
        if "device_id" in payload:
            payload["device_id"] = devices[rng.randrange(users)]
        if "ip_address" in payload:
            payload["ip_address"] = f"198.51.{rng.randrange(256)}.{rng.randrange(256)}"
        if "circle_id" in payload:
            payload["circle_id"] = circles[rng.randrange(len(circles))]
        for key in ("transaction_id", "remittance_id", "session_id", "alert_id", "contribution_id", "payout_id"):
            if key in payload:
                payload[key] = f"{key[:3]}_{rng.getrandbits(40):010x}"
        for key in ("amount", "send_amount"):
            if key in payload:
                payload[key] = f"{rng.randint(5, 2500)}.{rng.randrange(100):02d}"
        topic = registry.topic_of_type.get(name) or registry.outbound_types[name]
        output.append((topic, json.dumps(envelope).encode()))
    return output


def bronze_write(messages: list[tuple[str, bytes]]) -> tuple[float, int]:
    """The bronze writer as the consumer drives it: buffer per type, flush at 1,000, then record."""
    from apps.pipeline.lake.bronze.records import bronze_record
    from apps.pipeline.lake.bronze.writer import bronze_files_register, bronze_files_write
    from apps.pipeline.lake.storage import lake_store

    store = lake_store()
    buffers: dict[str, list[Any]] = defaultdict(list)
    offsets: dict[str, int] = defaultdict(int)
    files = 0
    started = time.perf_counter()
    for topic, value in messages:
        offset = offsets[topic]
        offsets[topic] = offset + 1
        record = bronze_record(value, topic=topic, partition=0, offset=offset, key=None, ingested_at=datetime.now(UTC))
        buffer = buffers[record.event_type]
        buffer.append(record)
        if len(buffer) >= 1000:
            written = bronze_files_write(store, buffer)
            bronze_files_register(written, consumer_group="bench", checkpoints={(topic, 0): offset + 1})
            files += len(written)
            buffers[record.event_type] = []
    for buffer in buffers.values():
        if buffer:
            written = bronze_files_write(store, buffer)
            bronze_files_register(written, consumer_group="bench", checkpoints={})
            files += len(written)
    return time.perf_counter() - started, files


def kafka_round_trip(messages: list[tuple[str, bytes]]) -> float:
    """Produce to the broker, then time the bronze consumer until every message is in Parquet."""
    from confluent_kafka.admin import NewTopic

    from apps.pipeline.lake.bronze.consumer import BronzeConsumer
    from apps.pipeline.lake.storage import lake_store
    from apps.pipeline.spine.kafka import build_admin, build_consumer, build_producer
    from apps.pipeline.spine.topics import INBOUND_TOPICS, OUTBOUND_TOPICS, topic_name

    prefix = f"bench-{uuid.uuid4().hex[:6]}-"
    os.environ["KAFKA_TOPIC_PREFIX"] = prefix
    from django.conf import settings

    settings.KAFKA_TOPIC_PREFIX = prefix
    topics = INBOUND_TOPICS + OUTBOUND_TOPICS
    admin = build_admin()
    for future in admin.create_topics([NewTopic(topic_name(t), 3, 1) for t in topics]).values():
        future.result(timeout=15)
    producer = build_producer()
    for topic, value in messages:
        producer.produce(topic_name(topic), value=value)
        producer.poll(0)
    producer.flush(60)
    target = len(messages)
    consumer_holder: dict[str, BronzeConsumer] = {}

    def done() -> bool:
        consumer = consumer_holder.get("c")
        return bool(consumer and consumer.events_written + sum(len(b.records) for b in consumer.buffers.values())
                    >= target)  # fmt: skip

    consumer = BronzeConsumer(
        consumer=build_consumer(f"bench-{uuid.uuid4().hex[:6]}"),
        topics=topics,
        group_id="bench",
        store=lake_store(),
        should_stop=done,
        batch_size=1000,
        poll_timeout=0.2,
    )
    consumer_holder["c"] = consumer
    started = time.perf_counter()
    consumer.run()  # stops once everything is buffered or written; run() flushes the rest before leaving
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (worker processes): what the work costs,
    whatever else the machine is running."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kafka", type=int, default=0, help="Also measure N events through Kafka (0: skip).")
    parser.add_argument("--database", default="lakay_bench_lake")
    args = parser.parse_args()

    lake = ROOT / "var" / "bench" / "lake"
    shutil.rmtree(lake, ignore_errors=True)
    lake.mkdir(parents=True)
    setup(args.database, lake)

    from apps.pipeline.lake.choices import LakeJobKind
    from apps.pipeline.lake.jobs import lake_job_create, lake_job_run
    from apps.pipeline.lake.models import LakeJob

    started = time.perf_counter()
    messages = synthesise(args.events, args.users, args.days, args.seed)
    print(f"synthesised {len(messages):,} events in {time.perf_counter() - started:.1f}s")

    cpu = cpu_seconds()
    seconds, files = bronze_write(messages)
    cpu = cpu_seconds() - cpu
    print(
        f"bronze: {len(messages):,} events, {files:,} files in {seconds:.1f}s = {len(messages) / seconds:,.0f} events/s"
        f" (CPU {cpu:.1f}s = {len(messages) / cpu:,.0f} events per CPU-second; load {load()})"
    )

    if args.kafka:
        sample = messages[: args.kafka]
        del messages
        seconds = kafka_round_trip(sample)
        print(f"bronze via Kafka: {len(sample):,} events in {seconds:.1f}s = {len(sample) / seconds:,.0f} events/s")
    else:
        del messages

    total = 0.0
    total_cpu = 0.0
    for kind in (LakeJobKind.SILVER, LakeJobKind.GOLD):
        parameters: dict[str, Any] = {}
        if kind == LakeJobKind.GOLD:
            today = datetime.now(UTC).date()
            parameters = {"date_from": (today - timedelta(days=args.days)).isoformat(), "date_to": today.isoformat()}
        job = lake_job_create(kind=kind, parameters=parameters, requested_by="bench")
        started, cpu = time.perf_counter(), cpu_seconds()
        lake_job_run(job.pk)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        total += seconds
        total_cpu += cpu
        job = LakeJob.objects.get(pk=job.pk)
        if job.status != "succeeded":
            raise SystemExit(f"{kind} failed: {job.message}\n{job.result.get('traceback', '')}")
        if kind == LakeJobKind.SILVER:
            silver = job.result["silver"]
            print(
                f"silver: {silver['partitions']} partitions, {silver['passed']:,} passed, {silver['rejected']:,}"
                f" rejected, {silver['duplicates_removed']:,} duplicates in {seconds:.1f}s"
                f" = {silver['total'] / seconds:,.0f} events/s (CPU {cpu:.1f}s; load {load()})"
            )
        else:
            for summary in job.result["gold"]:
                print(f"  gold {summary['dataset']:28} {summary['rows']:>8,} rows {summary['seconds']:6.2f}s")
            print(f"gold: {seconds:.1f}s (CPU {cpu:.1f}s; load {load()})")
    print(
        f"silver + gold rebuild of {args.events:,} events: {total:.1f}s wall, {total_cpu:.1f} CPU-seconds"
        f" on {os.cpu_count()} CPUs (load {load()})"
    )


if __name__ == "__main__":
    main()
