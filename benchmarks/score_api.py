"""Load test of ``POST /api/v1/fraud/score`` on loopback, with persistence and realistic history.

    .venv/bin/python benchmarks/score_api.py                      # build the history once, then measure
    .venv/bin/python benchmarks/score_api.py --rates 100,200,300 --step-seconds 20 --skip-build

1. History (skipped when already there): ``--users`` customers (default 100,000) with
   ``--transactions`` transaction-initiated and ``--logins`` login events (default 700,000 + 300,000 =
   1M ``RawEvent`` rows) spread over the last 30 days, bulk-loaded with COPY together with the fraud
   projections they feed (``FraudTransaction``, ``FraudLogin``), in its own database (``--database``).
2. Redis online features are built for the ``--active-users`` the load draws from (the others would be
   rebuilt from PostgreSQL on their first request; ``--cold`` measures that case instead).
3. gunicorn (sync workers, ``deploy/gunicorn.conf.py``) serves the project on a free loopback port.
4. ``--processes`` load generators send signed requests (fresh HMAC signature and transaction each,
   keep-alive where the server allows) at fixed rates (open loop: latency is measured from each request's
   scheduled time, so queueing is counted), each rate for ``--step-seconds``. Reported per rate: achieved
   rate, p50/p95/p99/max latency, errors; the highest rate sustained (≥ 97 % of the offered rate, < 1 %
   errors, p99 < 1 s) is the "max sustained scores/s". Bounded in time: steps x (step + ``--grace-seconds``)
   + set-up; past saturation, requests still unsent ``--grace-seconds`` after a step count as errors
   (``not_sent``) and the percentiles are those of the requests that were answered.

Results go to stdout (markdown) and ``var/bench/score_api.json``. Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATH = "/api/v1/fraud/score"
HOMES = (
    ("Miami", 25.7617, -80.1918),
    ("Brooklyn", 40.6782, -73.9442),
    ("Boston", 42.3601, -71.0589),
    ("Newark", 40.7357, -74.1724),
    ("Orlando", 28.5384, -81.3789),
)
TYPES = ("remittance", "p2p_transfer", "circle_contribution", "wallet_topup", "withdrawal")


# ------------------------------------------------------------------------------------------- set-up
def database_url(database: str) -> str:
    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    return f"{base}/{database}"


def setup_django(database: str, redis_prefix: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            connection.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = database_url(database)
    os.environ["REDIS_KEY_PREFIX"] = redis_prefix
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "lakay.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def user_of(number: int) -> dict[str, Any]:
    rng = random.Random(number)
    _city, lat, lon = HOMES[number % len(HOMES)]
    return {
        "user_id": f"buser_{number:06d}",
        "lat": lat + rng.uniform(-0.03, 0.03),
        "lon": lon + rng.uniform(-0.03, 0.03),
        "devices": [f"bdev_{number:06d}_{index}" for index in range(1 + (rng.random() < 0.35))],
        "recipients": [f"benef_{number:06d}_{index}" for index in range(rng.randint(1, 3))],
        "typical": rng.choice((50, 100, 150, 200, 300)),
    }


def history_present(target: int) -> bool:
    from apps.pipeline.spine.models import RawEvent

    return RawEvent.objects.filter(source_service="bench-history").count() >= target


def build_history(args: argparse.Namespace) -> None:
    """COPY 1M events and their fraud projections (the consumer's result, without running it 1M times)."""
    import psycopg

    from apps.fraud.features.compute import FEATURE_NAMES  # noqa: F401  (Django is set up)

    rng = random.Random(7)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with psycopg.connect(database_url(args.database)) as connection:
        connection.execute(
            "TRUNCATE fraud_fraudlabel, fraud_fraudalertevent, fraud_fraudscore, fraud_fraudalert, "
            "fraud_fraudtransaction, fraud_fraudlogin, fraud_fraudcirclejoin RESTART IDENTITY CASCADE"
        )
        connection.execute("DELETE FROM pipeline_rawevent")
        with connection.cursor() as cursor:
            with (
                cursor.copy(
                    "COPY pipeline_rawevent (event_id, event_type, event_version, occurred_at, received_at, "
                    "source_service, topic, payload, content_hash, status) FROM STDIN"
                ) as events,
            ):
                transactions: list[tuple[Any, ...]] = []
                logins: list[tuple[Any, ...]] = []
                for index in range(args.transactions):
                    user = user_of(rng.randrange(args.users))
                    moment = now - timedelta(seconds=rng.uniform(600, 30 * 86400))
                    cents = max(500, int(rng.lognormvariate(0, 0.6) * user["typical"] * 100))
                    amount = f"{cents // 100}.{cents % 100:02d}"
                    transaction_id = f"btxn_{index:07d}"
                    device = rng.choice(user["devices"])
                    kind = rng.choice(TYPES)
                    recipient = rng.choice(user["recipients"])
                    lat, lon = round(user["lat"] + rng.uniform(-0.01, 0.01), 4), round(user["lon"], 4)
                    payload = {
                        "transaction_id": transaction_id,
                        "user_id": user["user_id"],
                        "type": kind,
                        "amount": amount,
                        "currency": "USD",
                        "source": {"type": "ach", "identifier": "ach_****0000"},
                        "destination": {"type": "wallet", "identifier": "wallet_main"},
                        "recipient_id": recipient,
                        "initiated_at": moment.isoformat().replace("+00:00", "Z"),
                        "device_id": device,
                        "geo_location": {"latitude": lat, "longitude": lon, "country": "US"},
                    }
                    event_id = uuid.UUID(int=rng.getrandbits(128))
                    events.write_row(
                        (event_id, "transaction-initiated", "1.0", moment, now, "bench-history",
                         "trebanx.transaction.events", json.dumps(payload), "bench", "processed")
                    )  # fmt: skip
                    transactions.append(
                        (transaction_id, user["user_id"], moment, amount, "USD", kind, "ach", "wallet", device, "US",
                         lat, lon, recipient, event_id, now)
                    )  # fmt: skip
                for index in range(args.logins):
                    user = user_of(rng.randrange(args.users))
                    moment = now - timedelta(seconds=rng.uniform(60, 30 * 86400))
                    session = f"bsess_{index:07d}"
                    stamp = moment.isoformat().replace("+00:00", "Z")
                    payload = {"user_id": user["user_id"], "attempt_id": f"batt_{index:07d}", "session_id": session,
                               "authenticated_at": stamp, "mfa_used": False}  # fmt: skip
                    events.write_row(
                        (uuid.UUID(int=rng.getrandbits(128)), "login-success", "1.0", moment, now, "bench-history",
                         "trebanx.user.events", json.dumps(payload), "bench", "processed")
                    )  # fmt: skip
                    logins.append((session, user["user_id"], moment))
            with cursor.copy(
                "COPY fraud_fraudtransaction (transaction_id, user_id, occurred_at, amount, currency, "
                "transaction_type, source_type, destination_type, device_id, country, latitude, longitude, "
                "recipient_id, event_id, recorded_at) FROM STDIN"
            ) as copy:
                for row in transactions:
                    copy.write_row(row)
            with cursor.copy("COPY fraud_fraudlogin (session_id, user_id, occurred_at) FROM STDIN") as copy:
                for row in logins:
                    copy.write_row(row)
        connection.commit()
        connection.execute("ANALYZE")
    print(f"history: {args.transactions + args.logins:,} events for {args.users:,} users "
          f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip


def _warm(users: list[str]) -> int:
    from apps.fraud.features.facts import to_us
    from apps.fraud.features.online import rebuild_user

    now_us = to_us(datetime.now(UTC))
    for user in users:
        rebuild_user(user, at_us=now_us)
    return len(users)


def _init_worker(database: str, prefix: str) -> None:
    os.environ["DATABASE_URL"] = database_url(database)
    os.environ["REDIS_KEY_PREFIX"] = prefix
    os.environ["DJANGO_SETTINGS_MODULE"] = "lakay.settings"
    import django

    django.setup()


def prepare_redis(args: argparse.Namespace, active: list[str]) -> None:
    from apps.fraud.features.online import user_keys
    from lakay.redis import get_redis, redis_key

    client = get_redis()
    if not args.cold:
        sample = [user_keys(user)[0] for user in random.Random(1).sample(active, min(200, len(active)))]
        if client.exists(*sample) == len(sample):
            print("online features already built for the active users (reused)", flush=True)
            return
    keys = list(client.scan_iter(match=redis_key("fraud", "*"), count=5000))
    for start in range(0, len(keys), 5000):
        client.delete(*keys[start : start + 5000])
    if args.cold:
        return
    started = time.perf_counter()
    chunks = [active[index :: args.processes] for index in range(args.processes)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.processes, initializer=_init_worker, initargs=(args.database, args.redis_prefix)) as pool:
        done = sum(pool.map(_warm, chunks))
    print(f"online features built for {done:,} active users in {time.perf_counter() - started:.0f} s", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(args: argparse.Namespace, port: int, metrics_dir: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(args.database),
        REDIS_KEY_PREFIX=args.redis_prefix,
        DJANGO_SETTINGS_MODULE="lakay.settings",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY=str(args.workers),
        API_RATE_LIMIT_SERVICE="10000000/min",
        LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "lakay.wsgi:application", "-c", str(ROOT / "deploy/gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(metrics_dir) / "gunicorn.log", "wb"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


# ------------------------------------------------------------------------------------------- load
def request_body(rng: random.Random, user_number: int) -> bytes:
    user = user_of(user_number)
    cents = max(500, int(rng.lognormvariate(0, 0.6) * user["typical"] * 100))
    body = {
        "transaction_id": f"load_{uuid.uuid4().hex[:20]}",
        "user_id": user["user_id"],
        "type": rng.choice(TYPES),
        "amount": f"{cents // 100}.{cents % 100:02d}",
        "currency": "USD",
        "source": {"type": "ach", "identifier": "ach_****0000"},
        "destination": {"type": "wallet", "identifier": "wallet_main"},
        "recipient_id": rng.choice(user["recipients"]),
        "initiated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "device_id": rng.choice(user["devices"]),
        "ip_address": "203.0.113.7",
        "geo_location": {"latitude": round(user["lat"], 4), "longitude": round(user["lon"], 4), "country": "US"},
    }
    return json.dumps(body).encode()


def load_worker(job: dict[str, Any]) -> dict[str, Any]:
    from lakay.security.signing import signed_headers

    rng = random.Random(job["seed"])
    connection = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=10)
    interval = 1.0 / job["rate"]
    start = job["start_at"] + rng.uniform(0, interval)
    latencies: list[float] = []
    service: list[float] = []
    statuses: dict[str, int] = {}
    count = int(job["rate"] * job["seconds"])
    # Past saturation an open loop would queue for minutes: what is still unsent this long after the
    # step's end is counted as "not_sent" (an error), so a step is bounded in time.
    give_up = job["start_at"] + job["seconds"] + job["grace_seconds"]
    for index in range(count):
        if time.time() > give_up:
            statuses["not_sent"] = statuses.get("not_sent", 0) + count - index
            break
        scheduled = start + index * interval
        delay = scheduled - time.time()
        if delay > 0:
            time.sleep(delay)
        body = request_body(rng, rng.choice(job["users"]))
        headers = signed_headers(api_key=job["api_key"], secret=job["secret"], method="POST", path=PATH, body=body)
        headers["Content-Type"] = "application/json"
        sent = time.time()
        try:
            connection.request("POST", PATH, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = str(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            connection.close()
        done = time.time()
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(done - scheduled)
        service.append(done - sent)
    return {"latencies": latencies, "service": service, "statuses": statuses, "finished": time.time()}


def first_score(port: int, key: Any, user_number: int, timeout: float = 600.0) -> float:
    """One score with a long timeout, before any timed request: each worker's first score waits for its
    start-up (model load, connections), minutes on a loaded machine. Returns the seconds it took."""
    from lakay.security.signing import signed_headers

    started = time.time()
    body = request_body(random.Random(), user_number)
    headers = signed_headers(api_key=key.api_key, secret=key.signing_secret, method="POST", path=PATH, body=body)
    headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("POST", PATH, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status not in (200, 201):
        raise SystemExit(f"the first score answered {response.status}")
    return time.time() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def run_step(args: argparse.Namespace, port: int, key: Any, users: list[int], rate: float) -> dict[str, Any]:
    start_at = time.time() + 1.0
    jobs = [
        {
            "port": port,
            "rate": rate / args.processes,
            "seconds": args.step_seconds,
            "grace_seconds": args.grace_seconds,
            "start_at": start_at,
            "seed": random.SystemRandom().getrandbits(32),  # fresh users/amounts: no replayed duplicates
            "users": users,
            "api_key": key.api_key,
            "secret": key.signing_secret,
        }
        for index in range(args.processes)
    ]
    context = multiprocessing.get_context("fork")
    # The load generators die on Pool.terminate()'s SIGTERM (not the parent's unwinding handler).
    with context.Pool(args.processes, initializer=signal.signal, initargs=(signal.SIGTERM, signal.SIG_DFL)) as pool:
        results = pool.map(load_worker, jobs)
    latencies = [value for result in results for value in result["latencies"]]
    service = [value for result in results for value in result["service"]]
    statuses: dict[str, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    elapsed = max(result["finished"] for result in results) - start_at
    ok = statuses.get("201", 0) + statuses.get("200", 0)
    total = sum(statuses.values())
    return {
        "offered_rate": rate,
        "achieved_rate": round(ok / elapsed, 1),
        "requests": total,
        "error_rate": round(1 - ok / total, 5) if total else 1.0,
        "statuses": statuses,
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
        "max_ms": round(1000 * max(latencies), 2),
        "service_p50_ms": round(1000 * percentile(service, 0.50), 2),
        "service_p95_ms": round(1000 * percentile(service, 0.95), 2),
        "mean_ms": round(1000 * statistics.fmean(latencies), 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def sustained(step: dict[str, Any]) -> bool:
    return step["achieved_rate"] >= 0.97 * step["offered_rate"] and step["error_rate"] < 0.01 and step["p99_ms"] < 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="lakay_bench_score")
    parser.add_argument("--redis-prefix", default="bench-score")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=700_000)
    parser.add_argument("--logins", type=int, default=300_000)
    parser.add_argument("--active-users", type=int, default=20_000)
    parser.add_argument("--rates", default="50,100,200,300,400,500")
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--warmup-seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=4, help="Load generator processes.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers.")
    parser.add_argument("--skip-build", action="store_true", help="Reuse the history already in --database.")
    parser.add_argument("--cold", action="store_true", help="Start with an empty Redis (every user rebuilt).")
    parser.add_argument("--all-rates", action="store_true", help="Run every rate, even far past saturation.")
    parser.add_argument(
        "--grace-seconds", type=float, default=10.0, help="Requests still unsent this long after a step: errors."
    )
    args = parser.parse_args()
    # SIGTERM (a time limit) unwinds like Ctrl-C, so the finally blocks stop the servers started here.
    main_pid = os.getpid()  # forked helpers (load generators) keep the default: Pool.terminate() kills them
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143) if os.getpid() == main_pid else os._exit(143))

    load_start = round(os.getloadavg()[0], 2)
    setup_django(args.database, args.redis_prefix)
    target = args.transactions + args.logins
    if not args.skip_build and not history_present(target):
        build_history(args)
    rng = random.Random(3)
    active = sorted(rng.sample(range(args.users), min(args.active_users, args.users)))
    prepare_redis(args, [user_of(number)["user_id"] for number in active])

    from lakay.security.services import api_key_create

    key = api_key_create(client_name="bench-score-api", created_by="benchmarks/score_api.py")
    metrics_dir = tempfile.mkdtemp(prefix="bench-score-")
    port = free_port()
    server = start_server(args, port, metrics_dir)
    steps = []
    try:
        with ThreadPoolExecutor(args.workers) as pool:  # one each: a busy sync worker takes no other
            firsts = list(pool.map(lambda number: first_score(port, key, number), active[: args.workers]))
        print(f"first scores answered in {', '.join(f'{value:.1f}' for value in firsts)} s", flush=True)
        warm = run_step(
            argparse.Namespace(**{**vars(args), "step_seconds": args.warmup_seconds}), port, key, active, 50.0
        )
        print(f"warm-up: {warm['requests']} requests, statuses {warm['statuses']}", flush=True)
        for rate in [float(value) for value in args.rates.split(",")]:
            step = run_step(args, port, key, active, rate)
            steps.append(step)
            print(json.dumps(step), flush=True)
            if step["achieved_rate"] < 0.8 * rate and not args.all_rates:
                break  # far past saturation: higher rates only queue
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    best = max((step["achieved_rate"] for step in steps if sustained(step)), default=0.0)
    result = {
        "measured_at": datetime.now(UTC).isoformat(),
        "parameters": vars(args),
        "cpus": os.cpu_count(),
        "load_average_start": load_start,
        "load_average_end": round(os.getloadavg()[0], 2),
        "steps": steps,
        "max_sustained_scores_per_second": best,
    }
    print("| offered/s | achieved/s | p50 ms | p95 ms | p99 ms | max ms | errors | load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for step in steps:
        print(
            f"| {step['offered_rate']:.0f} | {step['achieved_rate']:.0f} | {step['p50_ms']} | {step['p95_ms']} | "
            f"{step['p99_ms']} | {step['max_ms']} | {100 * step['error_rate']:.2f} % | {step['load_average']} |"
        )
    print(f"max sustained: {best:.0f} scores/s")
    out = ROOT / "var" / "bench" / "score_api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
