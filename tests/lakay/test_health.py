"""/health, /ready and /metrics."""

from __future__ import annotations

import pytest
from django.test import override_settings

from lakay import health

pytestmark = pytest.mark.django_db


def test_health_answers_without_dependencies(client):
    body = client.get("/health").json()

    assert body["status"] == "healthy"
    assert body["version"]
    assert isinstance(body["uptime_seconds"], int)


def test_ready_reports_each_dependency(client, kafka_topics):
    response = client.get("/ready")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("database", "redis", "kafka", "status")} == {
        "database": True,
        "redis": True,
        "kafka": True,
        "status": "ready",
    }


def test_ready_is_503_when_a_required_dependency_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "_redis_ok", lambda: False)

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json()["redis"] is False


@override_settings(READY_REQUIRES=["database", "redis"])
def test_kafka_can_be_optional(client, monkeypatch):
    monkeypatch.setattr(health, "_kafka_ok", lambda: False)

    assert client.get("/ready").status_code == 200


def test_metrics_need_a_token_or_an_operator(client, person_client):
    assert client.get("/metrics").status_code == 401
    assert person_client("analyst").get("/metrics").status_code == 401
    assert person_client("operator").get("/metrics").status_code == 200


@override_settings(METRICS_BEARER_TOKEN="scrape-me")
def test_metrics_with_the_bearer_token(client):
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})

    assert response.status_code == 200
    assert b"lakay_events_consumed_total" in response.content or b"# HELP" in response.content
