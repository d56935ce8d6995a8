"""Per-event cost of the compliance handlers on a realistic history.

    .venv/bin/python benchmarks/compliance_throughput.py --customers 100000 --movements 1000000 --events 20000

1. Bulk-loads a history of ``--movements`` money movements over ``--customers`` customers (60 days,
   ~5 % currency, remittances, p2p, circle contributions and payouts) straight into the projection, so the
   per-customer windows and indexes are those of a busy production table.
2. Replays ``--events`` new events (transactions, remittances, circle contributions and payouts,
   completions) for random existing customers, in event-time order, through the spine's
   ``ingest_batch`` (contracts, RawEvent, savepoints) with only the compliance handlers registered,
   500 per batch like the consumer.
3. Reports the handler latency per event (p50/p95/p99, timed around each event's handlers) and the
   end-to-end throughput (events/s) of the batches.

Own database (``--database``) and Redis prefix; results also in ``var/bench/compliance_throughput.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
T0 = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)


def setup(database: str) -> None:
    import psycopg

    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            connection.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    os.environ.setdefault("REDIS_KEY_PREFIX", f"bench-{database}")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "lakay.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


HISTORY_SQL = """
TRUNCATE compliance_compliancealert_movements, compliance_filing, compliance_compliancealert,
         compliance_moneymovement, compliance_currencydaytotal, compliance_circleparticipation,
         compliance_riskassessment, compliance_eddreview, compliance_compliancecustomer RESTART IDENTITY CASCADE;
INSERT INTO compliance_compliancecustomer (customer_id, country, is_verified, verification_level, identity_encrypted,
    first_activity_at, last_activity_at, last_country, risk_level, risk_override_level, is_edd_required,
    is_risk_stale, flagged_transaction_count, flagged_risk_total, security_incident_count, registered_at,
    created_at, updated_at)
SELECT 'bench_' || lpad(n::text, 6, '0'), 'US', true, 'basic', '', %(start)s, %(t0)s, 'US', 'low', '', false,
       false, 0, 0, 0, %(start)s - interval '200 days', now(), now()
FROM generate_series(1, %(customers)s) AS n;
INSERT INTO compliance_moneymovement (transaction_id, source, movement_type, customer_id, counterparty_id, flow,
    amount, currency, funding_method, payout_method, is_cash_in, is_cash_out, cash_out_person_id, agent_id,
    origin_country, destination_country, circle_id, cycle_number, is_round_amount, status, business_date,
    occurred_at, event_id, created_at)
SELECT 'hist_' || n, 'transaction', kind, 'bench_' || lpad((1 + (n * 7919) %% %(customers)s)::text, 6, '0'),
       CASE WHEN kind = 'p2p_transfer' THEN 'bench_' || lpad((1 + (n * 104729) %% %(customers)s)::text, 6, '0')
            WHEN kind = 'remittance' THEN 'benef_' || (n %% 50000)
            WHEN kind = 'circle_contribution' THEN 'circle:c' || (n %% 8000) ELSE '' END,
       CASE WHEN kind = 'circle_payout' THEN 'received' WHEN kind = 'wallet_topup' THEN 'own_funds' ELSE 'sent' END,
       amount, 'USD', CASE WHEN cash THEN 'cash_at_agent' ELSE 'ach' END, 'wallet', cash, false, '',
       CASE WHEN cash THEN 'agent_us_1' ELSE '' END, 'US', CASE WHEN kind = 'remittance' THEN 'HT' ELSE '' END,
       CASE WHEN kind LIKE 'circle%%' THEN 'c' || (n %% 8000) ELSE '' END,
       CASE WHEN kind LIKE 'circle%%' THEN 1 ELSE NULL END, amount %% 500 = 0, 'completed',
       (at AT TIME ZONE 'America/New_York')::date, at, gen_random_uuid(), now()
