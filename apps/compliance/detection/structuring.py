"""The four structuring typologies (31 USC 5324; 31 CFR 1010.100(xx)), over event-time windows.

* proximity ``p(a) = (a / threshold)^3`` for ``a < threshold``, else 0: how close an amount sits below
  the CTR threshold;
* regularity ``r = 1 - coefficient of variation of the gaps between transactions`` clamped to [0, 1],
  0 with fewer than 3 transactions: machine-like spacing.

Confidence formulas follow the functional reference (upstream-inventory §5.3) and are documented in
docs/compliance.md; alerts are raised from ``monitor_confidence`` and recommend a filing from
``sar_confidence``.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from apps.compliance.choices import RuleCode
from apps.compliance.detection.facts import Detection, Movement

CTR_THRESHOLD = Decimal("10000.00")


def proximity(amount: Decimal, threshold: Decimal = CTR_THRESHOLD) -> float:
    if amount >= threshold or threshold <= 0:
        return 0.0
    return float(amount / threshold) ** 3


def regularity(times: Sequence[datetime]) -> float:
    if len(times) < 3:
        return 0.0
    ordered = sorted(times)
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(ordered)]
    mean = statistics.fmean(gaps)
    if mean <= 0:
        return 1.0  # all at the same instant: as regular as it gets
    variation = statistics.pstdev(gaps) / mean
    return max(0.0, min(1.0, 1.0 - variation))


def _total(movements: Sequence[Movement]) -> Decimal:
    return sum((movement.amount for movement in movements), Decimal("0.00"))


def micro(
    day_movements: Sequence[Movement], *, min_sum: Decimal, threshold: Decimal = CTR_THRESHOLD
) -> Detection | None:
    """Several sub-threshold transactions in one business day adding up close to the threshold.

    Needs ≥ 2 transactions, each below the threshold, a day total ≥ ``min_sum``, and either ≥ 3 to one
    recipient totalling ≥ ``min_sum`` or ≥ 5 transactions in all.
    confidence = 0.4·p(day total) + 0.3·r + 0.3·min(n/10, 1).
    """
    count = len(day_movements)
    if count < 2 or any(movement.amount >= threshold for movement in day_movements):
        return None
    day_total = _total(day_movements)
    if day_total < min_sum:
        return None
    by_recipient: dict[str, list[Movement]] = defaultdict(list)
    for movement in day_movements:
        if movement.counterparty_id:
            by_recipient[movement.counterparty_id].append(movement)
    concentrated = any(len(group) >= 3 and _total(group) >= min_sum for group in by_recipient.values())
    if not concentrated and count < 5:
        return None
    spread = regularity([movement.occurred_at for movement in day_movements])
    confidence = 0.4 * proximity(day_total, threshold) + 0.3 * spread + 0.3 * min(count / 10, 1.0)
    return Detection(
        RuleCode.STRUCTURING_MICRO,
        tuple(day_movements),
        day_total,
        round(confidence, 4),
        {"transaction_count": count, "regularity": round(spread, 4), "concentrated_on_one_recipient": concentrated},
    )


def slow(
    window: Sequence[Movement],
    *,
    min_amount: Decimal,
    history_mean: Decimal | None,
    threshold: Decimal = CTR_THRESHOLD,
) -> Detection | None:
    """Repeated amounts between ``min_amount`` and the threshold over the look-back, summing past it.

    Needs ≥ 3 such transactions whose sum ≥ the threshold.
    confidence = (0.2·mean p + 0.3·r + 0.2·min(n/10,1) + 0.3·min(sum/15,000,1) + 0.20) x behaviour factor,
    where the factor is 0.3 if the window's mean amount is within 20% of the customer's earlier mean,
    0.7 within 50%, else 1 (no history: 1).
    """
    qualifying = [movement for movement in window if min_amount <= movement.amount < threshold]
    if len(qualifying) < 3:
        return None
    window_total = _total(qualifying)
    if window_total < threshold:
        return None
    count = len(qualifying)
    mean_proximity = statistics.fmean(proximity(movement.amount, threshold) for movement in qualifying)
    spread = regularity([movement.occurred_at for movement in qualifying])
    base = (
        0.2 * mean_proximity
        + 0.3 * spread
        + 0.2 * min(count / 10, 1.0)
        + 0.3 * min(float(window_total) / 15000.0, 1.0)
        + 0.20
    )
    factor = behaviour_factor(window_total / count, history_mean)
    return Detection(
        RuleCode.STRUCTURING_SLOW,
        tuple(qualifying),
        window_total,
        round(min(base * factor, 1.0), 4),
        {"transaction_count": count, "regularity": round(spread, 4), "behaviour_factor": factor},
    )


def behaviour_factor(window_mean: Decimal, history_mean: Decimal | None) -> float:
    if history_mean is None or history_mean <= 0:
        return 1.0
    deviation = abs(window_mean - history_mean) / history_mean
    if deviation <= Decimal("0.20"):
        return 0.3
    if deviation <= Decimal("0.50"):
        return 0.7
    return 1.0


def _party_spread(
    group: Sequence[Movement], *, party: str, min_parties: int, threshold: Decimal
) -> tuple[int, Decimal] | None:
    if any(movement.amount >= threshold for movement in group):
        return None
    parties = {movement.counterparty_id if party == "recipient" else movement.customer_id for movement in group}
    parties.discard("")
    total = _total(group)
    if len(parties) < min_parties or total < threshold:
        return None
    return len(parties), total


def fan_out(sent: Sequence[Movement], *, min_parties: int, threshold: Decimal = CTR_THRESHOLD) -> Detection | None:
    """One sender, ≥ ``min_parties`` distinct recipients in the window, together ≥ the threshold, each below.

    confidence = 0.2·mean p + 0.4·min(recipients/6, 1) + 0.4·min(sum/15,000, 1).
    """
    found = _party_spread(sent, party="recipient", min_parties=min_parties, threshold=threshold)
    if found is None:
        return None
    recipients, total = found
    mean_proximity = statistics.fmean(proximity(movement.amount, threshold) for movement in sent)
    confidence = 0.2 * mean_proximity + 0.4 * min(recipients / 6, 1.0) + 0.4 * min(float(total) / 15000.0, 1.0)
    return Detection(
        RuleCode.STRUCTURING_FAN_OUT, tuple(sent), total, round(confidence, 4), {"distinct_recipients": recipients}
    )


def funnel(inbound: Sequence[Movement], *, min_parties: int, threshold: Decimal = CTR_THRESHOLD) -> Detection | None:
    """One recipient, ≥ ``min_parties`` distinct senders in the window, together ≥ the threshold, each below.

    confidence = 0.2·mean p + 0.4·min(senders/6, 1) + 0.4·min(sum/15,000, 1).
    """
    found = _party_spread(inbound, party="sender", min_parties=min_parties, threshold=threshold)
    if found is None:
        return None
    senders, total = found
    mean_proximity = statistics.fmean(proximity(movement.amount, threshold) for movement in inbound)
    confidence = 0.2 * mean_proximity + 0.4 * min(senders / 6, 1.0) + 0.4 * min(float(total) / 15000.0, 1.0)
    return Detection(
        RuleCode.STRUCTURING_FUNNEL, tuple(inbound), total, round(confidence, 4), {"distinct_senders": senders}
    )


def in_window(movements: Sequence[Movement], *, end: datetime, hours: int) -> list[Movement]:
    start = end - timedelta(hours=hours)
    return [movement for movement in movements if start <= movement.occurred_at <= end]


def on_day(movements: Sequence[Movement], day: date) -> list[Movement]:
    return [movement for movement in movements if movement.business_date == day]
