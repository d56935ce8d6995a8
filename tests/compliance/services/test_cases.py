"""The case workflow: opening, transitions (forbidden ones change nothing), four eyes, permissions, SLA."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from apps.compliance.choices import AlertStatus, AlertType, CaseStatus, CaseType, FilingStatus, RuleCode
from apps.compliance.models import AuditEntry, Case, ComplianceAlert, Filing
from apps.compliance.services.cases import (
    case_approve,
    case_assign,
    case_close_no_filing,
    case_escalate_overdue,
    case_open,
    case_reject_approval,
    case_reopen,
    case_request_approval,
    case_start_investigation,
)
from apps.compliance.services.filings import sar_draft_generate, sar_draft_update
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from tests.compliance.factories import ComplianceAlertFactory, analyst, cash_in, ingest, ny, officer

pytestmark = pytest.mark.django_db

NARRATIVE = "Officer-reviewed narrative: the customer split cash deposits below the reporting threshold " * 2


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return case.status, case.prepared_by_id, case.approved_by_id, AuditEntry.objects.count()


@pytest.fixture
def preparer():
    return officer(username="preparer")


@pytest.fixture
def approver():
    return officer(username="approver")


@pytest.fixture
def sar_case(preparer):
    alert = ComplianceAlertFactory(customer_id="cust_sar")
    case = case_open(actor=preparer, alert_ids=[alert.pk])
    draft = sar_draft_generate(actor=preparer, case_id=case.pk)
    sar_draft_update(actor=preparer, draft_id=draft.pk, narrative=NARRATIVE)
    return case


def test_opening_a_case_from_alerts_links_them_and_starts_the_clocks(preparer):
    first = ComplianceAlertFactory(customer_id="cust_1", priority="elevated")
    second = ComplianceAlertFactory(customer_id="cust_1", priority="urgent")

    case = case_open(actor=preparer, alert_ids=[first.pk, second.pk])

    assert (case.status, case.priority, case.case_type, case.customer_id) == (
        "open",
        "urgent",
        "investigation",
        "cust_1",
    )
    assert case.regulatory_due_on == first.business_date + timedelta(days=30)
    assert set(ComplianceAlert.objects.filter(case=case).values_list("status", flat=True)) == {AlertStatus.IN_CASE}
    assert list(AuditEntry.objects.filter(case=case).values_list("action", flat=True)) == ["case_opened"]


def test_a_ctr_alert_gives_a_fifteen_day_clock_and_links_the_filing(preparer):
    ingest(cash_in("cust_ctr", "6000.00", ny(2026, 3, 2, 9)), cash_in("cust_ctr", "5000.00", ny(2026, 3, 2, 10)))
    alert = ComplianceAlert.objects.get(customer_id="cust_ctr", alert_type=AlertType.CTR_THRESHOLD)

    case = case_open(actor=preparer, alert_ids=[alert.pk])

    assert (case.case_type, case.regulatory_due_on.isoformat()) == (CaseType.CTR, "2026-03-17")
    assert Filing.objects.get(customer_id="cust_ctr").case_id == case.pk


def test_alerts_of_two_customers_cannot_share_a_case_and_nothing_changes(preparer):
    alerts = [ComplianceAlertFactory(customer_id="a"), ComplianceAlertFactory(customer_id="b")]

    with pytest.raises(ApplicationError) as error:
        case_open(actor=preparer, alert_ids=[alert.pk for alert in alerts])

    assert error.value.code == "alerts_of_several_customers"
    assert (Case.objects.count(), AuditEntry.objects.count()) == (0, 0)
    assert set(ComplianceAlert.objects.values_list("status", flat=True)) == {AlertStatus.NEW}


def test_new_alerts_attach_to_the_customers_active_case(preparer):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory(customer_id="c2").pk])
    later = ComplianceAlertFactory(customer_id="c2", priority="critical")

    attached = case_open(actor=preparer, alert_ids=[later.pk])

    assert attached.pk == case.pk
    assert attached.priority == "critical"
    assert Case.objects.count() == 1
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["case_opened", "alerts_attached"]


def test_a_forbidden_transition_changes_nothing(preparer, approver):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory().pk])
    before = snapshot(case)

    with pytest.raises(ConflictError) as error:
        case_approve(actor=approver, case_id=case.pk)

    assert error.value.code == "invalid_transition"
    assert snapshot(case) == before


def test_nothing_to_approve_is_refused(preparer):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory().pk])
    before = snapshot(case)

    with pytest.raises(ApplicationError) as error:
        case_request_approval(actor=preparer, case_id=case.pk)

    assert error.value.code == "nothing_to_file"
    assert snapshot(case) == before


def test_a_machine_drafted_narrative_must_be_reviewed_before_approval(preparer):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory().pk])
    sar_draft_generate(actor=preparer, case_id=case.pk)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as error:
        case_request_approval(actor=preparer, case_id=case.pk)

    assert error.value.code == "narrative_not_reviewed"
    assert snapshot(case) == before


def test_four_eyes_the_preparer_cannot_approve(sar_case, preparer):
    case_request_approval(actor=preparer, case_id=sar_case.pk)
    before = snapshot(sar_case)

    with pytest.raises(PermissionDeniedError) as error:
        case_approve(actor=preparer, case_id=sar_case.pk)

    assert error.value.code == "four_eyes"
    assert snapshot(sar_case) == before


def test_an_officer_who_edited_the_draft_cannot_approve_either(sar_case, preparer):
    editor = officer(username="editor")
    sar_draft_update(actor=editor, draft_id=sar_case.sar_draft.pk, narrative=NARRATIVE + " edited")
    case_request_approval(actor=preparer, case_id=sar_case.pk)

    with pytest.raises(PermissionDeniedError):
        case_approve(actor=editor, case_id=sar_case.pk)


def test_a_second_officer_approves_and_the_sar_filing_is_approved(sar_case, preparer, approver):
    case_request_approval(actor=preparer, case_id=sar_case.pk)

    case = case_approve(actor=approver, case_id=sar_case.pk)

    assert (case.status, case.prepared_by_id, case.approved_by_id) == ("filed", preparer.pk, approver.pk)
    filing = Filing.objects.get(case=case, kind="sar")
    assert (filing.status, filing.approved_by_id) == (FilingStatus.APPROVED, approver.pk)
    assert list(AuditEntry.objects.filter(case=case).values_list("action", flat=True)) == [
        "case_opened",
        "sar_drafted",
        "sar_edited",
        "approval_requested",
        "filing_approved",
    ]


def test_an_analyst_cannot_approve_nor_see_a_case_with_a_sar(sar_case, preparer):
    case_request_approval(actor=preparer, case_id=sar_case.pk)
    person = analyst()

    with pytest.raises(PermissionDeniedError):
        case_approve(actor=person, case_id=sar_case.pk)
    with pytest.raises(NotFoundError):
        case_start_investigation(actor=person, case_id=sar_case.pk)


def test_rejection_sends_the_case_back_to_investigation(sar_case, preparer, approver):
    case_request_approval(actor=preparer, case_id=sar_case.pk)

    case = case_reject_approval(actor=approver, case_id=sar_case.pk, reason="Add the agent's statement")

    assert case.status == CaseStatus.INVESTIGATING


def test_closing_without_filing_needs_a_rationale_and_can_be_reopened(preparer):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory().pk])

    with pytest.raises(ApplicationError):
        case_close_no_filing(actor=preparer, case_id=case.pk, rationale="  ")
    closed = case_close_no_filing(actor=preparer, case_id=case.pk, rationale="Payroll of a registered business")
    reopened = case_reopen(actor=preparer, case_id=case.pk, reason="New deposits the next week")

    assert (closed.status, reopened.status, reopened.reopen_count) == ("closed_no_filing", "reopened", 1)


def test_a_mandatory_ctr_cannot_be_closed_without_filing(preparer):
    ingest(cash_in("cust_m", "6000.00", ny(2026, 3, 2, 9)), cash_in("cust_m", "5000.00", ny(2026, 3, 2, 10)))
    alert = ComplianceAlert.objects.get(customer_id="cust_m", rule_code=RuleCode.CTR_THRESHOLD)
    case = case_open(actor=preparer, alert_ids=[alert.pk])
    before = snapshot(case)

    with pytest.raises(ConflictError) as error:
        case_close_no_filing(actor=preparer, case_id=case.pk, rationale="Known customer")

    assert error.value.code == "ctr_mandatory"
    assert snapshot(case) == before


def test_analysts_assign_to_themselves_but_only_officers_reassign(preparer):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory().pk])
    person, other = analyst(username="ana"), analyst(username="bob")

    mine = case_assign(actor=person, case_id=case.pk, assignee_id=person.pk)
    with pytest.raises(PermissionDeniedError):
        case_assign(actor=person, case_id=case.pk, assignee_id=other.pk)
    reassigned = case_assign(actor=preparer, case_id=case.pk, assignee_id=other.pk)

    assert (mine.assigned_to_id, reassigned.assigned_to_id) == (person.pk, other.pk)


def test_a_case_past_its_sla_is_escalated_one_level(preparer):
    case = case_open(actor=preparer, alert_ids=[ComplianceAlertFactory(priority="elevated").pk])

    with time_machine.travel(timezone.now() + timedelta(hours=169), tick=False):
        escalated = case_escalate_overdue()
        again = case_escalate_overdue()

    case.refresh_from_db()
    assert (escalated, again, case.priority, case.escalation_count) == (1, 0, "urgent", 1)
    assert AuditEntry.objects.filter(case=case, action="case_escalated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_starting_at_once_make_one_transition():
    first, second = officer(username="o1"), officer(username="o2")
    case = case_open(actor=first, alert_ids=[ComplianceAlertFactory().pk])
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def start(actor):
        barrier.wait()
        try:
            case_start_investigation(actor=actor, case_id=case.pk)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(actor,)) for actor in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditEntry.objects.filter(case=case, action="investigation_started").count() == 1
