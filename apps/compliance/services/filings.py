"""SAR drafts, filing status (prepared → approved → submitted → acknowledged) and FinCEN XML batches."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.compliance.choices import (
    ACTIVE_CASE_STATUSES,
    CaseStatus,
    FilingKind,
    FilingStatus,
    MovementStatus,
)
from apps.compliance.config import filer_identity, rules
from apps.compliance.constants import SAR_ACTIVITY_CODES, SAR_DEFAULT_ACTIVITY_CODE
from apps.compliance.crypto import decrypt_identity
from apps.compliance.fincen.batch import (
    CtrActivity,
    CtrDetail,
    Filer,
    SarActivity,
    Subject,
    build_ctr_batch,
    build_sar_batch,
    validation_errors,
)
from apps.compliance.fincen.narrative import draft_narrative
from apps.compliance.models import Case, ComplianceCustomer, Filing, FilingBatch, MoneyMovement, SarDraft
from apps.compliance.selectors.access import case_access, is_compliance, require_compliance_officer
from apps.compliance.selectors.cases import case_facts
from apps.compliance.services.audit import audit_append
from apps.compliance.services.cases.common import record
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError

BSA_ID_PATTERN = re.compile(r"^[0-9]{14}$")


def _activity_codes(rule_codes: Sequence[str]) -> list[list[int]]:
    """FinCEN classifications of the suspicious rules (CTR, EDD and information-only rules have none)."""
    codes = {SAR_ACTIVITY_CODES[code] for code in rule_codes if code in SAR_ACTIVITY_CODES}
    return [list(code) for code in sorted(codes or {SAR_DEFAULT_ACTIVITY_CODE})]


def sar_draft_generate(*, actor: Any, case_id: int) -> SarDraft:
    """Draft (or redraft while still untouched) the SAR narrative from the case's transactions."""
    require_compliance_officer(actor)
    config = rules()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_access(user=actor, case_id=case_id).pk)
        if case.status not in ACTIVE_CASE_STATUSES or case.status == CaseStatus.PENDING_APPROVAL:
            raise ConflictError("A SAR is drafted on an open case under investigation.", code="case_not_draftable")
        facts = case_facts(case)
        narrative = draft_narrative(
            facts,
            institution=filer_identity()["name"],
            below_mandatory_amount=facts.amount_total < config.sar_min_amount,
        )
        existing = SarDraft.objects.select_for_update().filter(case=case).first()
        if existing is not None and not existing.is_machine_drafted:
            raise ConflictError("An officer has already edited this draft.", code="draft_already_edited")
        draft_values = {
            "narrative": narrative,
            "machine_narrative": narrative,
            "is_machine_drafted": True,
            "facts": facts.as_json(),
            "activity_codes": _activity_codes(facts.rule_codes),
            "updated_by": actor,
        }
        if existing is None:
            draft = SarDraft.objects.create(case=case, created_by=actor, contributors=[actor.pk], **draft_values)
        else:
            for name, value in draft_values.items():
                setattr(existing, name, value)
            existing.version += 1
            existing.contributors = sorted({*existing.contributors, actor.pk})
            existing.save()
            draft = existing
        Case.objects.filter(pk=case.pk).update(has_sar=True)
        case.has_sar = True
        if case.assigned_to_id and case.assigned_to_id != actor.pk and not is_compliance(case.assigned_to):
            Case.objects.filter(pk=case.pk).update(assigned_to=actor)
            case.refresh_from_db()
        record(
            case,
            actor=actor,
            action="sar_drafted",
            summary="SAR narrative machine-drafted",
            object_type="sar_draft",
            object_id=draft.pk,
            details={
                "version": draft.version,
                "amount_total": facts.amount_total,
                "transaction_count": facts.transaction_count,
            },
        )
    return draft


