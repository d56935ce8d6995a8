"""Compliance endpoints end to end: CTR totals, alert → case → approval, SAR drafts, risk, filings, reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.compliance.choices import AlertType
from apps.compliance.fincen.batch import validation_errors
from apps.compliance.models import ComplianceAlert, FilingBatch
from tests.compliance.factories import ComplianceAlertFactory, cash_in, ingest, ny, remittance

pytestmark = pytest.mark.django_db
DAY = ny(2026, 3, 2, 9)
NARRATIVE = "Reviewed: the customer deposited currency in amounts kept under the reporting threshold. " * 2


@pytest.fixture
def officers(person_client):
    return person_client("compliance_officer", username="alice"), person_client("compliance_officer", username="bob")


def test_ctr_daily_totals_per_direction(person_client):
    ingest(cash_in("api1", "6000.00", DAY), cash_in("api1", "5000.00", DAY + timedelta(hours=1)))

    body = person_client("compliance_officer").get("/api/v1/compliance/ctr/daily/api1?date=2026-03-02").json()

    assert body["cash_in"] == {"total": "11000.00", "transaction_count": 2, "is_reportable": True}
    assert body["cash_out"] == {"total": "0.00", "transaction_count": 0, "is_reportable": False}


def test_alert_to_case_to_approval_over_the_api(officers):
    alice, bob = officers
    ingest(cash_in("api2", "6000.00", DAY), cash_in("api2", "5000.00", DAY + timedelta(hours=1)))
    alert = ComplianceAlert.objects.get(customer_id="api2", alert_type=AlertType.CTR_THRESHOLD)

    opened = alice.post("/api/v1/compliance/cases", {"alert_ids": [alert.pk]}, format="json")
    case_id = opened.json()["id"]
    alice.post(f"/api/v1/compliance/cases/{case_id}/notes", {"body": "Agent confirms two deposits."}, format="json")
    alice.post(f"/api/v1/compliance/cases/{case_id}/request-approval", {}, format="json")
    refused = alice.post(f"/api/v1/compliance/cases/{case_id}/approve", {}, format="json")
    approved = bob.post(f"/api/v1/compliance/cases/{case_id}/approve", {}, format="json")

    assert opened.status_code == 201
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "four_eyes"
    body = approved.json()
    assert (body["status"], body["prepared_by"], body["approved_by"]) == ("filed", "alice", "bob")
    assert [entry["action"] for entry in body["timeline"]] == [
        "case_opened",
        "note_added",
        "approval_requested",
        "filing_approved",
    ]
    assert {row["reference"] for row in body["transactions"]} == set(alert.transaction_ids)


def test_a_forbidden_transition_is_409_and_changes_nothing(officers):
    alice, _ = officers
    case_id = alice.post(
        "/api/v1/compliance/cases", {"alert_ids": [ComplianceAlertFactory().pk]}, format="json"
    ).json()["id"]

    response = alice.post(f"/api/v1/compliance/cases/{case_id}/reopen", {"reason": "x"}, format="json")

    assert response.status_code == 409
    assert alice.get(f"/api/v1/compliance/cases/{case_id}").json()["status"] == "open"


def test_an_analyst_never_learns_a_sar_exists(officers, person_client):
    alice, _ = officers
    analyst = person_client("analyst")
    case_id = alice.post(
        "/api/v1/compliance/cases", {"alert_ids": [ComplianceAlertFactory().pk]}, format="json"
    ).json()["id"]
    assert "has_sar" not in analyst.get(f"/api/v1/compliance/cases/{case_id}").json()

    alice.post(f"/api/v1/compliance/sar/draft/{case_id}", {}, format="json")

    assert analyst.get(f"/api/v1/compliance/cases/{case_id}").status_code == 404
    assert case_id not in [case["id"] for case in analyst.get("/api/v1/compliance/cases").json()["items"]]
    assert analyst.post(f"/api/v1/compliance/sar/draft/{case_id}", {}, format="json").status_code == 403


def test_sar_draft_amounts_come_from_transactions_and_it_is_marked_machine_drafted(officers):
    alice, _ = officers
    ingest(*[cash_in("api3", "1900.00", DAY + timedelta(hours=h)) for h in range(5)])
    alert_ids = list(ComplianceAlert.objects.filter(customer_id="api3").values_list("pk", flat=True))
    case_id = alice.post("/api/v1/compliance/cases", {"alert_ids": alert_ids}, format="json").json()["id"]

    draft = alice.post(f"/api/v1/compliance/sar/draft/{case_id}", {}, format="json").json()

    assert draft["is_machine_drafted"] is True
    assert draft["narrative"].startswith("[MACHINE-DRAFTED")
    assert draft["facts"]["amount_total"] == "9500.00"  # five transactions, not the sum of alert totals
    assert "$9,500.00" in draft["narrative"]
    assert draft["activity_codes"] == [[1, 114]]
    edited = alice.patch(f"/api/v1/compliance/sar/drafts/{draft['id']}", {"narrative": NARRATIVE}, format="json")
    assert edited.json()["is_machine_drafted"] is False


def test_sar_filing_lifecycle_and_a_schema_valid_batch(officers):
    alice, bob = officers
    ingest(*[cash_in("api4", "1900.00", DAY + timedelta(hours=h)) for h in range(5)])
    alert_ids = list(ComplianceAlert.objects.filter(customer_id="api4").values_list("pk", flat=True))
    case_id = alice.post("/api/v1/compliance/cases", {"alert_ids": alert_ids}, format="json").json()["id"]
    draft = alice.post(f"/api/v1/compliance/sar/draft/{case_id}", {}, format="json").json()
    alice.patch(f"/api/v1/compliance/sar/drafts/{draft['id']}", {"narrative": NARRATIVE}, format="json")
    alice.post(f"/api/v1/compliance/cases/{case_id}/request-approval", {}, format="json")
    bob.post(f"/api/v1/compliance/cases/{case_id}/approve", {}, format="json")
    [filing] = alice.get("/api/v1/compliance/filings?kind=sar").json()["items"]

    exported = alice.post(
        "/api/v1/compliance/filings/export", {"kind": "sar", "filing_ids": [filing["id"]]}, format="json"
    )
    batch = FilingBatch.objects.get(pk=exported.json()["id"])
    submitted = alice.post(f"/api/v1/compliance/filing-batches/{batch.pk}/submitted", {}, format="json")
    acknowledged = alice.post(
        f"/api/v1/compliance/filings/{filing['id']}/acknowledge", {"bsa_id": "31000123456789"}, format="json"
    )

    assert (filing["status"], filing["amount_total"]) == ("approved", "9500.00")
    assert exported.status_code == 201
    assert validation_errors(batch.xml, "SARX") == []
    assert 'TotalAmount="9500"' in batch.xml
    assert 'PartyCount="1"' in batch.xml
    assert submitted.status_code == 200
    assert (acknowledged.json()["status"], acknowledged.json()["bsa_id"]) == ("acknowledged", "31000123456789")


def test_ctr_batch_export_validates(officers):
    alice, bob = officers
    ingest(
        cash_in("api5", "6000.00", DAY),
        remittance("api5", "5000.00", DAY + timedelta(hours=1), funding="cash_at_agent"),
    )
    alert = ComplianceAlert.objects.get(customer_id="api5", alert_type=AlertType.CTR_THRESHOLD)
    case_id = alice.post("/api/v1/compliance/cases", {"alert_ids": [alert.pk]}, format="json").json()["id"]
    alice.post(f"/api/v1/compliance/cases/{case_id}/request-approval", {}, format="json")
    bob.post(f"/api/v1/compliance/cases/{case_id}/approve", {}, format="json")
    [filing] = alice.get("/api/v1/compliance/ctr/filings").json()["items"]

    exported = alice.post(
        "/api/v1/compliance/filings/export", {"kind": "ctr", "filing_ids": [filing["id"]]}, format="json"
    )

    batch = FilingBatch.objects.get(pk=exported.json()["id"])
    assert validation_errors(batch.xml, "CTRX") == []
    assert "<fc2:TotalCashInReceiveAmountText>11000</fc2:TotalCashInReceiveAmountText>" in batch.xml
    assert "<fc2:CurrencyTransactionActivityDetailTypeCode>23<" in batch.xml  # the cash-funded remittance
    assert "<fc2:MultipleTransactionsPersonsIndividualsIndicator>Y<" in batch.xml


def test_exporting_an_unapproved_filing_is_refused(officers):
    alice, _ = officers
    ingest(cash_in("api6", "10000.01", DAY))
    [filing] = alice.get("/api/v1/compliance/ctr/pending").json()["items"]

    response = alice.post(
        "/api/v1/compliance/filings/export", {"kind": "ctr", "filing_ids": [filing["id"]]}, format="json"
    )

    assert response.status_code == 409
    assert not FilingBatch.objects.exists()


def test_reports_carry_real_figures(officers):
    alice, _ = officers
    ingest(cash_in("api7", "6000.00", DAY), cash_in("api7", "5000.00", DAY + timedelta(hours=1)))
    ingest(*[cash_in("api8", "1900.00", DAY + timedelta(hours=h)) for h in range(5)])

    ctr = alice.post(
        "/api/v1/pipeline/compliance-reports/ctr", {"start_date": "2026-03-01", "end_date": "2026-03-31"}, format="json"
    ).json()
    summary = alice.post(
        "/api/v1/pipeline/compliance-reports/summary",
        {"start_date": "2020-01-01", "end_date": "2020-01-02"},
        format="json",
    ).json()
    audit = alice.post("/api/v1/pipeline/compliance-reports/audit", {"period": "monthly"}, format="json").json()
    listed = alice.get("/api/v1/pipeline/compliance-reports").json()
    fetched = alice.get(f"/api/v1/pipeline/compliance-reports/{ctr['report_id']}").json()

    rows = ctr["content"]["transactions"]
    assert [(row["customer_id"], row["cash_in_total"], row["transaction_count"]) for row in rows] == [
        ("api7", "11000.00", 2)
    ]
    assert ctr["content"]["summary"]["filing_count"] == 1
    assert summary["content"]["alert_volume"] == {}
    assert audit["content"]["audit_trail"]["is_intact"] is True
    assert audit["content"]["alert_statistics"]["total"] == ComplianceAlert.objects.count()
    assert audit["content"]["thresholds_in_force"]["compliance.ctr_threshold"] == "10000.00"
    assert listed["total"] == 3
    assert fetched["content"] == ctr["content"]


def test_risk_profile_history_and_officer_override(officers):
    alice, _ = officers
    ingest(remittance("api9", "200.00", DAY, country="IR"))

    profile = alice.get("/api/v1/compliance/risk/api9").json()
    override = alice.post(
        "/api/v1/compliance/risk/api9/review", {"level": "medium", "reason": "Refugee family"}, format="json"
    )
    history = alice.get("/api/v1/compliance/risk/api9/history").json()["items"]
    high = alice.get("/api/v1/compliance/risk/high").json()["items"]

    assert profile["risk_level"] == "high"  # FATF call-for-action floor
    assert override.json()["source"] == "override"
    assert [row["level"] for row in history] == ["medium", "high"]
    assert high == []
