"""Scoring one transaction: project it, compute features, evaluate the rules, blend, store, alert.

``transaction_score`` is the single path used by the Kafka handler and (through ``ingest_envelope``) by
``POST /api/v1/fraud/score``. It runs inside the caller's transaction; a transaction id is scored once.
"""

from __future__ import annotations

import time
import uuid
from contextvars import ContextVar
from typing import Any

from django.db import connection

from apps.fraud import metrics
from apps.fraud.choices import RiskTier
from apps.fraud.config import scoring_settings
from apps.fraud.engine import Decision, decide, evaluate_rules, trace_document
from apps.fraud.errors import TransactionConflictError
from apps.fraud.features import online_feature_set
from apps.fraud.features.facts import TransactionFacts, counts_in_history
from apps.fraud.features.history import facts_of
from apps.fraud.features.online import record_transaction
from apps.fraud.models import FraudScore, FraudTransaction
from apps.fraud.rules import RuleInput
from apps.fraud.services.alerts import alert_open_or_link
from apps.serving.scoring import model_score
from lakay.logging import get_logger

logger = get_logger(__name__)

# The score the current thread/context produced last, so the scoring API (which goes through
# ``ingest_envelope`` like Kafka) can answer without reading its own row back.
_last_score: ContextVar[FraudScore | None] = ContextVar("fraud_last_score", default=None)


def scored_in_this_context(transaction_id: str) -> FraudScore | None:
    score = _last_score.get()
    return score if score is not None and score.transaction_id == transaction_id else None


_INSERT_SQL = """
INSERT INTO fraud_fraudtransaction
    (transaction_id, user_id, occurred_at, amount, currency, transaction_type, source_type, destination_type,
     device_id, country, latitude, longitude, recipient_id, ip_address, event_id, recorded_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (transaction_id) DO NOTHING
RETURNING id
"""


def _insert_projection(facts: TransactionFacts, event_id: uuid.UUID) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL,
            [
                facts.transaction_id,
                facts.user_id,
                facts.occurred_at,
                facts.amount,
                facts.currency,
                facts.transaction_type,
                facts.source_type,
                facts.destination_type,
                facts.device_id,
                facts.country,
                facts.latitude,
                facts.longitude,
                facts.recipient_id,
                facts.ip_address,
                event_id,
            ],
        )
        return cursor.fetchone() is not None


def transaction_score(*, facts: TransactionFacts, event_id: uuid.UUID, correlation_id: uuid.UUID | None) -> FraudScore:
    """Score ``facts`` once. A known transaction id returns its stored score (or raises on other content)."""
    started = time.perf_counter()
    if not _insert_projection(facts, event_id):
        stored = _already_scored(facts)
        _last_score.set(stored)
        return stored
    feature_set = online_feature_set(facts)
    settings = scoring_settings()
    rules = evaluate_rules(RuleInput(facts, feature_set.values, feature_set.context, feature_set.history), settings)
    model = model_score(user_id=facts.user_id, features=feature_set.values)
    decision = decide(rules, model, settings)
    score = FraudScore(
        transaction_id=facts.transaction_id,
        user_id=facts.user_id,
        occurred_at=facts.occurred_at,
        score=decision.score,
        rule_score=decision.rule_score,
        ml_score=decision.ml_score,
        risk_tier=decision.risk_tier,
        recommendation=decision.recommendation,
        confidence=decision.confidence,
        model_version=decision.model_version,
        triggered_rules=triggered_rules(decision),
        ml_contributions=dict(model.contributions) if model is not None else {},
        features=feature_set.values,
        trace=trace_document(decision, settings, {"source": feature_set.context.get("history_source")}),
    )
    if decision.risk_tier in (RiskTier.HIGH, RiskTier.CRITICAL):
        # Before the score is saved, so the score row is written once with its alert.
        alert_open_or_link(score=score, dedup_seconds=settings.dedup_seconds, correlation_id=correlation_id)
    score.save(force_insert=True)
    if counts_in_history(facts.transaction_type):
        record_transaction(facts)  # last: a failure above leaves Redis untouched
    _last_score.set(score)
    metrics.SCORES.labels(risk_tier=decision.risk_tier).inc()
    metrics.SCORE_SECONDS.observe(time.perf_counter() - started)
    logger.info(
        "fraud.transaction.scored",
        transaction_id=facts.transaction_id,
        score=decision.score,
        risk_tier=decision.risk_tier,
        rules_fired=len(decision.rules.fired),
    )
    return score


def triggered_rules(decision: Decision) -> list[dict[str, Any]]:
    return [
        {
            "rule_id": trace.rule_id,
            "category": trace.category,
            "score": round(trace.score, 6),
            "weight": trace.weight,
            "contribution": round(trace.contribution, 6),
            "severity": trace.severity,
            "details": trace.plain_details(),
        }
        for trace in decision.rules.fired
    ]


def _already_scored(facts: TransactionFacts) -> FraudScore:
    stored = FraudTransaction.objects.get(transaction_id=facts.transaction_id)
    if facts_of(stored).fingerprint() != facts.fingerprint():
        raise TransactionConflictError(
            "This transaction id is already known with different content.",
            details={"transaction_id": facts.transaction_id},
        )
    return FraudScore.objects.select_related("alert").get(transaction__transaction_id=facts.transaction_id)
