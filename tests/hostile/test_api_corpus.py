"""The hostile corpus through the HTTP API with valid signed credentials: a clear 4xx, never a 5xx.

``POST /api/v1/events`` gets every corpus case that makes sense without a topic; ``POST /api/v1/fraud/score``
gets the amount and Unicode cases of its own body.
"""

from __future__ import annotations

import itertools
import json
import time

import pytest
from django.conf import settings

from apps.pipeline.spine.models import DeadLetter, RawEvent
from lakay.security.signing import signed_headers
from tests.hostile.corpus import DEAD_LETTERED, DUPLICATE, STORED, Case, build_corpus, score_body, score_cases

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"
SCORE = "/api/v1/fraud/score"


def api_corpus() -> list[Case]:
    return [case for case in build_corpus(max_bytes=settings.EVENT_MAX_BYTES) if case.api]


def expected_code(case: Case) -> str:
    if case.api_code:
        return case.api_code
    if case.name == "empty_message":
        return "unknown_event_type"  # an empty body is an empty object to DRF
    if case.reason == "invalid_json":
        return "parse_error"  # DRF's parser answers before the view
    return case.reason


_age = itertools.count()


def post(client, path: str, body: bytes):
    """Signed like SignedClient, but each request with its own timestamp: a duplicate sent in the same second
    would otherwise carry the same signature and be refused as a replay (401) before reaching the spine."""
    stamp = int(time.time()) - next(_age) % 100
    headers = signed_headers(
        api_key=client.issued.api_key, secret=client.issued.signing_secret, method="POST", path=path, body=body,
        timestamp=stamp,
    )  # fmt: skip
    return client.generic("POST", path, body, content_type="application/json", headers=headers)


def test_every_case_gets_its_status_and_error_code(service_client):
    # Given the corpus in order (each duplicate after its original)
    cases = api_corpus()

    # When each is posted with valid credentials
    answers = {case.name: post(service_client, EVENTS, case.value or b"") for case in cases}

    # Then every answer is the expected one: 201/200 for accepted events, a 4xx with a JSON error otherwise
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {case.name: case.expected_api_status for case in cases}
    for case in cases:
        body = answers[case.name].json()
        if case.expect == DEAD_LETTERED:
            assert body["error"]["code"] == expected_code(case), (case.name, body)
            assert body["error"]["message"], case.name
        else:
            assert body["created"] is (case.expect == STORED), case.name
    # And exactly the accepted events were stored; the API never writes dead letters (the caller gets the error)
    assert RawEvent.objects.count() == sum(case.expect == STORED for case in cases)
    assert DeadLetter.objects.count() == 0
    assert len(cases) == sum(case.expect in {STORED, DUPLICATE} for case in cases) + sum(
        400 <= statuses[case.name] < 500 for case in cases
    )


def test_an_oversize_body_is_a_json_413_before_anything_is_parsed(service_client):
    body = b'{"x": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'

    response = post(service_client, EVENTS, body)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize(("name", "body", "status"), score_cases(), ids=[case[0] for case in score_cases()])
def test_scoring_refuses_hostile_amounts_and_text_with_a_4xx(service_client, name, body, status):
    response = post(service_client, SCORE, body)

    assert response.status_code == status, (name, response.content[:500])
    if status == 400:
        assert response.json()["error"]["code"] in {"invalid", "parse_error", "not_an_object"}, response.json()
        assert RawEvent.objects.count() == 0


def test_the_api_keeps_working_after_the_corpus(service_client):
    for case in api_corpus():
        post(service_client, EVENTS, case.value or b"")

    response = post(service_client, SCORE, json.dumps(score_body()).encode())

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/fraud/alerts/not-a-uuid", "/api/v1/compliance/cases/x/escalate", "/api/nope"]
)
def test_an_api_url_that_matches_no_route_is_a_json_404(service_client, path):
    # Regression: Django's HTML 404 page answered, breaking the API's error contract.
    response = service_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
