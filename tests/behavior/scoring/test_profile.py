"""EMA profile learning and the staleness view: every formula at its boundaries (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.choices import ProfileStatus
from apps.behavior.scoring.profile import (
    Baseline,
    SessionObservation,
    apply_session,
    decay_factor,
    scoring_view,
    status_at,
)

T0 = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # a Monday, 23:00 UTC
RULES = {"staleness_days": 30, "min_sessions": 10, "min_days": 7}


def learn(baseline: Baseline, session: SessionObservation, *, new_day: bool = True, alpha: float = 0.15) -> Baseline:
    return apply_session(
        baseline,
        session,
        alpha=alpha,
        is_new_day=new_day,
        staleness_days=30,
        stale_ema_factor=0.5,
        min_sessions=10,
        min_days=7,
    )


def observation(at: datetime = T0, **overrides) -> SessionObservation:
    values = {
        "started_at": at,
        "duration_seconds": 600,
        "actions_count": 10,
        "device_id": "device_a",
        "device_type": "ios",
        "country": "US",
        "city": "Boston",
        "action_types": ("page_view", "remittance_initiate"),
    }
    values.update(overrides)
    return SessionObservation(**values)


def test_first_session_seeds_the_baseline():
    baseline = learn(Baseline(), observation())

    assert (baseline.maturity, baseline.active_days, baseline.status) == (1, 1, ProfileStatus.BUILDING)
    assert (baseline.avg_duration, baseline.spread_duration) == (600.0, 0.0)
    assert (baseline.avg_actions, baseline.spread_actions) == (10.0, 0.0)
    assert baseline.hour_shares[23] == 1.0
    assert sum(baseline.hour_shares) == 1.0
    assert baseline.weekday_shares[0] == 1.0
    assert baseline.device_counts == {"device_a": 1}
    assert baseline.location_counts == {"US|Boston": 1}
    assert baseline.feature_counts == {"page_view": 1, "remittance_initiate": 1}
    assert baseline.first_session_at == baseline.last_session_at == T0
    assert baseline.avg_gap_hours is None


def test_later_sessions_move_means_by_alpha_and_spreads_by_absolute_deviation():
    first = learn(Baseline(), observation())
    second = learn(first, observation(T0 + timedelta(days=1), duration_seconds=1000, actions_count=20))

    # mean ← alpha·x + (1-alpha)·mean; spread ← alpha·|x - new mean| + (1-alpha)·spread
    assert second.avg_duration == pytest.approx(0.15 * 1000 + 0.85 * 600)  # 660
    assert second.spread_duration == pytest.approx(0.15 * abs(1000 - 660))  # 51
    assert second.avg_actions == pytest.approx(11.5)
    assert second.spread_actions == pytest.approx(0.15 * 8.5)
    assert second.avg_gap_hours == 24.0
    assert second.hour_shares[23] == pytest.approx(1.0)  # same hour: stays at 1
    assert second.weekday_shares[0] == pytest.approx(0.85)
    assert second.weekday_shares[1] == pytest.approx(0.15)
    assert sum(second.hour_shares) == pytest.approx(1.0)


def test_input_baseline_is_not_modified():
    first = learn(Baseline(), observation())
    snapshot = (first.avg_duration, dict(first.device_counts), list(first.hour_shares))

    learn(first, observation(T0 + timedelta(hours=5), duration_seconds=50, device_id="device_b"))

    assert (first.avg_duration, first.device_counts, first.hour_shares) == snapshot


def test_active_needs_both_the_sessions_and_the_distinct_days():
    """Upstream promoted on session count alone in incremental updates; here both checks always apply."""
    baseline = Baseline()
    for index in range(12):  # 12 sessions on the same day
        baseline = learn(baseline, observation(T0 + timedelta(minutes=index)), new_day=index == 0)
    assert (baseline.maturity, baseline.active_days, baseline.status) == (12, 1, ProfileStatus.BUILDING)

    for day in range(1, 6):
        baseline = learn(baseline, observation(T0 + timedelta(days=day)))
    assert (baseline.active_days, baseline.status) == (6, ProfileStatus.BUILDING)

    baseline = learn(baseline, observation(T0 + timedelta(days=6)))
    assert (baseline.active_days, baseline.status) == (7, ProfileStatus.ACTIVE)


def test_nine_sessions_on_nine_days_are_not_enough():
    baseline = Baseline()
    for day in range(9):
        baseline = learn(baseline, observation(T0 + timedelta(days=day)))
    assert baseline.status == ProfileStatus.BUILDING
    baseline = learn(baseline, observation(T0 + timedelta(days=9)))
    assert baseline.status == ProfileStatus.ACTIVE


def test_first_session_after_staleness_moves_the_baseline_at_half_alpha_and_reactivates():
    baseline = Baseline()
    for day in range(10):
        baseline = learn(baseline, observation(T0 + timedelta(days=day)))
    before = baseline.avg_duration
    returning = T0 + timedelta(days=9 + 30)  # exactly 30 days after the last session

    after = learn(baseline, observation(returning, duration_seconds=1600))

    assert after.avg_duration == pytest.approx(0.075 * 1600 + 0.925 * before)
    assert after.status == ProfileStatus.ACTIVE


def test_one_day_short_of_staleness_keeps_full_alpha():
    baseline = Baseline()
    for day in range(10):
        baseline = learn(baseline, observation(T0 + timedelta(days=day)))
    before = baseline.avg_duration
    after = learn(baseline, observation(T0 + timedelta(days=9 + 29), duration_seconds=1600))
    assert after.avg_duration == pytest.approx(0.15 * 1600 + 0.85 * before)


def test_status_is_decided_by_event_time():
    baseline = Baseline(maturity=10, active_days=7, last_session_at=T0, status=ProfileStatus.ACTIVE)

    assert status_at(baseline, T0 + timedelta(days=29, hours=23), **RULES) == ProfileStatus.ACTIVE
    assert status_at(baseline, T0 + timedelta(days=30), **RULES) == ProfileStatus.STALE
    assert status_at(Baseline(), T0 + timedelta(days=400), **RULES) == ProfileStatus.BUILDING


@pytest.mark.parametrize(
    ("days", "factor"),
    [(0, 1.0), (29.99, 1.0), (30, 1.0), (60, 1.25), (90, 1.5), (300, 1.5)],
)
def test_decay_factor_grows_a_quarter_per_period_and_caps_at_one_and_a_half(days, factor):
    assert decay_factor(days, 30) == pytest.approx(factor)


def test_the_stale_view_widens_tolerances_once_without_touching_the_stored_baseline():
    baseline = Baseline(
        maturity=20,
        active_days=10,
        last_session_at=T0,
        avg_duration=600,
        spread_duration=100,
        avg_actions=10,
        spread_actions=4,
        hour_shares=[1.0 if hour == 23 else 0.0 for hour in range(24)],
    )
    view = scoring_view(baseline, T0 + timedelta(days=60), **RULES)

    assert view.status == ProfileStatus.STALE
    assert view.decay_factor == pytest.approx(1.25)
    assert view.spread_duration == pytest.approx(125.0)
    assert view.spread_actions == pytest.approx(5.0)
    assert view.hour_shares[23] == pytest.approx(0.8 + 0.2 / 24)
    assert view.hour_shares[0] == pytest.approx(0.2 / 24)
    assert baseline.spread_duration == 100  # stored state unchanged: decay is a read-time view


def test_spreads_never_fall_below_their_floors():
    baseline = Baseline(maturity=5, last_session_at=T0, spread_duration=2, spread_actions=0.1)
    view = scoring_view(baseline, T0, **RULES)
    assert (view.spread_duration, view.spread_actions) == (30.0, 1.0)


def test_device_and_place_lists_stay_bounded_and_keep_the_newest():
    baseline = Baseline()
    for index in range(25):
        baseline = learn(baseline, observation(T0 + timedelta(hours=index), device_id=f"device_{index:02d}"))
    assert len(baseline.device_counts) == 20
    assert "device_24" in baseline.device_counts

    for index in range(35):
        baseline = learn(baseline, observation(T0 + timedelta(days=2, hours=index), city=f"City {index:02d}"))
    assert len(baseline.location_counts) == 30
    assert "US|City 34" in baseline.location_counts


def test_device_switch_rate_and_primary_device():
    baseline = learn(Baseline(), observation())
    baseline = learn(baseline, observation(T0 + timedelta(days=1), device_id="device_b"))
    assert baseline.device_switch_rate == pytest.approx(0.15)
    baseline = learn(baseline, observation(T0 + timedelta(days=2), device_id="device_b"))
    assert baseline.device_switch_rate == pytest.approx(0.85 * 0.15)
    assert baseline.primary_device_id == "device_b"
    assert baseline.sessions_per_week == pytest.approx(7.0)


def test_an_older_session_arriving_late_does_not_move_the_last_session_back():
    baseline = learn(Baseline(), observation(T0 + timedelta(days=5)))
    late = learn(baseline, observation(T0))
    assert late.last_session_at == T0 + timedelta(days=5)
    assert late.first_session_at == T0
    assert late.avg_gap_hours is None
