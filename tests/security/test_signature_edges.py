"""Signed requests, the edges test_signed_requests.py leaves out: the query string, future and malformed
timestamps, malformed keys, another client's secret. Every refusal is a JSON 401 and stores nothing."""

from __future__ import annotations

import json
import time

import pytest
from rest_framework.test import APIClient

from apps.pipeline.spine.models import RawEvent
from lakay.security.services import api_key_create
from lakay.security.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from tests.events import make_event

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"
ALERTS = "/api/v1/fraud/alerts"


@pytest.fixture
def issued():
    return api_key_create(client_name="trebanx-edges")


def send(method: str, path: str, headers: dict[str, str], body: bytes = b""):
    return APIClient().generic(method, path, body, content_type="application/json", headers=headers)


def test_the_query_string_is_signed(issued):
    headers = signed_headers(
        api_key=issued.api_key, secret=issued.signing_secret, method="GET", path=f"{ALERTS}?limit=5"
    )

    assert send("GET", f"{ALERTS}?limit=5", headers).status_code == 200
    tampered = signed_headers(
        api_key=issued.api_key, secret=issued.signing_secret, method="GET", path=f"{ALERTS}?limit=5"
    )
    response = send("GET", f"{ALERTS}?limit=500", tampered)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({TIMESTAMP_HEADER: str(int(time.time()) + 600)}, "outside the allowed window"),
        ({TIMESTAMP_HEADER: "yesterday"}, "Unix seconds"),
        ({TIMESTAMP_HEADER: "1e9"}, "Unix seconds"),
        ({TIMESTAMP_HEADER: ""}, "headers are required"),
        ({"Authorization": "ApiKey not-a-key"}, "Malformed API key"),
        ({"Authorization": "ApiKey lk_unknown_secret"}, "Invalid or revoked"),
        ({SIGNATURE_HEADER: "0" * 64}, "Invalid request signature"),
    ],
    ids=["future", "words", "float", "missing_timestamp", "malformed_key", "unknown_key", "zero_signature"],
)
def test_bad_credentials_are_a_json_401_and_store_nothing(issued, change, message):
    body = json.dumps(make_event("login-success")).encode()
    headers = signed_headers(
        api_key=issued.api_key, secret=issued.signing_secret, method="POST", path=EVENTS, body=body
    )
    headers.update(change)
    if change.get(TIMESTAMP_HEADER, "x").lstrip("-").isdigit():  # re-sign a numeric stamp: only its age is wrong
        headers = signed_headers(
            api_key=issued.api_key,
            secret=issued.signing_secret,
            method="POST",
            path=EVENTS,
            body=body,
            timestamp=int(change[TIMESTAMP_HEADER]),
        )

    response = send("POST", EVENTS, headers, body)

    assert response.status_code == 401
    assert message in response.json()["error"]["message"]
    assert RawEvent.objects.count() == 0


def test_another_clients_secret_does_not_sign_for_this_key(issued):
    other = api_key_create(client_name="trebanx-other")
    body = json.dumps(make_event("login-success")).encode()
    headers = signed_headers(api_key=issued.api_key, secret=other.signing_secret, method="POST", path=EVENTS, body=body)

    assert send("POST", EVENTS, headers, body).status_code == 401
    assert RawEvent.objects.count() == 0
