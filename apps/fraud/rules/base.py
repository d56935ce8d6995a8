"""What a rule is: an id, a category, default weights, named thresholds, and an evaluation.

Every rule reads its weight, enabled flag, standalone weight and thresholds from the live configuration
(keys ``fraud.rules.<rule_id>.<name>``, or the runbook-named key for the thresholds the runbook names).
A rule returns an ``Outcome`` whether it fires or not, so the decision trace shows every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from apps.fraud.features.compute import FeatureValues
from apps.fraud.features.facts import History, TransactionFacts


@dataclass(frozen=True)
class Threshold:
    """One tunable number of a rule. ``key`` overrides the default key (runbook-named thresholds)."""

    name: str
    default: Any
    description: str
    kind: str = "float"  # decimal (money, USD), float, int
    key: str = ""
    env_var: str = ""
    minimum: float | None = 0
    maximum: float | None = None


@dataclass(frozen=True)
class RuleInput:
    """Everything a rule may look at: the transaction, its features, and the history they came from."""

    facts: TransactionFacts
    features: FeatureValues
    context: Mapping[str, Any]
    history: History


@dataclass(frozen=True)
class Outcome:
    fired: bool
    score: float = 0.0
    inputs: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    severity: str = ""
    confidence: float = 0.0


def not_fired(**inputs: Any) -> Outcome:
    return Outcome(fired=False, inputs=inputs)


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def cents(value: Decimal | float | int) -> int:
    """Whole cents of a money threshold (money comparisons are exact integers)."""
    return int(Decimal(str(value)) * 100)


def feature(data: RuleInput, name: str) -> float:
    value = data.features.get(name)
    return float(value) if value is not None else 0.0


class Rule:
    """Base class. Subclasses set the class attributes and implement ``evaluate``."""

    rule_id: ClassVar[str]
    category: ClassVar[str]
    default_weight: ClassVar[float]
    default_standalone_weight: ClassVar[float] = 0.0
    applies_to_credits: ClassVar[bool] = True  # False: skipped for circle payouts, refunds and fees
    summary: ClassVar[str]
    formula: ClassVar[str]
    thresholds: ClassVar[tuple[Threshold, ...]] = ()

    def parameter_key(self, threshold: Threshold) -> str:
        return threshold.key or f"fraud.rules.{self.rule_id}.{threshold.name}"

    def params_from(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {threshold.name: values[self.parameter_key(threshold)] for threshold in self.thresholds}

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        raise NotImplementedError
