"""Velocity rules: how much and how often, over short windows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.fraud.choices import RuleCategory
from apps.fraud.rules.base import Outcome, Rule, RuleInput, Threshold, cents, clamp, feature, not_fired


def count_curve(count: float, limit: float, *, base: float, slope: float, cap: float) -> float:
    """``base`` at the limit, rising by ``slope`` per extra multiple of the limit, saturating at ``cap``*."""
    return clamp(base + (min(count / limit, cap) - 1) * slope)


class TransactionFrequency(Rule):
    rule_id = "transaction_frequency"
    category = RuleCategory.VELOCITY
    default_weight = 0.15
    default_standalone_weight = 1.0
    summary = "Many transactions in the last hour; from 1.5 times the limit it is decisive on its own."
    formula = "fires if prior txns in 1 h ≥ N; score = 0.3 + (min(c/N, 2) - 1) * 0.6 (0.6 at 1.5 N, 0.9 at 2 N)"
    thresholds = (
        Threshold(
            "count_max",
            10,
            "Transactions in one hour before flagging (FRAUD_TXN_COUNT_1H_MAX).",
            kind="int",
            key="fraud.txn_count_1h_max",
            env_var="FRAUD_TXN_COUNT_1H_MAX",
            minimum=1,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        count = feature(data, "txn_count_1h")
        limit = params["count_max"]
        if count < limit:
            return not_fired(txn_count_1h=count, limit=limit)
        score = count_curve(count, limit, base=0.3, slope=0.6, cap=2)
        return Outcome(
            True,
            score,
            inputs={"txn_count_1h": count, "limit": limit},
            details={"txn_count_1h": count, "limit": limit},
            severity="high" if count >= 2 * limit else "medium",
            confidence=0.85,
        )


class VelocityCount24h(Rule):
    rule_id = "velocity_count_24h"
    category = RuleCategory.VELOCITY
    default_weight = 0.10
    summary = "Many transactions in the last 24 hours."
    formula = "fires if prior txns in 24 h ≥ N; score = 0.3 + (min(c/N, 3) - 1) * 0.35"
    thresholds = (Threshold("count_max", 20, "Transactions in 24 hours before flagging.", kind="int", minimum=1),)

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        count = feature(data, "txn_count_24h")
        limit = params["count_max"]
        if count < limit:
            return not_fired(txn_count_24h=count, limit=limit)
        score = count_curve(count, limit, base=0.3, slope=0.35, cap=3)
        return Outcome(
            True,
            score,
            inputs={"txn_count_24h": count, "limit": limit},
            details={"txn_count_24h": count, "limit": limit},
            severity="high" if count >= 2 * limit else "medium",
            confidence=0.80,
        )


class VelocityAmount24h(Rule):
    rule_id = "velocity_amount_24h"
    category = RuleCategory.VELOCITY
    default_weight = 0.12
    applies_to_credits = False
    summary = "Amount moved in 24 hours (including this one) at or above the daily limit."
    formula = "fires if prior 24 h amount + amount ≥ L; score = 0.3 + (min(t/L, 5) - 1) * 0.175"
    thresholds = (
        Threshold(
            "amount_max",
            "10000.00",
            "Amount in 24 hours before flagging, USD (FRAUD_TXN_AMOUNT_24H_MAX).",
            kind="decimal",
            key="fraud.txn_amount_24h_max",
            env_var="FRAUD_TXN_AMOUNT_24H_MAX",
            minimum=1,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        total = cents(feature(data, "txn_amount_24h")) + data.facts.amount_cents
        limit = cents(params["amount_max"])
        inputs = {"amount_24h_with_current": total / 100, "limit": limit / 100}
        if total < limit:
            return not_fired(**inputs)
        score = count_curve(total, limit, base=0.3, slope=0.175, cap=5)
        return Outcome(True, score, inputs, dict(inputs), "high" if total >= 2 * limit else "medium", 0.85)


class LoginVelocity(Rule):
    rule_id = "login_velocity"
    category = RuleCategory.VELOCITY
    default_weight = 0.12
    summary = "Many logins (sessions) in the 10 minutes before the transaction."
    formula = "fires if logins in 10 min ≥ N; score = 0.4 + (min(c/N, 3) - 1) * 0.3"
    thresholds = (
        Threshold(
            "count_max",
            5,
            "Logins in 10 minutes before flagging (FRAUD_LOGIN_COUNT_MAX).",
            kind="int",
            key="fraud.login_count_max",
            env_var="FRAUD_LOGIN_COUNT_MAX",
            minimum=1,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        count = feature(data, "login_count_10m")
        limit = params["count_max"]
        if count < limit:
            return not_fired(login_count_10m=count, limit=limit)
        score = count_curve(count, limit, base=0.4, slope=0.3, cap=3)
        details = {"login_count_10m": count, "limit": limit}
        return Outcome(True, score, dict(details), details, "high", 0.90)


class CircleJoinVelocity(Rule):
    rule_id = "circle_join_velocity"
    category = RuleCategory.VELOCITY
    default_weight = 0.10
    summary = "Joined many sou-sou circles in 24 hours."
    formula = "fires if circle joins in 24 h ≥ N; score = 0.3 + (min(c/N, 3) - 1) * 0.35"
    thresholds = (Threshold("count_max", 3, "Circle joins in 24 hours before flagging.", kind="int", minimum=1),)

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        count = feature(data, "circle_joins_24h")
        limit = params["count_max"]
        if count < limit:
            return not_fired(circle_joins_24h=count, limit=limit)
        score = count_curve(count, limit, base=0.3, slope=0.35, cap=3)
        details = {"circle_joins_24h": count, "limit": limit}
        return Outcome(True, score, dict(details), details, "medium", 0.75)


class UnusualHour(Rule):
    rule_id = "unusual_hour"
    category = RuleCategory.VELOCITY
    default_weight = 0.05
    summary = "Initiated in the small hours where the customer is (solar time from the longitude)."
    formula = "fires if start ≤ local hour < end (local = UTC + longitude/15, US Eastern if unknown); score 0.3"
    thresholds = (
        Threshold("start_hour", 2.0, "Start of the unusual hours, local time.", maximum=24),
        Threshold("end_hour", 5.0, "End of the unusual hours (exclusive), local time.", maximum=24),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        hour = feature(data, "local_hour")
        start, end = params["start_hour"], params["end_hour"]
        inside = start <= hour < end if start <= end else (hour >= start or hour < end)
        if not inside:
            return not_fired(local_hour=hour, start_hour=start, end_hour=end)
        details = {"local_hour": hour, "start_hour": start, "end_hour": end}
        return Outcome(True, 0.3, dict(details), details, "low", 0.50)


RULES: tuple[Rule, ...] = (
    TransactionFrequency(),
    VelocityCount24h(),
    VelocityAmount24h(),
    LoginVelocity(),
    CircleJoinVelocity(),
    UnusualHour(),
)
