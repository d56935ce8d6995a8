"""Service clients: API key + HMAC-SHA256 signature over method|path|timestamp|body, replay-proof."""

from __future__ import annotations

import json
import time

import pytest
from rest_framework.test import APIClient

from lakay.security.services import api_key_create, api_key_revoke
from lakay.security.signing import signed_headers
from tests.events import make_event

pytestmark = pytest.mark.django_db

PATH = "/api/v1/events"


def post(client: APIClient, headers: dict[str, str], body: bytes):
    return client.generic("POST", PATH, body, content_type="application/json", headers=headers)


@pytest.fixture
def issued():
    return api_key_create(client_name="trebanx-platform")


def test_a_correctly_signed_request_is_accepted(issued):
    body = json.dumps(make_event("login-success")).encode()
    headers = signed_headers(api_key=issued.api_key, secret=issued.signing_secret, method="POST", path=PATH, body=body)

    response = post(APIClient(), headers, body)

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("tamper", ["body", "path", "method", "secret", "skew", "missing_signature", "bad_key"])
def test_tampered_or_stale_requests_are_refused(issued, tamper):
    body = json.dumps(make_event("login-success")).encode()
    kwargs = {"api_key": issued.api_key, "secret": issued.signing_secret, "method": "POST", "path": PATH, "body": body}
    if tamper == "path":
        kwargs["path"] = "/api/v1/other"
    if tamper == "method":
        kwargs["method"] = "PUT"
    if tamper == "secret":
        kwargs["secret"] = "not-the-secret"
    if tamper == "skew":
        kwargs["timestamp"] = int(time.time()) - 121
    if tamper == "bad_key":
        kwargs["api_key"] = issued.api_key[:-2] + "xx"
    headers = signed_headers(**kwargs)
    if tamper == "missing_signature":
        headers.pop("X-Lakay-Signature")
    sent = body + b" " if tamper == "body" else body

    response = post(APIClient(), headers, sent)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_replayed_signature_is_refused(issued):
    body = json.dumps(make_event("login-success")).encode()
    headers = signed_headers(api_key=issued.api_key, secret=issued.signing_secret, method="POST", path=PATH, body=body)

    first = post(APIClient(), headers, body)
    second = post(APIClient(), headers, body)

    assert first.status_code == 201
    assert second.status_code == 401
    assert "Replayed" in second.json()["error"]["message"]


def test_a_revoked_key_stops_working(issued):
    api_key_revoke(key_id=issued.key_id, reason="rotated")
    body = json.dumps(make_event("login-success")).encode()
    headers = signed_headers(api_key=issued.api_key, secret=issued.signing_secret, method="POST", path=PATH, body=body)

    assert post(APIClient(), headers, body).status_code == 401


def test_keys_are_stored_hashed_and_secrets_encrypted(issued):
    from lakay.security.models import ApiKey

    stored = ApiKey.objects.get(key_id=issued.key_id)
    assert issued.api_key not in stored.key_hash
    assert issued.signing_secret not in stored.signing_secret_encrypted


def test_people_cannot_use_service_endpoints(person_client):
    client = person_client("analyst")

    response = client.post(PATH, make_event("login-success"), format="json")

    assert response.status_code == 403
