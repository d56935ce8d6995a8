"""Ingestion benchmark: sustained events/s from the real broker into PostgreSQL, on realistic history.

    .venv/bin/python benchmarks/ingest.py [--history 1000000] [--users 100000] [--fresh 100000]
                                          [--latency-rate 1000] [--latency-seconds 30] [--consumers 1]

Runs against its own database (``lakay_bench``) and topic prefix, with the services `make run` uses
(it starts nothing: run `make run` once, or have PostgreSQL, Redis and a broker up). Phases:

1. history — if the bench database holds fewer than ``--history`` raw events, a simulator backfill
   (``--users`` customers) is loaded. ``--history-mode handlers`` (default) produces it to Kafka and
   consumes it WITH every domain handler (its rate is reported too; it grows the tables the handlers
   read); ``--history-mode copy`` COPYs it straight into ``RawEvent`` (the spine's own history: the
   unique index every insert checks), for machines where a 1M-event handler run takes too long.
2. empty handlers — ``--fresh`` new events drained by a consumer whose handler registry is empty
   (the spine alone: validate, store once, commit).
3. all handlers — ``--fresh-handled`` (default: ``--fresh``) of those events, with their own ids,
   drained with every domain handler registered.
4. latency — events produced at ``--latency-rate``/s for ``--latency-seconds`` with their timestamp set at
   produce time; end-to-end latency = ``RawEvent.received_at - occurred_at`` (p50/p95/p99).

Prints one table; writes ``var/bench/ingest-results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "lakay_bench")
VAR = ROOT / "var" / "bench"


def _environment() -> None:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lakay")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    os.environ.setdefault("KAFKA_TOPIC_PREFIX", "bench-")
    os.environ.setdefault("REDIS_KEY_PREFIX", "bench")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("KAFKA_SESSION_TIMEOUT_MS", "6000")
    os.environ.setdefault("KAFKA_HEARTBEAT_INTERVAL_MS", "500")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lakay.settings")
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


def _setup_django() -> None:
    import django

    django.setup()


def _consume_child(empty: bool) -> None:
    """Child process: one consumer group member until SIGTERM."""
    _environment()
    _setup_django()
    from django.conf import settings

    from apps.pipeline.spine import registry
    from apps.pipeline.spine.kafka import build_consumer
    from apps.pipeline.spine.runner import ConsumerRunner
    from apps.pipeline.spine.shutdown import install_stop_flag
    from apps.pipeline.spine.topics import INBOUND_TOPICS

    if empty:
        registry._handlers.clear()
    group = f"{settings.KAFKA_CONSUMER_GROUP}.bench"
    ConsumerRunner(
        consumer=build_consumer(group),
        topics=INBOUND_TOPICS,
        group_id=group,
        stream="bench",
        should_stop=install_stop_flag(),
    ).run()


def _ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("select 1 from pg_database where datname=%s", (BENCH_DB,)).fetchone():
            connection.execute(f'create database "{BENCH_DB}"')
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], check=True, cwd=ROOT)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "kafka_topics", "--create"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def _raw_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select count(*) from pipeline_rawevent")
        return int(cursor.fetchone()[0])


def _backfill(path: Path, *, users: int, days: float, seed: int, start: datetime) -> None:
    if path.exists():
        return
    from apps.pipeline.simulator.choices import SimulationMode
    from apps.pipeline.simulator.service import SimulationOptions, run_simulation
    from apps.pipeline.simulator.sinks import JsonlSink

    print(f"generating {path.name} ({users:,} users, {days} days) …", flush=True)
    options = SimulationOptions(
        mode=SimulationMode.BACKFILL,
        seed=seed,
        users=users,
        circles=max(users // 50, 10),
        start=start.date(),
        days=days,
    )
    run_simulation(options, JsonlSink(path))


def _produce(lines: list[str], *, fresh_ids: bool = False, stamp_now: bool = False, rate: float = 0.0) -> None:
    from apps.pipeline.spine.contracts import get_registry
    from apps.pipeline.spine.kafka import build_producer
    from apps.pipeline.spine.topics import topic_name

    topics = {event_type: topic_name(topic) for event_type, topic in get_registry().topic_of_type.items()}
    producer = build_producer(**{"linger.ms": 20, "batch.size": 1_000_000})
    started = time.perf_counter()
    for index, line in enumerate(lines):
        envelope = json.loads(line)
        if fresh_ids:
            envelope["event_id"] = str(uuid.uuid4())
        if stamp_now:
            envelope["timestamp"] = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        payload = envelope["payload"]
        key = payload.get("user_id") or payload.get("sender_id") or payload.get("circle_id") or "rate"
        while True:
            try:
                producer.produce(topics[envelope["event_type"]], json.dumps(envelope).encode(), key=key.encode())
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        if rate:
            ahead = (index + 1) / rate - (time.perf_counter() - started)
            if ahead > 0:
                time.sleep(ahead)
    assert producer.flush(60) == 0, "undelivered messages"


def _copy_history(path: Path, needed: int, *, skip: int) -> dict:
    """COPY ``needed`` events of ``path`` (after its first ``skip``) into RawEvent, as the consumer
    would have stored them; committed every 100,000 rows, so an interrupted load resumes."""
    import hashlib

    from django.db import connection, transaction

    from apps.pipeline.spine.contracts import get_registry

    topics = get_registry().topic_of_type
    columns = (
        "event_id, event_type, event_version, occurred_at, received_at, source_service, correlation_id, "
        'topic, "partition", "offset", payload, content_hash, status'
    )
    started = time.perf_counter()
    received = datetime.now(UTC)
    rows: list[tuple] = []

    def flush() -> None:
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(f"COPY pipeline_rawevent ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        rows.clear()

    copied = 0
    with path.open() as source:
        for offset, line in enumerate(source):
            if offset < skip:
                continue
            if copied >= needed:
                break
            envelope = json.loads(line)
            canonical = json.dumps(envelope, sort_keys=True, separators=(",", ":"))
            rows.append(
                (
                    envelope["event_id"],
                    envelope["event_type"],
                    envelope["event_version"],
                    envelope["timestamp"],
                    received,
                    envelope["source_service"],
                    envelope.get("correlation_id"),
                    topics[envelope["event_type"]],
                    0,
                    offset,
                    json.dumps(envelope["payload"]),
                    hashlib.sha256(canonical.encode()).hexdigest(),
                    "processed",
                )
            )
            copied += 1
            if len(rows) >= 100_000:
                flush()
                print(f"  history copy: {skip + copied:,}", flush=True)
    flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pipeline_rawevent")
    seconds = time.perf_counter() - started
    return {
        "phase": "history COPY (RawEvent only)",
        "events": copied,
        "seconds": round(seconds, 2),
        "events_per_second": round(copied / seconds),
    }


def _read_lines(path: Path, count: int, skip: int = 0) -> list[str]:
    lines: list[str] = []
    with path.open() as source:
        for index, line in enumerate(source):
            if index < skip:
                continue
            if len(lines) >= count:
                break
            lines.append(line)
    return lines


def _drain(expected_total: int, *, empty: bool, consumers: int, label: str, timeout: float = 7200) -> dict:
    """Start consumers, time how long until the raw-event count reaches ``expected_total``."""
    before = _raw_count()
    children = [
        subprocess.Popen([sys.executable, __file__, "_consume", *(["--empty"] if empty else [])], cwd=ROOT)
        for _ in range(consumers)
    ]
    first_seen = None
    started = time.monotonic()
    last_report = started
    last_count, last_change = before, started
    try:
        while True:
            count = _raw_count()
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
            if first_seen is None and count > before:
                first_seen = now  # excludes the consumer group join (tansu: ~session timeout / 2)
            if count >= expected_total:
                break
            if first_seen is not None and now - last_change > 20:
                # Nothing new for 20 s: the rest were duplicates or dead letters (counted below).
                print(f"  {label}: idle at {count:,}/{expected_total:,}", flush=True)
                break
            if now - started > timeout:
                raise SystemExit(f"{label}: timed out at {count:,}/{expected_total:,}")
            if now - last_report > 30:
                rate = (count - before) / (now - (first_seen or started))
                print(f"  {label}: {count:,}/{expected_total:,} raw events ({rate:,.0f}/s)", flush=True)
                last_report = now
            time.sleep(0.5)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(timeout=60)
    seconds = max(min(time.monotonic(), last_change) - (first_seen or started), 0.001)
    events = _raw_count() - before
    return {
        "phase": label,
        "events": events,
        "seconds": round(seconds, 2),
        "events_per_second": round(events / seconds),
    }


def _latency(rate: float, seconds: float, source: Path, skip: int, consumers: int) -> dict:
    from django.db import connection

    lines = _read_lines(source, int(rate * seconds), skip=skip)
    marker = datetime.now(UTC) - timedelta(seconds=1)
    children = [subprocess.Popen([sys.executable, __file__, "_consume"], cwd=ROOT) for _ in range(consumers)]
    # Start the clock once the consumers are consuming: one warm-up event must be stored first
    # (process start-up and the group join are not part of an event's latency).
    before = _raw_count()
    _produce(lines[:1], fresh_ids=True)
    deadline = time.monotonic() + 180
    while _raw_count() <= before and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    marker = datetime.now(UTC) - timedelta(seconds=1)
    expected = _raw_count() + len(lines)
    try:
        _produce(lines, stamp_now=True, rate=rate)
        deadline = time.monotonic() + 300
        while _raw_count() < expected and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(timeout=60)
    with connection.cursor() as cursor:
        cursor.execute(
            """select count(*),
                      percentile_cont(0.5) within group (order by extract(epoch from received_at - occurred_at)),
                      percentile_cont(0.95) within group (order by extract(epoch from received_at - occurred_at)),
                      percentile_cont(0.99) within group (order by extract(epoch from received_at - occurred_at))
               from pipeline_rawevent where occurred_at >= %s""",
            [marker],
        )
        count, p50, p95, p99 = cursor.fetchone()
    return {
        "phase": f"latency at {rate:,.0f}/s",
        "events": count,
        "p50_ms": round(p50 * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=2.0, help="Backfill days of history (with --users).")
    parser.add_argument("--history-mode", choices=["handlers", "copy"], default="handlers")
    parser.add_argument("--fresh", type=int, default=100_000)
    parser.add_argument("--fresh-handled", type=int, default=0, help="Events for the all-handlers phase.")
    parser.add_argument(
        "--skip", type=int, default=0, help="Start this far into the fresh file (a rerun needs events not yet stored)."
    )
    parser.add_argument("--latency-rate", type=float, default=1000)
    parser.add_argument("--latency-seconds", type=float, default=30)
    parser.add_argument("--consumers", type=int, default=1)
    arguments = parser.parse_args()

    _environment()
    _ensure_database()
    _setup_django()
    VAR.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    history_file = VAR / f"history-u{arguments.users}-d{arguments.days:g}.jsonl"
    if _raw_count() < arguments.history:
        _backfill(
            history_file,
            users=arguments.users,
            days=arguments.days,
            seed=11,
            start=today - timedelta(days=arguments.days + 3),
        )
        needed = arguments.history - _raw_count()
        if arguments.history_mode == "copy":
            results.append(_copy_history(history_file, needed, skip=_raw_count()))
        else:
            lines = _read_lines(history_file, needed)
            print(f"history: producing {len(lines):,} events …", flush=True)
            _produce(lines)
            results.append(
                _drain(
                    _raw_count() + len(lines),
                    empty=False,
                    consumers=arguments.consumers,
                    label="history load, all handlers",
                )
            )
    fresh_file = VAR / "fresh-u20000-d1.jsonl"
    _backfill(fresh_file, users=20_000, days=1.0, seed=12, start=today - timedelta(days=2))

    lines = _read_lines(fresh_file, arguments.fresh, skip=arguments.skip)
    _produce(lines, fresh_ids=True)
    results.append(_drain(_raw_count() + len(lines), empty=True, consumers=arguments.consumers, label="empty handlers"))
    handled = lines[: arguments.fresh_handled or len(lines)]
    _produce(handled)  # the same events with their own ids: handlers see new business ids once
    results.append(
        _drain(_raw_count() + len(handled), empty=False, consumers=arguments.consumers, label="all handlers")
    )
    results.append(
        _latency(
            arguments.latency_rate,
            arguments.latency_seconds,
            fresh_file,
            arguments.skip + arguments.fresh,
            arguments.consumers,
        )
    )

    stored = _raw_count()
    machine = f"{os.cpu_count()} vCPU, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "stored_events": stored,
        "consumers": arguments.consumers,
        "results": results,
    }
    (VAR / "ingest-results.json").write_text(json.dumps(report, indent=2))
    print(
        f"\ningestion — {report['date']} — {machine} — {stored:,} raw events stored, "
        f"{arguments.consumers} consumer process(es)"
    )
    print(f"{'phase':32} {'events':>10} {'seconds':>9} {'events/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for row in results:
        print(
            f"{row['phase']:32} {row['events']:>10,} {row.get('seconds', ''):>9} {row.get('events_per_second', ''):>9} "
            f"{row.get('p50_ms', ''):>8} {row.get('p95_ms', ''):>8} {row.get('p99_ms', ''):>8}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_consume":
        _consume_child(empty="--empty" in sys.argv)
    else:
        main()
