"""Circle scoring: latency of ``POST /api/v1/circles/{id}/score`` and of the scoring service, sweep and
ingest throughput, list endpoints — on a realistic history (figures in docs/performance.md).

    .venv/bin/python benchmarks/circle_scoring.py                  # build the history once, then measure
    .venv/bin/python benchmarks/circle_scoring.py --skip-build --requests 500 --concurrency 4

1. History (skipped when present): ``--circles`` circles (default 20,000) of 5-12 members, each part-way
   through its rotation, with the projections their events produce — members, contributions (~8 % late),
   misses (~2.5 %), drops, payouts, contribution/payout transactions — about 1.2M facts, bulk-loaded
   with COPY into the benchmark's own database (``--database``).
2. Service: ``circle_score`` on ``--samples`` random circles (read facts, evaluate, store, tier change).
3. Sweep: ``--sweep`` circles marked pending, rescored by ``circles_score_pending`` → circles/s.
4. HTTP: gunicorn (sync workers, ``deploy/gunicorn.conf.py``) on a free loopback port; ``--requests``
   signed ``POST …/score`` one at a time, then ``--concurrency`` clients for ``--seconds``; GET health,
   summary and at-risk.
5. Ingest: ``--events`` circle events of new circles through the spine (``ingest_batch``: contracts,
   RawEvent, handlers) in batches of 500 → events/s.

Results go to stdout and ``var/bench/circle_scoring.json``. Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from circle_common import ROOT, percentiles, setup

LATE_RATE, MISS_RATE, DROP_RATE = 0.08, 0.025, 0.01


# ------------------------------------------------------------------------------------------- history
def history_present(target: int) -> bool:
    from apps.circles.models import Circle

    return Circle.objects.filter(circle_id__startswith="bcircle_").count() >= target


def _copy_history(circles: int) -> dict[str, int]:
    from circle_common import reset_circles
    from django.db import connection

    reset_circles()
    rng = random.Random(7)
    now = datetime.now(UTC).replace(microsecond=0)
    counts = {"circles": 0, "members": 0, "contributions": 0, "misses": 0, "payouts": 0, "transactions": 0}
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection (autocommit): COPY straight into the tables
    with raw.cursor() as cursor:
        circle_rows, member_rows, contribution_rows, miss_rows, payout_rows, txn_rows = [], [], [], [], [], []
        for number in range(circles):
            circle_id = f"bcircle_{number:06d}"
            size = rng.randint(5, 12)
            period = rng.choice((7, 14, 30))
            amount = Decimal(rng.choice((50, 100, 150, 200, 300, 500)))
            progressed = rng.randint(1, size)
            start = now - timedelta(days=period * progressed + rng.randint(0, period - 1))
            circle_rows.append(
                (
                    number + 1,
                    circle_id,
                    f"user_b{number:06d}_1",
                    f"Bench circle {number}",
                    amount,
                    "USD",
                    {7: "weekly", 14: "biweekly", 30: "monthly"}[period],
                    size,
                    "sequential",
                    start.date(),
                    "active",
                    start - timedelta(days=5),
                    "",
                    now,
                    1,
                    0,
                    False,
                    None,
                    "",
                    "",
                )
            )
            members = [f"user_b{number:06d}_{position}" for position in range(1, size + 1)]
            dropped: dict[str, int] = {}
            for position, user in enumerate(members, start=1):
                if rng.random() < DROP_RATE * progressed:
                    dropped[user] = rng.randint(1, progressed)
                member_rows.append(
                    (
                        number + 1,
                        user,
                        position,
                        start - timedelta(days=4),
                        "verified",
                        "dropped" if user in dropped else "active",
                        start + timedelta(days=period * dropped[user]) if user in dropped else None,
                        "voluntary" if user in dropped else "",
                        dropped.get(user),
                        0 if user in dropped else None,
                    )
                )
            for cycle in range(1, progressed + 1):
                due = start + timedelta(days=period * (cycle - 1) + 2)
                for position, user in enumerate(members, start=1):
                    if user in dropped and dropped[user] < cycle:
                        continue
                    roll = rng.random()
                    if roll < MISS_RATE:
                        miss_rows.append(
                            (number + 1, user, cycle, due.date(), amount, "USD", 1, due + timedelta(days=1))
                        )
                        continue
                    late = rng.randint(1, 5) if roll < MISS_RATE + LATE_RATE else 0
                    txn = f"btxn_{uuid.UUID(int=rng.getrandbits(128)).hex[:20]}"
                    contribution_rows.append(
                        (
                            f"bcontrib_{number:06d}_{cycle}_{position}",
                            number + 1,
                            user,
                            cycle,
                            amount,
                            "USD",
                            "ach",
                            "",
                            txn,
                            due + timedelta(days=late),
                            late,
                        )
                    )
                    txn_rows.append(
                        (
                            txn,
                            number + 1,
                            user,
                            "contribution",
                            cycle,
                            amount,
                            "USD",
                            "completed",
                            due + timedelta(days=late),
                            due + timedelta(days=late, seconds=20),
                            "",
                        )
                    )
                recipient = members[cycle - 1]
                if recipient not in dropped or dropped[recipient] >= cycle:
                    payout_rows.append(
                        (
                            f"bpayout_{number:06d}_{cycle}",
                            number + 1,
                            recipient,
                            cycle,
                            amount * size,
                            "USD",
                            "ach",
                            "",
                            "",
                            due + timedelta(days=1),
                        )
                    )
        specs: list[tuple[str, Sequence[Sequence[object]]]] = [
            (
                "circles_circle (id, circle_id, organizer_id, name, contribution_amount, currency, frequency, "
                "max_members, rotation_order, start_date, status, created_at, failure_reason, last_event_at, "
                "facts_version, scored_facts_version, scoring_pending, scoring_requested_at, tier, trend)",
                circle_rows,
            ),
            (
                "circles_circlemember (circle_id, user_id, position, joined_at, verification_status, status, "
                "dropped_at, drop_reason, payments_made, payments_owed)",
                member_rows,
            ),
            (
                "circles_circlecontribution (contribution_id, circle_id, user_id, cycle_number, amount, currency, "
                "payment_method, agent_id, transaction_id, paid_at, days_late)",
                contribution_rows,
            ),
            (
                "circles_circlemissedcontribution (circle_id, user_id, cycle_number, due_date, amount_due, currency, "
                "consecutive_misses, recorded_at)",
                miss_rows,
            ),
            (
                "circles_circlepayout (payout_id, circle_id, recipient_id, cycle_number, amount, currency, "
                "payout_method, agent_id, transaction_id, executed_at)",
                payout_rows,
            ),
            (
                "circles_circletransaction (transaction_id, circle_id, user_id, kind, cycle_number, amount, currency, "
                "status, initiated_at, settled_at, error_code)",
                txn_rows,
            ),
        ]
        for table, rows in specs:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute("SELECT setval('circles_circle_id_seq', (SELECT max(id) FROM circles_circle))")
        cursor.execute("ANALYZE")
    counts.update(
        circles=len(circle_rows),
        members=len(member_rows),
        contributions=len(contribution_rows),
        misses=len(miss_rows),
        payouts=len(payout_rows),
        transactions=len(txn_rows),
    )
    counts["facts"] = sum(counts.values())
    return counts


# ------------------------------------------------------------------------------------------- service
def measure_service(samples: int) -> dict[str, Any]:
    from apps.circles.models import Circle
    from apps.circles.services.scoring import circle_score

    ids = list(Circle.objects.filter(circle_id__startswith="bcircle_").values_list("circle_id", flat=True))
    chosen = random.Random(11).sample(ids, min(samples, len(ids)))
    timings = []
    for circle_id in chosen:
        started = time.perf_counter()
        circle_score(circle_id=circle_id, trigger="command", requested_by="benchmark")
        timings.append((time.perf_counter() - started) * 1000)
    return percentiles(timings)


def measure_sweep(count: int) -> dict[str, Any]:
    from django.utils import timezone

    from apps.circles.models import Circle
    from apps.circles.services.scoring import circles_score_pending

    pending = list(
        Circle.objects.filter(circle_id__startswith="bcircle_", latest_health__isnull=True).values_list(
            "pk", flat=True
        )[:count]
    )
    Circle.objects.filter(pk__in=pending).update(scoring_pending=True, scoring_requested_at=timezone.now())
    started = time.perf_counter()
    scored = 0
    while batch := circles_score_pending(limit=500, debounce_seconds=0):
        scored += batch
    seconds = time.perf_counter() - started
    return {"circles": scored, "seconds": round(seconds, 1), "circles_per_second": round(scored / seconds, 1)}


def explain_fact_queries() -> dict[str, str]:
    """The plan of each projection read (they must use the circle indexes, not scan)."""
    from django.db import connection

    from apps.circles.models import Circle

    circle = Circle.objects.filter(circle_id__startswith="bcircle_").order_by("?").first()
    assert circle is not None
    plans = {}
    querysets = {
        "members": circle.members.all(),
        "contributions": circle.contributions.values_list("user_id", "cycle_number", "amount", "days_late", "paid_at"),
        "misses": circle.misses.all(),
        "payouts": circle.payouts.all(),
        "transactions": circle.transactions.filter(kind="contribution", status="failed"),
    }
    for name, queryset in querysets.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plans[name] = " / ".join(row[0].strip() for row in cursor.fetchall()[:2])
    return plans


# ------------------------------------------------------------------------------------------- HTTP
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY=str(workers), LOG_LEVEL="WARNING")
    env["API_RATE_LIMIT_SERVICE"] = "1000000/min"
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "lakay.wsgi:application", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("gunicorn did not come up")


class Client:
    """Signed keep-alive requests. Each carries a unique ``_n`` query parameter: a signature is refused
    when seen twice (replay cache), and two identical requests within one second would sign alike."""

    def __init__(self, port: int, api_key: str, secret: str):
        self.port, self.api_key, self.secret = port, api_key, secret
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str) -> tuple[int, float]:
        from lakay.security.signing import signed_headers

        path = f"{path}{'&' if '?' in path else '?'}_n={uuid.uuid4().hex[:12]}"
        body = b""
        headers = signed_headers(api_key=self.api_key, secret=self.secret, method=method, path=path, body=body)
        headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, (time.perf_counter() - started) * 1000
        return response.status, (time.perf_counter() - started) * 1000


def measure_http(args: argparse.Namespace) -> dict[str, Any]:
    from apps.circles.models import Circle
    from lakay.security.services import api_key_create

    issued = api_key_create(client_name=f"bench-{uuid.uuid4().hex[:6]}", created_by="benchmark")
    ids = list(Circle.objects.filter(circle_id__startswith="bcircle_").values_list("circle_id", flat=True))
    rng = random.Random(3)
    port = free_port()
    server = start_gunicorn(port, args.workers)
    results: dict[str, Any] = {"workers": args.workers}
    try:
        client = Client(port, issued.api_key, issued.signing_secret)
        for _ in range(20):  # warm both workers (imports, config snapshot, connections)
            client.call("POST", f"/api/v1/circles/{rng.choice(ids)}/score")
        timings, errors = [], 0
        for _ in range(args.requests):
            status, elapsed = client.call("POST", f"/api/v1/circles/{rng.choice(ids)}/score")
            errors += status != 200
            timings.append(elapsed)
        results["score_sequential"] = {**percentiles(timings), "errors": errors}
        for name, path in (
            ("health", "/api/v1/circles/{id}/health"),
            ("summary", "/api/v1/circles/health/summary?limit=50"),
            ("at_risk", "/api/v1/circles/at-risk?limit=50"),
        ):
            timings, errors = [], 0
            for _ in range(200):
                status, elapsed = client.call("GET", path.format(id=rng.choice(ids)))
                errors += status != 200
                timings.append(elapsed)
            results[f"get_{name}"] = {**percentiles(timings), "errors": errors}
        results["score_concurrent"] = _concurrent(port, issued, ids, args.concurrency, args.seconds)
    finally:
        server.terminate()
        server.wait(30)
    return results


def _concurrent(port: int, issued: Any, ids: list[str], clients: int, seconds: float) -> dict[str, Any]:
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(seed: int) -> None:
        rng = random.Random(seed)
        client = Client(port, issued.api_key, issued.signing_secret)
        local, failed = [], 0
        while time.monotonic() < deadline:
            status, elapsed = client.call("POST", f"/api/v1/circles/{rng.choice(ids)}/score")
            failed += status != 200
            local.append(elapsed)
        with lock:
            timings.extend(local)
            errors[0] += failed

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        **percentiles(timings),
        "errors": errors[0],
        "scores_per_second": round(len(timings) / elapsed, 1),
    }


# ------------------------------------------------------------------------------------------- ingest
def measure_ingest(events: int) -> dict[str, Any]:
    """Circle events of new circles: (a) the circles handlers alone, one transaction per 500 (what this
    app costs the consumer); (b) the whole spine path — contracts, RawEvent, every registered handler
    (fraud and compliance also handle some circle events)."""
    from circle_common import feed

    from apps.pipeline.spine.contracts import get_registry
    from apps.pipeline.spine.ingest import InboundMessage, ingest_batch

    envelopes = list(_new_circle_events(events))
    started = time.perf_counter()
    handled = feed(envelopes)
    handlers_seconds = time.perf_counter() - started
    envelopes = list(_new_circle_events(events))
    topic = get_registry().topic_of_type["circle-created"]
    messages = [InboundMessage(topic, json.dumps(envelope).encode()) for envelope in envelopes]
    started = time.perf_counter()
    stored = 0
    for start in range(0, len(messages), 500):
        stored += ingest_batch(messages[start : start + 500]).stored
    seconds = time.perf_counter() - started
    return {
        "circles_handlers": {
            "events": handled,
            "seconds": round(handlers_seconds, 1),
            "events_per_second": round(handled / handlers_seconds, 1),
        },
        "spine": {"events": stored, "seconds": round(seconds, 1), "events_per_second": round(stored / seconds, 1)},
    }


def _new_circle_events(count: int) -> Any:
    """Valid circle events of fresh circles (created, joins, contributions, payouts), in time order."""
    run = uuid.uuid4().hex[:6]
    produced, number = 0, 0
    base = datetime.now(UTC) - timedelta(days=200)
    while produced < count:
        circle_id, at = f"icircle_{run}_{number}", base + timedelta(minutes=number)
        members = [f"iuser_{run}_{number}_{i}" for i in range(1, 9)]

        def envelope(event_type: str, when: datetime, payload: dict[str, Any]) -> dict[str, Any]:
            return {
                "event_id": str(uuid.uuid4()),
                "event_type": event_type,
                "event_version": "1.0",
                "timestamp": when.isoformat().replace("+00:00", "Z"),
                "source_service": "circle-service",
                "payload": payload,
            }

        yield envelope(
            "circle-created",
            at,
            {
                "circle_id": circle_id,
                "organizer_id": members[0],
                "name": f"Ingest {number}",
                "contribution_amount": "100.00",
                "currency": "USD",
                "frequency": "weekly",
                "max_members": 8,
                "rotation_order": "sequential",
                "start_date": (at + timedelta(days=3)).date().isoformat(),
                "status": "pending",
            },
        )
        for position, user in enumerate(members, start=1):
            when = at + timedelta(hours=position)
            yield envelope(
                "circle-member-joined",
                when,
                {
                    "circle_id": circle_id,
                    "user_id": user,
                    "position": position,
                    "joined_at": when.isoformat().replace("+00:00", "Z"),
                    "verification_status": "verified",
                },
            )
        produced += 9
        for cycle in range(1, 6):
            when = at + timedelta(days=3 + 7 * (cycle - 1))
            for user in members:
                yield envelope(
                    "circle-contribution-received",
                    when,
                    {
                        "circle_id": circle_id,
                        "user_id": user,
                        "contribution_id": f"ic_{run}_{number}_{cycle}_{user[-1]}",
                        "amount": "100.00",
                        "currency": "USD",
                        "cycle_number": cycle,
                        "payment_method": "ach",
                        "paid_at": when.isoformat().replace("+00:00", "Z"),
                        "days_late": 0,
                    },
                )
            yield envelope(
                "circle-payout-executed",
                when + timedelta(days=1),
                {
                    "circle_id": circle_id,
                    "recipient_id": members[cycle - 1],
                    "payout_id": f"ip_{run}_{number}_{cycle}",
                    "amount": "800.00",
                    "currency": "USD",
                    "cycle_number": cycle,
                    "payout_method": "ach",
                    "executed_at": (when + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
                },
            )
            produced += 9
        number += 1


# ------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="lakay_bench_circle_scoring")
    parser.add_argument("--circles", type=int, default=20000)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--sweep", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()

    setup(args.database)
    report: dict[str, Any] = {"parameters": vars(args), "date": datetime.now(UTC).date().isoformat()}
    if not (args.skip_build and history_present(args.circles)):
        started = time.perf_counter()
        report["history"] = _copy_history(args.circles)
        report["history"]["seconds"] = round(time.perf_counter() - started, 1)
        print(f"history: {report['history']}", flush=True)
    report["plans"] = explain_fact_queries()
    report["sweep"] = measure_sweep(args.sweep)
    print(f"sweep: {report['sweep']}", flush=True)
    report["service"] = measure_service(args.samples)
    print(f"service circle_score: {report['service']}", flush=True)
    report["http"] = measure_http(args)
    print(f"http: {json.dumps(report['http'])}", flush=True)
    report["ingest"] = measure_ingest(args.events)
    print(f"ingest: {report['ingest']}", flush=True)
    with open("/proc/loadavg") as load:
        report["load_average_after"] = load.read().split()[:3]
    out = ROOT / "var" / "bench" / "circle_scoring.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
