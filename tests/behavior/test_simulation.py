"""The behaviour scenarios plant what their labels say (benchmarks/behavior_detection.py relies on it)."""

from __future__ import annotations

import pytest

from apps.behavior.scoring.geo import haversine_km
from apps.pipeline.simulator.models import SimulationLabel
from apps.pipeline.simulator.traffic import sessions as session_traffic
from tests.pipeline.simulator.conftest import backfill  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def test_impossible_travel_starts_at_home_even_when_customers_travel_a_lot(backfill, monkeypatch):  # noqa: F811
    """A customer on a trip (in Haiti, say) opened the "home" session there, and the planted far session in
    another Haitian city was 58-125 km away: labelled impossible travel, and rightly not detected."""
    monkeypatch.setattr(session_traffic, "TRIP_RATE", 0.5)
    progress, sink = backfill(days=20, users=40, scenarios=["ato_impossible_travel"], scenario_every=6 * 3600.0)

    labels = list(SimulationLabel.objects.filter(run_id=progress.run_id, scenario="ato_impossible_travel"))
    starts = sorted(
        (event for event in sink.events if event["event_type"] == "session-started"),
        key=lambda event: event["timestamp"],
    )
    assert len(labels) >= 40
    for label in labels:
        mine = [event for event in starts if event["payload"]["user_id"] == label.details["user_id"]]
        index = next(i for i, event in enumerate(mine) if event["payload"]["session_id"] == label.entity_id)
        far, home = mine[index]["payload"]["geo_location"], mine[index - 1]["payload"]["geo_location"]
        distance = haversine_km(home["latitude"], home["longitude"], far["latitude"], far["longitude"])
        assert distance > 500, (label.entity_id, home["city"], far["city"])
