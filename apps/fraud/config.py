"""Live parameters of the fraud domain (defaults from the runbook's FRAUD_* variables) and their checks.

Every threshold, weight and switch is a live parameter (``manage.py thresholds show fraud``): operators
change it with a reason and every process picks it up within a second. Cross-parameter rules (tier
thresholds in order, hybrid weights summing to 1) are checked at start-up (ImproperlyConfigured) and at
read time (a broken combination falls back to the defaults and is logged, scoring never stops).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from apps.fraud.choices import HybridStrategy, RuleCategory
from apps.fraud.rules import DEFAULT_CATEGORY_CAPS, RULES, Rule, Threshold
from apps.serving.config import Parameter, config_snapshot, register_parameters
from lakay.env import env
from lakay.logging import get_logger

logger = get_logger(__name__)

ALERT_EVENT_TYPE = "fraud-alert-raised"


def _env_default(threshold: Threshold) -> Any:
    if not threshold.env_var:
        return threshold.default
    if threshold.kind == "int":
        return env.int(threshold.env_var, default=threshold.default)
    if threshold.kind == "float":
        return env.float(threshold.env_var, default=threshold.default)
    return env.str(threshold.env_var, default=str(threshold.default))


def _rule_parameters(rule: Rule) -> list[Parameter]:
    prefix = f"fraud.rules.{rule.rule_id}"
    items = [
        Parameter(
            key=f"{prefix}.enabled",
            default=True,
            kind="bool",
            description=f"{rule.rule_id}: evaluated and counted in the score.",
        ),
        Parameter(
            key=f"{prefix}.weight",
            default=rule.default_weight,
            kind="float",
            minimum=0,
            maximum=1,
            description=f"{rule.rule_id}: weight of its score in the {rule.category} category sum.",
        ),
        Parameter(
            key=f"{prefix}.standalone_weight",
            default=rule.default_standalone_weight,
            kind="float",
            minimum=0,
            maximum=1,
            description=f"{rule.rule_id}: how far this rule alone can raise the rule score (0 = only with others).",
        ),
    ]
    for threshold in rule.thresholds:
        items.append(
            Parameter(
                key=rule.parameter_key(threshold),
                default=_env_default(threshold),
                kind=threshold.kind,
                minimum=threshold.minimum,
                maximum=threshold.maximum,
                env_var=threshold.env_var,
                description=f"{rule.rule_id}: {threshold.description}",
            )
        )
    return items


def build_parameters() -> list[Parameter]:
    items = [
        Parameter(
            key="fraud.medium_threshold",
            default=env.float("FRAUD_MEDIUM_THRESHOLD", default=0.3),
            minimum=0,
            maximum=1,
            env_var="FRAUD_MEDIUM_THRESHOLD",
            description="Score at or above which a transaction is MEDIUM risk (monitor).",
        ),
        Parameter(
            key="fraud.high_threshold",
            default=env.float("FRAUD_HIGH_THRESHOLD", default=0.6),
            minimum=0,
            maximum=1,
            env_var="FRAUD_HIGH_THRESHOLD",
            description="Score at or above which a transaction is HIGH risk (hold, alert).",
        ),
        Parameter(
            key="fraud.critical_threshold",
            default=env.float("FRAUD_CRITICAL_THRESHOLD", default=0.8),
            minimum=0,
            maximum=1,
            env_var="FRAUD_CRITICAL_THRESHOLD",
            description="Score at or above which a transaction is CRITICAL risk (block, alert).",
        ),
        Parameter(
            key="fraud.hybrid_strategy",
            default=env.str("FRAUD_HYBRID_STRATEGY", default=HybridStrategy.WEIGHTED_AVERAGE.value),
            kind="str",
            choices=tuple(HybridStrategy.values),
            env_var="FRAUD_HYBRID_STRATEGY",
            description="How the rule score and the model score combine when a model is loaded.",
        ),
        Parameter(
            key="fraud.rule_weight",
            default=env.float("FRAUD_RULE_WEIGHT", default=0.6),
            minimum=0,
            maximum=1,
            env_var="FRAUD_RULE_WEIGHT",
            description="Weight of the rule score in weighted_average (rule_weight + ml_weight = 1).",
        ),
        Parameter(
            key="fraud.ml_weight",
            default=env.float("FRAUD_ML_WEIGHT", default=0.4),
            minimum=0,
            maximum=1,
            env_var="FRAUD_ML_WEIGHT",
            description="Weight of the model score in weighted_average (rule_weight + ml_weight = 1).",
        ),
        Parameter(
            key="fraud.alert_dedup_seconds",
            default=env.int("FRAUD_ALERT_DEDUP_SECONDS", default=3600),
            kind="int",
            minimum=0,
            maximum=30 * 86400,
            env_var="FRAUD_ALERT_DEDUP_SECONDS",
            description="An open fraud alert of the same user within this many seconds absorbs new high scores.",
        ),
        Parameter(
            key="fraud.corroboration_boost",
            default=0.5,
            minimum=0,
            maximum=2,
            description="Corroborated score * (1 + boost * (categories firing - 1)).",
        ),
        Parameter(
            key="fraud.corroboration_min_category",
            default=0.05,
            minimum=0,
            maximum=1,
            description="A category counts as firing for the boost when its capped sum reaches this.",
        ),
    ]
    for category, cap in DEFAULT_CATEGORY_CAPS.items():
        items.append(
            Parameter(
                key=f"fraud.category_caps.{category}",
                default=cap,
                minimum=0,
                maximum=1,
                description=f"Most the {category} category adds to the corroborated score.",
            )
        )
    for rule in RULES:
        items.extend(_rule_parameters(rule))
    unique: dict[str, Parameter] = {}
    for item in items:  # a runbook threshold shared by two rules is one parameter
        unique.setdefault(item.key, item)
    return list(unique.values())


@dataclass(frozen=True)
class ScoringSettings:
    """One consistent view of the live parameters, taken once per score."""

    values: Mapping[str, Any]
    medium_threshold: float
    high_threshold: float
    critical_threshold: float
    strategy: str
    rule_weight: float
    ml_weight: float
    dedup_seconds: int
    corroboration_boost: float
    corroboration_min_category: float
    category_caps: dict[str, float]
    problems: list[str] = field(default_factory=list)

    def rule_enabled(self, rule: Rule) -> bool:
        return bool(self.values[f"fraud.rules.{rule.rule_id}.enabled"])

    def rule_weight_of(self, rule: Rule) -> float:
        return float(self.values[f"fraud.rules.{rule.rule_id}.weight"])

    def standalone_weight_of(self, rule: Rule) -> float:
        return float(self.values[f"fraud.rules.{rule.rule_id}.standalone_weight"])


def _problems(values: Mapping[str, Any]) -> list[str]:
    problems = []
    medium, high, critical = (values[f"fraud.{name}_threshold"] for name in ("medium", "high", "critical"))
    if not medium < high < critical:
        problems.append(f"tier thresholds must rise: medium {medium} < high {high} < critical {critical}")
    total = values["fraud.rule_weight"] + values["fraud.ml_weight"]
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        problems.append(f"fraud.rule_weight + fraud.ml_weight must be 1.0 (is {total:g})")
    return problems


def scoring_settings(values: Mapping[str, Any] | None = None) -> ScoringSettings:
    """The live settings; an inconsistent combination falls back to the defaults for the parts involved."""
    live = dict(values if values is not None else config_snapshot())
    problems = _problems(live)
    if problems:
        defaults = {parameter.key: parameter.coerce(parameter.default) for parameter in build_parameters()}
        for key in ("medium", "high", "critical"):
            live[f"fraud.{key}_threshold"] = defaults[f"fraud.{key}_threshold"]
        live["fraud.rule_weight"] = defaults["fraud.rule_weight"]
        live["fraud.ml_weight"] = defaults["fraud.ml_weight"]
        logger.error("fraud.config.inconsistent", problems=problems)
    return ScoringSettings(
        values=live,
        medium_threshold=float(live["fraud.medium_threshold"]),
        high_threshold=float(live["fraud.high_threshold"]),
        critical_threshold=float(live["fraud.critical_threshold"]),
        strategy=str(live["fraud.hybrid_strategy"]),
        rule_weight=float(live["fraud.rule_weight"]),
        ml_weight=float(live["fraud.ml_weight"]),
        dedup_seconds=int(live["fraud.alert_dedup_seconds"]),
        corroboration_boost=float(live["fraud.corroboration_boost"]),
        corroboration_min_category=float(live["fraud.corroboration_min_category"]),
        category_caps={category: float(live[f"fraud.category_caps.{category}"]) for category in RuleCategory.values},
        problems=problems,
    )


def check_alert_topic(contract_topic: str) -> None:
    """FRAUD_ALERT_KAFKA_TOPIC may only repeat the contract's topic: the topic lives in contracts/topics.json."""
    configured = env.str("FRAUD_ALERT_KAFKA_TOPIC", default="")
    if configured and configured != contract_topic:
        raise ImproperlyConfigured(
            f"FRAUD_ALERT_KAFKA_TOPIC={configured!r} differs from the topic the contracts name for "
            f"{ALERT_EVENT_TYPE} ({contract_topic!r}). The topic comes from contracts/topics.json "
            "(KAFKA_TOPIC_PREFIX still applies); unset the variable or change the contract."
        )


def register() -> None:
    """Register the parameters and refuse to start with inconsistent defaults."""
    parameters = build_parameters()
    register_parameters(parameters)
    defaults = {parameter.key: parameter.coerce(parameter.default) for parameter in parameters}
    problems = _problems(defaults)
    if problems:
        raise ImproperlyConfigured("Fraud configuration: " + "; ".join(problems))
