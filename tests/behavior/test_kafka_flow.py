"""From Kafka to profile and ATO alert: the real consumer and relay processes against tansu."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.models import AtoAlert, BehaviorProfile, SecurityEvent, UserSession
from apps.pipeline.spine.contracts import validate_outbound
from apps.pipeline.spine.models import DeadLetter
from apps.pipeline.spine.topics import ATO_ALERTS, SECURITY_EVENTS, USER_EVENTS
from tests.behavior.journeys import LAGOS, TAKEOVER, failed_logins, routine_history, session_events
from tests.conftest import wait_until
from tests.events import iso, make_event
from tests.kafka_fixtures import produce_events, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_user_events_build_the_profile_and_a_takeover_reaches_the_ato_topic(kafka_producer, manage_process):
    history = routine_history(user_id="user_k1", first_day=DAY0, days=12)
    quiet_user = routine_history(user_id="user_k2", first_day=DAY0, days=12)
    attack_start = DAY0 + timedelta(days=13, hours=3)
    attack = failed_logins(user_id="user_k1", start=attack_start - timedelta(minutes=4), count=4)
    attack += session_events(
        user_id="user_k1",
        start=attack_start,
        session_id="sess_attack",
        device_id="device_evil000000001",
        device_type="android",
        geo=LAGOS,
        actions=TAKEOVER,
        duration_seconds=240,
    )
    produce_events(kafka_producer, USER_EVENTS, [*history, *quiet_user, *attack])
    changed_at = attack_start + timedelta(minutes=2)
    produce_events(
        kafka_producer,
        SECURITY_EVENTS,
        [
            make_event(
                "account-credentials-changed",
                at=changed_at,
                user_id="user_k1",
                credential="email",
                session_id="sess_attack",
                device_id="device_evil000000001",
                changed_at=iso(changed_at),
            )
        ],
    )

    consumer = manage_process("consume", "--all")
    relay = manage_process("relay_outbox")

    wait_until(
        lambda: (
            UserSession.objects.filter(session_id="sess_attack", ended_at__isnull=False).exists()
            and SecurityEvent.objects.exists()
        ),
        timeout=90,
        message="the attack session ended and the security event stored",
    )
    profile = BehaviorProfile.objects.get(user_id="user_k1")
    assert (profile.status, profile.maturity, profile.active_days) == ("active", 13, 13)
    assert BehaviorProfile.objects.get(user_id="user_k2").status == "active"
    alert = AtoAlert.objects.get()
    assert (alert.user_id, alert.session_id, alert.risk_level, alert.recommended_response) == (
        "user_k1",
        "sess_attack",
        "critical",
        "lock_account",
    )
    signals = {item["signal"]: item["score"] for item in alert.signals}
    assert signals["failed_logins"] == 0.4
    assert signals["new_device_and_location"] == 0.7
    assert DeadLetter.objects.count() == 0

    published = read_topic(ATO_ALERTS, expected=1, timeout=60)
    assert len(published) == 1
    message = published[0]
    assert message["key"] == "user_k1"
    validate_outbound(ATO_ALERTS, message["value"])
    assert message["value"]["payload"]["alert_id"] == str(alert.alert_id)
    assert message["value"]["payload"]["risk_level"] == "critical"
    assert message["value"]["payload"]["session_id"] == "sess_attack"

    for process in (consumer, relay):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
