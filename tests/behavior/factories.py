"""Factories of the behaviour tables (tests build data with these, never with bare objects.create)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory

from apps.behavior.choices import (
    AtoAlertStatus,
    AtoResponse,
    AtoRiskLevel,
    AtoTrigger,
    ChurnLevel,
    LifecycleStage,
    LoginOutcome,
    ProfileStatus,
)
from apps.behavior.models import (
    AtoAlert,
    BehaviorProfile,
    EngagementSnapshot,
    LoginAttempt,
    UserDevice,
    UserSession,
)

T0 = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)


class BehaviorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BehaviorProfile

    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    status = ProfileStatus.ACTIVE
    maturity = 20
    active_days = 12
    first_session_at = T0 - timedelta(days=20)
    last_session_at = T0
    avg_duration = 600.0
    spread_duration = 60.0
    avg_actions = 4.0
    spread_actions = 1.0
    hour_shares = factory.LazyFunction(lambda: [1.0 if hour == 23 else 0.0 for hour in range(24)])
    avg_gap_hours = 24.0
    device_counts = factory.LazyFunction(lambda: {"device_home0000000001": 20})
    last_device_id = "device_home0000000001"
    device_platforms = factory.LazyFunction(lambda: ["ios"])
    location_counts = factory.LazyFunction(lambda: {"US|Boston": 20})
    feature_counts = factory.LazyFunction(lambda: {"page_view": 20, "remittance_initiate": 15, "add_recipient": 9})
    feature_last_used = factory.LazyFunction(
        lambda: {"page_view": T0.isoformat(), "remittance_initiate": T0.isoformat(), "add_recipient": T0.isoformat()}
    )


class UserSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserSession

    session_id = factory.Sequence(lambda n: f"sess_{n:06d}")
    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    device_id = "device_home0000000001"
    device_type = "ios"
    country = "US"
    city = "Boston"
    latitude = 42.3601
    longitude = -71.0589
    started_at = T0
    is_new_device = False
    is_new_location = False
    profile_status_at_start = ProfileStatus.ACTIVE
    profile_sessions_at_start = 20


class UserDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserDevice

    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    device_id = "device_home0000000001"
    device_type = "ios"
    first_seen_at = T0 - timedelta(days=30)
    last_seen_at = T0
    sessions_count = 20


class LoginAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoginAttempt

    attempt_id = factory.Sequence(lambda n: f"att_{n:06d}")
    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    outcome = LoginOutcome.FAILED
    attempted_at = T0
    resolved_at = T0
    failure_reason = "invalid_password"


class AtoAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AtoAlert

    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    session_id = factory.Sequence(lambda n: f"sess_{n:06d}")
    status = AtoAlertStatus.NEW
    risk_score = 0.7
    risk_level = AtoRiskLevel.HIGH
    recommended_response = AtoResponse.STEP_UP_AUTH
    signals = factory.LazyFunction(lambda: [{"signal": "impossible_travel", "score": 0.9, "details": {}}])
    trigger = AtoTrigger.SESSION_STARTED
    detected_at = T0


class EngagementSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementSnapshot

    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    week_start = T0.date() - timedelta(days=T0.weekday())
    score = 60.0
    components = factory.LazyFunction(dict)
    stage = LifecycleStage.ACTIVE
    churn_risk = 0.1
    churn_level = ChurnLevel.LOW
    sessions_7d = 4
    days_since_last_session = 1.0
    as_of = T0
