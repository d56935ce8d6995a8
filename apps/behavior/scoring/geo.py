"""Distances and travel speed between two located moments."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class Travel:
    distance_km: float
    hours: float
    speed_kmh: float  # math.inf when the two moments coincide but the places differ


def travel_between(previous: tuple[float, float, datetime], current: tuple[float, float, datetime]) -> Travel:
    """Distance and speed from ``previous`` (lat, lon, when) to ``current``, by event time."""
    distance = haversine_km(previous[0], previous[1], current[0], current[1])
    hours = abs((current[2] - previous[2]).total_seconds()) / 3600
    speed = (math.inf if distance > 0 else 0.0) if hours == 0 else distance / hours
    return Travel(distance_km=distance, hours=hours, speed_kmh=speed)


def is_impossible(travel: Travel | None, *, max_speed_kmh: float, min_distance_km: float) -> bool:
    """Too far, too fast: farther than ``min_distance_km`` (beyond geolocation error) above ``max_speed_kmh``."""
    if travel is None:
        return False
    return travel.distance_km > min_distance_km and travel.speed_kmh > max_speed_kmh
