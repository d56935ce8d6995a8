"""Topic names. Every name goes through ``topic_name`` so ``KAFKA_TOPIC_PREFIX`` isolates test runs."""

from __future__ import annotations

from django.conf import settings

CIRCLE_EVENTS = "trebanx.circle.events"
TRANSACTION_EVENTS = "trebanx.transaction.events"
USER_EVENTS = "trebanx.user.events"
REMITTANCE_EVENTS = "trebanx.remittance.events"
SECURITY_EVENTS = "trebanx.security.events"

INBOUND_TOPICS: tuple[str, ...] = (
    CIRCLE_EVENTS,
    TRANSACTION_EVENTS,
    USER_EVENTS,
    REMITTANCE_EVENTS,
    SECURITY_EVENTS,
)

FRAUD_ALERTS = "lakay.fraud.alerts"
CIRCLE_TIER_CHANGES = "lakay.circles.tier-changes"
ATO_ALERTS = "lakay.behavior.ato-alerts"
COMPLIANCE_ALERTS = "lakay.compliance.alerts"
EDD_TRIGGERS = "lakay.compliance.edd-triggers"

OUTBOUND_TOPICS: tuple[str, ...] = (
    FRAUD_ALERTS,
    CIRCLE_TIER_CHANGES,
    ATO_ALERTS,
    COMPLIANCE_ALERTS,
    EDD_TRIGGERS,
)

DLQ_SUFFIX = ".dlq"


def dlq_of(topic: str) -> str:
    return f"{topic}{DLQ_SUFFIX}"


DLQ_TOPICS: tuple[str, ...] = tuple(dlq_of(topic) for topic in INBOUND_TOPICS)
ALL_TOPICS: tuple[str, ...] = INBOUND_TOPICS + OUTBOUND_TOPICS + DLQ_TOPICS


def topic_name(base: str) -> str:
    """The broker-side name of a logical topic."""
    return f"{settings.KAFKA_TOPIC_PREFIX}{base}"


def logical_name(actual: str) -> str:
    """Inverse of ``topic_name``."""
    prefix = settings.KAFKA_TOPIC_PREFIX
    return actual[len(prefix) :] if prefix and actual.startswith(prefix) else actual
