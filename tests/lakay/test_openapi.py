"""The OpenAPI schema and docs page exist for authenticated callers (and only for them)."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_schema_lists_the_api_for_a_logged_in_person(person_client):
    response = person_client("operator").get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert "/api/v1/events" in schema["paths"]
    assert schema["info"]["title"] == "Lakay Intelligence API"


def test_docs_page_renders_for_a_logged_in_person(person_client):
    response = person_client("analyst").get("/api/v1/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_is_refused_to_anonymous_callers(client):
    assert client.get("/api/v1/schema/").status_code in {401, 403}
