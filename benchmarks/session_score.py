"""Load test of ``POST /api/v1/behavior/sessions/score`` on loopback, with realistic history.

    .venv/bin/python benchmarks/session_score.py                     # build the history once, then measure
    .venv/bin/python benchmarks/session_score.py --rates 25,50,100 --step-seconds 20 --skip-build

1. History (skipped when already there), bulk-loaded with COPY into its own database (``--database``):
   ``--users`` customers (default 100,000) with a behaviour profile each, ``--sessions`` finished
   sessions (default 1,000,000, scored and learnt), two actions per session, their devices, and
   ``--running`` sessions still open: the projections that ~4M user events would have built.
2. gunicorn (sync workers, ``deploy/gunicorn.conf.py``) serves the project on a free loopback port.
3. ``--processes`` load generators send signed requests at fixed rates (open loop: latency counts from
   each request's scheduled time, so queueing shows), each rate for ``--step-seconds``. The mix:
   50 % a described session (new or known device, home or elsewhere, a few actions), 30 % a finished
   session by id (the stored score), 20 % a running session by id (scored now).
   Reported per rate: achieved rate, p50/p95/p99/max, errors, and the highest sustained rate
   (≥ 97 % of offered, < 1 % errors, p99 < 1 s).

Results go to stdout (markdown) and ``var/bench/session_score.json``. Nothing here asserts timings.
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
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATH = "/api/v1/behavior/sessions/score"
HOMES = (
    ("Miami", "US", 25.7617, -80.1918),
    ("Brooklyn", "US", 40.6782, -73.9442),
    ("Boston", "US", 42.3601, -71.0589),
    ("Newark", "US", 40.7357, -74.1724),
    ("Orlando", "US", 28.5384, -81.3789),
)
ELSEWHERE = (
    ("Port-au-Prince", "HT", 18.5944, -72.3074),
    ("Cap-Haitien", "HT", 19.7578, -72.2040),
    ("Lagos", "NG", 6.5244, 3.3792),
    ("Atlanta", "US", 33.7490, -84.3880),
)
ROUTINE = ("page_view", "remittance_initiate", "add_recipient", "circle_browse", "view_statement", "button_click")
DEVICE_TYPES = ("ios", "android", "web_desktop")


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
    city, country, lat, lon = HOMES[number % len(HOMES)]
    return {
        "user_id": f"buser_{number:06d}",
        "city": city,
        "country": country,
        "lat": lat + rng.uniform(-0.03, 0.03),
        "lon": lon + rng.uniform(-0.03, 0.03),
        "devices": [f"bdev_{number:06d}_{index}" for index in range(1 + (rng.random() < 0.35))],
        "device_type": rng.choice(DEVICE_TYPES),
        "hour": rng.choice((22, 23, 0, 1, 13, 17)),
    }


def history_present(sessions: int) -> bool:
    from apps.behavior.models import UserSession

    return UserSession.objects.count() >= sessions


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def build_history(args: argparse.Namespace) -> None:
    """COPY profiles, sessions, actions and devices: what the consumer would have built from events."""
    import psycopg

    rng = random.Random(7)
    now = datetime.now(UTC)
    started = time.perf_counter()
    per_user = max(1, args.sessions // args.users)
    with psycopg.connect(database_url(args.database)) as connection:
        connection.execute(
            "TRUNCATE behavior_atoalertstatuschange, behavior_atoalert, behavior_sessionactivity, "
            "behavior_usersession, behavior_loginattempt, behavior_userdevice, behavior_securityevent, "
            "behavior_behaviorprofile, behavior_engagementsnapshot RESTART IDENTITY CASCADE"
        )
        with connection.cursor() as cursor:
            session_pk = 0
            with cursor.copy(
                "COPY behavior_usersession (id, session_id, user_id, device_id, device_type, ip_address, country, "
                "city, latitude, longitude, started_at, start_seen, ended_at, end_reason, duration_seconds, "
                "reported_actions, observed_actions, sensitive_actions, is_new_device, is_new_location, "
                "other_devices_30d, profile_status_at_start, profile_sessions_at_start, anomaly_score, "
                "anomaly_class, anomaly_dimensions, profile_status_at_score, scored_at, ato_risk_score, "
                "ato_risk_level, profiled_at, created_at) FROM STDIN"
            ) as copy:
                for number in range(args.users):
                    user = user_of(number)
                    for index in range(per_user + (1 if number < args.running else 0)):
                        session_pk += 1
                        running = index == per_user
                        moment = now - timedelta(days=(per_user - index) * 2.5, minutes=rng.uniform(0, 90))
                        moment = moment.replace(hour=user["hour"]) if not running else now - timedelta(minutes=5)
                        duration = rng.randint(120, 1500)
                        dims = {"temporal": 0.0, "device": 0.0, "geographic": 0.0, "behavioral": 0.0, "engagement": 0.0}
                        copy.write_row(
                            (
                                session_pk,
                                f"bsess_{number:06d}_{index:03d}",
                                user["user_id"],
                                user["devices"][index % len(user["devices"])],
                                user["device_type"],
                                "203.0.113.7",
                                user["country"],
                                user["city"],
                                round(user["lat"], 4),
                                round(user["lon"], 4),
                                moment,
                                True,
                                None if running else moment + timedelta(seconds=duration),
                                "" if running else "user_logout",
                                None if running else duration,
                                None if running else 2,
                                2,
                                0,
                                False,
                                False,
                                0,
                                "active",
                                index,
                                None if running else 0.0,
                                "" if running else "normal",
                                json.dumps({} if running else dims),
                                "" if running else "active",
                                None if running else moment + timedelta(seconds=duration),
                                0.0,
                                "low",
                                None if running else moment + timedelta(seconds=duration),
                                now,
                            )
                        )
            with cursor.copy(
                "COPY behavior_sessionactivity (action_id, session_id, user_id, action_type, action_target, "
                "performed_at, duration_ms, is_sensitive, position) FROM STDIN"
            ) as copy:
                pk = 0
                for number in range(args.users):
                    user = user_of(number)
                    for index in range(per_user + (1 if number < args.running else 0)):
                        pk += 1
                        for position in (1, 2):
                            action = ROUTINE[(number + index + position) % len(ROUTINE)]
                            copy.write_row(
                                (f"bact_{pk:08d}_{position}", pk, user["user_id"], action, f"/{action}", now, 1500,
                                 False, position)
                            )  # fmt: skip
            with cursor.copy(
                "COPY behavior_userdevice (user_id, device_id, device_type, first_seen_at, last_seen_at, "
                "sessions_count, is_registered, is_trusted) FROM STDIN"
            ) as copy:
                for number in range(args.users):
                    user = user_of(number)
                    for device in user["devices"]:
                        copy.write_row(
                            (user["user_id"], device, user["device_type"], now - timedelta(days=400),
                             now - timedelta(days=1), per_user, True, True)
                        )  # fmt: skip
            with cursor.copy(
                "COPY behavior_behaviorprofile (user_id, status, profile_version, maturity, active_days, "
                "first_session_at, last_session_at, avg_duration, spread_duration, avg_actions, spread_actions, "
                "hour_shares, weekday_shares, avg_gap_hours, device_counts, last_device_id, device_platforms, "
                "device_switch_rate, location_counts, feature_counts, feature_last_used, created_at, updated_at) "
                "FROM STDIN"
            ) as copy:
                for number in range(args.users):
                    user = user_of(number)
                    hours = [0.0] * 24
                    hours[user["hour"]] = 0.8
                    hours[(user["hour"] + 1) % 24] = 0.2
                    features = dict.fromkeys(ROUTINE[:4], per_user)
                    copy.write_row(
                        (
                            user["user_id"],
                            "active",
                            "behavior-profile-v1",
                            per_user,
                            per_user,
                            now - timedelta(days=per_user * 2.5),
                            now - timedelta(days=2.5),
                            700.0,
                            180.0,
                            2.0,
                            0.5,
                            json.dumps(hours),
                            json.dumps([1 / 7] * 7),
                            60.0,
                            json.dumps(dict.fromkeys(user["devices"], per_user)),
                            user["devices"][0],
                            json.dumps([user["device_type"]]),
                            0.1,
                            json.dumps({f"{user['country']}|{user['city']}": per_user}),
                            json.dumps(features),
                            json.dumps({action: _iso(now - timedelta(days=3)) for action in features}),
                            now,
                            now,
                        )
                    )
        connection.execute("SELECT setval('behavior_usersession_id_seq', (SELECT max(id) FROM behavior_usersession))")
        connection.commit()
        connection.execute("ANALYZE")
    print(
        f"history: {args.users:,} profiles, {session_pk:,} sessions ({args.running:,} running), "
        f"{2 * session_pk:,} actions in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(args: argparse.Namespace, port: int, work_dir: str) -> subprocess.Popen[bytes]:
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
        PROMETHEUS_MULTIPROC_DIR=work_dir,
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "lakay.wsgi:application", "-c", str(ROOT / "deploy/gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(work_dir) / "gunicorn.log", "wb"),  # noqa: SIM115
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


def request_body(rng: random.Random, args: dict[str, Any]) -> bytes:
    number = rng.randrange(args["users"])
    user = user_of(number)
    roll = rng.random()
    per_user = max(1, args["sessions"] // args["users"])
    body: dict[str, Any] = {"request_id": uuid.uuid4().hex}  # unique bodies: no two identical signatures
    if roll < 0.3:
        body["session_id"] = f"bsess_{number:06d}_{rng.randrange(per_user):03d}"
    elif roll < 0.5 and args["running"]:
        running = rng.randrange(args["running"])
        body["session_id"] = f"bsess_{running:06d}_{per_user:03d}"
    else:
        at_home = rng.random() < 0.8
        city, country, lat, lon = (user["city"], user["country"], user["lat"], user["lon"])
        if not at_home:
            city, country, lat, lon = rng.choice(ELSEWHERE)
        device = rng.choice(user["devices"]) if rng.random() < 0.9 else f"bdev_new_{uuid.uuid4().hex[:10]}"
        body["user_id"] = user["user_id"]
        body["session"] = {
            "started_at": (datetime.now(UTC) - timedelta(minutes=rng.uniform(1, 20)))
            .isoformat()
            .replace("+00:00", "Z"),
            "device_id": device,
            "device_type": user["device_type"],
            "geo_location": {"latitude": round(lat, 4), "longitude": round(lon, 4), "country": country, "city": city},
            "duration_seconds": rng.randint(30, 1800),
            "actions": [rng.choice(ROUTINE) for _ in range(rng.randint(1, 6))],
            "is_ended": rng.random() < 0.5,
        }
    return json.dumps(body).encode()


def load_worker(job: dict[str, Any]) -> dict[str, Any]:
    from lakay.security.signing import signed_headers

    rng = random.Random(job["seed"])
    connection = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=10)
    interval = 1.0 / job["rate"]
    start = job["start_at"] + rng.uniform(0, interval)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    for index in range(int(job["rate"] * job["seconds"])):
        scheduled = start + index * interval
        delay = scheduled - time.time()
        if delay > 0:
            time.sleep(delay)
        body = request_body(rng, job)
        headers = signed_headers(api_key=job["api_key"], secret=job["secret"], method="POST", path=PATH, body=body)
        headers["Content-Type"] = "application/json"
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
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(time.time() - scheduled)
    return {"latencies": latencies, "statuses": statuses, "finished": time.time()}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def run_step(args: argparse.Namespace, port: int, key: Any, rate: float, seconds: float) -> dict[str, Any]:
    start_at = time.time() + 1.0
    jobs = [
        {
            "port": port,
            "rate": rate / args.processes,
            "seconds": seconds,
            "start_at": start_at,
            "seed": hash((rate, index, seconds)) & 0xFFFFFFFF,
            "users": args.users,
            "sessions": args.sessions,
            "running": args.running,
            "api_key": key.api_key,
            "secret": key.signing_secret,
        }
        for index in range(args.processes)
    ]
    with multiprocessing.get_context("fork").Pool(args.processes) as pool:
        results = pool.map(load_worker, jobs)
    latencies = [value for result in results for value in result["latencies"]]
    statuses: dict[str, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    elapsed = max(result["finished"] for result in results) - start_at
    ok = statuses.get("200", 0)
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
        "max_ms": round(1000 * max(latencies), 2) if latencies else 0.0,
        "load_average": round(os.getloadavg()[0], 1),
    }


def sustained(step: dict[str, Any]) -> bool:
    return step["achieved_rate"] >= 0.97 * step["offered_rate"] and step["error_rate"] < 0.01 and step["p99_ms"] < 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="lakay_bench_session_score")
    parser.add_argument("--redis-prefix", default="bench-session-score")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--running", type=int, default=20_000)
    parser.add_argument("--rates", default="25,50,100,150,200")
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--warmup-seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=4, help="Load generator processes.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers.")
    parser.add_argument("--skip-build", action="store_true", help="Reuse the history already in --database.")
    args = parser.parse_args()

    setup_django(args.database, args.redis_prefix)
    if not (args.skip_build and history_present(args.sessions)) and not history_present(args.sessions):
        build_history(args)

    from lakay.security.services import api_key_create

    key = api_key_create(client_name=f"bench-session-score-{uuid.uuid4().hex[:6]}", created_by="benchmarks")
    work_dir = tempfile.mkdtemp(prefix="bench-session-score-")
    port = free_port()
    server = start_server(args, port, work_dir)
    steps = []
    try:
        warm = run_step(args, port, key, 20.0, args.warmup_seconds)
        print(f"warm-up: {warm['requests']} requests, statuses {warm['statuses']}", flush=True)
        for rate in [float(value) for value in args.rates.split(",")]:
            step = run_step(args, port, key, rate, args.step_seconds)
            steps.append(step)
            print(json.dumps(step), flush=True)
            if step["achieved_rate"] < 0.8 * rate:
                break  # far past saturation
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    best = max((step["achieved_rate"] for step in steps if sustained(step)), default=0.0)
    result = {
        "measured_at": datetime.now(UTC).isoformat(),
        "parameters": vars(args),
        "cpus": os.cpu_count(),
        "steps": steps,
        "max_sustained_per_second": best,
    }
    print("| offered/s | achieved/s | p50 ms | p95 ms | p99 ms | max ms | errors | load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for step in steps:
        print(
            f"| {step['offered_rate']:.0f} | {step['achieved_rate']:.0f} | {step['p50_ms']} | {step['p95_ms']} | "
            f"{step['p99_ms']} | {step['max_ms']} | {100 * step['error_rate']:.2f} % | {step['load_average']} |"
        )
    print(f"max sustained: {best:.0f} scores/s")
    out = ROOT / "var" / "bench" / "session_score.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
