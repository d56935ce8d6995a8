"""Kafka (and HTTP-submitted) event handlers of the fraud domain: parse the event, call a service.

Idempotent: a transaction, a session and a circle membership are keyed by their business ids, so the
same fact arriving twice (redelivery, or once by Kafka and once through the scoring API) counts once.
"""

from __future__ import annotations

from apps.fraud import metrics
from apps.fraud.features.facts import TransactionFacts
from apps.fraud.services.activity import circle_join_record, login_record
from apps.fraud.services.scoring import transaction_score
from apps.pipeline.spine.events import Event
from lakay.logging import get_logger

logger = get_logger(__name__)


def handle_transaction_initiated(event: Event) -> None:
    facts = TransactionFacts.from_payload(event.payload, occurred_at=event.occurred_at)
    if not facts.is_scored_currency:
        # Thresholds are in USD; the contract allows HTG. Not scored, counted, never silently: logged.
        metrics.SKIPPED.labels(reason="unsupported_currency").inc()
        logger.warning("fraud.transaction.skipped", transaction_id=facts.transaction_id, reason="unsupported_currency")
        return
    transaction_score(facts=facts, event_id=event.event_id, correlation_id=event.correlation_id)


def handle_login(event: Event) -> None:
    """``login-success`` and ``session-started``: one login per session id."""
    login_record(
        user_id=str(event.payload["user_id"]),
        session_id=str(event.payload["session_id"]),
        occurred_at=event.occurred_at,
    )


def handle_circle_member_joined(event: Event) -> None:
    circle_join_record(
        user_id=str(event.payload["user_id"]),
        circle_id=str(event.payload["circle_id"]),
        occurred_at=event.occurred_at,
    )


def warm_up() -> None:
    """Before a consumer joins its group: start loading the model in the background, so the first
    batch's scores rarely wait for it (they wait at most SERVING_MODEL_LOAD_TIMEOUT_SECONDS, once)."""
    from apps.serving.runtime.process import runtime

    runtime().start()
