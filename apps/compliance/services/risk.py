"""Customer risk rating, officer overrides/reviews, and EDD triggers (published through the outbox)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.compliance.choices import (
    EDD_LEVELS,
    RISK_RANK,
    AlertType,
    EddStatus,
    Priority,
    RecommendedAction,
    RiskLevel,
    RiskSource,
    RuleCode,
)
from apps.compliance.config import ComplianceRules
from apps.compliance.config import rules as live_rules
from apps.compliance.detection.risk import REVIEW_DAYS, RiskResult, assess
from apps.compliance.models import ComplianceCustomer, EddReview, RiskAssessment
from apps.compliance.selectors.access import require_compliance_officer
from apps.compliance.selectors.risk import call_for_action_involved, open_edd_review, risk_inputs
from apps.compliance.services.alerts import AlertSpec, alert_raise, new_public_id
from apps.compliance.services.audit import audit_append
from apps.pipeline.spine.outbox import outbox_publish
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError
from lakay.logging import get_logger
from lakay.realtime import COMPLIANCE_QUEUE_GROUP

logger = get_logger(__name__)

FACTOR_REASONS: dict[str, str] = {
    "ctr_filing_history": "Currency transaction reports on file",
    "compliance_alert_history": "Compliance alerts in the last year",
    "structuring_history": "Structuring patterns detected",
    "transaction_volume_anomaly": "Volume well above the customer's norm",
    "high_risk_jurisdiction": "Activity involving FATF-listed jurisdictions",
    "third_country_origin": "Transactions from a third country",
    "geographic_diversity": "Activity from many countries in 30 days",
    "new_account": "New account",
    "incomplete_profile": "Identity verification incomplete",
    "elevated_fraud_score": "Transactions flagged by platform risk controls",
    "security_incident_history": "Account security incidents",
    "dormant_reactivation": "Dormant account reactivated",
    "excessive_circle_participation": "Member of many circles",
    "flagged_circle_membership": "Circles with other members under review",
    "large_circle_payout": "Large circle payout",
    "payout_contribution_imbalance": "Circle payouts far above contributions",
}


def _review_due(level: str, as_of: datetime) -> Any:
    return (as_of + timedelta(days=REVIEW_DAYS[level])).date()


def _reasons(result: RiskResult, *, floor_reason: str = "") -> list[str]:
    ranked = sorted(result.factors, key=lambda factor: factor.weight * factor.score, reverse=True)
    reasons = [FACTOR_REASONS.get(factor.name, factor.name) for factor in ranked][:10]
    if floor_reason:
        reasons.insert(0, floor_reason)
    return reasons or ["Customer risk score in the enhanced due diligence band"]


def _trigger_edd(
    customer: ComplianceCustomer, *, previous: str, new: str, score: float, reasons: list[str], as_of: datetime
) -> EddReview:
    review = EddReview.objects.create(
        trigger_id=new_public_id("edd"),
        customer_id=customer.customer_id,
        previous_level=previous,
        new_level=new,
        risk_score=score,
        reasons=reasons,
        review_due_on=_review_due(new, as_of),
    )
    outbox_publish(
        event_type="edd-triggered",
        key=customer.customer_id,
        payload={
            "trigger_id": review.trigger_id,
            "user_id": customer.customer_id,
            "previous_level": previous or None,
            "new_level": new,
            "risk_score": round(min(max(score, 0.0), 1.0), 4),
            "reasons": reasons,
            "review_due": review.review_due_on.isoformat(),
            "created_at": review.created_at,
        },
        live_group=COMPLIANCE_QUEUE_GROUP,
        live_event="compliance.edd.triggered",
    )
    alert_raise(
        AlertSpec(
            customer_id=customer.customer_id,
            alert_type=AlertType.EDD_TRIGGER,
            rule_code=RuleCode.EDD_TRIGGER,
            priority=Priority.CRITICAL,
            recommended_action=RecommendedAction.ESCALATE_TO_BSA_OFFICER,
            summary=f"Customer risk rose from {previous or 'unrated'} to {new}: enhanced due diligence due "
            f"{review.review_due_on.isoformat()}",
            detected_at=as_of,
            dedup_key=f"edd:{review.trigger_id}",
            details={"trigger_id": review.trigger_id, "reasons": reasons, "risk_score": score},
        )
    )
    ComplianceCustomer.objects.filter(pk=customer.pk).update(is_edd_required=True)
    logger.info("compliance.edd.triggered", trigger_id=review.trigger_id, user_id=customer.customer_id, level=new)
    return review


def risk_assess(
    *, customer_id: str, as_of: datetime | None = None, rules: ComplianceRules | None = None
) -> RiskAssessment | None:
    """Rate the customer as of ``as_of`` (default: their last activity); trigger EDD on a rise into it.

    A level in the EDD band sticks while an EDD review is open (only an officer's review lowers it),
    and activity with a FATF call-for-action jurisdiction keeps the customer at least 'high'.
    Returns the new history row, or None when nothing changed.
    """
    rules = rules or live_rules()
    customer = ComplianceCustomer.objects.select_for_update().filter(customer_id=customer_id).first()
    if customer is None:
        return None
    as_of = as_of or customer.last_activity_at or timezone.now()
    result = assess(
        risk_inputs(customer, as_of=as_of, rules=rules),
        weights=rules.risk_category_weights,
        new_account_days=rules.risk_new_account_days,
        low_max=rules.risk_low_max,
        medium_max=rules.risk_medium_max,
        high_max=rules.risk_high_max,
    )
    level = result.level
    floor_reason = ""
    below_high = RISK_RANK[level] < RISK_RANK[RiskLevel.HIGH]
    if rules.edd_on_call_for_action and below_high and call_for_action_involved(customer_id, as_of):
        level, floor_reason = RiskLevel.HIGH, "Activity involving a FATF call-for-action jurisdiction"
    open_review = open_edd_review(customer_id)
    if open_review is not None and RISK_RANK[level] < RISK_RANK[open_review.new_level]:
        level = open_review.new_level  # EDD is sticky until an officer completes the review
    effective = customer.risk_override_level or level
    previous = customer.effective_risk_level
    unchanged = (
        customer.risk_level == level
        and customer.risk_score is not None
        and abs(customer.risk_score - result.score) < 0.005
    )
    review_due = _review_due(effective, as_of)
    ComplianceCustomer.objects.filter(pk=customer.pk).update(
        risk_level=level,
        risk_score=result.score,
        risk_assessed_at=as_of,
        risk_review_due_on=review_due if not unchanged else customer.risk_review_due_on or review_due,
        is_risk_stale=False,
    )
    if unchanged:
        return None
    assessment = RiskAssessment.objects.create(
        customer_id=customer_id,
        score=result.score,
        computed_level=result.level,
        level=effective,
        previous_level=previous,
        category_scores=result.category_scores,
        factors=[asdict(factor) for factor in result.factors],
        source=RiskSource.COMPUTED,
        reason=floor_reason,
        review_due_on=review_due,
        as_of=as_of,
    )
    if effective in EDD_LEVELS and RISK_RANK[effective] > RISK_RANK.get(previous, -1):
        _trigger_edd(
            customer,
            previous=previous,
            new=effective,
            score=result.score,
            reasons=_reasons(result, floor_reason=floor_reason),
            as_of=as_of,
        )
    return assessment


def risk_recompute_stale(*, limit: int = 500) -> int:
    """Re-rate customers whose inputs changed (periodic task); returns how many were rated."""
    rules = live_rules()
    ids = list(
        ComplianceCustomer.objects.filter(is_risk_stale=True)
        .order_by("updated_at")
        .values_list("customer_id", flat=True)[:limit]
    )
    for customer_id in ids:
        with transaction.atomic():
            risk_assess(customer_id=customer_id, rules=rules)
    return len(ids)


def risk_review(*, actor: Any, customer_id: str, level: str | None, reason: str) -> RiskAssessment:
    """An officer reviews the rating: confirm it (``level=None`` clears any override) or override it."""
    require_compliance_officer(actor)
    if not reason.strip():
        raise ApplicationError("A reason is required for a risk review.", code="reason_required")
    if level is not None and level not in RiskLevel.values:
        raise ApplicationError("Unknown risk level.", code="invalid_level", details={"level": level})
    now = timezone.now()
    with transaction.atomic():
        customer = ComplianceCustomer.objects.select_for_update().filter(customer_id=customer_id).first()
        if customer is None:
            raise NotFoundError("No such customer.", code="customer_not_found")
        previous = customer.effective_risk_level
        effective = level or customer.risk_level or RiskLevel.LOW
        review_due = _review_due(effective, now)
        ComplianceCustomer.objects.filter(pk=customer.pk).update(
            risk_override_level=level or "", risk_review_due_on=review_due
        )
        assessment = RiskAssessment.objects.create(
            customer_id=customer_id,
            score=customer.risk_score or 0.0,
            computed_level=customer.risk_level or RiskLevel.LOW,
            level=effective,
            previous_level=previous,
            category_scores={},
            factors=[],
            source=RiskSource.OVERRIDE if level else RiskSource.REVIEW,
            actor=actor,
            reason=reason.strip(),
            review_due_on=review_due,
            as_of=now,
        )
        audit_append(
            actor=actor,
            action="risk_overridden" if level else "risk_reviewed",
            summary=f"Risk {'set to ' + level if level else 'reviewed'} for {customer_id}",
            customer_id=customer_id,
            object_type="customer",
            object_id=customer_id,
            details={"previous_level": previous, "level": effective, "reason": reason.strip()},
        )
        if effective in EDD_LEVELS and RISK_RANK[effective] > RISK_RANK.get(previous, -1):
            _trigger_edd(
                customer,
                previous=previous,
                new=effective,
                score=customer.risk_score or 0.0,
                reasons=[f"Officer review: {reason.strip()[:200]}"],
                as_of=now,
            )
    return assessment


def edd_review_complete(*, actor: Any, review_id: int, outcome: str) -> EddReview:
    """Close an EDD review with its outcome; the customer's level may fall again at the next rating."""
    require_compliance_officer(actor)
    if not outcome.strip():
        raise ApplicationError("The review outcome is required.", code="outcome_required")
    with transaction.atomic():
        review = EddReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise NotFoundError("No such EDD review.", code="edd_review_not_found")
        updated = EddReview.objects.filter(pk=review.pk, status=EddStatus.OPEN).update(
            status=EddStatus.COMPLETED, completed_by=actor, completed_at=timezone.now(), outcome=outcome.strip()
        )
        if not updated:
            raise ConflictError("This EDD review is already completed.", code="edd_review_completed")
        ComplianceCustomer.objects.filter(customer_id=review.customer_id).update(
            is_edd_required=False, is_risk_stale=True
        )
        audit_append(
            actor=actor,
            action="edd_review_completed",
            summary=f"EDD review {review.trigger_id} completed",
            customer_id=review.customer_id,
            object_type="edd_review",
            object_id=review.trigger_id,
            details={"outcome": outcome.strip()},
        )
        review.refresh_from_db()
    return review


def risk_mark_reviews_due(*, on: date) -> int:
    """Customers whose periodic review date has come are re-rated at the next recompute."""
    return ComplianceCustomer.objects.filter(risk_review_due_on__lte=on, is_risk_stale=False).update(is_risk_stale=True)
