"""Detection quality of fraud scoring on the simulator's labelled scenarios, mixed into normal traffic.

    .venv/bin/python benchmarks/fraud_detection.py --users 3000 --days 30 --seed 11 --every-hours 2

1. Simulates a backfill (normal traffic of ``--users`` customers for ``--days``) with the six fraud
   scenarios planted round-robin every ``--every-hours`` (ground truth in ``SimulationLabel``).
2. Feeds the events, in event-time order, to the fraud handlers (the same code the consumer runs; other
   domains' handlers are left out so the figure is fraud's alone), one transaction per batch of 500.
3. Reports, per scenario: instances planted and caught (at least one planted transaction scored
   HIGH/CRITICAL), planted transactions scored HIGH/CRITICAL; and on the unplanted traffic: alerts
   opened and HIGH/CRITICAL scores per 1,000 transactions, the tier mix, and the rules behind them.

It uses its own database (``--database``, created and migrated if missing) and Redis prefix, so it
never touches the development or test data. Results also go to ``var/bench/fraud_detection.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FRAUD_EVENT_TYPES = ("transaction-initiated", "login-success", "session-started", "circle-member-joined")
SCENARIOS = (
    "fraud_velocity_burst",
    "fraud_structuring_3k",
    "fraud_structuring_10k",
    "fraud_impossible_travel",
    "fraud_account_takeover",
    "fraud_duplicate_payments",
)


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


def reset() -> None:
    from django.db import connection

    from lakay.redis import get_redis, redis_key

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE fraud_fraudlabel, fraud_fraudalertevent, fraud_fraudscore, fraud_fraudalert, "
            "fraud_fraudtransaction, fraud_fraudlogin, fraud_fraudcirclejoin RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM pipeline_outboxmessage WHERE topic = 'lakay.fraud.alerts'")
    client = get_redis()
    keys = list(client.scan_iter(match=redis_key("fraud", "*"), count=5000))
    for start in range(0, len(keys), 5000):
        client.delete(*keys[start : start + 5000])


def simulate(args: argparse.Namespace) -> tuple[int, list[dict[str, Any]]]:
    from apps.pipeline.simulator.service import SimulationOptions, run_simulation
    from apps.pipeline.simulator.sinks import MemorySink

    sink = MemorySink()
    options = SimulationOptions(
        mode="backfill",
        seed=args.seed,
        users=args.users,
        circles=args.circles,
        start=date.fromisoformat(args.start),
        days=args.days,
        scenarios=list(SCENARIOS),
        scenario_every=args.every_hours * 3600,
    )
    progress = run_simulation(options, sink)
    events = [event for event in sink.events if event["event_type"] in FRAUD_EVENT_TYPES]
    events.sort(key=lambda event: event["timestamp"])
    return progress.run_id, events


def feed(events: list[dict[str, Any]], batch_size: int = 500) -> float:
    from django.db import transaction

    from apps.pipeline.spine.contracts import parse_timestamp
    from apps.pipeline.spine.events import Event
    from apps.pipeline.spine.registry import handlers_for

    handlers = {
        event_type: [handler for handler in handlers_for(event_type) if handler.__module__.startswith("apps.fraud")]
        for event_type in FRAUD_EVENT_TYPES
    }
    started = time.perf_counter()
    for start in range(0, len(events), batch_size):
        with transaction.atomic():
            for envelope in events[start : start + batch_size]:
                event = Event.from_envelope(envelope, occurred_at=parse_timestamp(envelope["timestamp"]), topic="bench")
                for handler in handlers[event.event_type]:
                    handler(event)
    return time.perf_counter() - started


def measure(run_id: int) -> dict[str, Any]:
    from apps.fraud.models import FraudAlert, FraudScore
    from apps.pipeline.simulator.models import SimulationLabel

    labels = list(SimulationLabel.objects.filter(run_id=run_id, entity_type="transaction"))
    planted_ids = {label.entity_id for label in labels}
    tiers = dict(FraudScore.objects.values_list("transaction__transaction_id", "risk_tier"))
    scores_by_txn = {
        txn: (score, [rule["rule_id"] for rule in triggered])
        for txn, score, triggered in FraudScore.objects.filter(transaction__transaction_id__in=planted_ids).values_list(
            "transaction__transaction_id", "score", "triggered_rules"
        )
    }
    alerted = {"high", "critical"}
    per_scenario: dict[str, dict[str, Any]] = {}
    instances: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label in labels:
        instances[(label.scenario, str(label.details.get("instance", label.entity_id)))].append(label.entity_id)
    for scenario in SCENARIOS:
        mine = {key: ids for key, ids in instances.items() if key[0] == scenario}
        scored = [txn for ids in mine.values() for txn in ids if txn in tiers]
        caught = sum(1 for ids in mine.values() if any(tiers.get(txn) in alerted for txn in ids))
        misses = [
            max(((scores_by_txn.get(txn, (0.0, [])), txn) for txn in ids), key=lambda item: item[0][0])
            for ids in mine.values()
            if not any(tiers.get(txn) in alerted for txn in ids)
        ]
        per_scenario[scenario] = {
            "missed_best": [{"transaction_id": txn, "score": best[0], "rules": best[1]} for best, txn in misses],
            "instances": len(mine),
            "caught": caught,
            "recall": round(caught / len(mine), 4) if mine else None,
            "planted_transactions": len(scored),
            "planted_high_or_critical": sum(1 for txn in scored if tiers[txn] in alerted),
        }
    planted_users = {str(label.details.get("user_id")) for label in labels}
    normal = FraudScore.objects.exclude(transaction__transaction_id__in=planted_ids)
    normal_count = normal.count()
    normal_high = normal.filter(risk_tier__in=alerted)
    normal_alerts = FraudAlert.objects.exclude(transaction_id__in=planted_ids)
    # Alerts on a planted customer's own ordinary transactions around the planting are not "normal traffic".
    normal_alerts_unrelated = normal_alerts.exclude(user_id__in=planted_users).count()
    rules = Counter(
        rule["rule_id"] for triggered in normal_high.values_list("triggered_rules", flat=True) for rule in triggered
    )
    return {
        "scenarios": per_scenario,
        "normal_transactions": normal_count,
        "normal_tiers": dict(Counter(normal.values_list("risk_tier", flat=True))),
        "normal_high_or_critical": normal_high.count(),
        "normal_high_or_critical_per_1000": round(1000 * normal_high.count() / max(normal_count, 1), 3),
        "false_alerts": normal_alerts.count(),
        "false_alerts_per_1000": round(1000 * normal_alerts.count() / max(normal_count, 1), 3),
        "false_alerts_excluding_planted_customers": normal_alerts_unrelated,
        "rules_in_normal_high_scores": dict(rules.most_common()),
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        "| scenario | instances | caught | recall | planted txns HIGH+/total |",
        "|---|---|---|---|---|",
    ]
    for name, row in result["scenarios"].items():
        lines.append(
            f"| {name} | {row['instances']} | {row['caught']} | {row['recall']} | "
            f"{row['planted_high_or_critical']}/{row['planted_transactions']} |"
        )
    lines += [
        "",
        f"normal transactions scored: {result['normal_transactions']}",
        f"tiers: {result['normal_tiers']}",
        f"HIGH/CRITICAL on normal traffic: {result['normal_high_or_critical']} "
        f"({result['normal_high_or_critical_per_1000']} per 1,000)",
        f"false alerts opened: {result['false_alerts']} ({result['false_alerts_per_1000']} per 1,000); "
        f"on customers no scenario touched: {result['false_alerts_excluding_planted_customers']}",
        f"rules behind normal HIGH/CRITICAL scores: {result['rules_in_normal_high_scores']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--circles", type=int, default=150)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--start", default="2026-06-01")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--every-hours", type=float, default=2.0, help="Hours between two plantings.")
    parser.add_argument("--database", default="lakay_bench_fraud")
    args = parser.parse_args()

    setup(args.database)
    reset()
    started = time.perf_counter()
    run_id, events = simulate(args)
    simulated = time.perf_counter() - started
    print(f"simulated {len(events)} fraud-relevant events in {simulated:.0f} s (run {run_id})", flush=True)
    seconds = feed(events)
    transactions = sum(1 for event in events if event["event_type"] == "transaction-initiated")
    print(f"scored {transactions} transactions in {seconds:.0f} s ({transactions / seconds:.0f}/s)", flush=True)
    result = measure(run_id)
    result["parameters"] = {**vars(args), "run_id": run_id, "transactions": transactions}
    print(report(result))
    out = ROOT / "var" / "bench" / "fraud_detection.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
