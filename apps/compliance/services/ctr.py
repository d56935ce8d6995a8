"""CTR aggregation (31 CFR 1010.311/1010.313): running currency totals per person, business day, direction.

One ``INSERT … ON CONFLICT DO UPDATE`` per currency leg keeps the total and locks that person-day row
until the batch commits, so two consumers adding to the same day serialise instead of both missing
the crossing. Crossing the threshold (strictly more than it) is claimed with a conditional UPDATE, so
exactly one alert and one filing record result however the events interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.compliance.choices import (
    AlertType,
    CurrencyDirection,
    FilingKind,
    FilingStatus,
    MovementStatus,
    Priority,
    RecommendedAction,
    RuleCode,
)
from apps.compliance.config import ComplianceRules
from apps.compliance.constants import CTR_FILING_DAYS
from apps.compliance.models import CurrencyDayTotal, Filing, MoneyMovement
from apps.compliance.services.alerts import AlertSpec, alert_link_movements, alert_raise

_ADD_SQL = """
INSERT INTO compliance_currencydaytotal AS t
    (customer_id, business_date, direction, total_amount, transaction_count, warned_level, updated_at)
VALUES (%s, %s, %s, %s, 1, 0, %s)
ON CONFLICT (customer_id, business_date, direction) DO UPDATE SET
    total_amount = t.total_amount + EXCLUDED.total_amount,
    transaction_count = t.transaction_count + 1,
    updated_at = EXCLUDED.updated_at
RETURNING id, total_amount, warned_level, ctr_raised_at
"""


@dataclass(frozen=True)
class CurrencyLeg:
    person_id: str
    direction: str
    amount: Decimal


def currency_legs(movement: MoneyMovement) -> list[CurrencyLeg]:
    legs = []
    if movement.is_cash_in:
        legs.append(CurrencyLeg(movement.customer_id, CurrencyDirection.CASH_IN, movement.amount))
    if movement.is_cash_out:
        legs.append(
            CurrencyLeg(
                movement.cash_out_person_id or movement.customer_id, CurrencyDirection.CASH_OUT, movement.amount
            )
        )
    return legs


def ctr_due_on(day: date) -> date:
    return day + timedelta(days=CTR_FILING_DAYS)


def _day_movements(person_id: str, day: date, direction: str) -> list[int]:
    match = (
        Q(customer_id=person_id, is_cash_in=True)
        if direction == CurrencyDirection.CASH_IN
        else Q(cash_out_person_id=person_id, is_cash_out=True)
    )
    return list(
        MoneyMovement.objects.filter(match, business_date=day)
        .exclude(status=MovementStatus.FAILED)
        .values_list("pk", flat=True)
    )


def _refresh_filing(person_id: str, day: date) -> Filing:
    totals = dict(
        CurrencyDayTotal.objects.filter(customer_id=person_id, business_date=day).values_list(
            "direction", "total_amount"
        )
    )
    cash_in = totals.get(CurrencyDirection.CASH_IN, Decimal("0.00"))
    cash_out = totals.get(CurrencyDirection.CASH_OUT, Decimal("0.00"))
    try:
        with transaction.atomic():
            filing, created = Filing.objects.get_or_create(
                kind=FilingKind.CTR,
                customer_id=person_id,
                business_date=day,
                defaults={
                    "due_on": ctr_due_on(day),
                    "cash_in_total": cash_in,
                    "cash_out_total": cash_out,
                    "amount_total": cash_in + cash_out,
                },
            )
    except IntegrityError:
        filing, created = Filing.objects.get(kind=FilingKind.CTR, customer_id=person_id, business_date=day), False
    if not created and filing.status == FilingStatus.PREPARED:
        Filing.objects.filter(pk=filing.pk, status=FilingStatus.PREPARED).update(
            cash_in_total=cash_in, cash_out_total=cash_out, amount_total=cash_in + cash_out
        )
    elif not created:
        # Already approved or sent: the officer must amend; record the new facts on the filing.
        Filing.objects.filter(pk=filing.pk).update(
            details={
                **filing.details,
                "totals_changed_after_approval": {"cash_in": str(cash_in), "cash_out": str(cash_out)},
            }
        )
    return filing


def _ctr_dedup(person_id: str, day: date, direction: str) -> str:
    return f"ctr:{person_id}:{day.isoformat()}:{direction}"


def ctr_apply(movement: MoneyMovement, *, rules: ComplianceRules, detected_at: datetime) -> None:
    """Add ``movement``'s currency legs to the day totals and raise what the new totals call for."""
    if not rules.ctr_enabled:
        return
    for leg in currency_legs(movement):
        with connection.cursor() as cursor:
            cursor.execute(_ADD_SQL, [leg.person_id, movement.business_date, leg.direction, leg.amount, timezone.now()])
            row_id, total, warned_level, raised_at = cursor.fetchone()
        if total > rules.ctr_threshold:
            _over_threshold(movement, leg, row_id, total, raised_at, rules, detected_at)
        else:
            _maybe_warn(movement, leg, row_id, total, warned_level, rules, detected_at)


