"""Detection quality of the account-takeover (ATO) assessment on the simulator's labelled scenarios.

    .venv/bin/python benchmarks/behavior_detection.py --users 2000 --days 30 --seed 5 --every-hours 3

1. Simulates a backfill (normal traffic of ``--users`` customers for ``--days``) with the four behaviour
   scenarios planted round-robin every ``--every-hours`` (ground truth in ``SimulationLabel``, entity
   ``session``): ``ato_account_takeover``, ``ato_takeover_other_us_city``, ``ato_impossible_travel``
   (label ``account_takeover`` / ``impossible_travel``) and ``ato_legit_haiti_travel`` (``no_alert``).
2. Feeds the user and security events, in event-time order, to the behaviour handlers (the same code the
   consumer runs; other domains' handlers are left out so the figures are behaviour's alone), one
   transaction per batch of 500.
3. Reports per scenario: planted sessions, caught (the session's ATO risk reached high/critical, which
   raises an alert or merges into the user's open one), when (session start, a sensitive action, a
   security event, session end); for ``no_alert`` sessions the false alerts; on the unplanted traffic:
   sessions whose risk reached an alert, alerts opened per 1,000 sessions, and the signals behind them.

Own database (``--database``, created and migrated if missing) and Redis prefix: never touches the
development or test data. Results also go to ``var/bench/behavior_detection.json``.
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

SCENARIOS = (
    "ato_account_takeover",
    "ato_takeover_other_us_city",
    "ato_impossible_travel",
    "ato_legit_haiti_travel",
)
ALERT_LEVELS = ("high", "critical")


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

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE behavior_atoalertstatuschange, behavior_atoalert, behavior_sessionactivity, "
            "behavior_usersession, behavior_loginattempt, behavior_userdevice, behavior_securityevent, "
            "behavior_behaviorprofile, behavior_engagementsnapshot RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM pipeline_outboxmessage WHERE topic = 'lakay.behavior.ato-alerts'")


def simulate(args: argparse.Namespace) -> tuple[int, list[dict[str, Any]]]:
    from apps.behavior.handlers import HANDLERS
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


def feed(events: list[dict[str, Any]], batch_size: int = 500) -> tuple[float, float]:
    from django.db import transaction

    from apps.pipeline.spine.contracts import parse_timestamp
    from apps.pipeline.spine.events import Event
    from apps.pipeline.spine.registry import handlers_for

    mine = {
        event_type: [handler for handler in handlers_for(event_type) if handler.__module__.startswith("apps.behavior")]
        for event_type in {event["event_type"] for event in events}
    }
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(events), batch_size):
        with transaction.atomic():
            for envelope in events[start : start + batch_size]:
                event = Event.from_envelope(envelope, occurred_at=parse_timestamp(envelope["timestamp"]), topic="bench")
                for handler in mine[event.event_type]:
                    handler(event)
    return time.perf_counter() - started, time.process_time() - cpu


def measure(run_id: int) -> dict[str, Any]:
    from apps.behavior.models import AtoAlert, UserSession
    from apps.pipeline.simulator.models import SimulationLabel

    labels = list(SimulationLabel.objects.filter(run_id=run_id, entity_type="session"))
    planted = {label.entity_id for label in labels}
    sessions = {
        row["session_id"]: row
        for row in UserSession.objects.filter(session_id__in=planted).values(
            "session_id", "user_id", "ato_risk_level", "ato_risk_score", "profile_status_at_start", "anomaly_score"
        )
    }
    first_alert: dict[str, str] = {}
    for session_id, trigger in (
        AtoAlert.objects.filter(session_id__in=planted).order_by("id").values_list("session_id", "trigger")
    ):
        first_alert.setdefault(session_id, trigger)
    by_scenario: dict[str, list[SimulationLabel]] = defaultdict(list)
    for label in labels:
        by_scenario[label.scenario].append(label)
    per_scenario: dict[str, Any] = {}
    for scenario in SCENARIOS:
        mine = by_scenario.get(scenario, [])
        seen = [sessions[label.entity_id] for label in mine if label.entity_id in sessions]
        alerted = [row for row in seen if row["ato_risk_level"] in ALERT_LEVELS]
        per_scenario[scenario] = {
            "label": mine[0].label if mine else None,
            "sessions": len(mine),
            "reached_alert_level": len(alerted),
            "rate": round(len(alerted) / len(mine), 4) if mine else None,
            "alerts_raised_on_the_session": sum(1 for row in seen if row["session_id"] in first_alert),
            "first_alert_trigger": dict(
                Counter(first_alert[row["session_id"]] for row in seen if row["session_id"] in first_alert)
            ),
            "levels": dict(Counter(row["ato_risk_level"] or "none" for row in seen)),
            "profile_status_at_start": dict(Counter(row["profile_status_at_start"] or "none" for row in seen)),
            "missed": [
                {
                    "session_id": row["session_id"],
                    "ato_risk_score": row["ato_risk_score"],
                    "profile": row["profile_status_at_start"],
                }
                for row in seen
                if row["ato_risk_level"] not in ALERT_LEVELS
            ][:20],
        }
    planted_users = {str(label.details.get("user_id")) for label in labels}
    normal = UserSession.objects.exclude(session_id__in=planted)
    normal_count = normal.count()
    normal_alerted = normal.filter(ato_risk_level__in=ALERT_LEVELS)
    normal_alerts = AtoAlert.objects.exclude(session_id__in=planted)
    signals = Counter(
        signal["signal"]
        for alert_signals in normal_alerts.values_list("signals", flat=True)
        for signal in alert_signals
    )
    examples = list(
        normal_alerts.order_by("id").values("session_id", "user_id", "risk_level", "trigger", "signals")[:15]
    )
    return {
        "scenarios": per_scenario,
        "normal_sessions": normal_count,
        "normal_sessions_at_alert_level": normal_alerted.count(),
        "normal_sessions_at_alert_level_per_1000": round(1000 * normal_alerted.count() / max(normal_count, 1), 3),
        "normal_ato_levels": dict(Counter(normal.values_list("ato_risk_level", flat=True))),
        "normal_anomaly_classes": dict(Counter(normal.values_list("anomaly_class", flat=True))),
        "false_alerts": normal_alerts.count(),
        "false_alerts_per_1000_sessions": round(1000 * normal_alerts.count() / max(normal_count, 1), 3),
        "false_alerts_on_customers_no_scenario_touched": normal_alerts.exclude(user_id__in=planted_users).count(),
        "users_with_a_false_alert": normal_alerts.values("user_id").distinct().count(),
        "signals_in_false_alerts": dict(signals.most_common()),
        "false_alert_examples": examples,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        "| scenario | label | planted sessions | reached alert level | rate | first alert at |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in result["scenarios"].items():
        lines.append(
            f"| {name} | {row['label']} | {row['sessions']} | {row['reached_alert_level']} | {row['rate']} | "
            f"{row['first_alert_trigger']} |"
        )
    lines += [
        "",
        f"normal sessions: {result['normal_sessions']}; ATO levels {result['normal_ato_levels']}",
        f"anomaly classes: {result['normal_anomaly_classes']}",
        f"normal sessions at alert level: {result['normal_sessions_at_alert_level']} "
        f"({result['normal_sessions_at_alert_level_per_1000']} per 1,000)",
        f"false alerts opened: {result['false_alerts']} ({result['false_alerts_per_1000_sessions']} per 1,000 "
        f"sessions; {result['users_with_a_false_alert']} customers); on customers no scenario touched: "
        f"{result['false_alerts_on_customers_no_scenario_touched']}",
        f"signals in false alerts: {result['signals_in_false_alerts']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--circles", type=int, default=60)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--start", default="2026-06-01")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--every-hours", type=float, default=3.0, help="Hours between two plantings.")
    parser.add_argument("--database", default="lakay_bench_behavior")
    args = parser.parse_args()

    setup(args.database)
    reset()
    started = time.perf_counter()
    run_id, events = simulate(args)
    print(f"simulated {len(events):,} user/security events in {time.perf_counter() - started:.0f} s (run {run_id})")
    seconds, cpu = feed(events)
    load = os.getloadavg()[0]
    print(
        f"handled them in {seconds:.0f} s wall ({len(events) / seconds:.0f} events/s; load average {load:.1f}), "
        f"{cpu:.0f} s of this process's CPU ({1000 * cpu / len(events):.2f} ms per event)",
        flush=True,
    )
    result = measure(run_id)
    result["parameters"] = {
        **vars(args),
        "run_id": run_id,
        "events": len(events),
        "feed_seconds": round(seconds, 1),
        "feed_cpu_seconds": round(cpu, 1),
        "load_average": round(load, 1),
    }
    print(report(result))
    out = ROOT / "var" / "bench" / "behavior_detection.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
