"""Session anomaly dimensions, composite, multipliers and classes at their boundaries (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.choices import AnomalyClass, ProfileStatus, SessionAction
from apps.behavior.scoring.anomaly import (
    AnomalyParameters,
    SessionFacts,
    behavioral_score,
    classify,
    device_score,
    engagement_score,
    geographic_score,
    score_session,
    temporal_score,
    z_to_score,
)
from apps.behavior.scoring.geo import Travel
from apps.behavior.scoring.profile import ScoringView

T0 = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
PARAMS = AnomalyParameters(
    weights={"temporal": 0.15, "device": 0.25, "geographic": 0.25, "behavioral": 0.25, "engagement": 0.10},
    building_multiplier=0.6,
    stale_multiplier=0.8,
    suspicious_threshold=0.3,
    high_risk_threshold=0.6,
    critical_threshold=0.8,
    corridor_countries=frozenset({"US", "HT"}),
    impossible_travel_speed_kmh=900,
    impossible_travel_min_km=500,
)


def view(**overrides) -> ScoringView:
    values = {
        "status": ProfileStatus.ACTIVE,
        "maturity": 20,
        "days_inactive": 1.0,
        "decay_factor": 1.0,
        "avg_duration": 600.0,
        "spread_duration": 100.0,
        "avg_actions": 10.0,
        "spread_actions": 2.0,
        "hour_shares": tuple(0.5 if hour in (22, 23) else 0.0 for hour in range(24)),
        "known_devices": frozenset({"device_a"}),
        "device_platforms": frozenset({"ios"}),
        "known_locations": frozenset({"US|Boston"}),
        "known_countries": frozenset({"US"}),
        "known_features": frozenset({"page_view", "remittance_initiate"}),
        "last_session_at": T0 - timedelta(days=1),
    }
    values.update(overrides)
    return ScoringView(**values)


def facts(**overrides) -> SessionFacts:
    values = {
        "started_at": T0,
        "device_id": "device_a",
        "device_type": "ios",
        "is_new_device": False,
        "country": "US",
        "city": "Boston",
        "duration_seconds": 600.0,
        "actions_count": 10,
        "action_types": ("page_view",),
    }
    values.update(overrides)
    return SessionFacts(**values)


@pytest.mark.parametrize(("z", "score"), [(0, 0), (1, 0), (1.5, 0.25), (2, 0.5), (2.5, 0.75), (3, 1.0), (3.01, 1.0)])
def test_z_maps_piecewise_to_zero_half_one(z, score):
    assert z_to_score(z) == pytest.approx(score)


def test_temporal_usual_hour_is_zero_and_a_never_seen_hour_is_one():
    shares = [0.5 if hour in (22, 23) else 0.0 for hour in range(24)]
    assert temporal_score(23, shares) == 0.0
    assert temporal_score(3, shares) == 1.0


def test_temporal_neighbour_hours_count_half():
    shares = [1.0 if hour == 23 else 0.0 for hour in range(24)]
    # hour 0 is next to 23 (circular): share 0.5 → z = 1.5 → 0.25
    assert temporal_score(0, shares) == pytest.approx(0.25)
    assert temporal_score(22, shares) == pytest.approx(0.25)
    assert temporal_score(21, shares) == 1.0


def test_temporal_without_history_is_zero():
    assert temporal_score(5, [0.0] * 24) == 0.0


def test_device_known_is_zero_new_is_half_new_platform_adds_three_tenths():
    assert device_score(facts(), view()) == 0.0
    assert device_score(facts(is_new_device=True, device_id="device_b"), view()) == 0.5
    assert device_score(facts(is_new_device=True, device_id="device_b", device_type="android"), view()) == 0.8


def test_device_hoppers_are_softened_above_three_other_devices():
    new = facts(is_new_device=True, device_id="device_b", device_type="android")
    assert device_score(SessionFacts(**{**new.__dict__, "other_devices_30d": 3}), view()) == 0.8
    assert device_score(SessionFacts(**{**new.__dict__, "other_devices_30d": 4}), view()) == pytest.approx(0.48)


def test_device_means_nothing_without_history():
    assert device_score(facts(is_new_device=True), view(maturity=0)) == 0.0


@pytest.mark.parametrize(
    ("country", "city", "known_countries", "score"),
    [
        ("US", "Boston", {"US"}, 0.0),  # known place
        ("US", "Miami", {"US"}, 0.2),  # new city, known country
        ("HT", "Port-au-Prince", {"US"}, pytest.approx(0.24)),  # corridor travel: 0.4 x 0.6
        ("NG", "Lagos", {"US"}, 0.7),  # leaving the corridor for the first time
        ("NG", "Lagos", {"US", "FR"}, 0.4),  # a new country for a user who already travels outside
        ("FR", "Paris", {"FR"}, 0.2),
    ],
)
def test_geographic_dimension(country, city, known_countries, score):
    known = (
        frozenset(f"{c}|x" for c in known_countries) | {"US|Boston"}
        if "US" in known_countries
        else frozenset(f"{c}|x" for c in known_countries)
    )
    the_view = view(known_locations=known, known_countries=frozenset(known_countries))
    assert geographic_score(facts(country=country, city=city), the_view, PARAMS) == score


def test_impossible_travel_lifts_geo_to_nine_tenths_even_to_a_known_place():
    fast = Travel(distance_km=2641, hours=0.5, speed_kmh=5282)
    assert geographic_score(facts(travel=fast), view(), PARAMS) == 0.9
    flight = Travel(distance_km=2641, hours=5, speed_kmh=528)  # a real flight to Haiti
    assert geographic_score(facts(country="HT", city="Jacmel", travel=flight), view(), PARAMS) == pytest.approx(0.24)


def test_behavioral_duration_and_actions_far_from_the_usual():
    # duration z = |1500 - 600| / 100 = 9 → min(9/5, 1) x 0.4
    assert behavioral_score(facts(duration_seconds=1500), view()) == pytest.approx(0.4)
    # z = 2.5 exactly is not beyond the limit
    assert behavioral_score(facts(duration_seconds=850), view()) == 0.0
    # z = 3 → 3/5 x 0.4
    assert behavioral_score(facts(duration_seconds=900), view()) == pytest.approx(0.24)
    # actions z = |20 - 10| / 2 = 5 → 1 x 0.3
    assert behavioral_score(facts(actions_count=20), view()) == pytest.approx(0.3)


def test_behavioral_running_session_counts_only_longer_or_busier_than_usual():
    assert behavioral_score(facts(duration_seconds=30, actions_count=1, in_progress=True), view()) == 0.0
    assert behavioral_score(facts(duration_seconds=30, actions_count=1), view()) > 0


def test_behavioral_sensitive_actions_and_bot_speed():
    assert behavioral_score(facts(sensitive_count=1), view()) == 0.0
    assert behavioral_score(facts(sensitive_count=2), view()) == pytest.approx(0.4)
    assert behavioral_score(facts(sensitive_count=5), view()) == pytest.approx(0.8)
    assert behavioral_score(facts(sensitive_count=9), view()) == pytest.approx(0.8)
    assert behavioral_score(facts(actions_count=31, duration_seconds=10), view(maturity=0)) == 0.7
    assert behavioral_score(facts(actions_count=30, duration_seconds=10), view(maturity=0)) == 0.0


@pytest.mark.parametrize(("days", "score"), [(13.9, 0.0), (14, 0.3), (29.9, 0.3), (30, 0.6)])
def test_engagement_long_absence(days, score):
    assert engagement_score(facts(), view(days_inactive=days)) == score


def test_engagement_mostly_unfamiliar_features():
    assert engagement_score(facts(action_types=("page_view", "change_email")), view()) == 0.0  # half
    assert engagement_score(facts(action_types=("page_view", "change_email", "change_phone")), view()) == 0.4


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.2999, (AnomalyClass.NORMAL, SessionAction.NONE)),
        (0.3, (AnomalyClass.SUSPICIOUS, SessionAction.MONITOR)),
        (0.6, (AnomalyClass.HIGH_RISK, SessionAction.CHALLENGE)),
        (0.8, (AnomalyClass.CRITICAL, SessionAction.TERMINATE)),
    ],
)
def test_classes(score, expected):
    assert classify(score, PARAMS) == expected


def test_composite_is_the_weighted_sum_times_the_status_multiplier():
    takeover = facts(
        started_at=T0.replace(hour=3),
        device_id="device_x",
        device_type="android",
        is_new_device=True,
        country="NG",
        city="Lagos",
        sensitive_count=4,
        action_types=("change_email", "change_password", "add_payment_method", "page_view"),
    )
    active = score_session(takeover, view(), PARAMS)
    # temporal 1.0, device 0.8, geo 0.7, behavioral 0.8, engagement 0.4 (3 of 4 actions unfamiliar)
    assert active.dimensions == {
        "temporal": 1.0,
        "device": 0.8,
        "geographic": 0.7,
        "behavioral": 0.8,
        "engagement": 0.4,
    }
    assert active.score == pytest.approx(0.15 * 1 + 0.25 * 0.8 + 0.25 * 0.7 + 0.25 * 0.8 + 0.1 * 0.4)  # 0.765
    assert (active.anomaly_class, active.recommended_action) == (AnomalyClass.HIGH_RISK, SessionAction.CHALLENGE)
    building = score_session(takeover, view(status=ProfileStatus.BUILDING), PARAMS)
    assert building.score == pytest.approx(active.score * 0.6)
    stale = score_session(takeover, view(status=ProfileStatus.STALE), PARAMS)
    assert stale.score == pytest.approx(active.score * 0.8)


def test_an_ordinary_session_scores_zero():
    result = score_session(facts(), view(), PARAMS)
    assert (result.score, result.anomaly_class, result.reasons) == (0.0, AnomalyClass.NORMAL, [])
