"""ATO assessments from events, alerts with dedup and escalation, the outbox, and status changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.choices import AtoAlertStatus, AtoRiskLevel, AtoTrigger
from apps.behavior.config import behavior_settings
from apps.behavior.models import AtoAlert, AtoAlertStatusChange, UserSession
from apps.behavior.services.ato import ato_alert_set_status
from apps.pipeline.spine.contracts import validate_outbound
from apps.pipeline.spine.models import OutboxMessage
from apps.serving.config import threshold_set
from lakay.exceptions import ConflictError, NotFoundError
from tests.behavior.factories import AtoAlertFactory
from tests.behavior.journeys import (
    BOSTON,
    CAP_HAITIEN,
    LAGOS,
    PORT_AU_PRINCE,
    ROUTINE,
    TAKEOVER,
    failed_logins,
    ingest,
    routine_history,
    session_events,
)
from tests.events import iso, make_event

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)
AFTER_HISTORY = DAY0 + timedelta(days=13)


@pytest.fixture
def established():
    """user_1: twelve evenings in Boston on the home iPhone (an active profile)."""
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))
    return "user_1"


def takeover(user_id: str, start: datetime, session_id: str = "sess_evil") -> list[dict]:
    return session_events(
        user_id=user_id,
        start=start,
        session_id=session_id,
        device_id="device_evil000000001",
        device_type="android",
        geo=LAGOS,
        actions=TAKEOVER,
        duration_seconds=300,
    )


def test_a_takeover_raises_one_critical_alert_at_session_start_and_publishes_it(
    established, django_capture_on_commit_callbacks
):
    start = AFTER_HISTORY.replace(hour=3)
    with django_capture_on_commit_callbacks() as callbacks:
        ingest(takeover(established, start))

    alert = AtoAlert.objects.get()
    assert (alert.user_id, alert.session_id, alert.status, alert.trigger) == (
        "user_1",
        "sess_evil",
        AtoAlertStatus.NEW,
        AtoTrigger.SESSION_STARTED,
    )
    assert (alert.risk_level, alert.recommended_response, alert.detected_at) == (
        AtoRiskLevel.CRITICAL,
        "lock_account",
        start,
    )
    assert {signal["signal"] for signal in alert.signals} == {"session_anomaly", "new_device_and_location"}
    # The later sensitive actions and the end merged into it (same user, open, within the window).
    assert alert.duplicate_count == 5
    assert list(alert.status_changes.values_list("from_status", "to_status", "actor")) == [("", "new", "lakay")]
    message = OutboxMessage.objects.get(topic="lakay.behavior.ato-alerts")
    assert message.message_key == "user_1"
    assert message.event_type == "ato-alert-raised"
    validate_outbound("lakay.behavior.ato-alerts", message.payload)
    assert message.payload["payload"]["alert_id"] == str(alert.alert_id)
    assert message.payload["payload"]["risk_level"] == "critical"
    assert len(callbacks) >= 1  # the live-queue broadcast waits for the commit
    session = UserSession.objects.get(session_id="sess_evil")
    assert (session.ato_risk_level, session.ato_risk_score) == (AtoRiskLevel.CRITICAL, 1.0)


def test_legitimate_travel_to_haiti_on_the_own_phone_stays_quiet(established):
    """A diaspora customer flies Boston → Port-au-Prince (5 h) and uses the app there for a week."""
    last_home = AFTER_HISTORY.replace(hour=12)
    ingest(session_events(user_id=established, start=last_home, geo=BOSTON))
    for day in range(7):
        start = last_home + timedelta(hours=5 + 24 * day)
        geo = PORT_AU_PRINCE if day % 3 else CAP_HAITIEN
        ingest(session_events(user_id=established, start=start, geo=geo, actions=(*ROUTINE, "remittance_initiate")))

    assert AtoAlert.objects.count() == 0
    levels = set(UserSession.objects.filter(country="HT").values_list("ato_risk_level", flat=True))
    assert levels <= {AtoRiskLevel.LOW, AtoRiskLevel.MODERATE}


def test_impossible_travel_on_the_same_phone_alerts(established):
    start = AFTER_HISTORY.replace(hour=22)
    ingest(session_events(user_id=established, start=start, geo=BOSTON, session_id="sess_home"))
    ingest(
        session_events(
            user_id=established, start=start + timedelta(minutes=20), geo=PORT_AU_PRINCE, session_id="sess_far"
        )
    )

    alert = AtoAlert.objects.get()
    assert alert.session_id == "sess_far"
    assert alert.risk_level == AtoRiskLevel.HIGH
    travel = next(signal for signal in alert.signals if signal["signal"] == "impossible_travel")
    assert travel["score"] == 0.9
    assert travel["details"]["distance_km"] == pytest.approx(2641, abs=5)


def test_failed_logins_then_a_new_device_in_a_new_place_alerts(established):
    start = AFTER_HISTORY.replace(hour=23)
    ingest(failed_logins(user_id=established, start=start - timedelta(minutes=5), count=5))
    ingest(session_events(user_id=established, start=start, device_id="device_new000000001", geo=LAGOS, actions=()))

    alert = AtoAlert.objects.get()
    signals = {signal["signal"]: signal["score"] for signal in alert.signals}
    assert signals["failed_logins"] == 0.5
    assert signals["new_device_and_location"] == 0.7


def test_sensitive_changes_from_the_owners_phone_at_home_do_not_alert(established):
    start = AFTER_HISTORY.replace(hour=23)
    ingest(session_events(user_id=established, start=start, actions=("change_password", "change_email", "page_view")))

    assert AtoAlert.objects.count() == 0
    assert UserSession.objects.get(started_at=start).ato_risk_level == AtoRiskLevel.MODERATE


def test_an_mfa_change_inside_a_suspicious_session_is_assessed_at_once(established):
    start = AFTER_HISTORY.replace(hour=23)
    ingest(
        session_events(
            user_id=established,
            start=start,
            session_id="sess_x",
            device_id="device_new000000001",
            geo={"latitude": 48.85, "longitude": 2.35, "country": "FR", "city": "Paris"},
            actions=(),
            end=False,
        )
    )
    opened = AtoAlert.objects.get()  # the start alone alerted; close it to see the MFA change raise its own
    ato_alert_set_status(alert_id=str(opened.alert_id), to_status=AtoAlertStatus.RESOLVED, actor="ana")
    ingest(
        [
            make_event(
                "security-mfa-changed",
                at=start + timedelta(minutes=2),
                user_id=established,
                action="disabled",
                session_id="sess_x",
                device_id="device_new000000001",
                changed_at=iso(start + timedelta(minutes=2)),
            )
        ]
    )

    alert = AtoAlert.objects.exclude(pk=opened.pk).get()
    assert alert.trigger == AtoTrigger.SECURITY_EVENT
    assert {
        "signal": "security_settings_changed",
        "score": 0.9,
        "details": {"changes": ["mfa_disabled"]},
    } in alert.signals


def test_dedup_window_escalation_and_closed_alerts(established):
    settings = behavior_settings()
    first = AFTER_HISTORY.replace(hour=22)
    ingest(session_events(user_id=established, start=first, geo=BOSTON, session_id="sess_home"))
    ingest(
        session_events(user_id=established, start=first + timedelta(minutes=20), geo=PORT_AU_PRINCE, session_id="s1")
    )
    high = AtoAlert.objects.get()
    assert high.risk_level == AtoRiskLevel.HIGH

    # Within the window, a higher level is an escalation: a new alert linked to the open one.
    ingest(takeover(established, first + timedelta(hours=2), session_id="s2"))
    critical = AtoAlert.objects.exclude(pk=high.pk).get()
    assert (critical.risk_level, critical.escalated_from_id) == (AtoRiskLevel.CRITICAL, high.pk)

    # Same level again within the window: merged.
    ingest(takeover(established, first + timedelta(hours=5), session_id="s3"))
    assert AtoAlert.objects.count() == 2

    # After the window: a new alert.
    ingest(takeover(established, first + timedelta(seconds=settings.ato_dedup_window + 3 * 3600), session_id="s4"))
    assert AtoAlert.objects.count() == 3

    # A closed alert absorbs nothing.
    latest = AtoAlert.objects.latest("id")
    AtoAlert.objects.exclude(pk=latest.pk).update(status=AtoAlertStatus.RESOLVED)
    ato_alert_set_status(alert_id=str(latest.alert_id), to_status=AtoAlertStatus.FALSE_POSITIVE, actor="ana")
    ingest(takeover(established, first + timedelta(seconds=settings.ato_dedup_window + 4 * 3600), session_id="s5"))
    assert AtoAlert.objects.count() == 4


def test_a_zero_dedup_window_alerts_every_time(established):
    threshold_set(key="behavior.ato_dedup_window", value=0, actor="ops", reason="test: no dedup")
    start = AFTER_HISTORY.replace(hour=3)
    ingest(takeover(established, start, session_id="s1"))
    # session start + 4 sensitive actions + end, all critical
    assert AtoAlert.objects.count() == 6


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (
            [AtoAlertStatus.INVESTIGATING, AtoAlertStatus.CONFIRMED_ATO, AtoAlertStatus.RESOLVED],
            AtoAlertStatus.RESOLVED,
        ),
        ([AtoAlertStatus.FALSE_POSITIVE], AtoAlertStatus.FALSE_POSITIVE),
        ([AtoAlertStatus.INVESTIGATING, AtoAlertStatus.RESOLVED], AtoAlertStatus.RESOLVED),
    ],
)
def test_allowed_status_paths_leave_an_append_only_history(path, final, django_capture_on_commit_callbacks):
    alert = AtoAlertFactory()
    with django_capture_on_commit_callbacks():
        for status in path:
            ato_alert_set_status(alert_id=str(alert.alert_id), to_status=status, actor="ana", note=f"to {status}")

    alert.refresh_from_db()
    assert alert.status == final
    assert alert.resolved_at is not None
    history = list(alert.status_changes.values_list("from_status", "to_status", "actor", "note"))
    froms = [AtoAlertStatus.NEW, *path[:-1]]
    assert history == [(before, after, "ana", f"to {after}") for before, after in zip(froms, path, strict=True)]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (AtoAlertStatus.FALSE_POSITIVE, AtoAlertStatus.INVESTIGATING),
        (AtoAlertStatus.RESOLVED, AtoAlertStatus.CONFIRMED_ATO),
        (AtoAlertStatus.CONFIRMED_ATO, AtoAlertStatus.FALSE_POSITIVE),
        (AtoAlertStatus.INVESTIGATING, AtoAlertStatus.INVESTIGATING),
        (AtoAlertStatus.NEW, AtoAlertStatus.NEW),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(start, target):
    alert = AtoAlertFactory(status=start)

    with pytest.raises(ConflictError) as refused:
        ato_alert_set_status(alert_id=str(alert.alert_id), to_status=target, actor="ana")

    assert refused.value.code == "invalid_transition"
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_at) == (start, None)
    assert AtoAlertStatusChange.objects.count() == 0


def test_an_unknown_alert_is_not_found():
    with pytest.raises(NotFoundError):
        ato_alert_set_status(alert_id="9b1f7d9e-0000-4000-8000-000000000000", to_status="resolved", actor="ana")


def test_a_lock_lifted_by_an_unlock_is_not_evidence_against_the_password_reset_that_follows(established):
    """The simulator's normal traffic: six failures lock the account, the customer resets and comes back."""
    start = AFTER_HISTORY.replace(hour=22)
    ingest(failed_logins(user_id=established, start=start, count=6, device_id="device_home0000000001"))
    locked_at, unlocked_at = start + timedelta(minutes=3), start + timedelta(minutes=40)
    ingest(
        [
            make_event(
                "account-locked",
                at=locked_at,
                user_id=established,
                reason="too_many_failed_logins",
                locked_at=iso(locked_at),
            ),
            make_event("account-unlocked", at=unlocked_at, user_id=established, unlocked_at=iso(unlocked_at)),
        ]
    )
    ingest(session_events(user_id=established, start=start + timedelta(minutes=45), actions=("change_password",)))

    assert AtoAlert.objects.count() == 0


def test_a_lock_still_in_force_counts_as_access_evidence(established):
    start = AFTER_HISTORY.replace(hour=22)
    locked_at = start - timedelta(hours=2)
    ingest(
        [make_event("account-locked", at=locked_at, user_id=established, reason="fraud_hold", locked_at=iso(locked_at))]
    )
    ingest(
        session_events(user_id=established, start=start, actions=("change_email", "change_password"), session_id="s")
    )

    session = UserSession.objects.get(session_id="s")
    assert session.ato_risk_level in {AtoRiskLevel.HIGH, AtoRiskLevel.CRITICAL}
    first = AtoAlert.objects.filter(session_id="s").earliest("id")
    assert "recent_account_lock" in {signal["signal"] for signal in first.signals}
