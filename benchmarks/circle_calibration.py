"""What-if calibration of circle health parameters on a replayed detection run (no database writes).

    .venv/bin/python benchmarks/circle_calibration.py --variant reference --variant "trend_threshold=10"

Reads the projections that ``benchmarks/circle_detection.py`` left in its database and the simulator's
labels, rebuilds every circle's facts as they stood at the end of each day it had a new fact (what the
daily sweep of the replay saw), evaluates them with the pure engine under each parameter variant, and
reports the same figures as the detection benchmark: planted circles flagged and named, steady/healthy
circles falsely flagged, normal circles ever flagged. A variant is ``name=value,...`` over
``ScoringParameters`` fields (``reference`` = the defaults).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from circle_common import ROOT, setup

FLAGGED = ("at-risk", "critical")


def load_facts() -> dict[str, Any]:
    from apps.circles.models import Circle
    from apps.circles.services.scoring import circle_facts

    circles = {}
    for circle in Circle.objects.all().order_by("circle_id"):
        circles[circle.circle_id] = (circle, circle_facts(circle))
    return circles


def facts_at(circle: Any, facts: Any, moment: datetime) -> Any:
    members = []
    for member in facts.members:
        if member.joined_at is not None and member.joined_at > moment:
            continue
        if member.dropped_at is not None and member.dropped_at > moment:
            member = replace(member, dropped_at=None, drop_reason="", payments_made=None, payments_owed=None)
        members.append(member)
    ended = circle.ended_at is not None and circle.ended_at <= moment
    return replace(
        facts,
        members=tuple(members),
        contributions=tuple(f for f in facts.contributions if f.paid_at <= moment),
        misses=tuple(f for f in facts.misses if f.recorded_at <= moment),
        payouts=tuple(f for f in facts.payouts if f.executed_at <= moment),
        as_of=moment,
        is_closed=ended,
        status=circle.status if ended else "active",
    )


def moments(facts: Any) -> list[datetime]:
    times = [f.paid_at for f in facts.contributions] + [f.recorded_at for f in facts.misses]
    times += [f.executed_at for f in facts.payouts] + [m.dropped_at for m in facts.members if m.dropped_at]
    days = sorted({t.replace(hour=23, minute=59, second=59, microsecond=0) for t in times})
    return days


def evaluate_variant(circles: dict[str, Any], labels: dict[str, Any], params: Any) -> dict[str, Any]:
    from apps.circles.health.engine import evaluate

    per_scenario: dict[str, Counter[str]] = defaultdict(Counter)
    normal: Counter[str] = Counter()
    first_reason: Counter[str] = Counter()
    for circle_id, (circle, facts) in circles.items():
        label = labels.get(circle_id)
        rows = []
        for moment in moments(facts):
            result = evaluate(facts_at(circle, facts, moment), params)
            rows.append((moment, result))
        flagged = [(m, r) for m, r in rows if r.classification.tier in FLAGGED]
        if label is None:
            normal["circles"] += 1
            normal["ever_flagged"] += bool(flagged)
            normal["final_flagged"] += bool(rows and rows[-1][1].classification.tier in FLAGGED)
            if flagged:
                result = flagged[0][1]
                if result.score_tier in FLAGGED:
                    first_reason["score below healthy"] += 1
                elif any(a.severity in ("medium", "high") for a in result.anomalies):
                    kinds = sorted({a.anomaly_type for a in result.anomalies if a.severity in ("medium", "high")})
                    first_reason[f"anomaly {'+'.join(kinds)}"] += 1
                else:
                    first_reason["deteriorating trend"] += 1
            continue
        counts = per_scenario[label["scenario"]]
        counts["planted"] += 1
        if label["label"] == "no_alert":
            counts["false_flag"] += bool(flagged)
            continue
        since = label["since"]
        planted = set(label["details"].get("colluders") or [label["details"].get("scammer")])
        hit = False
        for moment, result in rows:
            if since and moment < since:
                continue
            named = set(result.inputs.coordinated_members)
            for anomaly in result.anomalies:
                if anomaly.anomaly_type in ("coordinated_late", "post_payout_disengagement", "free_rider"):
                    named |= set(anomaly.affected_members)
            need = 2 if label["label"] == "collusion" else 1
            if result.classification.tier in FLAGGED and len(named & planted) >= need:
                hit = True
                break
        counts["detected"] += hit
    return {
        "scenarios": {name: dict(counts) for name, counts in per_scenario.items()},
        "normal": dict(normal),
        "normal_first_flag_reason": dict(first_reason.most_common()),
    }


def parse_variant(text: str, base: Any) -> Any:
    if text == "reference":
        return base
    changes: dict[str, Any] = {}
    for item in text.split(","):
        key, value = item.split("=")
        current = getattr(base, key.strip())
        if isinstance(current, bool):
            changes[key.strip()] = value.strip().lower() in ("1", "true", "yes")
        else:
            changes[key.strip()] = type(current)(value)
    return replace(base, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="lakay_bench_circles")
    parser.add_argument("--variant", action="append", default=[])
    args = parser.parse_args()
    setup(args.database)
    from apps.circles.config import DEFAULT_WEIGHTS, ScoringParameters
    from apps.pipeline.simulator.models import SimulationLabel

    circles = load_facts()
    trigger_times: dict[str, datetime] = {}
    labels: dict[str, Any] = {}
    for label in SimulationLabel.objects.filter(entity_type="circle").order_by("id"):
        labels[label.entity_id] = {
            "scenario": label.scenario,
            "label": label.label,
            "details": label.details,
            "since": None,
            "event_id": label.event_id,
        }
    from apps.pipeline.spine.models import RawEvent  # noqa: F401  (events were fed without RawEvent)

    for circle_id, label in labels.items():
        if circle_id in circles and label["label"] != "no_alert":
            _circle, facts = circles[circle_id]
            details = label["details"]
            if label["label"] == "collusion":
                first = min(details["cycles"])
                times = [f.paid_at for f in facts.contributions if f.cycle_number == first]
            else:
                times = [m.dropped_at for m in facts.members if m.user_id == details["scammer"] and m.dropped_at]
                times += [f.recorded_at for f in facts.misses if f.user_id == details["scammer"]]
            label["since"] = min(times) - timedelta(days=1) if times else None
            trigger_times[circle_id] = label["since"]
    base = ScoringParameters(weights=DEFAULT_WEIGHTS)
    report = {}
    for text in args.variant or ["reference"]:
        report[text] = evaluate_variant(circles, labels, parse_variant(text, base))
        print(text, json.dumps(report[text]), flush=True)
    out = ROOT / "var" / "bench" / "circle_calibration.json"
    out.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
