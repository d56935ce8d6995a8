"""Live mode: timestamps are the moment of emission (never ahead), paced to the rate asked for."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from apps.pipeline.simulator.service import SimulationOptions, run_simulation
from apps.pipeline.simulator.sinks import MemorySink
from apps.pipeline.spine.contracts import validate_inbound

pytestmark = pytest.mark.django_db


def test_live_mode_stamps_events_now_and_keeps_to_the_rate():
    sink = MemorySink()
    before = datetime.now(UTC)
    result = run_simulation(SimulationOptions(seed=5, rate=300, duration=3, users=80, circles=4), sink)
    after = datetime.now(UTC)

    assert 600 <= result.produced <= 1300  # 3 s at 300/s, plus at most a second's burst
    for topic, _, envelope in sink.messages:
        validate_inbound(envelope, topic=topic)
        stamp = datetime.fromisoformat(envelope["timestamp"])
        assert before - timedelta(seconds=1) <= stamp <= after
    assert {"trebanx.user.events", "trebanx.circle.events", "trebanx.remittance.events"} <= {
        topic for topic, count in result.by_topic.items() if count
    }


def test_live_mode_stops_when_asked(monkeypatch):
    sink = MemorySink()
    deadline = time.monotonic() + 1.0

    result = run_simulation(
        SimulationOptions(seed=5, rate=50, duration=0, users=20, circles=1),
        sink,
        should_stop=lambda: time.monotonic() > deadline,
    )

    assert 0 < result.produced < 150
    assert result.elapsed < 3
