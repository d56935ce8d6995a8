"""Circle-level compliance: participation projection and the circle rules (M-6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection

from apps.compliance.choices import (
    AlertStatus,
    AlertType,
    MovementFlow,
    Priority,
    RecommendedAction,
    RuleCode,
)
from apps.compliance.config import ComplianceRules
from apps.compliance.constants import SUSPICION_ALERT_TYPES
from apps.compliance.models import CircleParticipation, ComplianceAlert, MoneyMovement
from apps.compliance.selectors.monitoring import circle_currency_total
from apps.compliance.services.alerts import AlertSpec, alert_raise

_PARTICIPATION_SQL = """
INSERT INTO compliance_circleparticipation AS p
    (circle_id, customer_id, contributed_total, contribution_count, payout_total, payout_count, largest_payout,
     first_seen_at, last_seen_at)
VALUES (%(circle)s, %(customer)s, %(contributed)s, %(contributions)s, %(paid)s, %(payouts)s, %(paid)s, %(at)s, %(at)s)
ON CONFLICT (circle_id, customer_id) DO UPDATE SET
    contributed_total = p.contributed_total + EXCLUDED.contributed_total,
    contribution_count = p.contribution_count + EXCLUDED.contribution_count,
    payout_total = p.payout_total + EXCLUDED.payout_total,
    payout_count = p.payout_count + EXCLUDED.payout_count,
    largest_payout = GREATEST(p.largest_payout, EXCLUDED.largest_payout),
    first_seen_at = LEAST(p.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at)
"""


def circle_participation_record(movement: MoneyMovement) -> None:
    if not movement.circle_id or movement.movement_type not in {"circle_contribution", "circle_payout"}:
        return
    is_payout = movement.flow == MovementFlow.RECEIVED
    zero = 0
    with connection.cursor() as cursor:
        cursor.execute(
            _PARTICIPATION_SQL,
            {
                "circle": movement.circle_id,
                "customer": movement.customer_id,
                "contributed": zero if is_payout else movement.amount,
                "contributions": 0 if is_payout else 1,
                "paid": movement.amount if is_payout else zero,
                "payouts": 1 if is_payout else 0,
                "at": movement.occurred_at,
            },
        )


def circle_rules_for_movement(movement: MoneyMovement, *, rules: ComplianceRules) -> list[ComplianceAlert | None]:
    """Currency concentrated in one circle in one business day; large payouts."""
    if not movement.circle_id:
        return []
    subject = f"circle:{movement.circle_id}"
    day = movement.business_date
    raised: list[ComplianceAlert | None] = []
    if movement.movement_type == "circle_contribution" and movement.is_cash_in:
        total, movement_ids = circle_currency_total(movement.circle_id, day)
        if total >= rules.circle_cash_warning:
            raised.append(
                alert_raise(
                    AlertSpec(
                        customer_id=subject,
                        alert_type=AlertType.CIRCLE_COMPLIANCE,
                        rule_code=RuleCode.CIRCLE_CASH_CONCENTRATION,
                        priority=Priority.ELEVATED,
                        recommended_action=RecommendedAction.ENHANCED_MONITORING,
                        summary=f"${total:,.2f} in currency contributions to circle {movement.circle_id} "
                        f"on {day.isoformat()}",
                        detected_at=movement.occurred_at,
                        business_date=day,
                        amount_total=total,
                        movements=movement_ids,
                        dedup_key=f"circle_cash:{movement.circle_id}:{day.isoformat()}",
                        details={"circle_id": movement.circle_id},
                    )
                )
            )
    if movement.movement_type == "circle_payout" and movement.amount >= rules.circle_large_payout:
        raised.append(
            alert_raise(
                AlertSpec(
                    customer_id=subject,
                    alert_type=AlertType.CIRCLE_COMPLIANCE,
                    rule_code=RuleCode.CIRCLE_LARGE_PAYOUT,
                    priority=Priority.ROUTINE,
                    recommended_action=RecommendedAction.NONE,
                    summary=f"Payout of ${movement.amount:,.2f} from circle {movement.circle_id}",
                    detected_at=movement.occurred_at,
                    business_date=day,
                    amount_total=movement.amount,
                    movements=[movement],
                    dedup_key=f"circle_payout:{movement.pk}",
                    details={"circle_id": movement.circle_id, "recipient_id": movement.customer_id},
                )
            )
        )
    return raised


REPEAT_AFTER_DAYS = 30


def members_under_suspicion(circle_id: str) -> list[str]:
    members = CircleParticipation.objects.filter(circle_id=circle_id).values("customer_id")
    return sorted(
        set(
            ComplianceAlert.objects.filter(customer_id__in=members, alert_type__in=SUSPICION_ALERT_TYPES)
            .exclude(status=AlertStatus.DISMISSED)
            .values_list("customer_id", flat=True)
        )
    )


def circle_rules_after_alert(
    customer_id: str, *, rules: ComplianceRules, detected_at: datetime, business_date: date
) -> list[ComplianceAlert]:
    """Several members of one circle under suspicion at once: a circle-level concern (once per 30 days)."""
    circle_ids = list(CircleParticipation.objects.filter(customer_id=customer_id).values_list("circle_id", flat=True))
    raised: list[ComplianceAlert] = []
    for circle_id in circle_ids:
        subject = f"circle:{circle_id}"
        recent = ComplianceAlert.objects.filter(
            customer_id=subject,
            rule_code=RuleCode.CIRCLE_FLAGGED_MEMBERS,
            detected_at__gte=detected_at - timedelta(days=REPEAT_AFTER_DAYS),
        )
        if recent.exists():
            continue
        flagged = members_under_suspicion(circle_id)
        if len(flagged) < rules.circle_flagged_members:
            continue
        alert = alert_raise(
            AlertSpec(
                customer_id=subject,
                alert_type=AlertType.CIRCLE_COMPLIANCE,
                rule_code=RuleCode.CIRCLE_FLAGGED_MEMBERS,
                priority=Priority.ELEVATED,
                recommended_action=RecommendedAction.ESCALATE_TO_BSA_OFFICER,
                summary=f"{len(flagged)} members of circle {circle_id} are under suspicious-pattern alerts",
                detected_at=detected_at,
                business_date=business_date,
                dedup_key=f"circle_flagged:{circle_id}:{business_date.isoformat()}",
                details={"circle_id": circle_id, "flagged_member_count": len(flagged)},
            )
        )
        if alert is not None:
            raised.append(alert)
    return raised
