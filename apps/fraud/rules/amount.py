"""Amount rules: large, cumulative, unusual for this customer, near the $10,000 reporting line.

All skip credits (circle payouts, refunds) and fees: the customer does not choose those amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.fraud.choices import RuleCategory
from apps.fraud.rules.base import Outcome, Rule, RuleInput, Threshold, cents, clamp, feature, not_fired


class LargeTransaction(Rule):
    rule_id = "large_transaction"
    category = RuleCategory.AMOUNT
    default_weight = 0.15
    default_standalone_weight = 0.75
    applies_to_credits = False
    summary = "A single large transaction; far above the minimum it is decisive on its own."
    formula = "fires if amount ≥ M; score = 0.2 + (min(a/M, 10) - 1) * 0.089 (0.2 at M, 1.0 at 10 M)"
    thresholds = (
        Threshold(
            "min_amount",
            "3000.00",
            "Smallest amount called large, USD (FRAUD_LARGE_TXN_MIN).",
            kind="decimal",
            key="fraud.large_txn_min",
            env_var="FRAUD_LARGE_TXN_MIN",
            minimum=1,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        amount = data.facts.amount_cents
        minimum = cents(params["min_amount"])
        if amount < minimum:
            return not_fired(amount=amount / 100, min_amount=minimum / 100)
        ratio = amount / minimum
        score = clamp(0.2 + (min(ratio, 10) - 1) * 0.089)
        severity = "critical" if ratio >= 5 else "high" if ratio >= 3 else "medium" if ratio >= 1.5 else "low"
        details = {"amount": amount / 100, "min_amount": minimum / 100, "multiple": round(ratio, 4)}
        return Outcome(True, score, dict(details), details, severity, 0.90)


class CumulativeAmount(Rule):
    rule_id = "cumulative_amount"
    category = RuleCategory.AMOUNT
    default_weight = 0.15
    applies_to_credits = False
    summary = "Amount moved over 24 h / 7 d / 30 d (including this one) above its limit."
    formula = "for each window with total ≥ limit: 0.3 + (min(t/limit, 3) - 1) * 0.35; score = the largest"
    thresholds = (
        Threshold("limit_24h", "8000.00", "24-hour cumulative limit, USD.", kind="decimal", minimum=1),
        Threshold("limit_7d", "25000.00", "7-day cumulative limit, USD.", kind="decimal", minimum=1),
        Threshold("limit_30d", "50000.00", "30-day cumulative limit, USD.", kind="decimal", minimum=1),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        amount = data.facts.amount_cents
        inputs: dict[str, Any] = {}
        breaches: dict[str, float] = {}
        for window in ("24h", "7d", "30d"):
            total = cents(feature(data, f"txn_amount_{window}")) + amount
            limit = cents(params[f"limit_{window}"])
            inputs[f"total_{window}"] = total / 100
            inputs[f"limit_{window}"] = limit / 100
            if total >= limit:
                breaches[window] = clamp(0.3 + (min(total / limit, 3) - 1) * 0.35)
        if not breaches:
            return Outcome(False, inputs=inputs)
        details = {**inputs, "windows_breached": sorted(breaches)}
        severity = "critical" if "24h" in breaches else "high"
        return Outcome(True, max(breaches.values()), inputs, details, severity, 0.85)


class BaselineDeviation(Rule):
    rule_id = "baseline_deviation"
    category = RuleCategory.AMOUNT
    default_weight = 0.12
    applies_to_credits = False
    summary = "Amount far above this customer's usual amounts (30-day z-score)."
    formula = (
        "with ≥ H prior txns in 30 d: z = (a - mean) / max(sd, r * mean); fires if z ≥ Z; "
        "score = min(0.3 + (z - Z) * 0.15, 1)"
    )
    thresholds = (
        Threshold("z_min", 2.5, "z-score at which the rule fires."),
        Threshold("min_history", 3, "Prior transactions in 30 days needed for a baseline.", kind="int", minimum=2),
        Threshold(
            "min_std_ratio",
            0.25,
            "Floor of the standard deviation as a share of the mean (customers with near-constant amounts).",
            maximum=10,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        count = feature(data, "txn_count_30d")
        mean = feature(data, "avg_amount_30d")
        std = feature(data, "std_amount_30d")
        amount = data.facts.amount_cents / 100
        floor_std = max(std, params["min_std_ratio"] * mean)
        inputs = {"amount": amount, "mean_30d": mean, "std_30d": std, "txn_count_30d": count}
        if count < params["min_history"] or mean <= 0 or floor_std <= 0:
            return Outcome(False, inputs=inputs)
        z = (amount - mean) / floor_std
        inputs["z_score"] = round(z, 4)
        if z < params["z_min"]:
            return Outcome(False, inputs=inputs)
        score = clamp(0.3 + (z - params["z_min"]) * 0.15)
        severity = "high" if z > 2 * params["z_min"] else "medium"
        return Outcome(True, score, inputs, dict(inputs), severity, min(0.6 + 0.05 * z, 0.95))


class CtrProximity(Rule):
    rule_id = "ctr_proximity"
    category = RuleCategory.AMOUNT
    default_weight = 0.20
    applies_to_credits = False
    summary = "A single amount, or the 24-hour total, near the $10,000 currency-reporting line."
    formula = (
        "amount ≥ S: score = min(0.5 + (a - S)/S * 0.5, 1); else prior 24 h + amount ≥ D: "
        "score = min(0.5 + (t - D)/D * 0.5, 1)"
    )
    thresholds = (
        Threshold(
            "single_threshold",
            "8000.00",
            "Single-transaction trigger, USD (FRAUD_CTR_SINGLE_THRESHOLD).",
            kind="decimal",
            key="fraud.ctr_single_threshold",
            env_var="FRAUD_CTR_SINGLE_THRESHOLD",
            minimum=1,
        ),
        Threshold(
            "daily_threshold",
            "9000.00",
            "24-hour aggregate trigger, USD (FRAUD_CTR_DAILY_THRESHOLD).",
            kind="decimal",
            key="fraud.ctr_daily_threshold",
            env_var="FRAUD_CTR_DAILY_THRESHOLD",
            minimum=1,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        amount = data.facts.amount_cents
        single = cents(params["single_threshold"])
        daily = cents(params["daily_threshold"])
        total = cents(feature(data, "txn_amount_24h")) + amount
        inputs = {"amount": amount / 100, "total_24h": total / 100, "single": single / 100, "daily": daily / 100}
        if amount >= single:
            score = clamp(0.5 + (amount - single) / single * 0.5)
            return Outcome(True, score, inputs, {**inputs, "basis": "single"}, "critical", 0.95)
        if total >= daily:
            score = clamp(0.5 + (total - daily) / daily * 0.5)
            return Outcome(True, score, inputs, {**inputs, "basis": "daily"}, "critical", 0.90)
        return Outcome(False, inputs=inputs)


RULES: tuple[Rule, ...] = (LargeTransaction(), CumulativeAmount(), BaselineDeviation(), CtrProximity())
