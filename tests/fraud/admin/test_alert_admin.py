"""The fraud alert queue in the admin: who sees it, filters, the trace, actions that call services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.fraud.models import FraudAlert, FraudAlertEvent, FraudLabel
from tests.factories import UserFactory
from tests.fraud.factories import FraudAlertFactory, FraudScoreFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:fraud_fraudalert_changelist")


def logged_in(*roles: str) -> Client:
    """A logged-in person; officers and admins also pass the second factor (a confirmed TOTP device)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    user = UserFactory(roles=list(roles))
    client.force_login(user)
    if {"admin", "compliance_officer"} & set(roles):
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(("roles", "status"), [(("analyst",), 200), (("admin",), 200), (("compliance_officer",), 403)])
def test_who_sees_the_queue(roles, status):
    assert logged_in(*roles).get(CHANGELIST).status_code == status


def test_filters_assigned_to_me_and_age(django_assert_max_num_queries):
    client = logged_in("analyst")
    FraudAlertFactory(user_id="user_mine", assigned_to=client.user, status="investigating")
    FraudAlertFactory(user_id="user_free")
    old = FraudAlertFactory(user_id="user_old")
    FraudAlert.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))

    def users(query: str) -> set[str]:
        page = client.get(CHANGELIST + query).content.decode()
        return {name for name in ("user_mine", "user_free", "user_old") if f'field-user_id">{name}<' in page}

    assert users("?assigned=me") == {"user_mine"}
    assert users("?assigned=nobody") == {"user_free", "user_old"}
    assert users("?age=older") == {"user_old"}
    assert users("?age=24h&status__exact=new") == {"user_free"}
    for _ in range(20):
        FraudAlertFactory()
    with django_assert_max_num_queries(12):  # constant, not one per row
        client.get(CHANGELIST)


def test_the_alert_page_shows_the_decision_trace_and_history():
    client = logged_in("analyst")
    alert = FraudAlertFactory()
    trace = {
        "ruleset": "rules-v3",
        "rules": [
            {
                "rule_id": "large_transaction",
                "category": "amount",
                "enabled": True,
                "applicable": True,
                "fired": True,
                "score": 0.85,
                "weight": 0.15,
                "contribution": 0.1275,
                "standalone_weight": 0.75,
                "inputs": {"amount": 25000.0},
            }
        ],
        "categories": {"amount": {"raw": 0.5, "cap": 0.3, "capped": 0.3}},
        "blend": {"strategy": "weighted_average", "ml_used": False, "final": 0.64},
        "thresholds": {"medium": 0.3, "high": 0.6, "critical": 0.8},
        "tier": "high",
        "recommendation": "hold",
    }
    FraudScoreFactory(transaction__transaction_id="t_open", alert=alert, alert_opened=True, trace=trace)

    page = client.get(reverse("admin:fraud_fraudalert_change", args=[alert.pk])).content.decode()

    assert 'id="fraud-decision-trace"' in page
    assert "large_transaction" in page
    assert "amount=25000.0" in page
    assert "t_open (opened)" in page
    assert 'id="fraud-assign-to-me"' in page


def test_assign_to_me_action_calls_the_service():
    client = logged_in("analyst")
    alerts = [FraudAlertFactory(), FraudAlertFactory(status="resolved")]

    response = client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": [a.pk for a in alerts]})

    assert response.status_code == 302
    alerts[0].refresh_from_db()
    alerts[1].refresh_from_db()
    assert (alerts[0].assigned_to, alerts[0].status) == (client.user, "investigating")
    assert alerts[1].assigned_to is None
    assert FraudAlertEvent.objects.count() == 1


def test_disposition_action_asks_for_a_reason_then_applies():
    client = logged_in("analyst")
    alert = FraudAlertFactory()
    FraudScoreFactory(transaction__transaction_id="t1", alert=alert, alert_opened=True)
    selected = {"action": "disposition", "_selected_action": [alert.pk]}

    confirm = client.post(CHANGELIST, selected)
    missing_reason = client.post(CHANGELIST, {**selected, "apply": "1", "status": "false_positive", "reason": ""})
    applied = client.post(CHANGELIST, {**selected, "apply": "1", "status": "false_positive", "reason": "known payee"})

    assert confirm.status_code == 200
    assert b"fraud-disposition-form" in confirm.content
    assert missing_reason.status_code == 200  # the form again, nothing changed
    assert applied.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "false_positive"
    assert FraudAlertEvent.objects.get().reason == "known payee"
    assert FraudLabel.objects.get().label == "legitimate"


def test_the_alert_page_forms_call_the_services():
    client = logged_in("analyst")
    alert = FraudAlertFactory()

    client.post(reverse("admin:fraud_fraudalert_assign", args=[alert.pk]))
    client.post(reverse("admin:fraud_fraudalert_note", args=[alert.pk]), {"text": "called the customer"})
    client.post(reverse("admin:fraud_fraudalert_disposition", args=[alert.pk]), {"status": "resolved", "reason": ""})
    client.post(reverse("admin:fraud_fraudalert_disposition", args=[alert.pk]), {"status": "resolved", "reason": "ok"})

    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert list(alert.events.values_list("action", flat=True)) == ["assigned", "note", "status_changed"]


def test_the_alert_forms_refuse_people_without_the_role():
    client = logged_in("ml_engineer")
    alert = FraudAlertFactory()

    client.post(reverse("admin:fraud_fraudalert_disposition", args=[alert.pk]), {"status": "resolved", "reason": "x"})

    alert.refresh_from_db()
    assert alert.status == "new"


def test_the_live_queue_lists_open_alerts_and_links_each():
    client = logged_in("analyst")
    open_alert = FraudAlertFactory(user_id="open_user")
    FraudAlertFactory(user_id="closed_user", status="false_positive")

    page = client.get(reverse("admin:fraud_fraudalert_live_queue")).content.decode()

    assert "Live alert queue" in page
    assert f'data-alert-id="{open_alert.alert_id}"' in page
    assert "closed_user" not in page
    assert "fraud/live_queue.js" in page
    redirect = client.get(reverse("admin:fraud_fraudalert_by_alert_id", args=[open_alert.alert_id]))
    assert redirect["Location"] == reverse("admin:fraud_fraudalert_change", args=[open_alert.pk])
