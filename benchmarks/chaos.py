"""Fault injection: the spine under kill -9, a database outage and a Redis flush loses and doubles nothing.

    .venv/bin/python benchmarks/chaos.py [--events 50000] [--kills 10] [--postgres stop|lockout|none]
                                         [--outage-seconds 20] [--postgres-not-before HH:MM]
                                         [--warm [--spares 2]] [--database lakay_chaos] [--seed 7]

(`make chaos` runs it through scripts/chaos.sh, which starts the services that are not running first.)

1. A fresh database (``--database``, recreated from ``--template``, migrated when migrations changed), its
   own topic prefix ``chaos-<run>-`` and Redis key prefix ``chaos-<run>``.
2. ``--events`` simulator events (backfill with the labelled scenarios planted in turn) produced to Kafka;
   every produced envelope is remembered.
3. Real ``manage.py consume --all`` and ``manage.py relay_outbox`` child processes, each ``kill -9``'d
   ``--kills`` times at random points of the run and restarted at once; meanwhile:
   - PostgreSQL goes away for ``--outage-seconds``: ``stop`` stops the whole local cluster
     (``pg_ctlcluster … stop`` / ``start``; it affects everyone on the machine), ``lockout`` takes only the
     chaos database away (``ALLOW_CONNECTIONS false`` + ``pg_terminate_backend`` of its sessions, repeated),
     ``none`` skips it;
   - Redis loses every key of the run (the keys under the run's prefix are deleted: the same as a FLUSHDB
     for this run, without touching the data of anyone else sharing the Redis database).
4. Drain (the last consumer and relay run until every event is in and no outbox row is pending), stop
   them with SIGTERM, read every ``lakay.*`` and ``*.dlq`` topic back to the end, and check:
   every produced event stored exactly once (or dead-lettered, never both, never missing), each domain
   effect once per business id, the counters the handlers increment equal to the rows they count, no
   outbox row unpublished, every outbox row on its topic exactly once (by ``lakay-message-id``).

Prints every count and the verdict; writes ``var/chaos/<database>-report.json``; exits 1 on a violation,
2 if the run itself could not be carried out (a service missing, a timeout).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(os.environ.get("LAKAY_VAR_DIR") or ROOT / "var").resolve() / "chaos"
PG_STOPPED_MARKER = VAR / "postgres-stopped-by-chaos"
EVENTS_PER_CUSTOMER_DAY = 6
DAYS = 14.0


class ChaosSetupError(Exception):
    """The run could not be carried out (not a finding about the spine)."""


# ------------------------------------------------------------------------------------------- setup
def _admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def _environment(arguments: argparse.Namespace, run_id: str) -> Path:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lakay")
    os.environ["CHAOS_ADMIN_DATABASE_URL"] = _admin_url(base)
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{arguments.database}"
    os.environ["KAFKA_TOPIC_PREFIX"] = f"chaos-{run_id}-"
    os.environ["REDIS_KEY_PREFIX"] = f"chaos-{run_id}"
    os.environ["KAFKA_CONSUMER_GROUP"] = f"lakay-chaos-{run_id}"
    # A dead member holds its partitions for the session timeout: keep rejoins after kill -9 short.
    os.environ["KAFKA_SESSION_TIMEOUT_MS"] = "3000"
    os.environ["KAFKA_HEARTBEAT_INTERVAL_MS"] = "300"
    os.environ["KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS"] = "0.2"
    os.environ["KAFKA_CONSUMER_BATCH_SIZE"] = str(arguments.batch_size)
    os.environ["OUTBOX_RELAY_MAX_BACKOFF_SECONDS"] = "5"
    os.environ["DATABASE_CONN_MAX_AGE"] = "60"
    os.environ["DATABASE_CONNECT_TIMEOUT"] = "2"
    os.environ["DJANGO_SETTINGS_MODULE"] = "lakay.settings"
    os.environ["LOG_LEVEL"] = os.environ.get("CHAOS_LOG_LEVEL", "WARNING")
    os.environ["LOG_FORMAT"] = "json"
    run_dir = VAR / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LAKAY_VAR_DIR"] = str(run_dir)
    os.environ["DATALAKE_LOCAL_PATH"] = str(run_dir / "lake")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{VAR / (arguments.database + '-mlflow.db')}"
    os.environ["MLFLOW_ARTIFACT_ROOT"] = str(VAR / f"{arguments.database}-mlflow-artifacts")
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return run_dir


def _manage(*args: str, quiet: bool = True) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def _migrations_fingerprint() -> str:
    """Hash of every migration of the project and of the locked dependencies (their migrations)."""
    digest = hashlib.sha256((ROOT / "requirements.lock").read_bytes())
    for path in sorted(ROOT.glob("apps/**/migrations/*.py")) + sorted(ROOT.glob("lakay/**/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return f"chaos-template {digest.hexdigest()}"


def _fresh_database(name: str, template: str) -> None:
    """Drop and recreate ``name`` from ``template``, migrated first if the migrations changed since.

    The template is shared by every chaos run on the cluster (``make chaos`` and the short form in
    ``make test``): an advisory lock serialises its migration and the copies made from it.
    """
    import psycopg

    if "chaos" not in name or "chaos" not in template:
        raise ChaosSetupError(f"refusing to recreate {name!r}: chaos database names must contain 'chaos'")
    admin = os.environ["CHAOS_ADMIN_DATABASE_URL"]
    fingerprint = _migrations_fingerprint()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("select pg_advisory_lock(hashtext(%s))", (template,))
        if not connection.execute("select 1 from pg_database where datname = %s", (template,)).fetchone():
            connection.execute(f'create database "{template}"')
        row = connection.execute(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = %s", (template,)
        ).fetchone()
        comment = row[0] if row else None
        if comment != fingerprint:  # migrate costs a Django start-up and ~20 s: only when migrations changed
            target = os.environ["DATABASE_URL"]
            os.environ["DATABASE_URL"] = target.rsplit("/", 1)[0] + f"/{template}"
            try:
                _manage("migrate", "--no-input", "-v0")
            finally:
                os.environ["DATABASE_URL"] = target
            connection.execute(f"comment on database \"{template}\" is '{fingerprint}'")
        if connection.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            connection.execute(f'alter database "{name}" allow_connections true')  # after an interrupted lockout
            connection.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
            connection.execute(f'drop database "{name}"')
        connection.execute(f'create database "{name}" template "{template}"')
        connection.execute("select pg_advisory_unlock(hashtext(%s))", (template,))


# ----------------------------------------------------------------------------------------- produce
@dataclass
class Produced:
    """What the simulator put on the inbound topics (ids and the business ids the effects are keyed by)."""

    event_ids: list[str] = field(default_factory=list)
    by_type: Counter[str] = field(default_factory=Counter)
    usd_transaction_ids: set[str] = field(default_factory=set)
    contribution_ids: set[str] = field(default_factory=set)
    payout_ids: set[str] = field(default_factory=set)
    action_ids: set[str] = field(default_factory=set)
    session_ids: set[str] = field(default_factory=set)
    skipped_future: int = 0
    seconds: float = 0.0

    def remember(self, envelope: dict[str, Any]) -> None:
        event_type, payload = envelope["event_type"], envelope["payload"]
        self.event_ids.append(str(uuid.UUID(envelope["event_id"])))
        self.by_type[event_type] += 1
        if event_type == "transaction-initiated" and payload.get("currency") == "USD":
            self.usd_transaction_ids.add(payload["transaction_id"])
        elif event_type == "circle-contribution-received":
            self.contribution_ids.add(payload["contribution_id"])
        elif event_type == "circle-payout-executed":
            self.payout_ids.add(payload["payout_id"])
        elif event_type == "user-action-performed":
            self.action_ids.add(payload["action_id"])
        if event_type in {"session-started", "session-ended", "user-action-performed"}:
            self.session_ids.add(payload["session_id"])


def _produce(count: int, seed: int) -> Produced:
    from apps.pipeline.simulator import all_scenarios
    from apps.pipeline.simulator.choices import SimulationMode
    from apps.pipeline.simulator.service import SimulationOptions, run_simulation
    from apps.pipeline.simulator.sinks import Envelope, KafkaSink

    produced = Produced()
    now = datetime.now(UTC)

    class RecordingKafkaSink(KafkaSink):
        """Produces the first ``count`` events stamped in the past; remembers each one."""

        def write(self, topic: str, key: str, envelope: Envelope) -> None:
            if len(produced.event_ids) >= count:
                return
            if datetime.fromisoformat(envelope["timestamp"].replace("Z", "+00:00")) > now:
                produced.skipped_future += 1  # a planted story running past today: would be dead-lettered
                return
            super().write(topic, key, envelope)
            produced.remember(envelope)

    users = max(40, int(1.25 * count / (EVENTS_PER_CUSTOMER_DAY * DAYS)))  # ~25 % to spare, cut at ``count``
    scenarios = [scenario.name for scenario in all_scenarios()]
    options = SimulationOptions(
        mode=SimulationMode.BACKFILL,
        seed=seed,
        users=users,
        circles=max(4, users // 25),
        start=(now - timedelta(days=DAYS + 1)).date(),
        days=DAYS,
        scenarios=scenarios,
        scenario_every=DAYS * 86400 * 0.5 / len(scenarios),
    )
    sink = RecordingKafkaSink()
    started = time.monotonic()
    result = run_simulation(options, sink, should_stop=lambda: len(produced.event_ids) >= count)
    produced.seconds = time.monotonic() - started
    if result.delivery_failures:
        raise ChaosSetupError(f"{result.delivery_failures} simulator events were not delivered to Kafka")
    return produced


# --------------------------------------------------------------------------------------- processes
@dataclass
class Spare:
    process: subprocess.Popen[bytes]
    ready_file: Path

    @property
    def is_ready(self) -> bool:
        return self.ready_file.exists()


class Child:
    """One restartable ``manage.py`` child process (output appended to ``<run>/<name>.log``).

    ``spares`` > 0 (warm restarts): that many spare processes are started ahead and wait, Django loaded,
    for the word to run ``manage.py`` (``benchmarks/chaos.py _warm …``: ``manage.py``'s own main, in a
    process started earlier). Loading Django costs ~9 s of CPU here (a minute of wall clock on a loaded
    2-core machine); a restart after ``kill -9`` then takes what it takes where the image is already warm.
    """

    def __init__(self, name: str, args: list[str], run_dir: Path, *, spares: int):
        self.name, self.args, self.pool = name, args, spares
        self.log_path = run_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.spares: list[Spare] = []
        self.kills = 0
        self.starts = 0
        self.started_at = 0.0
        self.spawned = 0

    def _spawn(self, ready: Path | None) -> subprocess.Popen[bytes]:
        warm = [sys.executable, str(Path(__file__).resolve()), "_warm", str(ready)] if ready else [sys.executable]
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [*warm, str(ROOT / "manage.py"), *self.args],
                cwd=ROOT,
                stdin=subprocess.PIPE if ready else None,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def prepare(self) -> None:
        """Top the pool of spares up (a spare that died, say on an import error, is replaced)."""
        self.spares = [spare for spare in self.spares if spare.process.poll() is None]
        while len(self.spares) < self.pool:
            self.spawned += 1
            ready = self.log_path.with_name(f"{self.name}-spare-{self.spawned}.ready")
            self.spares.append(Spare(self._spawn(ready), ready))

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1} at {datetime.now(UTC).isoformat()}\n".encode())
        if self.pool:
            self.prepare()
            spare = next((spare for spare in self.spares if spare.is_ready), self.spares[0])
            self.spares.remove(spare)
            assert spare.process.stdin is not None
            spare.process.stdin.write(b"run\n")
            spare.process.stdin.close()
            self.process = spare.process
            self.prepare()  # the next spare loads while this one works
        else:
            self.process = self._spawn(None)
        self.starts += 1
        self.started_at = time.monotonic()

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1

    def stop(self) -> int | None:
        for spare in self.spares:
            if spare.process.stdin is not None:
                spare.process.stdin.close()  # end of input: the spare exits without running
            spare.process.terminate()
        for spare in self.spares:
            spare.process.wait(timeout=60)
        self.spares = []
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                return -9
        return self.process.returncode

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def can_restart_at_once(self) -> bool:
        """Cold: always. Warm: once a spare has loaded Django (a kill then never waits for imports)."""
        if not self.pool:
            return True
        self.prepare()
        return any(spare.is_ready for spare in self.spares)


def _warm_child(ready_file: str, manage_argv: list[str]) -> None:
    """``chaos.py _warm <ready file> manage.py <args>``: load Django, say so, wait for a line on stdin, then
    be ``manage.py <args>``."""
    import runpy

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lakay.settings")
    import django

    django.setup()
    from django.core import checks

    checks.run_checks()  # what the command runs first: loads the URL configuration, views and serializers
    Path(ready_file).touch()
    if not sys.stdin.readline():
        return  # the run ended (or the driver died) before this spare was needed
    sys.argv = manage_argv
    runpy.run_path(manage_argv[0], run_name="__main__")


def _query_one(sql: str, params: list[Any] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


def _progress() -> tuple[int, int, int] | None:
    """(raw events, dead letters, pending outbox rows), or None while the database is away."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select (select count(*) from pipeline_rawevent), (select count(*) from pipeline_deadletter),"
                " (select count(*) from pipeline_outboxmessage where published_at is null)"
            )
            raw, dead, pending = cursor.fetchone()
        return int(raw), int(dead), int(pending)
    except DatabaseError:
        connection.close()
        return None


