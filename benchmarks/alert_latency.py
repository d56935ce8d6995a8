"""Alert latency: a transaction event on Kafka → the fraud alert on an analyst's websocket (p50/p95/p99).

    .venv/bin/python benchmarks/alert_latency.py                       # 60 alerts, 5 events/s background
    .venv/bin/python benchmarks/alert_latency.py --alerts 10 --background-rate 0    # quick, idle consumer

Everything real, on loopback: the broker named by ``KAFKA_BOOTSTRAP_SERVERS`` (``scripts/bench.sh`` starts
a tansu of its own on 127.0.0.1:9692), a ``manage.py consume --all`` child process (the Procfile's
``consume``), daphne serving ``lakay.asgi`` (the Procfile's ``ws``), the Redis channel layer, and a
websocket client (aiohttp) logged in as an analyst on ``/ws/analyst-queue/``.

1. Own database (``--database``, created and migrated), Redis prefix, topic prefix and consumer group;
   the topics are created. An analyst user is created and logged in (session cookie).
2. ``--alerts`` users are primed (two logins, three usual $180 transactions two hours ago) and the
   consumer scores them; then, one user at a time every ``--interval`` seconds, a $25,000 transaction
   (HIGH tier: the case of ``tests/fraud/test_kafka_flow.py``) is produced with linger 0 and flushed (at that
   pace whether or not earlier alerts arrived; one not on the websocket ``--timeout`` s later is missed), while
   ``--background-rate`` ordinary transactions/s of other users keep the consumer busy.
3. Latency = websocket receive time of the ``fraud.alert.created`` message naming the transaction minus the
   time just before ``produce()`` (one process, one monotonic clock). A first canary alert (not counted)
   waits out the consumer group join.

The history is small (primed users only): the fraud path's history cost is measured by score_api.py.
Results go to stdout and ``var/bench/alert_latency.json``. Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIVE_PATH = "/ws/analyst-queue/"
LIVE_EVENT = "fraud.alert.created"


def database_url(database: str) -> str:
    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    return f"{base}/{database}"


def configure(args: argparse.Namespace) -> dict[str, str]:
    """Environment of this process and its children (own database, Redis prefix, topics, group)."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone():
            connection.execute(f'CREATE DATABASE "{args.database}"')
    run = f"{int(time.time())}"
    values = {
        "DATABASE_URL": database_url(args.database),
        "REDIS_KEY_PREFIX": args.redis_prefix,
        "KAFKA_TOPIC_PREFIX": f"{args.redis_prefix}-{run}-",
        "KAFKA_CONSUMER_GROUP": f"{args.redis_prefix}-{run}",
        "KAFKA_SESSION_TIMEOUT_MS": "6000",
        "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        "DJANGO_SETTINGS_MODULE": "lakay.settings",
        "LOG_LEVEL": "WARNING",
        "SERVING_RUNTIME_MODE": os.environ.get("SERVING_RUNTIME_MODE", "inline"),
    }
    os.environ.update(values)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("kafka_topics", "--create", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return values


def analyst_cookie() -> str:
    """A logged-in analyst's session cookie (the websocket authenticates with the Django session)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from lakay.security.roles import Role

    user, _ = get_user_model().objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get_or_create(name=Role.ANALYST.value)[0])
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


# ------------------------------------------------------------------------------------------- events
def _example(event_type: str) -> dict[str, Any]:
    return json.loads((ROOT / "contracts" / "examples" / f"{event_type}.json").read_text())


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def envelope(event_type: str, at: datetime, **payload: Any) -> dict[str, Any]:
    event = copy.deepcopy(_example(event_type))
    event["event_id"] = str(uuid.uuid4())
    event["timestamp"] = iso(at)
    event.pop("correlation_id", None)
    event["payload"].update(payload)
    return event


def priming_events(user: str, start_at: datetime) -> list[dict[str, Any]]:
    logins = [
        envelope("login-success", start_at + timedelta(minutes=index), user_id=user, session_id=f"s_{user}_{index}")
        for index in range(2)
    ]
    usual = [
        envelope(
            "transaction-initiated",
            start_at + timedelta(minutes=10 * index),
            transaction_id=f"{user}_t{index}",
            user_id=user,
            amount="180.00",
            recipient_id=f"r{index}",
            initiated_at=iso(start_at + timedelta(minutes=10 * index)),
        )
        for index in range(3)
    ]
    return logins + usual


def large_transaction(user: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return envelope(
        "transaction-initiated",
        now,
        transaction_id=f"{user}_big",
        user_id=user,
        amount="25000.00",
        recipient_id="r_big",
        initiated_at=iso(now),
    )


def ordinary_transaction(rng: random.Random, run: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    user = f"bg_{run}_{rng.randrange(5000):05d}"
    return envelope(
        "transaction-initiated",
        now,
        transaction_id=f"bg_{uuid.uuid4().hex[:20]}",
        user_id=user,
        amount=f"{rng.randint(20, 300)}.00",
        recipient_id=f"r_{user}",
        initiated_at=iso(now),
    )


class Producer:
    def __init__(self) -> None:
        from apps.pipeline.spine.kafka import build_producer
        from apps.pipeline.spine.topics import TRANSACTION_EVENTS, USER_EVENTS, topic_name

        self.producer = build_producer(**{"linger.ms": 0})
        self.topics = {
            "transaction-initiated": topic_name(TRANSACTION_EVENTS),
            "login-success": topic_name(USER_EVENTS),
        }
        self.lock = threading.Lock()

    def send(self, event: dict[str, Any], *, flush: bool = False) -> float:
        """Produce ``event``; returns the monotonic time just before ``produce()``."""
        value = json.dumps(event).encode()
        key = event["payload"]["user_id"].encode()
        with self.lock:
            sent = time.monotonic()
            self.producer.produce(self.topics[event["event_type"]], value=value, key=key)
            self.producer.poll(0)
            if flush:
                self.producer.flush(10)
        return sent

    def close(self) -> None:
        assert self.producer.flush(30) == 0, "undelivered messages"


# ------------------------------------------------------------------------------------------- websocket
class LiveQueue:
    """An aiohttp websocket client on its own thread/loop; records when each alert's message arrives."""

    def __init__(self, url: str, cookie: str) -> None:
        self.url, self.cookie = url, cookie
        self.received: dict[str, float] = {}
        self.connected = threading.Event()
        self.condition = threading.Condition()
        self.error: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.stop_event: asyncio.Event | None = None

    def start(self) -> None:
        self.thread.start()
        if not self.connected.wait(60):
            raise SystemExit(f"websocket did not connect: {self.error!r}")

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._listen())
        except BaseException as error:  # surfaced to the main thread
            self.error = error
            self.connected.set()

    async def _listen(self) -> None:
        import aiohttp

        self.stop_event = asyncio.Event()
        headers = {"Cookie": self.cookie, "Origin": "http://127.0.0.1"}
        async with aiohttp.ClientSession() as session, session.ws_connect(self.url, headers=headers) as socket_:
            self.connected.set()
            while not self.stop_event.is_set():
                try:
                    message = await socket_.receive(timeout=0.5)
                except TimeoutError:
                    continue
                arrived = time.monotonic()
                if message.type != aiohttp.WSMsgType.TEXT:
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        raise RuntimeError(f"websocket closed: {message.type} {message.data!r}")
                    continue
                data = json.loads(message.data)
                if data.get("event") == LIVE_EVENT:
                    transaction_id = data["payload"].get("transaction_id")
                    with self.condition:
                        self.received.setdefault(transaction_id, arrived)
                        self.condition.notify_all()

    def wait_for(self, transaction_id: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self.condition:
            while transaction_id not in self.received:
                left = deadline - time.monotonic()
                if left <= 0 or self.error is not None:
                    return None
                self.condition.wait(left)
            return self.received[transaction_id]

    def stop(self) -> None:
        if self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        if self.thread.is_alive():
            self.thread.join(10)


# ------------------------------------------------------------------------------------------- run
def scored(users: list[str]) -> int:
    """How many of ``users``' transactions are scored (0 while PostgreSQL is unreachable: retried)."""
    from django.db import OperationalError, connection

    from apps.fraud.models import FraudScore

    try:
        return FraudScore.objects.filter(user_id__in=users).count()
    except OperationalError:  # e.g. PostgreSQL restarted under us: reconnect on the next poll
        connection.close()
        return 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def background(producer: Producer, rate: float, stop: threading.Event, run: str) -> None:
    if rate <= 0:
        return
    rng = random.Random(5)
    started, sent = time.monotonic(), 0
    while not stop.is_set():
        producer.send(ordinary_transaction(rng, run))
        sent += 1
        ahead = sent / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="lakay_bench_alert_latency")
    parser.add_argument("--redis-prefix", default="bench-alert")
    parser.add_argument("--alerts", type=int, default=60)
    parser.add_argument("--interval", type=float, default=1.0, help="Seconds between two alert transactions.")
    parser.add_argument("--background-rate", type=float, default=5.0, help="Ordinary transactions/s meanwhile.")
    parser.add_argument("--timeout", type=float, default=60.0, help="Seconds to wait for one alert.")
    args = parser.parse_args()
    # SIGTERM (a time limit) unwinds like Ctrl-C, so the finally blocks stop the servers started here.
    main_pid = os.getpid()  # forked helpers (load generators) keep the default: Pool.terminate() kills them
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143) if os.getpid() == main_pid else os._exit(143))

    load_start = os.getloadavg()[0]
    configure(args)
    cookie = analyst_cookie()
    work = ROOT / "var" / "bench" / "alert_latency"
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    python = str(ROOT / ".venv" / "bin" / "python")
    children = [
        start(
            [str(ROOT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port), "lakay.asgi:application"],
            work / "daphne.log",
        ),
        start([python, "manage.py", "consume", "--all"], work / "consume.log"),
    ]
    run = uuid.uuid4().hex[:6]
    users = [f"alat_{run}_{index:04d}" for index in range(args.alerts + 1)]  # [0] is the canary
    producer = Producer()
    live = LiveQueue(f"ws://127.0.0.1:{port}{LIVE_PATH}", cookie)
    stop = threading.Event()
    feeder = threading.Thread(target=background, args=(producer, args.background_rate, stop, run), daemon=True)
    latencies: list[float] = []
    missed = 0
    try:
        wait_port(port, 240)  # daphne imports Django: slow on a loaded machine
        live.start()
        primed_at = datetime.now(UTC) - timedelta(hours=2)
        for user in users:
            for event in priming_events(user, primed_at):
                producer.send(event)
        producer.close()
        deadline = time.monotonic() + 600
        while scored(users) < 3 * len(users):
            if time.monotonic() > deadline:
                raise SystemExit(f"priming not scored after 600 s ({scored(users)}/{3 * len(users)})")
            if any(child.poll() is not None for child in children):
                raise SystemExit(f"a child process exited; see {work}")
            time.sleep(0.5)
        print(f"primed {len(users)} users (consumer up)", flush=True)
        canary = large_transaction(users[0])
        producer.send(canary, flush=True)
        if live.wait_for(canary["payload"]["transaction_id"], 120) is None:
            raise SystemExit(f"the canary alert never reached the websocket; see {work}")
        feeder.start()
        time.sleep(2 if args.background_rate else 0)
        sent_at: dict[str, float] = {}
        for user in users[1:]:  # at a fixed pace, whether or not the previous alerts have arrived
            event = large_transaction(user)
            sent_at[event["payload"]["transaction_id"]] = sent = producer.send(event, flush=True)
            left = args.interval - (time.monotonic() - sent)
            if left > 0:
                time.sleep(left)
        for transaction_id, sent in sent_at.items():
            arrived = live.wait_for(transaction_id, max(0.0, sent + args.timeout - time.monotonic()))
            if arrived is None:
                missed += 1
            else:
                latencies.append(arrived - sent)
    finally:
        stop.set()
        try:
            if feeder.is_alive():
                feeder.join(10)
            producer.close()
            live.stop()
        finally:  # the children are stopped whatever happened above (no orphan consumer or daphne)
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
    milliseconds = [1000 * value for value in latencies]
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": vars(args),
        "cpus": os.cpu_count(),
        "load_average_start": round(load_start, 2),
        "load_average_end": round(os.getloadavg()[0], 2),
        "alerts": len(latencies),
        "missed": missed,
        "p50_ms": round(percentile(milliseconds, 0.50), 1),
        "p95_ms": round(percentile(milliseconds, 0.95), 1),
        "p99_ms": round(percentile(milliseconds, 0.99), 1),
        "max_ms": round(max(milliseconds), 1) if milliseconds else 0.0,
        "mean_ms": round(statistics.fmean(milliseconds), 1) if milliseconds else 0.0,
    }
    print(json.dumps(result), flush=True)
    print("| alerts | missed | p50 ms | p95 ms | p99 ms | max ms | background/s | load avg start/end |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {result['alerts']} | {missed} | {result['p50_ms']} | {result['p95_ms']} | {result['p99_ms']} | "
        f"{result['max_ms']} | {args.background_rate:g} | "
        f"{result['load_average_start']} / {result['load_average_end']} |"
    )
    out = ROOT / "var" / "bench" / "alert_latency.json"
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
