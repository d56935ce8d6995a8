"""Alerts: deduplication per user and window (fraud alerts only), state machine, history, labels."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from apps.fraud.choices import AlertStatus
from apps.fraud.errors import AlertTransitionError
from apps.fraud.models import FraudAlert, FraudAlertEvent, FraudLabel, FraudScore
from apps.fraud.selectors import training_labels
from apps.fraud.services.alerts import alert_add_note, alert_assign, alert_transition
from apps.fraud.services.scoring import transaction_score
from apps.pipeline.spine.models import OutboxMessage
from apps.serving.config import threshold_set
from lakay.exceptions import ApplicationError
from tests.factories import UserFactory
from tests.fraud.factories import T0, FraudAlertFactory, FraudScoreFactory, facts

pytestmark = pytest.mark.django_db


def big(transaction_id: str, *, minutes: float = 0, user: str = "user_1", amount: str = "25000.00"):
    return transaction_score(
        facts=facts(
            transaction_id=transaction_id,
            user_id=user,
            amount=amount,
            occurred_at=T0 + timedelta(minutes=minutes),
            recipient_id=f"r_{transaction_id}",
        ),
        event_id=uuid.uuid4(),
        correlation_id=None,
    )


def test_a_second_high_score_inside_the_window_links_to_the_open_alert():
    first = big("t1")
    second = big("t2", minutes=59)

    alert = FraudAlert.objects.get()
    assert first.alert == second.alert == alert
    assert (first.alert_opened, second.alert_opened) == (True, False)
    assert alert.linked_score_count == 1
    assert list(alert.events.values_list("action", flat=True)) == ["created", "score_linked"]
    assert OutboxMessage.objects.filter(topic="lakay.fraud.alerts").count() == 1
    assert FraudScore.objects.count() == 2  # nothing is lost: the suppressed score is stored and linked


def test_outside_the_window_a_new_alert_opens():
    big("t1")
    big("t2", minutes=61)

    assert FraudAlert.objects.count() == 2


def test_the_window_is_a_live_parameter():
    threshold_set(key="fraud.alert_dedup_seconds", value=60, actor="ops", reason="test: short window")
    big("t1")
    big("t2", minutes=2)

    assert FraudAlert.objects.count() == 2


def test_a_zero_window_never_deduplicates():
    threshold_set(key="fraud.alert_dedup_seconds", value=0, actor="ops", reason="test: no dedup")
    big("t1")
    big("t2", minutes=0.5)

    assert FraudAlert.objects.count() == 2


def test_dedup_is_per_user():
    big("t1", user="user_a")
    big("t2", user="user_b")

    assert FraudAlert.objects.count() == 2


def test_a_closed_alert_does_not_absorb_new_scores():
    first = big("t1")
    alert_transition(alert_id=first.alert.alert_id, to_status="false_positive", actor=UserFactory(), reason="known")

    big("t2", minutes=5)

    assert FraudAlert.objects.count() == 2


def test_a_critical_score_raises_the_open_alerts_severity():
    big("t1")  # high
    escalation = transaction_score(
        facts=facts(
            transaction_id="t2", amount="9999.00", device_id="d_new", country="NG", latitude=6.5, longitude=3.4
        ),
        event_id=uuid.uuid4(),
        correlation_id=None,
    )

    alert = FraudAlert.objects.get()
    assert escalation.risk_tier == "critical"
    assert alert.severity == "critical"
    assert list(alert.events.values_list("action", flat=True)) == ["created", "score_linked", "escalated"]


def test_assign_moves_a_new_alert_to_investigating_with_history():
    analyst = UserFactory(roles=["analyst"])
    alert = FraudAlertFactory()

    alert_assign(alert_id=alert.alert_id, assignee=analyst, actor=analyst)

    alert.refresh_from_db()
    assert (alert.status, alert.assigned_to) == (AlertStatus.INVESTIGATING, analyst)
    event = alert.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor, event.actor_name) == (
        "assigned",
        "new",
        "investigating",
        analyst,
        analyst.username,
    )


@pytest.mark.parametrize(
    ("status", "label"), [("confirmed_fraud", "fraud"), ("false_positive", "legitimate"), ("resolved", None)]
)
def test_a_disposition_records_who_why_and_the_training_labels(status, label):
    analyst = UserFactory(roles=["analyst"])
    alert = FraudAlertFactory(status=AlertStatus.INVESTIGATING)
    FraudScoreFactory(transaction__transaction_id="ta", alert=alert, alert_opened=True)
    FraudScoreFactory(transaction__transaction_id="tb", alert=alert)

    alert_transition(alert_id=alert.alert_id, to_status=status, actor=analyst, reason="card owner confirmed")

    alert.refresh_from_db()
    assert alert.status == status
    assert alert.closed_at is not None
    event = alert.events.get()
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        "investigating",
        status,
        "card owner confirmed",
        analyst,
    )
    labels = FraudLabel.objects.order_by("transaction_id")
    if label is None:
        assert not labels.exists()
    else:
        assert [(item.transaction_id, item.label, item.source, item.alert_id) for item in labels] == [
            ("ta", label, "analyst", alert.pk),
            ("tb", label, "analyst", alert.pk),
        ]


def test_a_disposition_without_a_reason_is_refused_and_changes_nothing():
    alert = FraudAlertFactory()

    with pytest.raises(ApplicationError) as refused:
        alert_transition(alert_id=alert.alert_id, to_status="confirmed_fraud", actor=UserFactory(), reason="  ")

    assert refused.value.code == "reason_required"
    alert.refresh_from_db()
    assert alert.status == "new"
    assert not FraudAlertEvent.objects.exists()
    assert not FraudLabel.objects.exists()


@pytest.mark.parametrize(
    ("current", "target"),
    [("confirmed_fraud", "false_positive"), ("resolved", "investigating"), ("investigating", "new"), ("new", "new")],
)
def test_forbidden_transitions(current, target):
    alert = FraudAlertFactory(status=current)

    with pytest.raises(AlertTransitionError):
        alert_transition(alert_id=alert.alert_id, to_status=target, actor=UserFactory(), reason="why")

    alert.refresh_from_db()
    assert alert.status == current
    assert not FraudAlertEvent.objects.exists()


def test_a_concurrent_change_makes_the_conditional_update_fail(monkeypatch):
    from apps.fraud.services import alerts as service

    alert = FraudAlertFactory()
    stale = FraudAlert(pk=alert.pk, alert_id=alert.alert_id, status=alert.status)  # read before the other change
    FraudAlert.objects.filter(pk=alert.pk).update(status=AlertStatus.INVESTIGATING)  # someone else, meanwhile
    monkeypatch.setattr(service, "_get", lambda alert_id: stale)

    with pytest.raises(AlertTransitionError) as refused:
        alert_transition(alert_id=alert.alert_id, to_status="confirmed_fraud", actor=UserFactory(), reason="x")

    assert refused.value.code == "alert_changed"
    assert not FraudLabel.objects.exists()


def test_notes_are_history_rows():
    alert = FraudAlertFactory()
    analyst = UserFactory(roles=["analyst"])

    alert_add_note(alert_id=alert.alert_id, actor=analyst, text="called the customer")

    assert list(alert.events.values_list("action", "reason")) == [("note", "called the customer")]


def test_training_labels_latest_label_per_transaction_wins():
    alert = FraudAlertFactory()
    score = FraudScoreFactory(transaction__transaction_id="tx", alert=alert)
    FraudLabel.objects.create(transaction_id="tx", user_id="user_1", label="fraud", alert=alert)
    FraudLabel.objects.create(transaction_id="tx", user_id="user_1", label="legitimate", alert=alert)

    labels = training_labels()

    assert [(label.transaction_id, label.label, label.is_fraud) for label in labels] == [("tx", "legitimate", 0)]
    assert labels[0].occurred_at == score.occurred_at
    assert training_labels(since=score.occurred_at + timedelta(seconds=1)) == []