# ------------------------------------------------------------------------------------------- faults
def _pg_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql"))
    if not versions:
        raise ChaosSetupError("no PostgreSQL cluster under /etc/postgresql")
    return versions[-1], "main"


def _run_root(*command: str, check: bool = True) -> None:
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*prefix, *command], check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cluster_online(version: str, cluster: str) -> bool:
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    return any(line.split()[:2] == [version, cluster] and "online" in line.split() for line in listing.splitlines())


def _postgres_start() -> None:
    """Start the cluster unless it runs already (another engineer's script may have started it meanwhile)."""
    version, cluster = _pg_cluster()
    deadline = time.monotonic() + 60
    while not _cluster_online(version, cluster):
        if time.monotonic() > deadline:
            raise ChaosSetupError(f"PostgreSQL {version}/{cluster} did not start again")
        _run_root("pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start", check=False)
        time.sleep(0.5)
    PG_STOPPED_MARKER.unlink(missing_ok=True)


def _postgres_outage_stop(seconds: float) -> str:
    from django.db import connection

    version, cluster = _pg_cluster()
    connection.close()
    PG_STOPPED_MARKER.write_text(f"{version} {cluster}\n")  # scripts/chaos.sh restarts it if we die
    restarted_after: float | None = None
    try:
        _run_root("pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "stop")
        stopped = time.monotonic()
        while time.monotonic() - stopped < seconds:
            if restarted_after is None and _cluster_online(version, cluster):
                restarted_after = time.monotonic() - stopped  # someone else started it: we do not fight
            time.sleep(0.5)
    finally:
        _postgres_start()
    if restarted_after is not None:
        return f"cluster {version}/{cluster} stopped; started again by another process after {restarted_after:.1f} s"
    return f"cluster {version}/{cluster} stopped for {seconds:g} s"


def _postgres_outage_lockout(database: str, seconds: float) -> str:
    """Only the chaos database goes away: new connections refused, existing ones terminated, repeatedly."""
    import psycopg
    from django.db import connection

    connection.close()
    terminated = 0
    with psycopg.connect(os.environ["CHAOS_ADMIN_DATABASE_URL"], autocommit=True) as admin:
        admin.execute(f'alter database "{database}" allow_connections false')
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                rows = admin.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (database,)
                ).fetchall()
                terminated += len(rows)
                time.sleep(0.2)
        finally:
            admin.execute(f'alter database "{database}" allow_connections true')
    return f"database {database} locked out for {seconds:g} s ({terminated} sessions terminated)"


