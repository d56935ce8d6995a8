"""Fraud alert endpoints: roles, filters, pagination, disposition through PATCH."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.fraud.models import FraudAlert, FraudAlertEvent, FraudLabel
from tests.factories import UserFactory
from tests.fraud.factories import FraudAlertFactory, FraudScoreFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/fraud/alerts"


def detail(alert: FraudAlert) -> str:
    return f"/api/v1/fraud/alerts/{alert.alert_id}"


@pytest.mark.parametrize(
    ("roles", "status"),
    [((), 403), (("compliance_officer",), 403), (("ml_engineer",), 403), (("analyst",), 200), (("admin",), 200)],
)
def test_who_may_list_alerts(person_client, roles, status):
    assert person_client(*roles).get(LIST).status_code == status


def test_service_clients_may_read_alerts(service_client):
    FraudAlertFactory()

    response = service_client.get(LIST)

    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_filters_and_pagination(person_client, django_assert_num_queries):
    client = person_client("analyst")
    me = client.user
    FraudAlertFactory(user_id="u1", severity="critical", status="new")
    FraudAlertFactory(user_id="u2", severity="high", status="investigating", assigned_to=me)
    FraudAlertFactory(user_id="u3", severity="high", status="false_positive")
    old = FraudAlertFactory(user_id="u4", severity="high", status="new")
    FraudAlert.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    def users(query: str) -> list[str]:
        return [item["user_id"] for item in client.get(LIST + query).json()["items"]]

    assert users("?status=new,investigating") == ["u2", "u1", "u4"]
    assert users("?severity=critical") == ["u1"]
    assert users("?assigned_to=me") == ["u2"]
    assert users("?unassigned=true&status=new") == ["u1", "u4"]
    assert users("?user_id=u3") == ["u3"]
    assert users("?max_age_hours=24") == ["u3", "u2", "u1"]
    assert users("?sort=created_at") == ["u4", "u1", "u2", "u3"]
    assert users("?sort_by=created_at") == ["u4", "u1", "u2", "u3"]
    page = client.get(LIST + "?limit=2&offset=1").json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 2, 1, 2)
    with django_assert_num_queries(5):  # session, user, roles, count, page (assignees joined): not per row
        client.get(LIST + "?limit=50")


def test_bad_filters_are_400(person_client):
    response = person_client("analyst").get(LIST + "?status=maybe")

    assert response.status_code == 400
    assert "status" in response.json()["error"]["details"]


def test_detail_has_scores_trace_and_history(person_client):
    alert = FraudAlertFactory()
    FraudScoreFactory(transaction__transaction_id="t1", alert=alert, alert_opened=True, trace={"ruleset": "rules-v3"})

    data = person_client("analyst").get(detail(alert)).json()

    assert data["alert_id"] == str(alert.alert_id)
    assert [score["transaction_id"] for score in data["scores"]] == ["t1"]
    assert data["decision_trace"] == {"ruleset": "rules-v3"}
    assert data["history"] == []


def test_an_unknown_alert_is_404(person_client):
    response = person_client("analyst").get("/api/v1/fraud/alerts/00000000-0000-0000-0000-000000000001")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "fraud_alert_not_found"


def test_an_analyst_takes_and_dispositions_an_alert(person_client):
    client = person_client("analyst")
    alert = FraudAlertFactory()
    FraudScoreFactory(transaction__transaction_id="t1", alert=alert, alert_opened=True)

    taken = client.patch(detail(alert), {"assigned_to": "me"}, format="json")
    closed = client.patch(
        detail(alert), {"status": "confirmed_fraud", "reason": "customer denies it", "note": "refund"}, format="json"
    )

    assert taken.status_code == 200
    assert (taken.json()["status"], taken.json()["assigned_to"]) == ("investigating", client.user.username)
    assert closed.status_code == 200
    assert closed.json()["status"] == "confirmed_fraud"
    assert [event["action"] for event in closed.json()["history"]] == ["assigned", "status_changed", "note"]
    assert FraudLabel.objects.get().label == "fraud"


def test_a_disposition_without_reason_is_refused(person_client):
    alert = FraudAlertFactory()

    response = person_client("analyst").patch(detail(alert), {"status": "false_positive"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reason_required"
    alert.refresh_from_db()
    assert alert.status == "new"
    assert not FraudAlertEvent.objects.exists()


def test_a_forbidden_transition_is_409_and_changes_nothing(person_client):
    alert = FraudAlertFactory(status="resolved")

    response = person_client("analyst").patch(detail(alert), {"status": "investigating", "reason": "x"}, format="json")

    assert response.status_code == 409
    assert not FraudAlertEvent.objects.exists()


def test_assigning_to_someone_who_is_not_an_analyst_is_refused(person_client):
    UserFactory(username="clerk", roles=["compliance_officer"])
    alert = FraudAlertFactory()

    response = person_client("analyst").patch(detail(alert), {"assigned_to": "clerk"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_assignee"


@pytest.mark.parametrize("roles", [(), ("ml_engineer",), ("compliance_officer",)])
def test_only_analysts_may_patch(person_client, roles):
    alert = FraudAlertFactory()

    response = person_client(*roles).patch(detail(alert), {"status": "investigating"}, format="json")

    assert response.status_code == 403


def test_service_clients_may_not_patch(service_client):
    alert = FraudAlertFactory()

    assert service_client.patch_json(detail(alert), {"status": "investigating"}).status_code == 403


def test_rules_inventory(person_client, service_client):
    data = service_client.get("/api/v1/fraud/rules").json()

    assert data["rule_count"] == 18
    assert data["model_version"] == "rules-v3"
    large = next(rule for rule in data["rules"] if rule["rule_id"] == "large_transaction")
    assert large["thresholds"]["min_amount"] == {
        "key": "fraud.large_txn_min",
        "value": "3000.00",
        "env_var": "FRAUD_LARGE_TXN_MIN",
    }
    assert data["alert_thresholds"] == {"medium": 0.3, "high": 0.6, "critical": 0.8}
    assert person_client("analyst").get("/api/v1/fraud/rules").status_code == 200
    assert person_client("compliance_officer").get("/api/v1/fraud/rules").status_code == 403