def _over_threshold(
    movement: MoneyMovement,
    leg: CurrencyLeg,
    row_id: int,
    total: Decimal,
    raised_at: datetime | None,
    rules: ComplianceRules,
    detected_at: datetime,
) -> None:
    day = movement.business_date
    filing = _refresh_filing(leg.person_id, day)
    if raised_at is not None:
        alert_link_movements(dedup_key=_ctr_dedup(leg.person_id, day, leg.direction), movements=[movement])
        return
    claimed = CurrencyDayTotal.objects.filter(pk=row_id, ctr_raised_at__isnull=True).update(
        ctr_raised_at=timezone.now()
    )
    if not claimed:
        return
    label = "cash-in" if leg.direction == CurrencyDirection.CASH_IN else "cash-out"
    alert_raise(
        AlertSpec(
            customer_id=leg.person_id,
            alert_type=AlertType.CTR_THRESHOLD,
            rule_code=RuleCode.CTR_THRESHOLD,
            priority=Priority.URGENT,
            recommended_action=RecommendedAction.FILE_CTR,
            summary=f"Currency {label} of ${total:,.2f} on business day {day.isoformat()} (over "
            f"${rules.ctr_threshold:,.2f}); CTR due {filing.due_on.isoformat()}",
            detected_at=detected_at,
            business_date=day,
            amount_total=total,
            movements=_day_movements(leg.person_id, day, leg.direction),
            dedup_key=_ctr_dedup(leg.person_id, day, leg.direction),
            details={"direction": leg.direction, "filing_id": filing.pk, "due_on": filing.due_on.isoformat()},
        )
    )


def _maybe_warn(
    movement: MoneyMovement,
    leg: CurrencyLeg,
    row_id: int,
    total: Decimal,
    warned_level: Decimal,
    rules: ComplianceRules,
    detected_at: datetime,
) -> None:
    reached = [level for level in rules.ctr_warning_levels if total >= level and level > warned_level]
    if not reached:
        return
    level = max(reached)
    claimed = CurrencyDayTotal.objects.filter(pk=row_id, warned_level__lt=level).update(warned_level=level)
    if not claimed:
        return
    day = movement.business_date
    alert_raise(
        AlertSpec(
            customer_id=leg.person_id,
            alert_type=AlertType.CTR_PRE_THRESHOLD,
            rule_code=RuleCode.CTR_PRE_THRESHOLD,
            priority=Priority.ELEVATED,
            recommended_action=RecommendedAction.ENHANCED_MONITORING,
            summary=f"Currency {leg.direction.replace('_', '-')} of ${total:,.2f} on {day.isoformat()} "
            f"reached the ${level:,.2f} warning level",
            detected_at=detected_at,
            business_date=day,
            amount_total=total,
            movements=_day_movements(leg.person_id, day, leg.direction),
            dedup_key=f"ctr_pre:{leg.person_id}:{day.isoformat()}:{leg.direction}:{level}",
            details={"direction": leg.direction, "warning_level": str(level)},
        )
    )


def ctr_reverse(movement: MoneyMovement) -> None:
    """A failed movement never moved currency: take it out of the day totals (alerts already raised stay)."""
    for leg in currency_legs(movement):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE compliance_currencydaytotal SET total_amount = total_amount - %s, "
                "transaction_count = GREATEST(transaction_count - 1, 0), updated_at = %s "
                "WHERE customer_id = %s AND business_date = %s AND direction = %s",
                [leg.amount, timezone.now(), leg.person_id, movement.business_date, leg.direction],
            )
        if Filing.objects.filter(
            kind=FilingKind.CTR, customer_id=leg.person_id, business_date=movement.business_date
        ).exists():
            _refresh_filing(leg.person_id, movement.business_date)