def _redis_flush() -> str:
    """Delete every key of this run (its prefix): a FLUSHDB for the run that spares other prefixes."""
    from django.conf import settings

    from lakay.redis import get_redis

    client = get_redis()
    deleted = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{settings.REDIS_KEY_PREFIX}:*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += int(client.unlink(*batch))
            batch.clear()
    if batch:
        deleted += int(client.unlink(*batch))
    return f"{deleted} keys under {settings.REDIS_KEY_PREFIX}:* deleted"


# ---------------------------------------------------------------------------------------- the run
@dataclass
class Fault:
    at: float  # fraction of the produced events stored
    kind: str  # kill-consumer | kill-relay | postgres | redis


def _plan(kills: int, postgres: str, rng: random.Random) -> list[Fault]:
    faults = [Fault(rng.uniform(0.03, 0.93), "kill-consumer") for _ in range(kills)]
    faults += [Fault(rng.uniform(0.03, 0.97), "kill-relay") for _ in range(kills)]
    if postgres != "none":
        faults.append(Fault(rng.uniform(0.40, 0.55), "postgres"))
    faults.append(Fault(rng.uniform(0.20, 0.35), "redis"))
    faults.append(Fault(rng.uniform(0.65, 0.80), "redis"))
    return sorted(faults, key=lambda fault: fault.at)


