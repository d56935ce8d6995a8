"""Recomputing a circle's health from its projections, storing it, and announcing tier changes.

``circle_score`` reads the facts without locks, evaluates them (pure engine), then in one transaction
locks the circle row, appends the ``CircleHealth`` row (+ anomalies), refreshes the circle's latest
health, and — when the classified tier differs from the last stored one — writes a ``CircleTierChange``
and its ``circle-tier-changed`` outbox message. The pending flag is cleared only if no new fact arrived
meanwhile (``facts_version`` unchanged), so nothing is ever left unscored.

``circles_score_pending`` is the debounced sweep (Celery beat, every few seconds): circles with new
facts, each rescored at most once per ``circle.scoring_debounce_seconds``; rows a consumer is writing
right now are skipped (``SKIP LOCKED``) and picked up by the next sweep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.circles.choices import CircleStatus, ScoringTrigger, TransactionKind, TransactionStatus
from apps.circles.config import ScoringParameters, scoring_parameters
from apps.circles.constants import DIMENSIONS, SCORING_VERSION, TIER_CHANGE_EVENT_TYPE
from apps.circles.health.engine import HealthResult, evaluate
from apps.circles.health.facts import CircleFacts, ContributionFact, MemberFact, MissFact, PayoutFact
from apps.circles.models import Circle, CircleAnomaly, CircleHealth, CircleTierChange
from apps.pipeline.spine.outbox import outbox_publish
from apps.serving.config import config_value
from lakay.exceptions import ConflictError, NotFoundError
from lakay.logging import get_logger

logger = get_logger(__name__)

REASON_MAX_CHARS = 1000


@dataclass(frozen=True, slots=True)
class ScoreOutcome:
    health: CircleHealth
    tier_change: CircleTierChange | None


def circle_facts(circle: Circle) -> CircleFacts:
    """Everything the engine needs about ``circle``, read from the projections (five indexed queries)."""
    members = tuple(
        MemberFact(
            user_id=member.user_id,
            position=member.position,
            joined_at=member.joined_at,
            dropped_at=member.dropped_at,
            drop_reason=member.drop_reason,
            payments_made=member.payments_made,
            payments_owed=member.payments_owed,
        )
        for member in circle.members.order_by("position", "user_id")
    )
    contributions = tuple(
        ContributionFact(user_id, cycle, amount, days_late, paid_at)
        for user_id, cycle, amount, days_late, paid_at in circle.contributions.values_list(
            "user_id", "cycle_number", "amount", "days_late", "paid_at"
        )
    )
    misses = tuple(
        MissFact(user_id, cycle, amount, due_date, recorded_at)
        for user_id, cycle, amount, due_date, recorded_at in circle.misses.values_list(
            "user_id", "cycle_number", "amount_due", "due_date", "recorded_at"
        )
    )
    payouts = tuple(
        PayoutFact(recipient, cycle, amount, executed_at)
        for recipient, cycle, amount, executed_at in circle.payouts.values_list(
            "recipient_id", "cycle_number", "amount", "executed_at"
        )
    )
    failed = circle.transactions.aggregate(
        failed=Count("id", filter=Q(kind=TransactionKind.CONTRIBUTION, status=TransactionStatus.FAILED))
    )["failed"]
    return CircleFacts(
        circle_id=circle.circle_id,
        contribution_amount=circle.contribution_amount,
        status=circle.status,
        members=members,
        contributions=contributions,
        misses=misses,
        payouts=payouts,
        failed_payments=failed,
        as_of=circle.last_event_at,
        planned_cycles=circle.total_cycles or circle.max_members,
        is_closed=circle.status in (CircleStatus.COMPLETED, CircleStatus.FAILED),
    )


def _health_row(circle: Circle, result: HealthResult, params: ScoringParameters, **fields: object) -> CircleHealth:
    dimensions = result.dimensions
    return CircleHealth(
        circle=circle,
        as_of=circle.last_event_at,
        cycle_number=result.inputs.current_cycle,
        cycles_completed=result.inputs.cycles_completed,
        scoring_version=SCORING_VERSION,
        health_score=result.health_score,
        score_tier=result.score_tier,
        tier=result.classification.tier,
        effective_score=result.classification.effective_score,
        confidence=result.confidence,
        trend=result.trend,
        trend_delta=result.trend_delta,
        score_one_cycle_ago=result.score_one_cycle_ago,
        score_three_cycles_ago=result.score_three_cycles_ago,
        contribution_reliability=round(dimensions["contribution_reliability"].score, 2),
        membership_stability=round(dimensions["membership_stability"].score, 2),
        financial_progress=round(dimensions["financial_progress"].score, 2),
        trust_integrity=round(dimensions["trust_integrity"].score, 2),
        factors={name: list(dimensions[name].factors) for name in DIMENSIONS},
        inputs=result.inputs.as_dict(),
        weights={**{name: params.weights[name] for name in DIMENSIONS}, "source": params.weights_source},
        classification_reason=result.classification.reason[:REASON_MAX_CHARS],
        recommendations=result.classification.recommendations_as_list(),
        **fields,
    )


def _store(
    circle: Circle, result: HealthResult, params: ScoringParameters, *, version: int, trigger: str, requested_by: str
) -> ScoreOutcome:
    previous_tier = circle.tier or None
    health = _health_row(circle, result, params, facts_version=version, trigger=trigger, requested_by=requested_by)
    health.save()
    CircleAnomaly.objects.bulk_create(
        [
            CircleAnomaly(
                health=health,
                circle=circle,
                anomaly_type=anomaly.anomaly_type,
                severity=anomaly.severity,
                cycle_number=anomaly.cycle_number,
                description=anomaly.description,
                affected_members=list(anomaly.affected_members),
                evidence=[item.as_dict() for item in anomaly.evidence],
            )
            for anomaly in result.anomalies
        ]
    )
    changes: dict[str, object] = {
        "latest_health": health,
        "health_score": health.health_score,
        "tier": health.tier,
        "trend": health.trend,
        "last_scored_at": health.computed_at,
    }
    if circle.facts_version == version:
        changes.update(scoring_pending=False, scored_facts_version=version, scoring_requested_at=None)
    Circle.objects.filter(pk=circle.pk).update(**changes)
    tier_change = None
    if previous_tier != health.tier:
        tier_change = CircleTierChange.objects.create(
            circle=circle,
            health=health,
            previous_tier=previous_tier or "",
            new_tier=health.tier,
            health_score=health.health_score,
            reason=health.classification_reason,
        )
        outbox_publish(
            event_type=TIER_CHANGE_EVENT_TYPE,
            key=circle.circle_id,
            payload={
                "circle_id": circle.circle_id,
                "previous_tier": previous_tier,
                "new_tier": health.tier,
                "health_score": health.health_score,
                "reason": health.classification_reason,
                "changed_at": tier_change.changed_at,
            },
        )
        logger.info(
            "circles.tier.changed",
            circle_id=circle.circle_id,
            previous_tier=previous_tier,
            new_tier=health.tier,
            health_id=health.pk,
        )
    return ScoreOutcome(health=health, tier_change=tier_change)


def circle_score(*, circle_id: str, trigger: str, requested_by: str = "") -> ScoreOutcome:
    """Recompute and store the health of ``circle_id`` now (waits for a consumer writing the circle).

    Raises NotFoundError for a circle no event has named.
    """
    outcome = _score(circle_id=circle_id, trigger=trigger, requested_by=requested_by, skip_locked=False)
    if outcome is None:  # pragma: no cover — only a skip_locked read can come back empty
        raise ConflictError("The circle could not be locked.", code="circle_locked")
    return outcome


def _score(*, circle_id: str, trigger: str, requested_by: str, skip_locked: bool) -> ScoreOutcome | None:
    circle = Circle.objects.filter(circle_id=circle_id).first()
    if circle is None:
        raise NotFoundError(
            "No event has named this circle.", code="circle_not_found", details={"circle_id": circle_id}
        )
    version = circle.facts_version
    facts = circle_facts(circle)
    params = scoring_parameters()
    result = evaluate(facts, params)
    with transaction.atomic():
        locked = Circle.objects.select_for_update(skip_locked=skip_locked).filter(pk=circle.pk).first()
        if locked is None:
            return None
        outcome = _store(locked, result, params, version=version, trigger=trigger, requested_by=requested_by)
    logger.debug("circles.health.computed", circle_id=circle_id, health_id=outcome.health.pk, trigger=trigger)
    return outcome


def pending_circle_ids(*, limit: int, debounce_seconds: int) -> list[str]:
    """Circles with unscored facts whose last score is older than the debounce window, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=debounce_seconds)
    return list(
        Circle.objects.filter(scoring_pending=True)
        .filter(Q(last_scored_at__isnull=True) | Q(last_scored_at__lte=cutoff))
        .order_by("scoring_requested_at")
        .values_list("circle_id", flat=True)[:limit]
    )


def circles_score_pending(
    *, limit: int | None = None, debounce_seconds: int | None = None, time_budget_seconds: float = 50.0
) -> int:
    """The debounced sweep: rescore circles with new facts; returns how many were scored."""
    batch = limit if limit is not None else int(config_value("circle.scoring_batch_size"))
    debounce = (
        debounce_seconds if debounce_seconds is not None else int(config_value("circle.scoring_debounce_seconds"))
    )
    started = time.monotonic()
    scored = 0
    for circle_id in pending_circle_ids(limit=batch, debounce_seconds=debounce):
        if time.monotonic() - started > time_budget_seconds:
            break
        if _score(circle_id=circle_id, trigger=ScoringTrigger.EVENTS, requested_by="", skip_locked=True):
            scored += 1
    if scored:
        logger.info("circles.sweep.scored", circles=scored)
    return scored
