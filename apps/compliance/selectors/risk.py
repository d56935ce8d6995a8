"""Facts the customer risk rating reads, and risk views for officers and the lake."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.compliance.choices import (
    EDD_LEVELS,
    AlertStatus,
    AlertType,
    EddStatus,
    FilingKind,
    JurisdictionList,
    MovementFlow,
)
from apps.compliance.config import ComplianceRules
from apps.compliance.constants import SUSPICION_ALERT_TYPES
from apps.compliance.detection.risk import RiskInputs
from apps.compliance.models import (
    CircleParticipation,
    ComplianceAlert,
    ComplianceCustomer,
    EddReview,
    Filing,
    MoneyMovement,
    RiskAssessment,
)
from apps.compliance.selectors.jurisdictions import jurisdiction_lists

DORMANT_DAYS = 180
CALL_FOR_ACTION = frozenset({JurisdictionList.COUNTERMEASURES, JurisdictionList.CALL_FOR_EDD})


def _volume_ratio(customer_id: str, as_of: datetime) -> float:
    recent_start = as_of - timedelta(days=30)
    prior_start = as_of - timedelta(days=120)
    rows = MoneyMovement.objects.filter(
        customer_id=customer_id, occurred_at__gte=prior_start, occurred_at__lte=as_of
    ).exclude(flow=MovementFlow.RECEIVED)
    recent = Decimal("0.00")
    prior = Decimal("0.00")
    for amount, occurred_at in rows.values_list("amount", "occurred_at"):
        if occurred_at >= recent_start:
            recent += amount
        else:
            prior += amount
    prior_monthly = prior / 3
    if prior_monthly <= 0:
        return 0.0
    return float(recent / prior_monthly)


def call_for_action_involved(customer_id: str, as_of: datetime, days: int = 365) -> bool:
    rows = MoneyMovement.objects.filter(
        customer_id=customer_id, occurred_at__gte=as_of - timedelta(days=days), occurred_at__lte=as_of
    ).values_list("origin_country", "destination_country", "business_date")
    for origin, destination, day in rows:
        for country in (origin, destination):
            if jurisdiction_lists(country, day) & CALL_FOR_ACTION:
                return True
    return False


def risk_inputs(customer: ComplianceCustomer, *, as_of: datetime, rules: ComplianceRules) -> RiskInputs:
    customer_id = customer.customer_id
    year_ago = as_of - timedelta(days=365)
    alerts = ComplianceAlert.objects.filter(customer_id=customer_id, created_at__gte=year_ago).exclude(
        status=AlertStatus.DISMISSED
    )
    alert_counts = alerts.exclude(alert_type=AlertType.EDD_TRIGGER).aggregate(
        total=Count("id"), structuring=Count("id", filter=Q(alert_type=AlertType.STRUCTURING))
    )
    movements = MoneyMovement.objects.filter(
        customer_id=customer_id, occurred_at__gte=as_of - timedelta(days=365), occurred_at__lte=as_of
    ).values_list("origin_country", "destination_country", "business_date", "occurred_at")
    high_risk = third_country = 0
    countries_30d: set[str] = set()
    month_ago = as_of - timedelta(days=30)
    for origin, destination, day, occurred_at in movements:
        listed = jurisdiction_lists(origin, day) | jurisdiction_lists(destination, day)
        involved = {origin, destination} - {""}
        if listed & CALL_FOR_ACTION or (listed and involved - rules.home_countries):
            high_risk += 1
        if origin and origin not in rules.home_countries:
            third_country += 1
        if occurred_at >= month_ago:
            countries_30d.update(involved)
    started = customer.registered_at or customer.first_activity_at
    age_days = (as_of - started).total_seconds() / 86400 if started else None
    dormant = bool(
        customer.previous_activity_at
        and customer.last_activity_at
        and (customer.last_activity_at - customer.previous_activity_at).days >= DORMANT_DAYS
    )
    circles = CircleParticipation.objects.filter(customer_id=customer_id).aggregate(
        count=Count("id"),
        payouts=Coalesce(Sum("payout_total"), Decimal("0.00")),
        contributions=Coalesce(Sum("contributed_total"), Decimal("0.00")),
        largest=Coalesce(Max("largest_payout"), Decimal("0.00")),
    )
    return RiskInputs(
        ctr_filings=Filing.objects.filter(kind=FilingKind.CTR, customer_id=customer_id).count(),
        compliance_alerts=alert_counts["total"],
        structuring_alerts=alert_counts["structuring"],
        volume_ratio=_volume_ratio(customer_id, as_of),
        high_risk_jurisdiction_movements=high_risk,
        third_country_movements=third_country,
        countries_30d=len(countries_30d),
        account_age_days=age_days,
        is_profile_incomplete=customer.registered_at is None or not customer.is_verified,
        average_flag_risk=(
            customer.flagged_risk_total / customer.flagged_transaction_count
            if customer.flagged_transaction_count
            else 0.0
        ),
        security_incidents=customer.security_incident_count,
        is_dormant_reactivation=dormant,
        circles=circles["count"],
        flagged_circles=flagged_circle_count(customer_id),
        largest_payout=circles["largest"],
        payout_total=circles["payouts"],
        contribution_total=circles["contributions"],
    )


def circle_members(circle_id: str) -> QuerySet[CircleParticipation]:
    return CircleParticipation.objects.filter(circle_id=circle_id)


def flagged_circle_count(customer_id: str) -> int:
    """Circles of this customer where another member has an open (non-dismissed) alert."""
    circle_ids = list(CircleParticipation.objects.filter(customer_id=customer_id).values_list("circle_id", flat=True))
    if not circle_ids:
        return 0
    others = CircleParticipation.objects.filter(circle_id__in=circle_ids).exclude(customer_id=customer_id)
    flagged_members = set(
        ComplianceAlert.objects.filter(
            customer_id__in=others.values("customer_id"), alert_type__in=SUSPICION_ALERT_TYPES
        )
        .exclude(status=AlertStatus.DISMISSED)
        .values_list("customer_id", flat=True)
    )
    return len(
        {circle for circle, member in others.values_list("circle_id", "customer_id") if member in flagged_members}
    )


def risk_history(customer_id: str) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(customer_id=customer_id).order_by("-created_at", "-id")


def open_edd_review(customer_id: str) -> EddReview | None:
    return EddReview.objects.filter(customer_id=customer_id, status=EddStatus.OPEN).order_by("-created_at").first()


def high_risk_customers() -> QuerySet[ComplianceCustomer]:
    edd = list(EDD_LEVELS)
    return ComplianceCustomer.objects.filter(
        Q(risk_override_level__in=edd) | Q(risk_override_level="", risk_level__in=edd)
    ).order_by("-risk_score", "customer_id")


def reviews_due(on: date) -> QuerySet[ComplianceCustomer]:
    return ComplianceCustomer.objects.filter(risk_review_due_on__lte=on).order_by("risk_review_due_on")
