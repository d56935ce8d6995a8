"""Pattern rules: duplicates, structuring just under reporting lines, round amounts, scripted regularity."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from apps.fraud.choices import RuleCategory
from apps.fraud.constants import DAY_US, HOUR_US, MICROSECONDS
from apps.fraud.features.compute import mean_and_std
from apps.fraud.rules.base import Outcome, Rule, RuleInput, Threshold, cents, clamp, not_fired


class DuplicateTransaction(Rule):
    rule_id = "duplicate_transaction"
    category = RuleCategory.PATTERNS
    default_weight = 0.15
    default_standalone_weight = 0.7
    applies_to_credits = False
    summary = "Earlier payments to the same recipient of about the same amount, minutes ago."
    formula = (
        "n = prior txns to the recipient within ±tol of the amount in the window; fires if n ≥ 1; "
        "score = min(0.5 + 0.2 n, 1)"
    )
    thresholds = (
        Threshold("window_seconds", 600, "How far back a duplicate is looked for.", kind="int", minimum=1),
        Threshold("tolerance", 0.05, "Relative amount difference still called the same amount.", maximum=1),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        recipient = data.facts.recipient_id
        if not recipient:
            return not_fired(recipient_id=None)
        now = data.facts.ts_us
        amount = data.facts.amount_cents
        start = now - int(params["window_seconds"]) * MICROSECONDS
        duplicates = [
            past
            for past in data.history.prior
            if past.recipient_id == recipient
            and past.ts_us >= start
            and abs(past.amount_cents - amount) <= params["tolerance"] * amount
        ]
        inputs = {"recipient_id": recipient, "duplicates": len(duplicates), "window_seconds": params["window_seconds"]}
        if not duplicates:
            return Outcome(False, inputs=inputs)
        count = len(duplicates)
        details = {**inputs, "duplicate_transaction_ids": [past.transaction_id for past in duplicates][:20]}
        return Outcome(True, clamp(0.5 + 0.2 * count), inputs, details, "high" if count >= 2 else "medium", 0.85)


class StructuringDetection(Rule):
    rule_id = "structuring_detection"
    category = RuleCategory.PATTERNS
    default_weight = 0.20
    default_standalone_weight = 0.7
    applies_to_credits = False
    summary = "Amounts just under the $3,000 and $10,000 lines, alone, repeated, or adding up within 24 h."
    formula = (
        "base 0.5 (amount in the $3k band) / 0.7 ($10k band) / 0.6 (24 h total in 90-100 % of a line with "
        "≥ 2 prior txns) + position in band * 0.3 + bonus * earlier band hits in the repeat window; cap 1"
    )
    thresholds = (
        Threshold("band_3k_low", "2800.00", "Lower bound of the band under $3,000, USD.", kind="decimal"),
        Threshold("band_3k_high", "3000.00", "Upper bound (exclusive) of the band under $3,000.", kind="decimal"),
        Threshold("band_10k_low", "9500.00", "Lower bound of the band under $10,000, USD.", kind="decimal"),
        Threshold("band_10k_high", "10000.00", "Upper bound (exclusive) of the band under $10,000.", kind="decimal"),
        Threshold("repeat_window_hours", 168, "Window for earlier band hits, hours.", kind="int", minimum=1),
        Threshold("repeat_bonus", 0.2, "Score added per earlier band hit in the repeat window.", maximum=1),
    )

    def _bands(self, params: Mapping[str, Any]) -> list[tuple[str, int, int, float]]:
        return [
            ("3k", cents(params["band_3k_low"]), cents(params["band_3k_high"]), 0.5),
            ("10k", cents(params["band_10k_low"]), cents(params["band_10k_high"]), 0.7),
        ]

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        amount = data.facts.amount_cents
        now = data.facts.ts_us
        bands = self._bands(params)
        candidates: list[tuple[float, str]] = []
        for name, low, high, base in bands:
            if low <= amount < high:
                candidates.append((base + (amount - low) / (high - low) * 0.3, f"amount_{name}"))
        day = [past for past in data.history.prior if past.ts_us >= now - DAY_US]
        total = sum(past.amount_cents for past in day) + amount
        if len(day) >= 2:
            for name, _, high, _ in bands:
                if 0.9 * high <= total < high:
                    candidates.append((0.6 + (total - 0.9 * high) / (0.1 * high) * 0.3, f"total_24h_{name}"))
        repeat_start = now - int(params["repeat_window_hours"]) * HOUR_US
        earlier_hits = sum(
            1
            for past in data.history.prior
            if past.ts_us >= repeat_start and any(low <= past.amount_cents < high for _, low, high, _ in bands)
        )
        inputs = {"amount": amount / 100, "total_24h": total / 100, "earlier_band_hits": earlier_hits}
        if not candidates:
            return Outcome(False, inputs=inputs)
        best, basis = max(candidates)
        score = clamp(best + params["repeat_bonus"] * earlier_hits)
        severity = "critical" if basis.endswith("10k") else "high"
        return Outcome(True, score, inputs, {**inputs, "basis": basis}, severity, 0.80)


class RoundAmountClustering(Rule):
    rule_id = "round_amount_clustering"
    category = RuleCategory.PATTERNS
    default_weight = 0.08
    applies_to_credits = False
    summary = "Large amounts that are mostly whole hundreds (this one included)."
    formula = (
        "among 30 d amounts ≥ M (this one round and ≥ M): count ≥ C and share divisible by $100 ≥ R; "
        "score = min(0.3 + (share - R) * 2, 0.8)"
    )
    thresholds = (
        Threshold("min_amount", "1000.00", "Only amounts at least this large are considered, USD.", kind="decimal"),
        Threshold("min_count", 3, "Amounts needed (this one included).", kind="int", minimum=1),
        Threshold("min_ratio", 0.6, "Share of round amounts at which the rule fires.", maximum=1),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        amount = data.facts.amount_cents
        minimum = cents(params["min_amount"])
        if amount < minimum or amount % 100_00 != 0:
            return not_fired(amount=amount / 100, is_round=amount % 100_00 == 0)
        month_start = data.facts.ts_us - 30 * DAY_US
        considered = [
            past.amount_cents
            for past in data.history.prior
            if past.ts_us >= month_start and past.amount_cents >= minimum
        ]
        considered.append(amount)
        share = sum(1 for value in considered if value % 100_00 == 0) / len(considered)
        inputs = {"amounts_considered": len(considered), "round_share": round(share, 4)}
        if len(considered) < params["min_count"] or share < params["min_ratio"]:
            return Outcome(False, inputs=inputs)
        score = min(0.3 + (share - params["min_ratio"]) * 2, 0.8)
        return Outcome(True, score, inputs, dict(inputs), "medium", 0.65)


class TemporalStructuring(Rule):
    rule_id = "temporal_structuring"
    category = RuleCategory.PATTERNS
    default_weight = 0.10
    summary = "Transactions at machine-regular short intervals (scripted)."
    formula = (
        "over 7 d (this one included): n ≥ N, mean gap ≤ G and sd of gaps ≤ S; score = min(0.4 + (1 - sd/S) * 0.5, 0.9)"
    )
    thresholds = (
        Threshold("min_count", 4, "Transactions needed in 7 days (this one included).", kind="int", minimum=3),
        Threshold("max_gap_std_seconds", 300.0, "Largest standard deviation of the gaps, seconds.", minimum=1),
        Threshold(
            "max_mean_gap_seconds", 3600.0, "Largest mean gap, seconds (daily habits are not scripts).", minimum=1
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        now = data.facts.ts_us
        stamps = [past.ts_us for past in data.history.prior if past.ts_us >= now - 7 * DAY_US]
        stamps.append(now)
        gaps = [(later - earlier) / MICROSECONDS for earlier, later in itertools.pairwise(stamps)]
        if len(stamps) < params["min_count"] or len(gaps) < 2:
            return not_fired(count_7d=len(stamps))
        mean, std = mean_and_std(gaps)
        if mean is None or std is None:
            return not_fired(count_7d=len(stamps))
        inputs = {"count_7d": len(stamps), "gap_mean_seconds": round(mean, 3), "gap_std_seconds": round(std, 3)}
        if std > params["max_gap_std_seconds"] or mean > params["max_mean_gap_seconds"]:
            return Outcome(False, inputs=inputs)
        score = min(0.4 + (1 - std / params["max_gap_std_seconds"]) * 0.5, 0.9)
        return Outcome(True, score, inputs, dict(inputs), "high", 0.75)


RULES: tuple[Rule, ...] = (
    DuplicateTransaction(),
    StructuringDetection(),
    RoundAmountClustering(),
    TemporalStructuring(),
)
