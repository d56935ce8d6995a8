"""Detection quality of the compliance rules on the simulator's labelled scenarios, mixed into normal traffic.

    .venv/bin/python benchmarks/compliance_detection.py --users 3000 --days 30 --seed 11 --every-hours 4

1. Simulates a backfill (normal traffic of ``--users`` customers for ``--days``) with the six compliance
   scenarios planted round-robin every ``--every-hours`` (ground truth in ``SimulationLabel``).
2. Feeds the events, in event-time order, to the compliance handlers only (the consumer's code path,
   batches of 500 in one transaction each).
3. Reports per scenario: instances and how many were detected by the expected rule (for the non-cash
   $12,000 remittance: how many correctly raised NO CTR); and on normal traffic: alerts by rule on
   customers no scenario touched, per 1,000 money movements.

Own database (``--database``, created and migrated if missing) and Redis prefix. Results also go to
``var/bench/compliance_detection.json``.
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

SCENARIOS = {
    # scenario → (label, the rule codes that count as detecting it; empty = must raise no CTR)
    "compliance_ctr_currency": ("ctr_threshold", {"ctr_threshold"}),
    "compliance_micro_structuring": ("structuring_micro", {"structuring_micro"}),
    "compliance_fan_out": ("structuring_fan_out", {"structuring_fan_out"}),
    "compliance_funnel": ("structuring_funnel", {"structuring_funnel"}),
    "compliance_rapid_movement": ("rapid_movement", {"rapid_movement"}),
    "compliance_ach_12000": ("no_ctr", set()),
}
MONEY_EVENTS = (
    "transaction-initiated",
    "remittance-initiated",
    "circle-contribution-received",
    "circle-payout-executed",
)


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


def reset() -> None:
    from django.db import connection

    tables = [
        "compliance_compliancealert_movements",
        "compliance_filing",
        "compliance_sardraft",
        "compliance_caseevidence",
        "compliance_casenote",
        "compliance_compliancealert",
        "compliance_moneymovement",
        "compliance_currencydaytotal",
        "compliance_circleparticipation",
        "compliance_riskassessment",
        "compliance_eddreview",
        "compliance_compliancecustomer",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM pipeline_outboxmessage WHERE topic LIKE 'lakay.compliance.%%'")


def simulate(args: argparse.Namespace) -> tuple[int, list[dict[str, Any]]]:
    from apps.compliance.handlers import HANDLERS
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
    events = [event for event in sink.events if event["event_type"] in HANDLERS]
    events.sort(key=lambda event: event["timestamp"])
    return progress.run_id, events


def feed(events: list[dict[str, Any]], batch_size: int = 500) -> float:
    from django.db import transaction

    from apps.compliance.handlers import HANDLERS
    from apps.pipeline.spine.contracts import parse_timestamp
    from apps.pipeline.spine.events import Event

    started = time.perf_counter()
    for start in range(0, len(events), batch_size):
        with transaction.atomic():
            for envelope in events[start : start + batch_size]:
                event = Event.from_envelope(envelope, occurred_at=parse_timestamp(envelope["timestamp"]), topic="bench")
                with transaction.atomic():
                    HANDLERS[event.event_type](event)
    return time.perf_counter() - started


def measure(run_id: int) -> dict[str, Any]:
    from apps.compliance.models import ComplianceAlert, MoneyMovement
    from apps.pipeline.simulator.models import SimulationLabel

    labels = list(SimulationLabel.objects.filter(run_id=run_id, scenario__in=list(SCENARIOS)))
    rules_of: dict[str, set[str]] = defaultdict(set)
    for customer, rule in ComplianceAlert.objects.values_list("customer_id", "rule_code"):
        rules_of[customer].add(rule)
    touched: set[str] = set()
    per_scenario: dict[str, dict[str, Any]] = {}
    for scenario, (label_name, expected) in SCENARIOS.items():
        mine = [label for label in labels if label.scenario == scenario and label.label == label_name]
        touched.update(label.entity_id for label in mine)
        for label in mine:
            touched.update(label.details.get("senders", []))
        if expected:
            caught = sum(1 for label in mine if rules_of[label.entity_id] & expected)
        else:  # the non-cash remittance: right when no CTR was raised for that customer
            caught = sum(1 for label in mine if "ctr_threshold" not in rules_of[label.entity_id])
        per_scenario[scenario] = {
            "instances": len(mine),
            "detected": caught,
            "rate": round(caught / len(mine), 4) if mine else None,
            "other_rules_on_entity": dict(
                Counter(rule for label in mine for rule in rules_of[label.entity_id] - expected)
            ),
        }
    movements = MoneyMovement.objects.count()
    normal = ComplianceAlert.objects.exclude(customer_id__in=touched)
    by_rule = Counter(normal.values_list("rule_code", flat=True))
    return {
        "scenarios": per_scenario,
        "money_movements": movements,
        "customers_with_movements": MoneyMovement.objects.values("customer_id").distinct().count(),
        "normal_alerts": normal.count(),
        "normal_alerts_per_1000_movements": round(1000 * normal.count() / max(movements, 1), 3),
        "normal_alerts_by_rule": dict(by_rule.most_common()),
        "normal_customers_alerted": normal.values("customer_id").distinct().count(),
    }


def report(result: dict[str, Any]) -> str:
    lines = ["| scenario | instances | detected | rate | other rules on the same entity |", "|---|---|---|---|---|"]
    for name, row in result["scenarios"].items():
        lines.append(
            f"| {name} | {row['instances']} | {row['detected']} | {row['rate']} | {row['other_rules_on_entity']} |"
        )
    lines += [
        "",
        f"money movements: {result['money_movements']} ({result['customers_with_movements']} customers)",
        f"alerts on customers no scenario touched: {result['normal_alerts']} "
        f"({result['normal_alerts_per_1000_movements']} per 1,000 movements; "
        f"{result['normal_customers_alerted']} customers) by rule {result['normal_alerts_by_rule']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--circles", type=int, default=150)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--start", default="2026-06-01")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--every-hours", type=float, default=4.0, help="Hours between two plantings.")
    parser.add_argument("--database", default="lakay_bench_compliance")
    args = parser.parse_args()

    setup(args.database)
    reset()
    started = time.perf_counter()
    run_id, events = simulate(args)
    print(
        f"simulated {len(events)} compliance-relevant events in {time.perf_counter() - started:.0f} s (run {run_id})",
        flush=True,
    )
    seconds = feed(events)
    print(f"fed in {seconds:.0f} s ({len(events) / seconds:.0f} events/s)", flush=True)
    result = {"args": vars(args), "events": len(events), "feed_seconds": round(seconds, 1), **measure(run_id)}
    out = ROOT / "var" / "bench" / "compliance_detection.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(report(result))


if __name__ == "__main__":
    main()
