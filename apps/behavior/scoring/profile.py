"""A user's behaviour baseline and how one session updates it (exponential moving averages).

The stored baseline is always the raw EMA state. Staleness never rewrites it: ``scoring_view`` widens
the tolerances of a stale baseline *when scoring* (once, at read time), which fixes the upstream defect
of applying the decay both when reading and when updating. Status is decided by event time.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from apps.behavior.choices import ProfileStatus
from apps.behavior.constants import (
    MAX_KNOWN_DEVICES,
    MAX_KNOWN_LOCATIONS,
    MIN_ACTIONS_SPREAD,
    MIN_DURATION_SPREAD_SECONDS,
)

HOURS = 24
WEEKDAYS = 7
SECONDS_PER_DAY = 86400.0
MAX_DECAY_FACTOR = 1.5
DECAY_SLOPE = 0.25  # +25 % tolerance per staleness period beyond the first
STALE_SHARE_BLEND = 0.8  # stale hour shares: 80 % the user's, 20 % uniform


def location_key(country: str, city: str) -> str:
    return f"{country.upper()}|{city.strip()}"


@dataclass
class Baseline:
    """The learnt habits of one user (mirrors the BehaviorProfile columns)."""

    status: str = ProfileStatus.BUILDING
    maturity: int = 0  # sessions learnt from
    active_days: int = 0  # distinct UTC days with a learnt session
    first_session_at: datetime | None = None
    last_session_at: datetime | None = None
    avg_duration: float = 0.0
    spread_duration: float = 0.0
    avg_actions: float = 0.0
    spread_actions: float = 0.0
    hour_shares: list[float] = field(default_factory=lambda: [0.0] * HOURS)
    weekday_shares: list[float] = field(default_factory=lambda: [0.0] * WEEKDAYS)
    avg_gap_hours: float | None = None
    device_counts: dict[str, int] = field(default_factory=dict)
    last_device_id: str = ""
    device_platforms: list[str] = field(default_factory=list)
    device_switch_rate: float = 0.0
    location_counts: dict[str, int] = field(default_factory=dict)
    feature_counts: dict[str, int] = field(default_factory=dict)
    feature_last_used: dict[str, str] = field(default_factory=dict)

    @property
    def primary_device_id(self) -> str:
        return max(self.device_counts.items(), key=lambda item: (item[1], item[0]))[0] if self.device_counts else ""

    @property
    def primary_location(self) -> tuple[str, str] | None:
        if not self.location_counts:
            return None
        key = max(self.location_counts.items(), key=lambda item: (item[1], item[0]))[0]
        country, city = key.split("|", 1)
        return country, city

    @property
    def known_countries(self) -> frozenset[str]:
        return frozenset(key.split("|", 1)[0] for key in self.location_counts)

    @property
    def sessions_per_week(self) -> float | None:
        if not self.avg_gap_hours:
            return None
        return 168.0 / max(self.avg_gap_hours, 0.1)


@dataclass(frozen=True)
class SessionObservation:
    """What one finished session tells about its user."""

    started_at: datetime
    duration_seconds: float
    actions_count: int
    device_id: str = ""
    device_type: str = ""
    country: str = ""
    city: str = ""
    action_types: tuple[str, ...] = ()


def days_between(earlier: datetime | None, later: datetime) -> float:
    if earlier is None:
        return 0.0
    return (later - earlier).total_seconds() / SECONDS_PER_DAY


def criteria_met(baseline: Baseline, *, min_sessions: int, min_days: int) -> bool:
    """Enough sessions on enough distinct days to trust the baseline (both checks, always)."""
    return baseline.maturity >= min_sessions and baseline.active_days >= min_days


def status_at(baseline: Baseline, at: datetime, *, staleness_days: int, min_sessions: int, min_days: int) -> str:
    """The status of ``baseline`` at event time ``at``."""
    if baseline.maturity > 0 and days_between(baseline.last_session_at, at) >= staleness_days:
        return ProfileStatus.STALE
    return (
        ProfileStatus.ACTIVE
        if criteria_met(baseline, min_sessions=min_sessions, min_days=min_days)
        else (ProfileStatus.BUILDING)
    )


def _ema(previous: float, value: float, alpha: float) -> float:
    return alpha * value + (1 - alpha) * previous


def _ema_shares(shares: list[float], observed: int, alpha: float) -> list[float]:
    return [_ema(share, 1.0 if index == observed else 0.0, alpha) for index, share in enumerate(shares)]


def _bump(counts: dict[str, int], key: str, limit: int) -> dict[str, int]:
    updated = dict(counts)
    updated[key] = updated.get(key, 0) + 1
    while len(updated) > limit:  # forget the rarest (never the one just seen)
        victim = min((item for item in updated.items() if item[0] != key), key=lambda item: (item[1], item[0]))[0]
        del updated[victim]
    return updated


def apply_session(
    baseline: Baseline,
    session: SessionObservation,
    *,
    alpha: float,
    is_new_day: bool,
    staleness_days: int,
    stale_ema_factor: float,
    min_sessions: int,
    min_days: int,
) -> Baseline:
    """Return the baseline after learning from ``session`` (the input is not modified).

    The first session seeds the averages; later ones move them by ``alpha`` (``alpha x stale_ema_factor``
    for the first session after a stale period). Spreads are EMA mean absolute deviations.
    """
    result = copy.deepcopy(baseline)
    hour = session.started_at.hour
    weekday = session.started_at.weekday()
    duration = float(session.duration_seconds)
    actions = float(session.actions_count)
    was_stale = baseline.maturity > 0 and days_between(baseline.last_session_at, session.started_at) >= staleness_days
    rate = alpha * stale_ema_factor if was_stale else alpha

    if baseline.maturity == 0:
        result.avg_duration, result.spread_duration = duration, 0.0
        result.avg_actions, result.spread_actions = actions, 0.0
        result.hour_shares = [1.0 if index == hour else 0.0 for index in range(HOURS)]
        result.weekday_shares = [1.0 if index == weekday else 0.0 for index in range(WEEKDAYS)]
        result.first_session_at = session.started_at
    else:
        result.avg_duration = _ema(baseline.avg_duration, duration, rate)
        result.spread_duration = _ema(baseline.spread_duration, abs(duration - result.avg_duration), rate)
        result.avg_actions = _ema(baseline.avg_actions, actions, rate)
        result.spread_actions = _ema(baseline.spread_actions, abs(actions - result.avg_actions), rate)
        result.hour_shares = _ema_shares(baseline.hour_shares, hour, rate)
        result.weekday_shares = _ema_shares(baseline.weekday_shares, weekday, rate)
        if baseline.first_session_at is None or session.started_at < baseline.first_session_at:
            result.first_session_at = session.started_at
        if baseline.last_session_at is not None and session.started_at > baseline.last_session_at:
            gap = (session.started_at - baseline.last_session_at).total_seconds() / 3600
            result.avg_gap_hours = gap if baseline.avg_gap_hours is None else _ema(baseline.avg_gap_hours, gap, rate)

    if session.device_id:
        if baseline.last_device_id:
            switched = 1.0 if session.device_id != baseline.last_device_id else 0.0
            result.device_switch_rate = _ema(baseline.device_switch_rate, switched, rate)
        result.device_counts = _bump(baseline.device_counts, session.device_id, MAX_KNOWN_DEVICES)
        result.last_device_id = session.device_id
    if session.device_type and session.device_type not in baseline.device_platforms:
        result.device_platforms = sorted({*baseline.device_platforms, session.device_type})
    if session.country:
        result.location_counts = _bump(
            baseline.location_counts, location_key(session.country, session.city), MAX_KNOWN_LOCATIONS
        )
    used_at = session.started_at.isoformat()
    for action_type in sorted(set(session.action_types)):
        result.feature_counts = {**result.feature_counts, action_type: result.feature_counts.get(action_type, 0) + 1}
        if result.feature_last_used.get(action_type, "") < used_at:
            result.feature_last_used = {**result.feature_last_used, action_type: used_at}

    if baseline.last_session_at is None or session.started_at > baseline.last_session_at:
        result.last_session_at = session.started_at
    result.maturity = baseline.maturity + 1
    result.active_days = baseline.active_days + (1 if is_new_day else 0)
    result.status = (
        ProfileStatus.ACTIVE
        if criteria_met(result, min_sessions=min_sessions, min_days=min_days)
        else ProfileStatus.BUILDING
    )
    return result


@dataclass(frozen=True)
class ScoringView:
    """The baseline as a scorer sees it at one moment: status by event time, tolerances widened if stale."""

    status: str
    maturity: int
    days_inactive: float
    decay_factor: float
    avg_duration: float
    spread_duration: float
    avg_actions: float
    spread_actions: float
    hour_shares: tuple[float, ...]
    known_devices: frozenset[str]
    device_platforms: frozenset[str]
    known_locations: frozenset[str]
    known_countries: frozenset[str]
    known_features: frozenset[str]
    last_session_at: datetime | None


def decay_factor(days_inactive: float, staleness_days: int) -> float:
    """1 until stale; then grows 25 % per further staleness period, capped at 1.5."""
    if days_inactive < staleness_days:
        return 1.0
    return min(1.0 + (days_inactive - staleness_days) / staleness_days * DECAY_SLOPE, MAX_DECAY_FACTOR)


def scoring_view(
    baseline: Baseline, at: datetime, *, staleness_days: int, min_sessions: int, min_days: int
) -> ScoringView:
    days = days_between(baseline.last_session_at, at) if baseline.maturity else 0.0
    status = status_at(baseline, at, staleness_days=staleness_days, min_sessions=min_sessions, min_days=min_days)
    factor = decay_factor(days, staleness_days) if status == ProfileStatus.STALE else 1.0
    shares = tuple(baseline.hour_shares)
    if status == ProfileStatus.STALE:
        shares = tuple(STALE_SHARE_BLEND * share + (1 - STALE_SHARE_BLEND) / HOURS for share in shares)
    return ScoringView(
        status=status,
        maturity=baseline.maturity,
        days_inactive=days,
        decay_factor=factor,
        avg_duration=baseline.avg_duration,
        spread_duration=max(baseline.spread_duration * factor, MIN_DURATION_SPREAD_SECONDS),
        avg_actions=baseline.avg_actions,
        spread_actions=max(baseline.spread_actions * factor, MIN_ACTIONS_SPREAD),
        hour_shares=shares,
        known_devices=frozenset(baseline.device_counts),
        device_platforms=frozenset(baseline.device_platforms),
        known_locations=frozenset(baseline.location_counts),
        known_countries=baseline.known_countries,
        known_features=frozenset(baseline.feature_counts),
        last_session_at=baseline.last_session_at,
    )
