"""The officers' workspace: queues as changelists, the case page, actions calling services, no delete."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.compliance.models import AuditEntry, Case, CaseEvidence, CaseNote, ComplianceAlert, ComplianceCustomer
from apps.compliance.services.cases import case_open
from apps.compliance.services.filings import sar_draft_generate
from tests.compliance.factories import ComplianceAlertFactory, cash_in, ingest, ny

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(admin_client_for):
    return admin_client_for("compliance_officer", username="olga")


@pytest.fixture
def ctr_case(officer_client):
    ingest(cash_in("w1", "6000.00", ny(2026, 3, 2, 9)), cash_in("w1", "5000.00", ny(2026, 3, 2, 10)))
    alerts = list(ComplianceAlert.objects.filter(customer_id="w1").values_list("pk", flat=True))
    return case_open(actor=officer_client.user, alert_ids=alerts)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/compliance/compliancealert/",
        "/admin/compliance/compliancealert/?queue=new",
        "/admin/compliance/case/?queue=mine",
        "/admin/compliance/case/?queue=unassigned",
        "/admin/compliance/case/?queue=due_soon",
        "/admin/compliance/case/?queue=breached",
        "/admin/compliance/compliancecustomer/?open_alerts=yes",
        "/admin/compliance/filing/",
        "/admin/compliance/auditentry/",
        "/admin/compliance/moneymovement/",
    ],
)
def test_queues_render(officer_client, ctr_case, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = officer_client.get(path)

    assert response.status_code == 200


def test_the_case_page_shows_timeline_alerts_transactions_and_risk(officer_client, ctr_case):
    page = officer_client.get(f"/admin/compliance/case/{ctr_case.pk}/change/").content.decode()

    assert 'id="case-timeline"' in page
    assert "case_opened" in page
    assert "Currency cash-in of $11,000.00" in page
    assert page.count("wallet_topup") == 2
    assert 'id="request-approval"' in page


def test_buttons_call_the_services(officer_client, ctr_case):
    base = f"/admin/compliance/case/{ctr_case.pk}/act"

    officer_client.post(f"{base}/assign-me/")
    officer_client.post(f"{base}/note/", {"body": "Called the agent."})
    officer_client.post(f"{base}/request-approval/")

    ctr_case.refresh_from_db()
    assert (ctr_case.status, ctr_case.assigned_to, ctr_case.prepared_by) == (
        "pending_approval",
        officer_client.user,
        officer_client.user,
    )
    assert CaseNote.objects.get(case=ctr_case).body == "Called the agent."
    assert list(AuditEntry.objects.filter(case=ctr_case).values_list("action", flat=True))[-3:] == [
        "case_assigned",
        "note_added",
        "approval_requested",
    ]


def test_a_refused_action_shows_its_reason_and_changes_nothing(officer_client, ctr_case):
    response = officer_client.post(f"/admin/compliance/case/{ctr_case.pk}/act/approve/", follow=True)

    ctr_case.refresh_from_db()
    assert ctr_case.status == "open"
    assert "cannot become filed" in response.content.decode()


def test_evidence_is_stored_with_its_sha256(officer_client, ctr_case, tmp_path, monkeypatch):
    monkeypatch.setattr(CaseEvidence._meta.get_field("file"), "storage", FileSystemStorage(location=str(tmp_path)))
    upload = SimpleUploadedFile("receipt.txt", b"agent receipt 0042", content_type="text/plain")

    officer_client.post(f"/admin/compliance/case/{ctr_case.pk}/act/evidence/", {"file": upload, "description": "r"})

    evidence = ctr_case.evidence.get()
    assert evidence.sha256 == hashlib.sha256(b"agent receipt 0042").hexdigest()
    download = officer_client.get(f"/admin/compliance/case/evidence/{evidence.pk}/")
    assert b"".join(download.streaming_content) == b"agent receipt 0042"


@pytest.mark.parametrize("model", ["compliancealert", "case", "filing", "auditentry", "compliancecustomer"])
def test_nothing_can_be_deleted(officer_client, ctr_case, model):
    obj = {"case": ctr_case, "compliancealert": ctr_case.alerts.first(), "auditentry": AuditEntry.objects.first()}.get(
        model
    )
    changelist = officer_client.get(f"/admin/compliance/{model}/").content.decode()

    assert "delete_selected" not in changelist
    if obj is not None:
        assert officer_client.post(f"/admin/compliance/{model}/{obj.pk}/delete/").status_code in {403, 302}
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_analysts_see_cases_but_never_sar_ones_nor_filings(admin_client_for, officer_client):
    analyst = admin_client_for("analyst")
    plain = case_open(actor=officer_client.user, alert_ids=[ComplianceAlertFactory(customer_id="x1").pk])
    with_sar = case_open(actor=officer_client.user, alert_ids=[ComplianceAlertFactory(customer_id="x2").pk])
    sar_draft_generate(actor=officer_client.user, case_id=with_sar.pk)

    listing = analyst.get("/admin/compliance/case/").content.decode()

    assert plain.reference in listing
    assert with_sar.reference not in listing
    assert analyst.get(f"/admin/compliance/case/{with_sar.pk}/change/").status_code == 404
    assert analyst.get("/admin/compliance/filing/").status_code == 403
    assert "SAR" not in analyst.get(f"/admin/compliance/case/{plain.pk}/change/").content.decode()


def test_open_case_from_an_alert_page(officer_client):
    alert = ComplianceAlertFactory(customer_id="y1")

    response = officer_client.post(f"/admin/compliance/compliancealert/{alert.pk}/open-case/")

    case = Case.objects.get(customer_id="y1")
    assert response["Location"] == f"/admin/compliance/case/{case.pk}/change/"
    assert officer_client.get(f"/admin/compliance/compliancealert/{alert.pk}/change/").status_code == 200
    assert Case.objects.filter(sla_due_at__gt=case.opened_at + timedelta(hours=1)).exists()


def test_alerts_grouped_per_customer_in_constant_queries(officer_client, django_assert_max_num_queries):
    for number in range(12):
        customer = f"grp{number}"
        ComplianceCustomer.objects.create(customer_id=customer)
        ComplianceAlertFactory(customer_id=customer)
        ComplianceAlertFactory(customer_id=customer)

    with django_assert_max_num_queries(15):
        page = officer_client.get("/admin/compliance/compliancecustomer/?open_alerts=yes").content.decode()

    assert page.count('&amp;queue=new">2</a>') == 12
