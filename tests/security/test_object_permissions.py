"""Object-level permissions of compliance cases: an analyst works their own and unassigned cases only.

Officers see every case; an analyst never sees (404, existence not revealed) nor changes a case assigned to
another analyst, through the list, the detail or any action. (Fraud alerts are one shared analyst queue by
design: their role matrix is in tests/fraud/api/test_alerts_api.py; SAR secrecy in
tests/compliance/api/test_endpoints.py.)
"""

from __future__ import annotations

import pytest

from apps.compliance.models import Case
from tests.compliance.factories import ComplianceAlertFactory

pytestmark = pytest.mark.django_db

# action → (body, status, error code). Officer-only actions refuse on the role first, whatever the case
# (so the answer reveals nothing about the case either).
ACTIONS = {
    "assign": ({}, 404, "case_not_found"),
    "start": ({}, 404, "case_not_found"),
    "notes": ({"body": "looked at it"}, 404, "case_not_found"),
    "attach-alerts": ({"alert_ids": ["ALERT"]}, 404, "case_not_found"),
    "request-approval": ({}, 404, "case_not_found"),
    "approve": ({}, 403, "compliance_role_required"),
    "reject": ({"reason": "no"}, 403, "compliance_role_required"),
    "close": ({"rationale": "nothing here"}, 403, "compliance_role_required"),
    "reopen": ({"reason": "again"}, 403, "compliance_role_required"),
}


@pytest.fixture
def people(person_client):
    return {
        "officer": person_client("compliance_officer"),
        "owner": person_client("analyst"),
        "other": person_client("analyst"),
    }


def open_case(officer, assignee=None) -> int:
    case_id = officer.post(
        "/api/v1/compliance/cases", {"alert_ids": [ComplianceAlertFactory().pk]}, format="json"
    ).json()["id"]
    if assignee is not None:
        response = officer.post(
            f"/api/v1/compliance/cases/{case_id}/assign", {"assignee_id": assignee.user.pk}, format="json"
        )
        assert response.status_code == 200, response.content
    return case_id


def listed(client) -> set[int]:
    return {case["id"] for case in client.get("/api/v1/compliance/cases?queue=all").json()["items"]}


def test_who_sees_which_case(people):
    owned = open_case(people["officer"], assignee=people["owner"])
    unassigned = open_case(people["officer"])

    assert listed(people["officer"]) == {owned, unassigned}
    assert listed(people["owner"]) == {owned, unassigned}
    assert listed(people["other"]) == {unassigned}
    assert people["owner"].get(f"/api/v1/compliance/cases/{owned}").status_code == 200
    assert people["other"].get(f"/api/v1/compliance/cases/{owned}").status_code == 404
    assert people["other"].get(f"/api/v1/compliance/cases/{unassigned}").status_code == 200


@pytest.mark.parametrize("action", ACTIONS)
def test_another_analysts_case_cannot_be_touched(people, action):
    case_id = open_case(people["officer"], assignee=people["owner"])
    before = Case.objects.values().get(pk=case_id)
    body, status, code = ACTIONS[action]
    if "alert_ids" in body:
        body = {"alert_ids": [ComplianceAlertFactory().pk]}

    response = people["other"].post(f"/api/v1/compliance/cases/{case_id}/{action}", body, format="json")

    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert Case.objects.values().get(pk=case_id) == before
