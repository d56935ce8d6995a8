"""Haversine distance, travel speed by event time, and the impossible-travel rule at its boundaries."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.scoring.geo import Travel, haversine_km, is_impossible, travel_between

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_haversine_of_known_city_pairs():
    assert haversine_km(42.3601, -71.0589, 42.3601, -71.0589) == 0.0
    # Boston → Port-au-Prince, ~2,640 km; New York → Lagos agrees with the spherical law of cosines.
    assert haversine_km(42.3601, -71.0589, 18.5944, -72.3074) == pytest.approx(2641, abs=5)
    lat1, lon1, lat2, lon2 = map(math.radians, (40.7128, -74.0060, 6.5244, 3.3792))
    cosines = (
        math.acos(math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)) * 6371.0088
    )
    assert haversine_km(40.7128, -74.0060, 6.5244, 3.3792) == pytest.approx(cosines, rel=1e-9)
    # A quarter of the meridian.
    assert haversine_km(0, 0, 90, 0) == pytest.approx(math.pi * 6371.0088 / 2, rel=1e-9)


def test_travel_speed_uses_the_time_between_the_two_events():
    travel = travel_between((42.3601, -71.0589, T0), (18.5944, -72.3074, T0 + timedelta(hours=4)))

    assert travel.hours == 4
    assert travel.speed_kmh == pytest.approx(travel.distance_km / 4)


def test_same_moment_in_two_places_is_infinitely_fast_and_same_place_is_still():
    assert travel_between((0, 0, T0), (1, 1, T0)).speed_kmh == math.inf
    assert travel_between((0, 0, T0), (0, 0, T0)).speed_kmh == 0.0


@pytest.mark.parametrize(
    ("distance", "speed", "impossible"),
    [
        (501, 901, True),
        (500, 901, False),  # not farther than the geolocation-error distance
        (501, 900, False),  # not faster than the limit
        (2641, math.inf, True),
    ],
)
def test_impossible_needs_both_distance_and_speed_above_their_limits(distance, speed, impossible):
    travel = Travel(distance_km=distance, hours=1, speed_kmh=speed)
    assert is_impossible(travel, max_speed_kmh=900, min_distance_km=500) is impossible


def test_no_previous_location_is_never_impossible():
    assert is_impossible(None, max_speed_kmh=900, min_distance_km=500) is False