def _is_due(
    fault: Fault,
    stored: int,
    total: int,
    consumer_progressed: bool,
    consumer: Child,
    relay: Child,
    arguments: argparse.Namespace,
    rng: random.Random,
) -> bool:
    due = stored >= fault.at * total or stored >= total
    if fault.kind == "kill-consumer":
        # A kill counts when the incarnation had work in hand: it stored something since its start.
        progressed = consumer_progressed or stored >= total
        return due and progressed and consumer.uptime > 0.5 and consumer.can_restart_at_once()
    if fault.kind == "kill-relay":
        return due and relay.uptime > rng.uniform(0.2, 3.0) and relay.can_restart_at_once()
    if fault.kind == "postgres" and arguments.postgres_not_before:
        return due and datetime.now(UTC).strftime("%H:%M") >= arguments.postgres_not_before
    return due


def _inject(
    arguments: argparse.Namespace, total: int, consumer: Child, relay: Child, rng: random.Random
) -> list[dict[str, Any]]:
    """Run the consumer and the relay, injecting the planned faults as the stored count passes each point."""
    plan = _plan(arguments.kills, arguments.postgres, rng)
    log: list[dict[str, Any]] = []
    started = time.monotonic()
    consumer.start()
    relay.start()
    last_stored = 0
    stored_at_start = 0
    deadline = started + arguments.timeout
    while plan:
        if time.monotonic() > deadline:
            raise ChaosSetupError(f"timed out with {len(plan)} faults still to inject at {last_stored}/{total}")
        consumer.ensure_running()
        relay.ensure_running()
        progress = _progress()
        if progress is not None:
            last_stored = progress[0] + progress[1]

        fault = next(
            (
                fault
                for fault in plan
                if _is_due(fault, last_stored, total, last_stored > stored_at_start, consumer, relay, arguments, rng)
            ),
            None,
        )
        if fault is None:
            time.sleep(0.05)
            continue
        plan.remove(fault)
        moment = {"t": round(time.monotonic() - started, 1), "stored": last_stored, "fault": fault.kind}
        if fault.kind == "kill-consumer":
            consumer.kill9()
            time.sleep(rng.uniform(0.0, 0.5))
            consumer.start()
            stored_at_start = last_stored
        elif fault.kind == "kill-relay":
            relay.kill9()
            time.sleep(rng.uniform(0.0, 0.5))
            relay.start()
        elif fault.kind == "postgres":
            if arguments.postgres == "stop":
                moment["detail"] = _postgres_outage_stop(arguments.outage_seconds)
            else:
                moment["detail"] = _postgres_outage_lockout(arguments.database, arguments.outage_seconds)
        elif fault.kind == "redis":
            moment["detail"] = _redis_flush()
        log.append(moment)
        print(f"  {moment['t']:7.1f}s  {last_stored:>7,}/{total:,} stored  {fault.kind}  {moment.get('detail', '')}")
    return log


