"""Permission matrix of every compliance endpoint: anonymous, wrong role, right role."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

COMPLIANCE_ONLY = [
    ("get", "/api/v1/compliance/ctr/daily/u1"),
    ("get", "/api/v1/compliance/ctr/pending"),
    ("get", "/api/v1/compliance/ctr/filings"),
    ("get", "/api/v1/compliance/sar/drafts"),
    ("get", "/api/v1/compliance/risk/high"),
    ("get", "/api/v1/compliance/risk/u1"),
    ("get", "/api/v1/compliance/edd-reviews"),
    ("get", "/api/v1/compliance/filings"),
    ("get", "/api/v1/pipeline/compliance-reports"),
    ("post", "/api/v1/pipeline/compliance-reports/summary"),
]
CASE_WORKERS = [
    ("get", "/api/v1/compliance/alerts"),
    ("get", "/api/v1/compliance/cases"),
]


def call(client, method, path):
    return getattr(client, method)(path, {}, format="json")


@pytest.mark.parametrize(("method", "path"), COMPLIANCE_ONLY + CASE_WORKERS)
def test_anonymous_is_refused(method, path):
    assert call(APIClient(), method, path).status_code in {401, 403}


@pytest.mark.parametrize(("method", "path"), COMPLIANCE_ONLY)
@pytest.mark.parametrize("role", ["analyst", "ml_engineer", "operator"])
def test_sar_and_filings_are_for_compliance_roles_only(person_client, method, path, role):
    assert call(person_client(role), method, path).status_code == 403


@pytest.mark.parametrize(("method", "path"), COMPLIANCE_ONLY + CASE_WORKERS)
def test_service_clients_get_nothing(service_client, method, path):
    response = service_client.generic(method.upper(), path, "{}" if method == "post" else "")

    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), COMPLIANCE_ONLY + CASE_WORKERS)
@pytest.mark.parametrize("role", ["compliance_officer", "admin"])
def test_compliance_roles_are_admitted(person_client, method, path, role):
    assert call(person_client(role), method, path).status_code in {200, 201, 404}


@pytest.mark.parametrize(("method", "path"), CASE_WORKERS)
def test_analysts_work_alerts_and_cases(person_client, method, path):
    assert call(person_client("analyst"), method, path).status_code == 200
