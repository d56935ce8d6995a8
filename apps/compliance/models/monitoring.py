"""Event-fed projections the monitoring rules read: customers, money movements, currency day totals."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.compliance.choices import (
    CurrencyDirection,
    JurisdictionList,
    MovementFlow,
    MovementSource,
    MovementStatus,
    RiskLevel,
)


class ComplianceCustomer(models.Model):
    """A Trebanx customer as compliance knows them: identity (encrypted), activity, current risk rating."""

    customer_id = models.CharField(max_length=64, unique=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    is_verified = models.BooleanField(default=False)
    verification_level = models.CharField(max_length=16, blank=True)
    # Name, date of birth, address, phone: Fernet-encrypted JSON (needed for FinCEN filings only).
    identity_encrypted = models.TextField(blank=True)
    first_activity_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    previous_activity_at = models.DateTimeField(null=True, blank=True)
    last_country = models.CharField(max_length=2, blank=True)
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    risk_score = models.FloatField(null=True, blank=True)
    risk_assessed_at = models.DateTimeField(null=True, blank=True)
    risk_review_due_on = models.DateField(null=True, blank=True)
    risk_override_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    is_edd_required = models.BooleanField(default=False)
    # Something that feeds the risk rating happened since the last assessment (periodic recompute).
    is_risk_stale = models.BooleanField(default=True)
    flagged_transaction_count = models.PositiveIntegerField(default=0)
    flagged_risk_total = models.FloatField(default=0.0)
    security_incident_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["risk_level"], name="cmp_customer_risk_level"),
            models.Index(fields=["risk_review_due_on"], name="cmp_customer_review_due"),
            models.Index(fields=["is_risk_stale"], name="cmp_customer_stale", condition=Q(is_risk_stale=True)),
        ]

    def __str__(self) -> str:
        return self.customer_id

    @property
    def effective_risk_level(self) -> str:
        return self.risk_override_level or self.risk_level


class MoneyMovement(models.Model):
    """One money movement, counted once however many events describe it.

    A remittance, a circle contribution or a payout is described both by its domain event and by a
    ``transaction-*`` event; the four business ids below are each unique, and an event that names an id
    already stored enriches that row instead of adding another (the API and Kafka paths included).
    """

    transaction_id = models.CharField(max_length=64, null=True, blank=True)
    remittance_id = models.CharField(max_length=64, null=True, blank=True)
    contribution_id = models.CharField(max_length=64, null=True, blank=True)
    payout_id = models.CharField(max_length=64, null=True, blank=True)
    source = models.CharField(max_length=16, choices=MovementSource.choices)
    movement_type = models.CharField(max_length=32)
    customer_id = models.CharField(max_length=64)
    # The other party: a Trebanx user, a remittance beneficiary, or ``circle:<id>`` ("" when internal).
    counterparty_id = models.CharField(max_length=80, blank=True)
    flow = models.CharField(max_length=16, choices=MovementFlow.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    funding_method = models.CharField(max_length=32, blank=True)
    payout_method = models.CharField(max_length=32, blank=True)
    # Currency legs (CTR): cash handed in by ``customer_id``; cash paid out to ``cash_out_person_id``.
    is_cash_in = models.BooleanField(default=False)
    is_cash_out = models.BooleanField(default=False)
    cash_out_person_id = models.CharField(max_length=64, blank=True)
    agent_id = models.CharField(max_length=64, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)
    destination_country = models.CharField(max_length=2, blank=True)
    circle_id = models.CharField(max_length=64, blank=True)
    cycle_number = models.PositiveIntegerField(null=True, blank=True)
    is_round_amount = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=MovementStatus.choices, default=MovementStatus.INITIATED)
    business_date = models.DateField()
    occurred_at = models.DateTimeField()
    event_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transaction_id"], condition=Q(transaction_id__isnull=False), name="cmp_movement_txn_unique"
            ),
            models.UniqueConstraint(
                fields=["remittance_id"], condition=Q(remittance_id__isnull=False), name="cmp_movement_rem_unique"
            ),
            models.UniqueConstraint(
                fields=["contribution_id"],
                condition=Q(contribution_id__isnull=False),
                name="cmp_movement_contrib_unique",
            ),
            models.UniqueConstraint(
                fields=["payout_id"], condition=Q(payout_id__isnull=False), name="cmp_movement_payout_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cmp_movement_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["customer_id", "occurred_at"], name="cmp_movement_customer_time"),
            models.Index(
                fields=["counterparty_id", "occurred_at"],
                name="cmp_movement_counterparty_time",
                condition=~Q(counterparty_id=""),
            ),
            models.Index(
                fields=["circle_id", "business_date"], name="cmp_movement_circle_day", condition=~Q(circle_id="")
            ),
            models.Index(fields=["business_date"], name="cmp_movement_business_date"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The business id Trebanx knows this movement by (transaction id first)."""
        return self.transaction_id or self.remittance_id or self.contribution_id or self.payout_id or str(self.pk)


class CurrencyDayTotal(models.Model):
    """Running currency total of one person, one business day, one direction (CTR aggregation)."""

    customer_id = models.CharField(max_length=64)
    business_date = models.DateField()
    direction = models.CharField(max_length=8, choices=CurrencyDirection.choices)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    transaction_count = models.PositiveIntegerField(default=0)
    # Highest pre-threshold warning level already raised (0 = none): each level warns once.
    warned_level = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ctr_raised_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer_id", "business_date", "direction"], name="cmp_currency_day_unique"
            ),
        ]
        indexes = [models.Index(fields=["business_date"], name="cmp_currency_day_date")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.business_date} {self.direction} {self.total_amount}"


class CircleParticipation(models.Model):
    """What one customer put into and took out of one circle (circle risk factors)."""

    circle_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=64)
    contributed_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    contribution_count = models.PositiveIntegerField(default=0)
    payout_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    payout_count = models.PositiveIntegerField(default=0)
    largest_payout = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle_id", "customer_id"], name="cmp_circle_participation_unique")
        ]
        indexes = [models.Index(fields=["customer_id"], name="cmp_circle_part_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.circle_id}"


class JurisdictionRisk(models.Model):
    """A country's FATF listing over a period (dated data; plenary updates arrive as data migrations)."""

    country_code = models.CharField(max_length=2)
    list_kind = models.CharField(max_length=40, choices=JurisdictionList.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country_code", "list_kind", "effective_from"], name="cmp_jurisdiction_unique"
            ),
        ]
        ordering = ["country_code", "effective_from"]

    def __str__(self) -> str:
        return f"{self.country_code} {self.list_kind} from {self.effective_from}"