def _drain(total_ids: int, consumer: Child, relay: Child, timeout: float) -> float:
    """Until every produced event is stored or dead-lettered and no outbox row is pending (stable 3 s)."""
    started = time.monotonic()
    settled_since: float | None = None
    last_report = started
    while True:
        consumer.ensure_running()
        relay.ensure_running()
        progress = _progress()
        now = time.monotonic()
        if progress is not None:
            raw, dead, pending = progress
            if raw + dead >= total_ids and pending == 0:
                settled_since = settled_since or now
                if now - settled_since >= 3.0:
                    return now - started
            else:
                settled_since = None
            if now - last_report > 15:
                print(f"  draining: {raw + dead:,}/{total_ids:,} in, {pending:,} outbox rows pending")
                last_report = now
        if now - started > timeout:
            raise ChaosSetupError(f"drain timed out: {progress}")
        time.sleep(0.25)


# ------------------------------------------------------------------------------------------ checks
def _read_outputs(quiet_seconds: float, expected: int, timeout: float = 300.0) -> list[tuple[str, str, str, str]]:
    """Every message on the output and dead-letter topics: (topic, key, message id, payload id).

    Read from the beginning with a fresh group until nothing arrived for ``quiet_seconds`` (tansu's
    watermarks are not reliable, so "the end" is a quiet period, not the high watermark).
    """
    from confluent_kafka import KafkaError

    from apps.pipeline.spine.kafka import build_consumer
    from apps.pipeline.spine.relay import MESSAGE_ID_HEADER
    from apps.pipeline.spine.topics import DLQ_TOPICS, OUTBOUND_TOPICS, logical_name, topic_name

    consumer = build_consumer(f"chaos-reader-{uuid.uuid4().hex[:8]}", **{"auto.offset.reset": "earliest"})
    consumer.subscribe([topic_name(topic) for topic in OUTBOUND_TOPICS + DLQ_TOPICS])
    messages: list[tuple[str, str, str, str]] = []
    started = last_message = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            quiet = quiet_seconds if len(messages) >= expected else max(quiet_seconds, 20.0)
            if now - last_message > quiet or now - started > timeout:
                break
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    print(f"  reader: {error}")
                continue
            last_message = time.monotonic()
            headers = dict(message.headers() or [])
            raw_id = headers.get(MESSAGE_ID_HEADER) or b""
            message_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            payload_id = ""
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                payload_id = str(json.loads(message.value() or b"").get("event_id") or "")
            key = (message.key() or b"").decode("utf-8", "replace")
            messages.append((logical_name(str(message.topic())), key, message_id, payload_id))
    finally:
        consumer.close()
    return messages


