"""Monitoring rules on one new movement and the customer's recent history (event time)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from apps.compliance.choices import MovementFlow, RuleCode
from apps.compliance.detection.facts import Detection, Movement


def is_round_amount(amount: Decimal, unit: Decimal) -> bool:
    """A whole multiple of ``unit`` (and at least one unit)."""
    return unit > 0 and amount >= unit and amount % unit == 0


def just_below_mark(amount: Decimal, *, marks: Sequence[Decimal], band: Decimal) -> Decimal | None:
    """The mark ``amount`` sits just below (``mark - band <= amount <= mark``), if any."""
    for mark in marks:
        if mark - band <= amount <= mark:
            return mark
    return None


def round_amount_pattern(window_30d: Sequence[Movement], *, ratio: float, min_count: int) -> Detection | None:
    """Share of round amounts among the customer's own outgoing/cash-in movements over 30 days."""
    own = [movement for movement in window_30d if movement.flow != MovementFlow.RECEIVED]
    if len(own) < min_count:
        return None
    rounds = [movement for movement in own if movement.is_round_amount]
    share = len(rounds) / len(own)
    if share < ratio:
        return None
    total = sum((movement.amount for movement in rounds), Decimal("0.00"))
    return Detection(
        RuleCode.ROUND_AMOUNT_PATTERN,
        tuple(rounds),
        total,
        None,
        {"round_share": round(share, 4), "transaction_count": len(own), "round_count": len(rounds)},
    )


def rapid_movement(
    history: Sequence[Movement],
    *,
    receipt: Movement,
    hours: int,
    ratio: float,
    min_amount: Decimal,
) -> Detection | None:
    """Money received, then at least ``ratio`` of it sent on within ``hours`` (sends may be split)."""
    if receipt.flow != MovementFlow.RECEIVED or receipt.amount < min_amount:
        return None
    end = receipt.occurred_at + timedelta(hours=hours)
    sends = [
        movement
        for movement in history
        if movement.flow == MovementFlow.SENT and receipt.occurred_at <= movement.occurred_at <= end
    ]
    sent_total = sum((movement.amount for movement in sends), Decimal("0.00"))
    if not sends or sent_total < receipt.amount * Decimal(str(ratio)):
        return None
    hours_taken = (max(movement.occurred_at for movement in sends) - receipt.occurred_at).total_seconds() / 3600
    return Detection(
        RuleCode.RAPID_MOVEMENT,
        (receipt, *sends),
        receipt.amount,
        None,
        {
            "received": str(receipt.amount),
            "sent_on": str(sent_total),
            "share_sent_on": round(float(sent_total / receipt.amount), 4),
            "hours_to_last_send": round(hours_taken, 2),
        },
    )


def unusual_volume(
    current: Movement,
    prior_30d: Sequence[Movement],
    *,
    multiplier: float,
    min_history: int,
    min_z_score: float = 0.0,
) -> Detection | None:
    """An amount at least ``multiplier`` x the customer's mean over the previous 30 days, and at least
    ``min_z_score`` standard deviations above it (an amount among equal ones has no deviation: any jump
    counts)."""
    amounts = [movement.amount for movement in prior_30d if movement.flow != MovementFlow.RECEIVED]
    if len(amounts) < min_history:
        return None
    mean = sum(amounts, Decimal("0.00")) / len(amounts)
    if mean <= 0 or current.amount < mean * Decimal(str(multiplier)):
        return None
    deviation = statistics.pstdev(float(amount) for amount in amounts)
    z_score = (float(current.amount) - float(mean)) / deviation if deviation > 0 else None
    if z_score is not None and z_score < min_z_score:
        return None
    return Detection(
        RuleCode.UNUSUAL_VOLUME,
        (current,),
        current.amount,
        None,
        {
            "mean_30d": str(mean.quantize(Decimal("0.01"))),
            "ratio_to_mean": round(float(current.amount / mean), 2),
            "z_score": round(z_score, 2) if z_score is not None else None,
        },
    )


def velocity(
    current: Movement,
    last_24h: Sequence[Movement],
    prior_30d: Sequence[Movement],
    *,
    multiplier: float,
    min_count_24h: int,
    min_history: int,
) -> Detection | None:
    """At least ``min_count_24h`` transactions in 24 h and ``multiplier`` x the daily mean of 30 days."""
    own_24h = [movement for movement in last_24h if movement.flow != MovementFlow.RECEIVED]
    own_prior = [movement for movement in prior_30d if movement.flow != MovementFlow.RECEIVED]
    if len(own_24h) < min_count_24h or len(own_prior) < min_history:
        return None
    daily_mean = len(own_prior) / 30.0
    if len(own_24h) < multiplier * daily_mean:
        return None
    total = sum((movement.amount for movement in own_24h), Decimal("0.00"))
    return Detection(
        RuleCode.VELOCITY,
        tuple(own_24h),
        total,
        None,
        {"count_24h": len(own_24h), "daily_mean_30d": round(daily_mean, 3)},
    )
