"""Detection quality of circle health on the simulator's labelled circle scenarios, among normal circles.

    .venv/bin/python benchmarks/circle_detection.py --users 1500 --circles 120 --days 240 --seed 5 --every-days 2

1. Simulates a backfill: ``--users`` customers running about ``--circles`` ordinary circles at a time
   (the simulator's normal habits: ~8 % late, ~2.5 % missed, rare drops) for ``--days``, with the circle
   scenarios planted round-robin every ``--every-days`` (colluding_circle, circle_exit_scam,
   steady_circle and the simulator's healthy_circle; ground truth in the labels, never in the events).
2. Feeds the circle events and the circles' transactions, in event-time order, to the circles handlers
   (the consumer's code), and runs the scoring sweep after every simulated ``--sweep-hours`` — what the
   beat sweep does live — so each circle gets a health history like in production.
3. Reports per scenario: planted, flagged (classified at-risk/critical at some point after the planted
   behaviour began), named (an anomaly or the coordination group naming the planted members), the cycles
   it took; and on the unlabelled normal circles: how many were ever flagged, and why.

Results also go to ``var/bench/circle_detection.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from circle_common import ROOT, CircleSink, feed, reset_circles, setup

SCENARIOS = ("colluding_circle", "circle_exit_scam", "steady_circle", "healthy_circle")
FLAGGED = ("at-risk", "critical")


def simulate(args: argparse.Namespace) -> CircleSink:
    from apps.pipeline.simulator.service import SimulationOptions, run_simulation

    sink = CircleSink()
    options = SimulationOptions(
        mode="backfill",
        seed=args.seed,
        users=args.users,
        circles=args.circles,
        start=date.fromisoformat(args.start),
        days=args.days,
        scenarios=list(SCENARIOS),
        scenario_every=args.every_days * 86400,
    )
    run_simulation(options, sink)
    return sink


def replay(sink: CircleSink, sweep_hours: float) -> dict[str, float]:
    """Feed events in time order; sweep every ``sweep_hours`` of event time. Returns timings."""
    from apps.circles.services.scoring import circles_score_pending

    events = sorted(sink.events, key=lambda envelope: envelope["timestamp"])
    window = timedelta(hours=sweep_hours)
    feeding = scoring = 0.0
    scored = 0
    next_sweep: datetime | None = None
    chunk: list[dict[str, Any]] = []

    def sweep() -> None:
        nonlocal scoring, scored
        started = time.perf_counter()
        while batch := circles_score_pending(limit=1000, debounce_seconds=0):
            scored += batch
        scoring += time.perf_counter() - started

    for envelope in events:
        at = datetime.fromisoformat(envelope["timestamp"])
        if next_sweep is None:
            next_sweep = at + window
        if at >= next_sweep:
            started = time.perf_counter()
            feed(chunk)
            feeding += time.perf_counter() - started
            chunk = []
            sweep()
            while next_sweep <= at:
                next_sweep += window
        chunk.append(envelope)
    started = time.perf_counter()
    feed(chunk)
    feeding += time.perf_counter() - started
    sweep()
    return {
        "events": len(events),
        "feed_seconds": round(feeding, 1),
        "events_per_second": round(len(events) / feeding, 1) if feeding else 0.0,
        "recomputes": scored,
        "scoring_seconds": round(scoring, 1),
        "recomputes_per_second": round(scored / scoring, 1) if scoring else 0.0,
    }


def history_of(circle_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    from apps.circles.models import CircleHealth

    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        CircleHealth.objects.filter(circle__circle_id__in=circle_ids)
        .select_related("circle")
        .prefetch_related("anomalies")
        .order_by("as_of", "id")
    )
    for health in rows.iterator(chunk_size=2000):
        history[health.circle.circle_id].append(
            {
                "as_of": health.as_of,
                "cycle": health.cycle_number,
                "tier": health.tier,
                "score": health.health_score,
                "coordinated_members": health.inputs.get("coordinated_members", []),
                "coordination": health.inputs.get("coordinated_behavior_score", 0.0),
                "anomalies": [
                    (anomaly.anomaly_type, anomaly.severity, list(anomaly.affected_members))
                    for anomaly in health.anomalies.all()
                ],
            }
        )
    return history


def _first(rows: list[dict[str, Any]], since: datetime | None, test: Any) -> dict[str, Any] | None:
    for row in rows:
        if (since is None or row["as_of"] >= since) and test(row):
            return row
    return None


def evaluate(sink: CircleSink) -> dict[str, Any]:
    from apps.circles.models import Circle

    labels = {label["entity_id"]: label for label in sink.labels if label["entity_type"] == "circle"}
    trigger_time = {envelope["event_id"]: datetime.fromisoformat(envelope["timestamp"]) for envelope in sink.events}
    all_ids = list(Circle.objects.values_list("circle_id", flat=True))
    history = history_of(all_ids)
    per_scenario: dict[str, Counter[str]] = defaultdict(Counter)
    delays: dict[str, list[int]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    for circle_id, label in labels.items():
        scenario, rows = label["scenario"], history.get(circle_id, [])
        counts = per_scenario[scenario]
        counts["planted"] += 1
        since = trigger_time.get(label.get("event_id") or "")
        details = label["details"]
        if label["label"] == "no_alert":
            flagged = _first(rows, None, lambda row: row["tier"] in FLAGGED)
            loud = _first(rows, None, lambda row: any(sev in ("medium", "high") for _t, sev, _m in row["anomalies"]))
            counts["false_flag"] += bool(flagged)
            counts["medium_high_anomaly"] += bool(loud)
            if flagged:
                misses[scenario].append(circle_id)
            continue
        if label["label"] == "collusion":
            planted = set(details["colluders"])

            def names(row: dict[str, Any], planted: set[str] = planted) -> bool:
                named = set(row["coordinated_members"])
                for kind, _severity, members in row["anomalies"]:
                    if kind == "coordinated_late":
                        named |= set(members)
                return len(named & planted) >= 2
        else:
            planted = {details["scammer"]}

            def names(row: dict[str, Any], planted: set[str] = planted) -> bool:
                return any(
                    kind in ("post_payout_disengagement", "free_rider") and planted & set(members)
                    for kind, _severity, members in row["anomalies"]
                )

        flagged = _first(rows, since, lambda row: row["tier"] in FLAGGED)
        named = _first(rows, since, names)
        both = _first(rows, since, lambda row, names=names: row["tier"] in FLAGGED and names(row))
        counts["flagged"] += bool(flagged)
        counts["named"] += bool(named)
        counts["detected"] += bool(both)
        start_cycle = min(details.get("cycles", [0])) if label["label"] == "collusion" else details.get("payout_cycle")
        if both and start_cycle:
            delays[scenario].append(both["cycle"] - start_cycle)
        if not both:
            misses[scenario].append(circle_id)
    normal = [circle_id for circle_id in all_ids if circle_id not in labels]
    normal_report = _normal_circles(normal, history)
    return {
        "scenarios": {
            scenario: {
                **dict(counts),
                "cycles_to_detect": sorted(delays.get(scenario, [])),
                "missed_or_flagged_ids": misses.get(scenario, [])[:10],
            }
            for scenario, counts in per_scenario.items()
        },
        "normal_circles": normal_report,
    }


def _normal_circles(circle_ids: list[str], history: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    from apps.circles.models import Circle, CircleMember, CircleMissedContribution

    with_miss = set(CircleMissedContribution.objects.values_list("circle__circle_id", flat=True).distinct())
    with_drop = set(
        CircleMember.objects.filter(status="dropped").values_list("circle__circle_id", flat=True).distinct()
    )
    failed = set(Circle.objects.filter(status="failed").values_list("circle_id", flat=True))
    scored = [circle_id for circle_id in circle_ids if history.get(circle_id)]
    ever: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    anomaly_kinds: Counter[str] = Counter()
    final: Counter[str] = Counter()
    for circle_id in scored:
        rows = history[circle_id]
        final[rows[-1]["tier"]] += 1
        worst = "healthy"
        for row in rows:
            if row["tier"] == "critical" or (row["tier"] == "at-risk" and worst == "healthy"):
                worst = row["tier"]
            for kind, severity, _members in row["anomalies"]:
                if severity in ("medium", "high"):
                    anomaly_kinds[f"{kind}:{severity}"] += 1
        ever[worst] += 1
        if worst != "healthy":
            if circle_id in failed:
                reasons["circle failed"] += 1
            elif circle_id in with_drop:
                reasons["a member dropped"] += 1
            elif circle_id in with_miss:
                reasons["a contribution was missed"] += 1
            else:
                reasons["late payments only"] += 1
    clean = [c for c in scored if c not in with_miss and c not in with_drop and c not in failed]
    clean_flagged = sum(1 for c in clean if any(row["tier"] in FLAGGED for row in history[c]))
    return {
        "circles": len(scored),
        "ever_worst_tier": dict(ever),
        "final_tier": dict(final),
        "flagged_because": dict(reasons),
        "without_miss_drop_or_failure": len(clean),
        "of_which_ever_flagged": clean_flagged,
        "medium_high_anomalies_by_kind": dict(anomaly_kinds.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="lakay_bench_circles")
    parser.add_argument("--users", type=int, default=1500)
    parser.add_argument("--circles", type=int, default=120)
    parser.add_argument("--days", type=float, default=240)
    parser.add_argument("--start", default="2025-01-06")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--every-days", type=float, default=2.0)
    parser.add_argument("--sweep-hours", type=float, default=24.0)
    args = parser.parse_args()

    setup(args.database)
    reset_circles()
    started = time.perf_counter()
    sink = simulate(args)
    simulated = time.perf_counter() - started
    print(f"simulated {sink.produced} events in {simulated:.0f}s; {len(sink.events)} circle events kept", flush=True)
    timings = replay(sink, args.sweep_hours)
    print(f"replayed: {timings}", flush=True)
    report = {
        "parameters": vars(args),
        "simulated_events": sink.produced,
        "replay": timings,
        **evaluate(sink),
        "measured_on": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = ROOT / "var" / "bench" / "circle_detection.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({key: report[key] for key in ("scenarios", "normal_circles")}, indent=2, default=str))


if __name__ == "__main__":
    main()
