"""Session anomaly: five dimensions (0-1 each), a weighted composite, a class and a response.

| dimension   | what raises it |
|-------------|----------------|
| temporal    | an hour the user is rarely active (z from the hour's share of the busiest hour) |
| device      | a device never seen for the user (+ a platform never seen); softened for device-hoppers |
| geographic  | a place never seen; corridor travel (US↔HT) weighs less; impossible travel ≥ 0.9 |
| behavioral  | duration or action count far from the user's, several sensitive actions, bot-like speed |
| engagement  | a long absence, mostly features the user never used |

Composite = Σ weight x dimension, x 0.6 while building, x 0.8 when stale (both configurable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from apps.behavior.choices import AnomalyClass, ProfileStatus, SessionAction
from apps.behavior.scoring.geo import Travel, is_impossible
from apps.behavior.scoring.profile import ScoringView, location_key

UNKNOWN_DEVICE_SCORE = 0.5
NEW_PLATFORM_BONUS = 0.3
DEVICE_HOPPER_FACTOR = 0.6
DEVICE_HOPPER_MIN_DEVICES = 3  # more than this many other devices in 30 days
NEW_CITY_KNOWN_COUNTRY = 0.2
NEW_COUNTRY = 0.4
CORRIDOR_FACTOR = 0.6
LEAVING_CORRIDOR = 0.7
IMPOSSIBLE_TRAVEL_GEO = 0.9
DURATION_Z_LIMIT = 2.5
DURATION_CAP = 0.4
ACTIONS_CAP = 0.3
SENSITIVE_STEP = 0.2
SENSITIVE_CAP = 0.8
BOT_ACTIONS_PER_SECOND = 3.0
BOT_SCORE = 0.7
LONG_ABSENCE_DAYS = 30
ABSENCE_DAYS = 14
LONG_ABSENCE_SCORE = 0.6
ABSENCE_SCORE = 0.3
UNFAMILIAR_FEATURES_SHARE = 0.5
UNFAMILIAR_FEATURES_SCORE = 0.4


@dataclass(frozen=True)
class SessionFacts:
    """What is known about one session at the moment it is scored."""

    started_at: datetime
    device_id: str = ""
    device_type: str = ""
    is_new_device: bool | None = None  # None: no device information
    other_devices_30d: int = 0
    country: str = ""
    city: str = ""
    travel: Travel | None = None
    duration_seconds: float | None = None
    actions_count: int = 0
    sensitive_count: int = 0
    action_types: tuple[str, ...] = ()
    in_progress: bool = False  # not ended yet: only longer/busier than usual counts


@dataclass(frozen=True)
class AnomalyParameters:
    weights: dict[str, float]
    building_multiplier: float
    stale_multiplier: float
    suspicious_threshold: float
    high_risk_threshold: float
    critical_threshold: float
    corridor_countries: frozenset[str]
    impossible_travel_speed_kmh: float
    impossible_travel_min_km: float


@dataclass(frozen=True)
class AnomalyResult:
    score: float
    anomaly_class: str
    recommended_action: str
    dimensions: dict[str, float]
    profile_status: str
    multiplier: float
    reasons: list[str] = field(default_factory=list)


def z_to_score(z: float) -> float:
    """Piecewise map of a deviation z to 0-1: ≤1 → 0, 1-2 → 0-0.5, 2-3 → 0.5-1, >3 → 1."""
    if z <= 1:
        return 0.0
    if z <= 2:
        return (z - 1) * 0.5
    if z <= 3:
        return 0.5 + (z - 2) * 0.5
    return 1.0


def temporal_score(hour: int, shares: tuple[float, ...] | list[float]) -> float:
    """How unusual ``hour`` is: z = (1 - share/busiest share) x 3, neighbour hours count half."""
    if not shares or max(shares) <= 0:
        return 0.0
    size = len(shares)
    share = max(shares[hour], 0.5 * shares[(hour - 1) % size], 0.5 * shares[(hour + 1) % size])
    return z_to_score((1 - share / max(shares)) * 3)


def device_score(facts: SessionFacts, view: ScoringView) -> float:
    if not facts.device_id or facts.is_new_device is not True or view.maturity == 0:
        return 0.0
    score = UNKNOWN_DEVICE_SCORE
    if facts.device_type and view.device_platforms and facts.device_type not in view.device_platforms:
        score += NEW_PLATFORM_BONUS
    if facts.other_devices_30d > DEVICE_HOPPER_MIN_DEVICES:
        score *= DEVICE_HOPPER_FACTOR
    return min(score, 1.0)


def is_new_location(country: str, city: str, view: ScoringView) -> bool | None:
    """None when the place or the history is unknown."""
    if not country or view.maturity == 0:
        return None
    return location_key(country, city) not in view.known_locations


def geographic_score(facts: SessionFacts, view: ScoringView, params: AnomalyParameters) -> float:
    score = 0.0
    if facts.country and view.maturity > 0 and location_key(facts.country, facts.city) not in view.known_locations:
        country = facts.country.upper()
        corridor = params.corridor_countries
        if country in view.known_countries:
            score = NEW_CITY_KNOWN_COUNTRY
        elif country in corridor and view.known_countries & corridor:
            score = NEW_COUNTRY * CORRIDOR_FACTOR
        elif view.known_countries and view.known_countries <= corridor:
            score = LEAVING_CORRIDOR
        else:
            score = NEW_COUNTRY
    if is_impossible(
        facts.travel, max_speed_kmh=params.impossible_travel_speed_kmh, min_distance_km=params.impossible_travel_min_km
    ):
        score = max(score, IMPOSSIBLE_TRAVEL_GEO)
    return score


def _z(value: float, mean: float, spread: float, *, one_sided: bool) -> float:
    deviation = value - mean if one_sided else abs(value - mean)
    return max(deviation, 0.0) / spread


def behavioral_score(facts: SessionFacts, view: ScoringView) -> float:
    parts = [0.0]
    duration = facts.duration_seconds
    if view.maturity > 0:
        if duration is not None:
            z = _z(duration, view.avg_duration, view.spread_duration, one_sided=facts.in_progress)
            if z > DURATION_Z_LIMIT:
                parts.append(min(z / 5, 1.0) * DURATION_CAP)
        z = _z(facts.actions_count, view.avg_actions, view.spread_actions, one_sided=facts.in_progress)
        if z > DURATION_Z_LIMIT:
            parts.append(min(z / 5, 1.0) * ACTIONS_CAP)
    if facts.sensitive_count >= 2:
        parts.append(min(SENSITIVE_STEP * facts.sensitive_count, SENSITIVE_CAP))
    if (
        facts.actions_count
        and duration is not None
        and facts.actions_count / max(duration, 1.0) > BOT_ACTIONS_PER_SECOND
    ):
        parts.append(BOT_SCORE)
    return max(parts)


def engagement_score(facts: SessionFacts, view: ScoringView) -> float:
    if view.maturity == 0:
        return 0.0
    parts = [0.0]
    if view.days_inactive >= LONG_ABSENCE_DAYS:
        parts.append(LONG_ABSENCE_SCORE)
    elif view.days_inactive >= ABSENCE_DAYS:
        parts.append(ABSENCE_SCORE)
    if facts.action_types and view.known_features:
        unfamiliar = sum(1 for action in facts.action_types if action not in view.known_features)
        if unfamiliar / len(facts.action_types) > UNFAMILIAR_FEATURES_SHARE:
            parts.append(UNFAMILIAR_FEATURES_SCORE)
    return max(parts)


def classify(score: float, params: AnomalyParameters) -> tuple[str, str]:
    if score >= params.critical_threshold:
        return AnomalyClass.CRITICAL, SessionAction.TERMINATE
    if score >= params.high_risk_threshold:
        return AnomalyClass.HIGH_RISK, SessionAction.CHALLENGE
    if score >= params.suspicious_threshold:
        return AnomalyClass.SUSPICIOUS, SessionAction.MONITOR
    return AnomalyClass.NORMAL, SessionAction.NONE


def score_session(facts: SessionFacts, view: ScoringView, params: AnomalyParameters) -> AnomalyResult:
    dimensions = {
        "temporal": temporal_score(facts.started_at.hour, view.hour_shares) if view.maturity else 0.0,
        "device": device_score(facts, view),
        "geographic": geographic_score(facts, view, params),
        "behavioral": behavioral_score(facts, view),
        "engagement": engagement_score(facts, view),
    }
    dimensions = {name: round(value, 4) for name, value in dimensions.items()}
    raw = sum(params.weights[name] * value for name, value in dimensions.items())
    if view.status == ProfileStatus.STALE:
        multiplier = params.stale_multiplier
    elif view.status == ProfileStatus.BUILDING:
        multiplier = params.building_multiplier
    else:
        multiplier = 1.0
    score = round(min(max(raw * multiplier, 0.0), 1.0), 4)
    anomaly_class, action = classify(score, params)
    reasons = [name for name, value in dimensions.items() if value > 0]
    return AnomalyResult(
        score=score,
        anomaly_class=anomaly_class,
        recommended_action=action,
        dimensions=dimensions,
        profile_status=view.status,
        multiplier=multiplier,
        reasons=reasons,
    )