@dataclass
class Check:
    name: str
    actual: int | str
    expected: int | str
    ok: bool


def _checks(produced: Produced, outputs: list[tuple[str, str, str, str]]) -> tuple[list[Check], dict[str, Any]]:
    from django.db import connection

    from apps.pipeline.spine.models import DeadLetter, OutboxMessage, RawEvent

    checks: list[Check] = []
    counts: dict[str, Any] = {}

    def equal(name: str, actual: int, expected: int) -> None:
        checks.append(Check(name, actual, expected, actual == expected))

    def sql(query: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return int(cursor.fetchone()[0])

    produced_ids = set(produced.event_ids)
    stored_ids = {str(value) for value in RawEvent.objects.values_list("event_id", flat=True)}
    dead_ids = set(DeadLetter.objects.exclude(event_id="").values_list("event_id", flat=True))
    counts["produced_messages"] = len(produced.event_ids)
    counts["produced_distinct_event_ids"] = len(produced_ids)
    counts["produced_by_type"] = dict(sorted(produced.by_type.items()))

    # -- the spine: every event stored once (RawEvent.event_id is unique: count == distinct)
    raw_count = RawEvent.objects.count()
    equal("RawEvent rows == distinct event ids stored", raw_count, len(stored_ids))
    equal("produced event ids missing (neither stored nor dead-lettered)", len(produced_ids - stored_ids - dead_ids), 0)
    equal("stored event ids never produced", len(stored_ids - produced_ids), 0)
    equal("RawEvent rows == distinct produced event ids", raw_count, len(produced_ids - dead_ids))
    equal("events both stored and dead-lettered", len(stored_ids & dead_ids), 0)
    equal("RawEvent rows with handler_failed", RawEvent.objects.filter(status="handler_failed").count(), 0)
    equal("dead letters (the simulator's events are all valid)", DeadLetter.objects.count(), 0)

    # -- domain effects: one row per business id, none missing, counters equal to the rows they count
    effects = [
        ("fraud.FraudTransaction", "fraud_fraudtransaction", "transaction_id", len(produced.usd_transaction_ids)),
        ("fraud.FraudScore", "fraud_fraudscore", "transaction_id", len(produced.usd_transaction_ids)),
        ("circles.CircleContribution", "circles_circlecontribution", "contribution_id", len(produced.contribution_ids)),
        ("circles.CirclePayout", "circles_circlepayout", "payout_id", len(produced.payout_ids)),
        ("behavior.UserSession", "behavior_usersession", "session_id", len(produced.session_ids)),
        ("behavior.SessionActivity", "behavior_sessionactivity", "action_id", len(produced.action_ids)),
        ("compliance.MoneyMovement (contributions)", "compliance_moneymovement", "contribution_id", -1),
        ("compliance.MoneyMovement (transactions)", "compliance_moneymovement", "transaction_id", -1),
        ("compliance.MoneyMovement (remittances)", "compliance_moneymovement", "remittance_id", -1),
        ("compliance.MoneyMovement (payouts)", "compliance_moneymovement", "payout_id", -1),
        ("compliance.ComplianceAlert (dedup key)", "compliance_compliancealert", "dedup_key", -1),
    ]
    for label, table, column, expected in effects:
        rows = sql(f"select count({column}) from {table}")  # noqa: S608 - names from the list above
        distinct = sql(f"select count(distinct {column}) from {table}")  # noqa: S608
        counts[label] = {"rows": rows, "distinct": distinct}
        equal(f"{label}: rows == distinct {column}", rows, distinct)
        if expected >= 0:
            counts[label]["produced"] = expected
            equal(f"{label}: rows == distinct {column} produced", rows, expected)
    invariants = {
        "behavior.UserSession.observed_actions != its SessionActivity rows": """
            select count(*) from behavior_usersession s
            where s.observed_actions <> (select count(*) from behavior_sessionactivity a where a.session_id = s.id)""",
        "fraud.FraudAlert.linked_score_count != scores linked to it": """
            select count(*) from fraud_fraudalert a
            where a.linked_score_count <> (select count(*) from fraud_fraudscore s
                                           where s.alert_id = a.id and not s.alert_opened)""",
        "fraud.FraudAlert without exactly one opening score": """
            select count(*) from fraud_fraudalert a
            where (select count(*) from fraud_fraudscore s where s.alert_id = a.id and s.alert_opened) <> 1""",
        "compliance.CircleParticipation counts != its money movements": """
            select count(*) from compliance_circleparticipation p
            where p.contribution_count <> (select count(*) from compliance_moneymovement m
                    where m.circle_id = p.circle_id and m.customer_id = p.customer_id
                      and m.movement_type = 'circle_contribution')
               or p.payout_count <> (select count(*) from compliance_moneymovement m
                    where m.circle_id = p.circle_id and m.customer_id = p.customer_id
                      and m.movement_type = 'circle_payout')""",
    }
    for label, query in invariants.items():
        violations = sql(query)
        counts[label] = violations
        equal(label, violations, 0)

    # -- outbox and output topics: every row published, each exactly once on its topic
    outbox = dict(OutboxMessage.objects.values_list("message_id", "topic"))
    outbox_ids = {str(message_id) for message_id in outbox}
    unpublished = OutboxMessage.objects.filter(published_at__isnull=True).count()
    equal("outbox rows unpublished after the drain", unpublished, 0)
    by_topic: dict[str, Counter[str]] = {}
    for topic, _key, message_id, _payload_id in outputs:
        by_topic.setdefault(topic, Counter())[message_id] += 1
    seen = Counter(message_id for _topic, _key, message_id, _payload_id in outputs)
    payload_ids = Counter(payload_id for _topic, _key, _message_id, payload_id in outputs if payload_id)
    duplicates = sum(copies - 1 for copies in seen.values() if copies > 1)
    counts["outbox_rows"] = len(outbox_ids)
    counts["outbox_rows_by_topic"] = dict(Counter(outbox.values()))
    counts["output_messages"] = len(outputs)
    counts["output_by_topic"] = {
        topic: {"messages": sum(ids.values()), "distinct_message_ids": len(ids)}
        for topic, ids in sorted(by_topic.items())
    }
    equal("output messages without a lakay-message-id header", seen.get("", 0), 0)
    equal("duplicate output messages (same lakay-message-id)", duplicates, 0)
    equal(
        "duplicate outbound envelopes (same event_id in the value)",
        sum(copies - 1 for copies in payload_ids.values() if copies > 1),
        0,
    )
    equal("outbox rows missing from their topic", len(outbox_ids - set(seen)), 0)
    equal("output messages without an outbox row", len(set(seen) - outbox_ids - {""}), 0)
    return checks, counts


# -------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--kills", type=int, default=10, help="kill -9 of the consumer, and of the relay, each.")
    parser.add_argument("--postgres", choices=["stop", "lockout", "none"], default="stop")
    parser.add_argument("--outage-seconds", type=float, default=20.0)
    parser.add_argument(
        "--postgres-not-before",
        metavar="HH:MM",
        help="UTC time before which the PostgreSQL outage is held back (others' test runs share the cluster).",
    )
    parser.add_argument("--database", default="lakay_chaos", help="Recreated at the start of the run.")
    parser.add_argument("--template", default="lakay_chaos_template", help="Migrated template of --database.")
    parser.add_argument("--report", type=Path, help="JSON report path (default var/chaos/<database>-report.json).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--warm",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="Restart from a spare process that loaded Django ahead (default: a cold manage.py start).",
    )
    parser.add_argument("--spares", type=int, default=2, help="With --warm: spare processes kept loaded, each.")
    parser.add_argument("--batch-size", type=int, default=200, help="KAFKA_CONSUMER_BATCH_SIZE of the consumer.")
    parser.add_argument("--timeout", type=float, default=3600.0, help="Seconds for the fault phase, and the drain.")
    arguments = parser.parse_args(argv)

    # SIGTERM (and SIGINT, even when started in the background with it ignored) unwind through the
    # ``finally`` below: the children are stopped and a stopped PostgreSQL is started again.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run_id = f"{datetime.now(UTC):%m%d%H%M%S}-{uuid.uuid4().hex[:4]}"
    run_dir = _environment(arguments, run_id)
    rng = random.Random(arguments.seed)
    spares = arguments.spares if arguments.warm else 0
    consumer = Child("consumer", ["consume", "--all"], run_dir, spares=spares)
    relay = Child("relay", ["relay_outbox"], run_dir, spares=spares)
    started = time.monotonic()
    print(
        f"chaos run {run_id}: {arguments.events:,} events, {arguments.kills} kill -9 each of consumer and relay, "
        f"postgres {arguments.postgres} ({arguments.outage_seconds:g} s), redis flush x2, "
        f"{'warm' if arguments.warm else 'cold'} restarts; database "
        f"{arguments.database}, topics chaos-{run_id}-*, redis keys chaos-{run_id}:*",
        flush=True,
    )
    try:
        consumer.prepare()  # warm mode: the spares load Django while the database is prepared
        relay.prepare()
        _fresh_database(arguments.database, arguments.template)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("kafka_topics", "--create", stdout=io.StringIO())
        print(f"database {arguments.database} and topics ready in {time.monotonic() - started:.1f} s", flush=True)
        produced = _produce(arguments.events, arguments.seed)
        print(
            f"produced {len(produced.event_ids):,} events ({len(set(produced.event_ids)):,} distinct ids) "
            f"in {produced.seconds:.1f} s ({produced.skipped_future} planted events stamped after now left out)",
            flush=True,
        )
        total_ids = len(set(produced.event_ids))
        faults = _inject(arguments, total_ids, consumer, relay, rng)
        drain_seconds = _drain(total_ids, consumer, relay, arguments.timeout)
        consumer_exit, relay_exit = consumer.stop(), relay.stop()
        from apps.pipeline.spine.models import OutboxMessage

        outputs = _read_outputs(quiet_seconds=5.0, expected=OutboxMessage.objects.count())
        checks, counts = _checks(produced, outputs)
    except (ChaosSetupError, subprocess.CalledProcessError) as error:
        print(f"CHAOS RUN NOT COMPLETED: {error}", file=sys.stderr)
        return 2
    finally:
        consumer.stop()
        relay.stop()
        if PG_STOPPED_MARKER.exists():
            _postgres_start()
    checks.append(
        Check("consumer kill -9 carried out", consumer.kills, arguments.kills, consumer.kills >= arguments.kills)
    )
    checks.append(Check("relay kill -9 carried out", relay.kills, arguments.kills, relay.kills >= arguments.kills))
    checks.append(
        Check(
            "last consumer, relay exit codes after SIGTERM",
            f"{consumer_exit},{relay_exit}",
            "0,0",
            consumer_exit == 0 and relay_exit == 0,
        )
    )
    elapsed = time.monotonic() - started
    machine = f"{os.cpu_count()} vCPU, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    report = {
        "run": run_id,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "load_average": os.getloadavg(),
        "arguments": {key: str(value) if isinstance(value, Path) else value for key, value in vars(arguments).items()},
        "seconds": round(elapsed, 1),
        "drain_seconds": round(drain_seconds, 1),
        "consumer": {"kills": consumer.kills, "starts": consumer.starts, "final_exit": consumer_exit},
        "relay": {"kills": relay.kills, "starts": relay.starts, "final_exit": relay_exit},
        "faults": faults,
        "counts": counts,
        "checks": [vars(check) for check in checks],
        "ok": all(check.ok for check in checks),
    }
    report_path = arguments.report or VAR / f"{arguments.database}-report.json"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2, default=str))
    _print_report(report, checks)
    return 0 if report["ok"] else 1


