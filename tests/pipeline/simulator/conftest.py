"""Fixtures for the simulator: small backfills into memory, and a recorder over a ready-made world."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from apps.pipeline.simulator.formats import instant
from apps.pipeline.simulator.ids import IdSource
from apps.pipeline.simulator.runtime import Envelope, EventFactory, Market, Recorder
from apps.pipeline.simulator.service import Progress, SimulationOptions, run_simulation
from apps.pipeline.simulator.sinks import MemorySink
from apps.pipeline.simulator.world import build_world

PERIOD_START = date(2026, 5, 1)
# The Kafka message key of each topic: its main entity (exchange rates: their pair).
KEY_FIELDS = {
    "trebanx.circle.events": "circle_id",
    "trebanx.transaction.events": "user_id",
    "trebanx.user.events": "user_id",
    "trebanx.remittance.events": "sender_id",
    "trebanx.security.events": "user_id",
}


def backfill_options(**overrides: Any) -> SimulationOptions:
    values: dict[str, Any] = {
        "mode": "backfill",
        "seed": 11,
        "users": 60,
        "circles": 8,
        "start": PERIOD_START,
        "days": 90,
    }
    values.update(overrides)
    return SimulationOptions(**values)


@pytest.fixture
def backfill() -> Callable[..., tuple[Progress, MemorySink]]:
    """``backfill(days=10, scenarios=[...])`` → (final progress, memory sink)."""

    def run(**overrides: Any) -> tuple[Progress, MemorySink]:
        sink = MemorySink()
        return run_simulation(backfill_options(**overrides), sink), sink

    return run


@pytest.fixture
def recorder() -> Recorder:
    """A recorder over a world of 40 active customers, its clock at the start of the period."""
    rng = random.Random(3)
    ids = IdSource(rng)
    world = build_world(rng, ids, users=40, active=True)
    sim = Recorder(rng=rng, ids=ids, world=world, market=Market(), factory=EventFactory(ids))
    sim.set_now(instant(PERIOD_START))
    return sim


def of_type(events: list[Envelope], event_type: str) -> list[Envelope]:
    return [event for event in events if event["event_type"] == event_type]
