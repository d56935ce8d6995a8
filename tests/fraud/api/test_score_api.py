"""``POST /api/v1/fraud/score``: signed service calls only, field errors, idempotency, one shared history."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from apps.fraud.models import FraudScore, FraudTransaction
from apps.pipeline.spine.models import RawEvent
from tests.events import _example, iso

pytestmark = pytest.mark.django_db

URL = "/api/v1/fraud/score"


def body(**overrides):
    payload = copy.deepcopy(_example("transaction-initiated")["payload"])
    payload.update(
        transaction_id="txn_api_1",
        user_id="user_api",
        type="remittance",
        amount="300.00",
        source={"type": "ach", "identifier": "bank_9"},
        destination={"type": "wallet", "identifier": "wallet_main"},
        initiated_at=iso(datetime.now(UTC) - timedelta(seconds=5)),
    )
    payload.pop("agent_id", None)
    payload.pop("metadata", None)
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def nothing_stored():
    return not FraudTransaction.objects.exists() and not FraudScore.objects.exists() and not RawEvent.objects.exists()


@pytest.mark.parametrize("roles", [(), ("analyst",), ("admin",), ("ml_engineer",)])
def test_people_cannot_score(person_client, roles):
    client = person_client(*roles)

    response = client.post(URL, body(), format="json")

    assert response.status_code == 403
    assert nothing_stored()


def test_anonymous_callers_cannot_score(client):
    assert client.post(URL, body(), content_type="application/json").status_code in (401, 403)


def test_a_signed_call_is_scored_stored_as_an_event_and_returned(service_client):
    response = service_client.post_json(URL, body())

    assert response.status_code == 201
    data = response.json()
    assert (data["transaction_id"], data["user_id"], data["risk_tier"], data["recommendation"]) == (
        "txn_api_1",
        "user_api",
        "low",
        "allow",
    )
    assert (data["score"], data["ml_score"], data["model_version"], data["alert"]) == (0.0, None, "rules-v3", None)
    assert data["triggered_rules"] == []
    event = RawEvent.objects.get()
    assert (event.event_type, event.source_service, event.topic) == ("transaction-initiated", "trebanx-api", "api")
    assert event.payload["amount"] == "300.00"
    assert FraudScore.objects.get().transaction.event_id == event.event_id


def test_a_repeat_returns_the_stored_score_without_rescoring(service_client):
    first = service_client.post_json(URL, body(amount="25000.00"))
    again = service_client.post_json(URL, body(amount="25000.00"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert RawEvent.objects.count() == 1
    assert FraudScore.objects.count() == 1
    assert first.json()["alert"]["opened_by_this_score"] is True
    assert first.json()["risk_tier"] == "high"


def test_the_same_transaction_id_with_other_content_is_a_conflict(service_client):
    service_client.post_json(URL, body(amount="300.00"))

    response = service_client.post_json(URL, body(amount="301.00"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transaction_conflict"
    assert FraudTransaction.objects.get().amount == 300


def test_api_and_kafka_paths_build_one_history(service_client):
    from apps.pipeline.spine.ingest import ingest_envelope
    from tests.events import make_event

    moment = datetime.now(UTC) - timedelta(minutes=2)
    kafka_event = make_event(
        "transaction-initiated",
        at=moment,
        transaction_id="txn_kafka",
        user_id="user_api",
        amount="100.00",
        initiated_at=iso(moment),
    )
    ingest_envelope(kafka_event)

    response = service_client.post_json(URL, body())

    assert response.json()["risk_tier"] == "low"
    assert FraudScore.objects.get(transaction__transaction_id="txn_api_1").features["txn_count_1h"] == 1.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": None}, "amount"),
        ({"currency": "EUR"}, "currency"),
        ({"currency": "HTG"}, "currency"),
        ({"transaction_id": "bad id!"}, "transaction_id"),
        ({"type": "loan"}, "type"),
        ({"initiated_at": iso(datetime.now(UTC) + timedelta(hours=2))}, "initiated_at"),
        ({"initiated_at": "yesterday"}, "initiated_at"),
        ({"source": {"type": "cash_at_agent", "identifier": "drawer_1"}}, "agent_id"),
        ({"geo_location": {"latitude": 95, "longitude": 0, "country": "US"}}, "geo_location"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_nothing_is_stored(service_client, change, field):
    response = service_client.post_json(URL, body(**change))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]
    assert nothing_stored()


def test_a_body_that_is_not_an_object_is_refused(service_client):
    response = service_client.post_json(URL, ["not", "an", "object"])

    assert response.status_code == 400
    assert nothing_stored()


def test_an_unreachable_feature_store_is_a_503_and_nothing_is_stored(service_client, monkeypatch):
    import redis

    from apps.fraud.features import online

    def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("redis is down")

    monkeypatch.setattr(online, "_read", down)

    response = service_client.post_json(URL, body())

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "feature_store_unavailable"
    assert nothing_stored()