def sar_draft_update(*, actor: Any, draft_id: int, narrative: str) -> SarDraft:
    """An officer edits the narrative: it is no longer machine-drafted, and they join the contributors."""
    require_compliance_officer(actor)
    text = narrative.strip()
    if len(text) < 50:
        raise ApplicationError("The narrative is too short to file.", code="narrative_too_short")
    if len(text) > 17000:
        raise ApplicationError("FinCEN accepts at most 17,000 narrative characters.", code="narrative_too_long")
    with transaction.atomic():
        draft = SarDraft.objects.select_for_update().select_related("case").filter(pk=draft_id).first()
        if draft is None:
            raise NotFoundError("No such SAR draft.", code="sar_draft_not_found")
        case = case_access(user=actor, case_id=draft.case_id)
        if case.status == CaseStatus.PENDING_APPROVAL or case.status not in ACTIVE_CASE_STATUSES:
            raise ConflictError(
                "The draft can change only while the case is being investigated.", code="case_not_draftable"
            )
        draft.narrative = text
        draft.is_machine_drafted = False
        draft.version += 1
        draft.updated_by = actor
        draft.contributors = sorted({*draft.contributors, actor.pk})
        draft.save()
        record(
            case,
            actor=actor,
            action="sar_edited",
            summary=f"SAR narrative edited (v{draft.version})",
            object_type="sar_draft",
            object_id=draft.pk,
            details={"version": draft.version, "narrative_sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return draft


def _filer() -> Filer:
    identity = filer_identity()
    address = identity["address"]
    return Filer(
        name=identity["name"],
        tin=identity["tin"],
        street=address.get("street", ""),
        city=address.get("city", ""),
        state=address.get("state", ""),
        zip_code=address.get("zip", ""),
        country=address.get("country", "US"),
        phone=identity["phone"],
        tcc=identity["tcc"],
    )


def _subject(customer_id: str) -> Subject:
    customer = ComplianceCustomer.objects.filter(customer_id=customer_id).first()
    identity = decrypt_identity(customer.identity_encrypted) if customer else {}
    names = str(identity.get("full_name", "")).split()
    address = identity.get("address") or {}
    birth = identity.get("date_of_birth")
    return Subject(
        last_name=names[-1] if names else "",
        first_name=" ".join(names[:-1]) if len(names) > 1 else "",
        birth_date=date.fromisoformat(birth) if birth else None,
        street=address.get("line1", ""),
        city=address.get("city", ""),
        state=address.get("state", ""),
        zip_code=address.get("postal_code", ""),
        country=address.get("country", ""),
        phone=identity.get("phone", ""),
        customer_ref=customer_id,
    )


_CASH_IN_CODES = {"remittance": ("23", "")}
_CASH_OUT_CODES = {"p2p_transfer": ("32", "")}
_OTHER_TEXT = {
    "circle_contribution": "Sou-sou circle contribution",
    "circle_payout": "Sou-sou circle payout",
    "wallet_topup": "Wallet top-up",
    "withdrawal": "Wallet withdrawal",
    "p2p_transfer": "Transfer to another customer",
    "fee": "Fee",
    "refund": "Refund",
}


def _ctr_details(filing: Filing) -> tuple[list[CtrDetail], int]:
    rows = MoneyMovement.objects.filter(
        Q(customer_id=filing.customer_id, is_cash_in=True) | Q(cash_out_person_id=filing.customer_id, is_cash_out=True),
        business_date=filing.business_date or date.min,
    ).exclude(status=MovementStatus.FAILED)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    count = 0
    for movement in rows:
        if movement.is_cash_in and movement.customer_id == filing.customer_id:
            code, text = _CASH_IN_CODES.get(
                movement.movement_type, ("997", _OTHER_TEXT.get(movement.movement_type, "Other"))
            )
            totals[(code, text)] += movement.amount
            count += 1
        if movement.is_cash_out and movement.cash_out_person_id == filing.customer_id:
            code, text = _CASH_OUT_CODES.get(
                movement.movement_type, ("998", _OTHER_TEXT.get(movement.movement_type, "Other"))
            )
            totals[(code, text)] += movement.amount
            count += 1
    return [CtrDetail(code, amount, text) for (code, text), amount in sorted(totals.items())], count


def filing_batch_export(*, actor: Any, kind: str, filing_ids: Sequence[int]) -> FilingBatch:
    """Build one validated FinCEN XML batch from approved filings not yet in a batch."""
    require_compliance_officer(actor)
    if kind not in FilingKind.values:
        raise ApplicationError("Unknown filing kind.", code="invalid_kind")
    today = timezone.localdate()
    filer = _filer()
    with transaction.atomic():
        filings = list(Filing.objects.select_for_update().filter(pk__in=filing_ids, kind=kind).order_by("pk"))
        if not filings or len(filings) != len(set(filing_ids)):
            raise NotFoundError("Some filings do not exist or are of another kind.", code="filing_not_found")
        not_ready = [filing.pk for filing in filings if filing.status != FilingStatus.APPROVED or filing.batch_id]
        if not_ready:
            raise ConflictError(
                "Only approved filings not yet exported can go in a batch.",
                code="filings_not_exportable",
                details={"filing_ids": not_ready},
            )
        if kind == FilingKind.SAR:
            xml = build_sar_batch([_sar_activity(filing, today) for filing in filings], filer)
            form = "SARX"
        else:
            activities = []
            for filing in filings:
                details, count = _ctr_details(filing)
                activities.append(
                    CtrActivity(
                        filing_date=today,
                        transaction_date=filing.business_date or today,
                        subject=_subject(filing.customer_id),
                        cash_in_total=filing.cash_in_total,
                        cash_out_total=filing.cash_out_total,
                        details=details,
                        has_multiple_transactions=count > 1,
                    )
                )
            xml = build_ctr_batch(activities, filer)
            form = "CTRX"
        errors = validation_errors(xml, form)
        if errors:
            raise ApplicationError(
                "The batch does not validate against the FinCEN schema.",
                code="batch_invalid",
                details={"errors": errors[:20]},
            )
        total = int(re.search(r'TotalAmount="([0-9]+)"', xml).group(1))  # type: ignore[union-attr]
        batch = FilingBatch.objects.create(
            kind=kind,
            xml=xml,
            sha256=hashlib.sha256(xml.encode()).hexdigest(),
            activity_count=len(filings),
            total_amount=total,
            created_by=actor,
        )
        Filing.objects.filter(pk__in=[filing.pk for filing in filings]).update(batch=batch)
        _audit_filings(
            actor,
            filings,
            "filing_exported",
            f"Exported in {kind.upper()} batch {batch.pk}",
            {"batch_id": batch.pk, "sha256": batch.sha256},
        )
    return batch


def _sar_activity(filing: Filing, today: date) -> SarActivity:
    draft = SarDraft.objects.filter(case_id=filing.case_id).first() if filing.case_id else None
    if draft is None:
        raise ConflictError("A SAR filing needs its case's narrative.", code="sar_draft_missing")
    activity_from = filing.activity_from or filing.created_at.date()
    return SarActivity(
        filing_date=today,
        subject=_subject(filing.customer_id),
        activity_from=activity_from,
        activity_to=filing.activity_to or activity_from,
        amount_total=filing.amount_total,
        classifications=[(int(code[0]), int(code[1])) for code in draft.activity_codes],
        narrative=draft.narrative,
    )


def _audit_filings(actor: Any, filings: Sequence[Filing], action: str, summary: str, details: dict[str, Any]) -> None:
    for filing in filings:
        case = Case.objects.filter(pk=filing.case_id).first() if filing.case_id else None
        if case is not None:
            record(
                case,
                actor=actor,
                action=action,
                summary=summary,
                object_type="filing",
                object_id=filing.pk,
                details={**details, "kind": filing.kind},
            )
        else:
            audit_append(
                actor=actor,
                action=action,
                summary=summary,
                customer_id=filing.customer_id,
                object_type="filing",
                object_id=filing.pk,
                details={**details, "kind": filing.kind},
            )


def filing_batch_mark_submitted(*, actor: Any, batch_id: int) -> FilingBatch:
    """The officer uploaded the batch to BSA E-Filing: its filings become submitted."""
    require_compliance_officer(actor)
    now = timezone.now()
    with transaction.atomic():
        batch = FilingBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFoundError("No such batch.", code="batch_not_found")
        if batch.submitted_at is not None:
            raise ConflictError("This batch was already submitted.", code="batch_already_submitted")
        FilingBatch.objects.filter(pk=batch.pk).update(submitted_at=now, submitted_by=actor)
        filings = list(Filing.objects.filter(batch=batch, status=FilingStatus.APPROVED))
        Filing.objects.filter(pk__in=[filing.pk for filing in filings]).update(
            status=FilingStatus.SUBMITTED, submitted_at=now
        )
        _audit_filings(
            actor, filings, "filing_submitted", f"Submitted to FinCEN in batch {batch.pk}", {"batch_id": batch.pk}
        )
        batch.refresh_from_db()
    return batch


def filing_acknowledge(*, actor: Any, filing_id: int, bsa_id: str) -> Filing:
    """Record FinCEN's acknowledgement: the 14-digit BSA ID (needed for corrections and continuing SARs)."""
    require_compliance_officer(actor)
    if not BSA_ID_PATTERN.match(bsa_id or ""):
        raise ApplicationError("A BSA ID is 14 digits.", code="invalid_bsa_id")
    with transaction.atomic():
        filing = Filing.objects.select_for_update().filter(pk=filing_id).first()
        if filing is None:
            raise NotFoundError("No such filing.", code="filing_not_found")
        if filing.status != FilingStatus.SUBMITTED:
            raise ConflictError(
                "Only a submitted filing can be acknowledged.",
                code="filing_not_submitted",
                details={"status": filing.status},
            )
        if Filing.objects.filter(bsa_id=bsa_id).exists():
            raise ConflictError("This BSA ID is already recorded on another filing.", code="bsa_id_taken")
        Filing.objects.filter(pk=filing.pk, status=FilingStatus.SUBMITTED).update(
            status=FilingStatus.ACKNOWLEDGED, bsa_id=bsa_id, acknowledged_at=timezone.now()
        )
        filing.refresh_from_db()
        _audit_filings(
            actor, [filing], "filing_acknowledged", f"FinCEN acknowledged: BSA ID {bsa_id}", {"bsa_id": bsa_id}
        )
    return filing
