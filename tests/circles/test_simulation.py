"""The circle scenarios: what they plant, their labels (outside the events), and what scoring concludes."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pytest

from apps.circles.models import Circle, CircleAnomaly
from apps.circles.services.scoring import circles_score_pending
from apps.pipeline.simulator import get_scenario
from apps.pipeline.simulator.service import SimulationOptions, run_simulation
from apps.pipeline.simulator.sinks import MemorySink
from apps.pipeline.spine.contracts import get_registry
from apps.pipeline.spine.ingest import InboundMessage, ingest_batch
from apps.serving.config.selectors import invalidate_local

pytestmark = pytest.mark.django_db

SCENARIOS = ["colluding_circle", "circle_exit_scam", "steady_circle"]


@pytest.fixture(autouse=True)
def _fresh_config():
    invalidate_local()
    yield
    invalidate_local()


def simulate(seed: int, scenarios: list[str]) -> MemorySink:
    sink = MemorySink()
    options = SimulationOptions(
        mode="backfill", seed=seed, users=120, circles=0, start=date(2025, 1, 6), days=4, scenarios=scenarios
    )
    run_simulation(options, sink)
    return sink


def ingest(events: list[dict]) -> None:
    """The circle topic and the circles' transactions, in event-time order, through the spine."""
    topics = get_registry().topic_of_type
    wanted = [e for e in events if topics[e["event_type"]] in ("trebanx.circle.events", "trebanx.transaction.events")]
    ordered = sorted(wanted, key=lambda event: event["timestamp"])
    for start in range(0, len(ordered), 500):
        batch = [
            InboundMessage(topics[event["event_type"]], json.dumps(event).encode())
            for event in ordered[start : start + 500]
        ]
        result = ingest_batch(batch)
        assert result.dead_lettered == 0, [o.error for o in result.outcomes if o.status == "dead_lettered"]


def circle_events(sink: MemorySink, circle_id: str) -> list[dict]:
    return [e for e in sink.events if e["payload"].get("circle_id") == circle_id]


def test_the_scenarios_are_registered_with_descriptions():
    for name in SCENARIOS:
        assert get_scenario(name).description


def test_labels_stay_outside_the_events():
    sink = simulate(11, SCENARIOS)

    labels = {label["label"]: label for label in sink.labels}
    assert set(labels) == {"collusion", "exit_scam", "no_alert"}
    text = json.dumps(sink.events)
    for forbidden in ("collusion", "exit_scam", "no_alert", "colluding_circle", "circle_exit_scam", "steady_circle"):
        assert forbidden not in text


def test_colluders_are_late_together_in_the_labelled_cycles():
    sink = simulate(12, ["colluding_circle"])
    (label,) = sink.labels
    details = label["details"]

    late = defaultdict(set)
    for event in circle_events(sink, label["entity_id"]):
        if event["event_type"] == "circle-contribution-received" and event["payload"]["days_late"] >= 3:
            late[event["payload"]["cycle_number"]].add(event["payload"]["user_id"])

    for cycle in details["cycles"]:
        assert set(details["colluders"]) <= late[cycle]
    assert 3 <= len(details["colluders"]) <= 4


def test_the_scammer_takes_the_pot_then_leaves_or_stops_paying():
    sink = simulate(13, ["circle_exit_scam"])
    (label,) = sink.labels
    scammer = label["details"]["scammer"]
    events = circle_events(sink, label["entity_id"])

    payouts = [
        e for e in events if e["event_type"] == "circle-payout-executed" and e["payload"]["recipient_id"] == scammer
    ]
    drops = [e for e in events if e["event_type"] == "circle-member-dropped" and e["payload"]["user_id"] == scammer]
    assert len(payouts) == 1
    assert payouts[0]["payload"]["cycle_number"] in (1, 2)
    assert len(drops) == 1
    assert drops[0]["timestamp"] > payouts[0]["timestamp"]
    assert label["event_id"] == drops[0]["event_id"]


@pytest.mark.parametrize("seed", [21, 22])
def test_scoring_the_planted_circles_reaches_the_expected_conclusions(seed):
    sink = simulate(seed, SCENARIOS)
    ingest(sink.events)

    while circles_score_pending(limit=100, debounce_seconds=0):
        pass

    for label in sink.labels:
        circle = Circle.objects.get(circle_id=label["entity_id"])
        anomalies = CircleAnomaly.objects.filter(circle=circle)
        found = {(a.anomaly_type, a.severity) for a in anomalies}
        if label["label"] == "no_alert":
            assert circle.tier == "healthy", circle.latest_health.classification_reason
            assert not {severity for _kind, severity in found} & {"medium", "high"}
        elif label["label"] == "collusion":
            assert circle.latest_health.inputs["coordinated_behavior_score"] >= 0.7
            assert set(label["details"]["colluders"]) <= set(circle.latest_health.inputs["coordinated_members"])
        else:
            scammer = label["details"]["scammer"]
            assert circle.tier in ("at-risk", "critical"), circle.latest_health.classification_reason
            kinds = {a.anomaly_type for a in anomalies if scammer in a.affected_members}
            assert {"post_payout_disengagement", "free_rider"} <= kinds
