"""Projections of ``trebanx.circle.events`` (and circle transactions): what happened in each circle.

Written only by the event handlers (through services); never edited by people. Each business fact is
stored once, keyed by its Trebanx id, so the same fact arriving twice (Kafka redelivery, or Kafka and the
HTTP API with different event ids) changes nothing the second time.
"""

from __future__ import annotations

from django.db import models

from apps.circles.choices import CircleStatus, MemberStatus, TransactionKind, TransactionStatus, Trend


class Circle(models.Model):
    """A sou-sou circle: its terms (from circle-created), lifecycle, scoring bookkeeping and latest health.

    A circle row may exist before its circle-created event (events of one circle can arrive out of
    order); its terms stay empty until that event arrives.
    """

    circle_id = models.CharField(max_length=64, unique=True)
    organizer_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200, blank=True)
    contribution_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    frequency = models.CharField(max_length=16, blank=True)
    max_members = models.PositiveSmallIntegerField(null=True, blank=True)
    rotation_order = models.CharField(max_length=16, blank=True)
    start_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CircleStatus.choices, default=CircleStatus.PENDING)
    created_at = models.DateTimeField(null=True, blank=True, help_text="Event time of circle-created.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Event time of circle-completed/-failed.")
    failure_reason = models.CharField(max_length=32, blank=True)
    total_cycles = models.PositiveIntegerField(null=True, blank=True, help_text="Cycles planned (end events).")
    last_event_at = models.DateTimeField(null=True, blank=True, help_text="Latest event time of any fact.")

    # Debounced scoring: handlers bump facts_version and set scoring_pending in their transaction.
    facts_version = models.PositiveIntegerField(default=0)
    scored_facts_version = models.PositiveIntegerField(default=0)
    scoring_pending = models.BooleanField(default=False)
    scoring_requested_at = models.DateTimeField(null=True, blank=True)

    # Latest health, copied from the newest CircleHealth row by the scoring service (for lists).
    latest_health = models.ForeignKey(
        "circles.CircleHealth", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    health_score = models.FloatField(null=True, blank=True)
    tier = models.CharField(max_length=16, blank=True, help_text="Classified tier of the latest health.")
    trend = models.CharField(max_length=16, choices=Trend.choices, blank=True)
    last_scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["scoring_requested_at"],
                name="circle_scoring_pending",
                condition=models.Q(scoring_pending=True),
            ),
            models.Index(fields=["tier", "health_score"], name="circle_tier_score"),
        ]

    def __str__(self) -> str:
        return self.name or self.circle_id


class CircleMember(models.Model):
    """A member of a circle: position in the rotation, status, and why they left."""

    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="members")
    user_id = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    verification_status = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    dropped_at = models.DateTimeField(null=True, blank=True)
    drop_reason = models.CharField(max_length=32, blank=True)
    payments_made = models.PositiveIntegerField(null=True, blank=True)
    payments_owed = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "user_id"], name="circlemember_unique")]
        indexes = [models.Index(fields=["user_id"], name="circlemember_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.circle_id}"


class CircleContribution(models.Model):
    """A contribution received for a cycle (circle-contribution-received), once per contribution_id."""

    contribution_id = models.CharField(max_length=64, unique=True)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="contributions")
    user_id = models.CharField(max_length=64)
    cycle_number = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    payment_method = models.CharField(max_length=16)
    agent_id = models.CharField(max_length=64, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField()
    days_late = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["circle", "cycle_number"], name="contribution_circle_cycle")]

    def __str__(self) -> str:
        return f"{self.contribution_id} ({self.user_id}, cycle {self.cycle_number})"


class CircleMissedContribution(models.Model):
    """A contribution a member missed (circle-contribution-missed), once per member and cycle."""

    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="misses")
    user_id = models.CharField(max_length=64)
    cycle_number = models.PositiveIntegerField()
    due_date = models.DateField()
    amount_due = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    consecutive_misses = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField(help_text="Event time of the miss.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "user_id", "cycle_number"], name="circlemiss_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} missed cycle {self.cycle_number}"


class CirclePayout(models.Model):
    """The pot paid to a cycle's recipient (circle-payout-executed), once per payout_id."""

    payout_id = models.CharField(max_length=64, unique=True)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="payouts")
    recipient_id = models.CharField(max_length=64)
    cycle_number = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    payout_method = models.CharField(max_length=16)
    agent_id = models.CharField(max_length=64, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    executed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["circle", "cycle_number"], name="payout_circle_cycle")]

    def __str__(self) -> str:
        return f"{self.payout_id} → {self.recipient_id} (cycle {self.cycle_number})"


class CircleTransaction(models.Model):
    """A money movement Trebanx tied to a circle (transaction-initiated with circle metadata or a circle
    type), followed to completion or failure. Deduplicated on transaction_id with the domain events."""

    transaction_id = models.CharField(max_length=64, unique=True)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="transactions")
    user_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    cycle_number = models.PositiveIntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=TransactionStatus.choices, default=TransactionStatus.INITIATED)
    initiated_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["circle", "status"], name="circletxn_circle_status")]

    def __str__(self) -> str:
        return f"{self.transaction_id} ({self.kind}, {self.status})"
