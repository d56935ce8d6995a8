"""The case workflow.

    open ──► investigating ──► pending_approval ──► filed
      │            │   ▲              │
      │            │   └── rejected ──┘
      └────────────┴──► closed_no_filing (rationale)
    filed / closed_no_filing ──► reopened ──► investigating …

Four eyes: whoever requested approval, or shaped the SAR draft, cannot approve; the approver must be
another compliance officer.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.compliance.choices import CaseStatus, FilingKind, FilingStatus
from apps.compliance.config import rules
from apps.compliance.models import Case, Filing, SarDraft
from apps.compliance.selectors.access import case_access, require_case_worker, require_compliance_officer
from apps.compliance.services.cases.common import record, transition
from lakay.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from lakay.security.permissions import has_role
from lakay.security.roles import Role

_PREPARABLE = (CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.REOPENED)


def _locked(actor: Any, case_id: int) -> Case:
    case = case_access(user=actor, case_id=case_id)
    return Case.objects.select_for_update().get(pk=case.pk)


def _required_text(text: str, code: str, what: str) -> str:
    value = text.strip()
    if not value:
        raise ApplicationError(f"{what} is required.", code=code)
    return value


def case_start_investigation(*, actor: Any, case_id: int) -> Case:
    require_case_worker(actor)
    with transaction.atomic():
        case = _locked(actor, case_id)
        changes: dict[str, Any] = {}
        if case.assigned_to_id is None:
            changes["assigned_to"] = actor
        transition(case, allowed_from=(CaseStatus.OPEN, CaseStatus.REOPENED), to=CaseStatus.INVESTIGATING, **changes)
        record(case, actor=actor, action="investigation_started", summary="Investigation started")
    return case


def _sar_filing_from_draft(case: Case, draft: SarDraft, actor: Any) -> Filing:
    facts = draft.facts
    values = {
        "customer_id": case.customer_id,
        "amount_total": facts.get("amount_total", "0.00"),
        "activity_from": facts.get("activity_from"),
        "activity_to": facts.get("activity_to"),
        "due_on": case.regulatory_due_on or case.detected_on,
        "prepared_by": actor,
        "status": FilingStatus.PREPARED,
        "details": {"draft_version": draft.version, "activity_codes": draft.activity_codes},
    }
    filing, _ = Filing.objects.update_or_create(kind=FilingKind.SAR, case=case, defaults=values)
    return filing


def case_request_approval(*, actor: Any, case_id: int) -> Case:
    """Send the case's filing decision for a second officer's approval."""
    require_case_worker(actor)
    with transaction.atomic():
        case = _locked(actor, case_id)
        draft = SarDraft.objects.filter(case=case).first()
        filings = list(Filing.objects.filter(case=case, kind=FilingKind.CTR, status=FilingStatus.PREPARED))
        if draft is not None:
            require_compliance_officer(actor)
            if draft.is_machine_drafted:
                raise ApplicationError(
                    "Review and edit the machine-drafted narrative before requesting approval.",
                    code="narrative_not_reviewed",
                )
            _sar_filing_from_draft(case, draft, actor)
        elif not filings:
            raise ApplicationError(
                "Nothing to approve: draft a SAR or link a CTR filing, or close the case with a rationale.",
                code="nothing_to_file",
            )
        transition(
            case,
            allowed_from=_PREPARABLE,
            to=CaseStatus.PENDING_APPROVAL,
            prepared_by=actor,
            approval_requested_at=timezone.now(),
        )
        Filing.objects.filter(case=case, status=FilingStatus.PREPARED, prepared_by__isnull=True).update(
            prepared_by=actor
        )
        record(
            case,
            actor=actor,
            action="approval_requested",
            summary="Approval requested",
            details={"filings": sorted(Filing.objects.filter(case=case).values_list("kind", flat=True))},
        )
    return case


def case_approve(*, actor: Any, case_id: int) -> Case:
    """A second compliance officer approves: the case is filed and its filings approved for export."""
    if not has_role(actor, Role.COMPLIANCE_OFFICER):
        raise PermissionDeniedError("Only a compliance officer approves filings.", code="compliance_role_required")
    with transaction.atomic():
        case = _locked(actor, case_id)
        draft = SarDraft.objects.filter(case=case).first()
        contributors = set(draft.contributors) if draft else set()
        if case.prepared_by_id == actor.pk or actor.pk in contributors:
            raise PermissionDeniedError(
                "Four eyes: the officer who prepared this filing cannot approve it.", code="four_eyes"
            )
        now = timezone.now()
        transition(
            case,
            allowed_from=(CaseStatus.PENDING_APPROVAL,),
            to=CaseStatus.FILED,
            approved_by=actor,
            approved_at=now,
            closed_at=now,
        )
        approved = Filing.objects.filter(case=case, status=FilingStatus.PREPARED).update(
            status=FilingStatus.APPROVED, approved_by=actor, approved_at=now
        )
        record(
            case,
            actor=actor,
            action="filing_approved",
            summary="Approved: case filed",
            details={"filings_approved": approved, "prepared_by": case.prepared_by_id},
        )
    return case


def case_reject_approval(*, actor: Any, case_id: int, reason: str) -> Case:
    require_compliance_officer(actor)
    text = _required_text(reason, "reason_required", "A reason")
    with transaction.atomic():
        case = _locked(actor, case_id)
        transition(
            case, allowed_from=(CaseStatus.PENDING_APPROVAL,), to=CaseStatus.INVESTIGATING, approval_requested_at=None
        )
        record(
            case, actor=actor, action="approval_rejected", summary=f"Sent back: {text[:120]}", details={"reason": text}
        )
    return case


def case_close_no_filing(*, actor: Any, case_id: int, rationale: str) -> Case:
    """Close without a filing. Refused while a mandatory CTR (over the threshold) is still unfiled."""
    require_compliance_officer(actor)
    text = _required_text(rationale, "rationale_required", "A rationale")
    threshold = rules().ctr_threshold
    with transaction.atomic():
        case = _locked(actor, case_id)
        mandatory = Filing.objects.filter(
            Q(cash_in_total__gt=threshold) | Q(cash_out_total__gt=threshold),
            case=case,
            kind=FilingKind.CTR,
            status=FilingStatus.PREPARED,
        )
        if mandatory.exists():
            raise ConflictError(
                "A CTR over the threshold must be filed; it cannot be closed without filing.", code="ctr_mandatory"
            )
        transition(
            case,
            allowed_from=_PREPARABLE,
            to=CaseStatus.CLOSED_NO_FILING,
            closed_at=timezone.now(),
            decision_rationale=text,
        )
        record(
            case, actor=actor, action="closed_no_filing", summary="Closed without filing", details={"rationale": text}
        )
    return case


def case_reopen(*, actor: Any, case_id: int, reason: str) -> Case:
    require_compliance_officer(actor)
    text = _required_text(reason, "reason_required", "A reason")
    with transaction.atomic():
        case = _locked(actor, case_id)
        try:
            with transaction.atomic():
                transition(
                    case,
                    allowed_from=(CaseStatus.FILED, CaseStatus.CLOSED_NO_FILING),
                    to=CaseStatus.REOPENED,
                    closed_at=None,
                    reopen_count=case.reopen_count + 1,
                    approval_requested_at=None,
                )
        except IntegrityError as error:
            raise ConflictError("The customer already has another active case.", code="case_already_active") from error
        record(case, actor=actor, action="case_reopened", summary=f"Reopened: {text[:120]}", details={"reason": text})
    return case
