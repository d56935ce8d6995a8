"""Case reads: queues, the facts of a case (from its transactions), timelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.compliance.choices import ACTIVE_CASE_STATUSES, MovementStatus
from apps.compliance.config import rules
from apps.compliance.models import AuditEntry, Case, ComplianceAlert, ComplianceCustomer, MoneyMovement
from apps.compliance.selectors.access import cases_visible_to


def queue(user: Any, name: str) -> QuerySet[Case]:
    """The named queues of the officers' workspace: mine, unassigned, due_soon, breached (active cases)."""
    cases = cases_visible_to(user).filter(status__in=ACTIVE_CASE_STATUSES)
    now = timezone.now()
    if name == "mine":
        return cases.filter(assigned_to=user)
    if name == "unassigned":
        return cases.filter(assigned_to__isnull=True)
    if name == "due_soon":
        horizon = timezone.localdate() + timedelta(days=rules().due_soon_days)
        return cases.filter(Q(regulatory_due_on__lte=horizon) | Q(sla_due_at__lte=now + timedelta(hours=24)))
    if name == "breached":
        return cases.filter(Q(regulatory_due_on__lt=timezone.localdate()) | Q(sla_due_at__lt=now))
    return cases


def case_movements(case: Case) -> QuerySet[MoneyMovement]:
    """The transactions behind the case's alerts."""
    return MoneyMovement.objects.filter(alerts__case=case).distinct().order_by("occurred_at", "id")


def case_timeline(case: Case) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(case=case).order_by("sequence")


@dataclass(frozen=True)
class CaseFacts:
    """What the transactions of a case show (amounts from the transactions, never alert totals)."""

    customer_id: str
    transaction_count: int
    amount_total: Decimal
    amount_min: Decimal | None
    amount_max: Decimal | None
    activity_from: date | None
    activity_to: date | None
    currency_in_total: Decimal
    counterparties: int
    countries: list[str]
    rule_codes: list[str]
    alert_summaries: list[str]
    transactions: list[dict[str, Any]] = field(default_factory=list)
    registered_at: datetime | None = None
    risk_level: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "transaction_count": self.transaction_count,
            "amount_total": str(self.amount_total),
            "amount_min": str(self.amount_min) if self.amount_min is not None else None,
            "amount_max": str(self.amount_max) if self.amount_max is not None else None,
            "activity_from": self.activity_from.isoformat() if self.activity_from else None,
            "activity_to": self.activity_to.isoformat() if self.activity_to else None,
            "currency_in_total": str(self.currency_in_total),
            "counterparties": self.counterparties,
            "countries": self.countries,
            "rule_codes": self.rule_codes,
        }


def case_facts(case: Case) -> CaseFacts:
    movements = [movement for movement in case_movements(case) if movement.status != MovementStatus.FAILED]
    alerts = list(ComplianceAlert.objects.filter(case=case).order_by("detected_at"))
    amounts = [movement.amount for movement in movements]
    customer = ComplianceCustomer.objects.filter(customer_id=case.customer_id).first()
    countries = sorted(
        {country for movement in movements for country in (movement.origin_country, movement.destination_country)}
        - {""}
    )
    return CaseFacts(
        customer_id=case.customer_id,
        transaction_count=len(movements),
        amount_total=sum(amounts, Decimal("0.00")),
        amount_min=min(amounts) if amounts else None,
        amount_max=max(amounts) if amounts else None,
        activity_from=min((movement.business_date for movement in movements), default=None),
        activity_to=max((movement.business_date for movement in movements), default=None),
        currency_in_total=sum((movement.amount for movement in movements if movement.is_cash_in), Decimal("0.00")),
        counterparties=len({movement.counterparty_id for movement in movements if movement.counterparty_id}),
        countries=countries,
        rule_codes=sorted({alert.rule_code for alert in alerts}),
        alert_summaries=[alert.summary for alert in alerts],
        transactions=[
            {
                "reference": movement.reference,
                "date": movement.business_date.isoformat(),
                "type": movement.movement_type,
                "amount": str(movement.amount),
                "funding": movement.funding_method,
                "payout": movement.payout_method,
                "counterparty": movement.counterparty_id,
                "currency_in": movement.is_cash_in,
                "currency_out": movement.is_cash_out,
            }
            for movement in movements
        ],
        registered_at=customer.registered_at if customer else None,
        risk_level=customer.effective_risk_level if customer else "",
    )
