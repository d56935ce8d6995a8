"""Sessions, actions, devices and profiles built from user events (through the spine's handlers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.choices import AnomalyClass, ProfileStatus
from apps.behavior.config import behavior_settings
from apps.behavior.models import BehaviorProfile, SessionActivity, UserDevice, UserSession
from apps.behavior.services.profiles import profiles_mark_stale
from tests.behavior.journeys import BOSTON, HOME_DEVICE, MIAMI, ingest, routine_history, session_events
from tests.events import iso, make_event

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_a_session_is_projected_from_its_events():
    start = DAY0.replace(hour=23)
    events = session_events(user_id="user_1", start=start, session_id="sess_a", duration_seconds=500)

    ingest(events)

    session = UserSession.objects.get(session_id="sess_a")
    assert (session.user_id, session.device_id, session.device_type, session.country, session.city) == (
        "user_1",
        HOME_DEVICE,
        "ios",
        "US",
        "Boston",
    )
    assert (session.started_at, session.ended_at, session.duration_seconds) == (
        start,
        start + timedelta(seconds=500),
        500,
    )
    assert (session.reported_actions, session.observed_actions, session.sensitive_actions) == (4, 4, 0)
    assert list(
        SessionActivity.objects.filter(session=session).order_by("position").values_list("position", "action_type")
    ) == [
        (1, "page_view"),
        (2, "remittance_initiate"),
        (3, "add_recipient"),
        (4, "page_view"),
    ]
    device = UserDevice.objects.get(user_id="user_1", device_id=HOME_DEVICE)
    assert (device.first_seen_at, device.last_seen_at, device.sessions_count) == (start, start, 1)
    # The first session of a user: scored against nothing (building, no history), then learnt.
    assert (session.anomaly_score, session.anomaly_class, session.profile_status_at_score) == (
        0.0,
        AnomalyClass.NORMAL,
        ProfileStatus.BUILDING,
    )
    profile = BehaviorProfile.objects.get(user_id="user_1")
    assert (profile.maturity, profile.active_days, profile.status, profile.avg_duration) == (
        1,
        1,
        ProfileStatus.BUILDING,
        500.0,
    )


def test_the_same_session_arriving_again_with_new_event_ids_changes_nothing():
    """Idempotent per session_id / action_id (the HTTP path may resend with other event ids)."""
    events = session_events(user_id="user_1", start=DAY0.replace(hour=23), session_id="sess_a")
    ingest(events)
    profile_before = BehaviorProfile.objects.values().get(user_id="user_1")

    resent = [make_event(event["event_type"], at=DAY0 + timedelta(hours=23), **event["payload"]) for event in events]
    ingest(resent)

    assert UserSession.objects.count() == 1
    assert SessionActivity.objects.count() == 4
    assert UserSession.objects.get().observed_actions == 4
    profile_after = BehaviorProfile.objects.values().get(user_id="user_1")
    assert {k: v for k, v in profile_after.items() if k != "updated_at"} == {
        k: v for k, v in profile_before.items() if k != "updated_at"
    }
    assert UserDevice.objects.get().sessions_count == 1


def test_actions_and_end_before_the_start_are_kept_and_completed_later():
    start = DAY0.replace(hour=23)
    started, *actions, ended = session_events(user_id="user_1", start=start, session_id="sess_b", duration_seconds=300)

    ingest([*actions, ended])
    session = UserSession.objects.get(session_id="sess_b")
    assert (session.start_seen, session.started_at, session.observed_actions, session.device_id) == (
        False,
        start,  # estimated from ended_at - duration
        4,
        "",
    )
    ingest([started])

    session.refresh_from_db()
    assert (session.start_seen, session.device_id, session.city) == (True, HOME_DEVICE, "Boston")
    assert BehaviorProfile.objects.get(user_id="user_1").maturity == 1


def test_a_profile_becomes_active_after_ten_sessions_on_seven_distinct_days():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=6))
    for index in range(6):  # six more sessions on the sixth day: 12 sessions but only 6 days
        start = DAY0 + timedelta(days=5, hours=10 + index)
        ingest(session_events(user_id="user_1", start=start))
    profile = BehaviorProfile.objects.get(user_id="user_1")
    assert (profile.maturity, profile.active_days, profile.status) == (12, 6, ProfileStatus.BUILDING)

    ingest(session_events(user_id="user_1", start=DAY0 + timedelta(days=6, hours=23)))

    profile.refresh_from_db()
    assert (profile.maturity, profile.active_days, profile.status) == (13, 7, ProfileStatus.ACTIVE)


def test_a_new_device_in_a_new_city_is_scored_against_the_profile_before_the_session():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))
    start = DAY0 + timedelta(days=12, hours=23)

    ingest(
        session_events(user_id="user_1", start=start, session_id="sess_new", device_id="device_new000000001", geo=MIAMI)
    )

    session = UserSession.objects.get(session_id="sess_new")
    assert (session.is_new_device, session.is_new_location) == (True, True)
    assert session.profile_status_at_score == ProfileStatus.ACTIVE
    assert session.anomaly_dimensions["device"] == 0.5
    assert session.anomaly_dimensions["geographic"] == 0.2  # a new city in a known country
    assert session.anomaly_score == pytest.approx(0.25 * 0.5 + 0.25 * 0.2)
    assert session.anomaly_class == AnomalyClass.NORMAL
    profile = BehaviorProfile.objects.get(user_id="user_1")
    assert profile.device_counts["device_new000000001"] == 1
    assert profile.location_counts["US|Miami"] == 1


def test_travel_is_measured_from_the_previous_located_session_by_event_time():
    first = DAY0.replace(hour=12)
    ingest(session_events(user_id="user_1", start=first, geo=BOSTON, session_id="sess_1"))
    ingest(session_events(user_id="user_1", start=first + timedelta(hours=3), geo=MIAMI, session_id="sess_2"))

    second = UserSession.objects.get(session_id="sess_2")
    assert second.travel_distance_km == pytest.approx(2030, abs=10)
    assert second.travel_speed_kmh == pytest.approx(second.travel_distance_km / 3)


def test_idle_profiles_are_marked_stale_by_event_time():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))
    ingest(routine_history(user_id="user_2", first_day=DAY0 + timedelta(days=30), days=3))
    last_of_user_1 = BehaviorProfile.objects.get(user_id="user_1").last_session_at

    marked = profiles_mark_stale(as_of=last_of_user_1 + timedelta(days=30), staleness_days=30)

    assert marked == 1
    assert BehaviorProfile.objects.get(user_id="user_1").status == ProfileStatus.STALE
    assert BehaviorProfile.objects.get(user_id="user_2").status == ProfileStatus.BUILDING


def test_a_returning_user_after_staleness_is_scored_with_the_stale_multiplier_and_reactivated():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))
    profiles_mark_stale(as_of=DAY0 + timedelta(days=60), staleness_days=30)
    start = DAY0 + timedelta(days=60, hours=23)

    ingest(session_events(user_id="user_1", start=start, session_id="sess_back"))

    session = UserSession.objects.get(session_id="sess_back")
    assert session.profile_status_at_score == ProfileStatus.STALE
    assert session.anomaly_dimensions["engagement"] == 0.6  # away ≥ 30 days
    assert session.anomaly_score == pytest.approx(0.10 * 0.6 * behavior_settings().stale_multiplier)
    assert BehaviorProfile.objects.get(user_id="user_1").status == ProfileStatus.ACTIVE


def test_a_login_attempt_and_its_outcome_in_either_order():
    from apps.behavior.models import LoginAttempt

    at = DAY0.replace(hour=22)
    failed = make_event("login-failed", at=at, user_id="user_1", attempt_id="att_1", failed_at=iso(at))
    attempt = make_event("login-attempt", at=at, user_id="user_1", attempt_id="att_1", attempted_at=iso(at))
    ingest([failed, attempt])

    login = LoginAttempt.objects.get(attempt_id="att_1")
    assert (login.outcome, login.resolved_at, login.attempted_at, login.consecutive_failures, login.country) == (
        "failed",
        at,
        at,
        2,
        "US",
    )