FROM (
    SELECT n,
           (ARRAY['remittance','remittance','p2p_transfer','circle_contribution','circle_contribution',
                  'wallet_topup','circle_payout'])[1 + (n %% 7)] AS kind,
           round((20 + random() * 900)::numeric, 2) AS amount,
           random() < 0.05 AS cash,
           %(start)s + (random() * interval '60 days') AS at
    FROM generate_series(1::bigint, %(movements)s) AS n
) AS history;
ANALYZE compliance_moneymovement;
ANALYZE compliance_compliancecustomer;
"""


def load_history(customers: int, movements: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            HISTORY_SQL, {"customers": customers, "movements": movements, "t0": T0, "start": T0 - timedelta(days=60)}
        )
    return time.perf_counter() - started


def _envelope(event_type: str, at: datetime, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "event_version": "1.0",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "source_service": "trebanx-api",
        "payload": payload,
    }


def new_events(count: int, customers: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    at = T0
    while len(events) < count:
        at += timedelta(seconds=rng.uniform(0.5, 3))
        user = f"bench_{rng.randint(1, customers):06d}"
        iso = at.isoformat().replace("+00:00", "Z")
        amount = f"{rng.uniform(20, 920):.2f}"  # the history's distribution: alerts at a realistic rate
        kind = rng.random()
        cash = rng.random() < 0.05
        if kind < 0.35:
            txn = f"new{seed}_{len(events)}"
            source = "cash_at_agent" if cash else "ach"
            payload: dict[str, object] = {
                "transaction_id": txn,
                "user_id": user,
                "type": rng.choice(["wallet_topup", "p2p_transfer"]),
                "amount": amount,
                "currency": "USD",
                "source": {"type": source, "identifier": "src"},
                "destination": {"type": "wallet", "identifier": "dst"},
                "initiated_at": iso,
            }
            if payload["type"] == "p2p_transfer":
                payload["recipient_id"] = f"bench_{rng.randint(1, customers):06d}"
            if cash:
                payload["agent_id"] = "agent_us_1"
            events.append(_envelope("transaction-initiated", at, payload))
            events.append(
                _envelope(
                    "transaction-completed",
                    at + timedelta(seconds=2),
                    {
                        "transaction_id": txn,
                        "user_id": user,
                        "amount": amount,
                        "currency": "USD",
                        "completed_at": iso,
                        "fees": {"platform_fee": "0.00", "processor_fee": "0.00", "currency": "USD"},
                        "net_amount": amount,
                    },
                )
            )
        elif kind < 0.75:
            payload = {
                "remittance_id": f"newrem{seed}_{len(events)}",
                "sender_id": user,
                "recipient_id": f"benef_{rng.randint(0, 50000)}",
                "recipient_name": "Jean Pierre",
                "recipient_phone": "+50937123456",
                "recipient_country": "HT",
                "send_amount": amount,
                "send_currency": "USD",
                "receive_amount": "1000.00",
                "receive_currency": "HTG",
                "exchange_rate": "132.50",
                "fee_amount": "2.99",
                "funding_method": "cash_at_agent" if cash else "ach",
                "delivery_method": "mobile_wallet",
                "initiated_at": iso,
            }
            if cash:
                payload["agent_id"] = "agent_us_1"
            events.append(_envelope("remittance-initiated", at, payload))
        else:
            circle = f"c{rng.randint(0, 8000)}"
            payload = {
                "circle_id": circle,
                "user_id": user,
                "contribution_id": f"newc{seed}_{len(events)}",
                "amount": amount,
                "currency": "USD",
                "cycle_number": rng.randint(1, 10),
                "payment_method": "cash_at_agent" if cash else "ach",
                "paid_at": iso,
                "days_late": 0,
            }
            if cash:
                payload["agent_id"] = "agent_us_1"
            events.append(_envelope("circle-contribution-received", at, payload))
    return events[:count]


def replay(events: list[dict[str, Any]], batch_size: int) -> tuple[list[float], float, int]:
    from django.db import connection

    from apps.compliance.handlers import HANDLERS
    from apps.pipeline.spine import registry
    from apps.pipeline.spine.contracts import get_registry
    from apps.pipeline.spine.ingest import InboundMessage, ingest_batch

    latencies: list[float] = []

    def timed(handler: Any) -> Any:
        def run(event: Any) -> None:
            started = time.perf_counter()
            handler(event)
            latencies.append(time.perf_counter() - started)

        return run

    registry._handlers.clear()  # only compliance: the figure is compliance's own cost
    for event_type, handler in HANDLERS.items():
        registry.register_handler(event_type, timed(handler))
    topics = get_registry().topic_of_type
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        _replay_batches(events, batch_size, topics, ingest_batch, InboundMessage)
    return latencies, time.perf_counter() - started, queries


def _replay_batches(
    events: list[dict[str, Any]], batch_size: int, topics: Any, ingest_batch: Any, message: Any
) -> None:
    for start in range(0, len(events), batch_size):
        batch = [
            message(
                topic=topics[event["event_type"]], value=json.dumps(event).encode(), partition=0, offset=start + index
            )
            for index, event in enumerate(events[start : start + batch_size])
        ]
        result = ingest_batch(batch)
        if result.dead_lettered:
            raise SystemExit(f"dead letters in the benchmark: {[o.reason for o in result.outcomes][:3]}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database", default="lakay_bench_compliance_perf")
    parser.add_argument("--keep-history", action="store_true", help="Reuse the history already loaded.")
    args = parser.parse_args()

    setup(args.database)
    if not args.keep_history:
        seconds = load_history(args.customers, args.movements)
        print(f"history: {args.movements} movements / {args.customers} customers loaded in {seconds:.0f} s", flush=True)
    events = new_events(args.events, args.customers, args.seed)
    load_before = os.getloadavg()[0]
    latencies, seconds, queries = replay(events, args.batch_size)
    result = {
        "machine_load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "queries_per_event": round(queries / len(events), 2),
        "args": vars(args),
        "events": len(events),
        "seconds": round(seconds, 2),
        "events_per_second": round(len(events) / seconds, 1),
        "handler_ms": {
            "p50": round(1000 * percentile(latencies, 0.50), 3),
            "p95": round(1000 * percentile(latencies, 0.95), 3),
            "p99": round(1000 * percentile(latencies, 0.99), 3),
            "mean": round(1000 * statistics.fmean(latencies), 3),
        },
    }
    from apps.compliance.models import ComplianceAlert, MoneyMovement

    result["alerts_raised"] = ComplianceAlert.objects.count()
    result["movements_total"] = MoneyMovement.objects.count()
    out = ROOT / "var" / "bench" / "compliance_throughput.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