def _print_report(report: dict[str, Any], checks: list[Check]) -> None:
    counts = report["counts"]
    print(
        f"\nchaos run {report['run']} — {report['date']} — {report['machine']} — {report['seconds']} s "
        f"(drain {report['drain_seconds']} s)"
    )
    print(
        f"consumer: {report['consumer']['kills']} kill -9, {report['consumer']['starts']} starts; "
        f"relay: {report['relay']['kills']} kill -9, {report['relay']['starts']} starts"
    )
    for fault in report["faults"]:
        if fault["fault"] in {"postgres", "redis"}:
            print(f"  at {fault['stored']:,} stored: {fault['fault']}: {fault['detail']}")
    print(f"produced: {counts['produced_messages']:,} messages, {counts['produced_distinct_event_ids']:,} distinct ids")
    print(f"outbox rows: {counts['outbox_rows']:,} {counts['outbox_rows_by_topic']}")
    for topic, figures in counts["output_by_topic"].items():
        print(f"  {topic:34} {figures['messages']:>6,} messages {figures['distinct_message_ids']:>6,} distinct ids")
    width = max(len(check.name) for check in checks)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        print(f"{mark} {check.name:{width}}  {check.actual!s:>8} (expected {check.expected})")
    print("\nRESULT: " + ("nothing lost, nothing doubled" if report["ok"] else "VIOLATIONS FOUND"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["_warm"]:
        _warm_child(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
