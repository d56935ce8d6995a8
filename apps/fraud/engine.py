"""From features to a decision: rules → capped categories → rule score → blend with the model → tier.

Pure (no I/O). The formulas (docs/fraud.md):

    contribution_r = weight_r * score_r                       (enabled rules that fired)
    category_c     = min(cap_c, Σ contributions in c)
    corroborated   = Σ category_c * (1 + boost * (k - 1))    k = categories with category_c ≥ min_category
    standalone     = max_r standalone_weight_r * score_r      (one decisive signal)
    rule_score     = min(1, max(corroborated, standalone))
    final          = blend(rule_score, ml_score) but never below ``standalone``

With every standalone weight and the boost at 0 this is exactly the upstream ``rules-v2`` composite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.fraud.choices import HybridStrategy, Recommendation, RiskTier, RuleCategory
from apps.fraud.config import ScoringSettings
from apps.fraud.constants import RULESET_VERSION
from apps.fraud.features.facts import NON_HISTORY_TYPES
from apps.fraud.rules import RULES, Outcome, RuleInput
from apps.serving.scoring import ModelScore

CONFIDENCE_RULES_FOR_FULL = 5
CONFIDENCE_CATEGORIES_FOR_FULL = 3


@dataclass(frozen=True)
class RuleTrace:
    rule_id: str
    category: str
    enabled: bool
    applicable: bool
    fired: bool
    score: float
    weight: float
    standalone_weight: float
    contribution: float
    params: dict[str, Any]
    inputs: dict[str, Any]
    details: dict[str, Any]
    severity: str
    confidence: float

    def plain_details(self) -> dict[str, Any]:
        return {key: _plain(value) for key, value in self.details.items()}

    def as_dict(self) -> dict[str, Any]:
        if not self.fired:  # most rules: a short entry
            return {
                "rule_id": self.rule_id,
                "category": self.category,
                "enabled": self.enabled,
                "applicable": self.applicable,
                "fired": False,
                "score": 0.0,
                "weight": self.weight,
                "standalone_weight": self.standalone_weight,
                "contribution": 0.0,
                "params": {key: _plain(value) for key, value in self.params.items()},
                "inputs": {key: _plain(value) for key, value in self.inputs.items()},
            }
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "enabled": self.enabled,
            "applicable": self.applicable,
            "fired": self.fired,
            "score": round(self.score, 6),
            "weight": self.weight,
            "standalone_weight": self.standalone_weight,
            "contribution": round(self.contribution, 6),
            "params": {key: _plain(value) for key, value in self.params.items()},
            "inputs": {key: _plain(value) for key, value in self.inputs.items()},
            "details": self.plain_details(),
            "severity": self.severity,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class RuleDecision:
    rule_score: float
    corroborated_score: float
    standalone_score: float
    category_raw: dict[str, float]
    category_capped: dict[str, float]
    categories_firing: int
    multiplier: float
    confidence: float
    traces: list[RuleTrace] = field(default_factory=list)

    @property
    def fired(self) -> list[RuleTrace]:
        """Rules that fired and count (enabled, applicable), largest contribution first."""
        counted = [trace for trace in self.traces if trace.fired and trace.enabled and trace.applicable]
        return sorted(counted, key=lambda trace: (-trace.contribution, -trace.score, trace.rule_id))


@dataclass(frozen=True)
class Decision:
    score: float
    rule_score: float
    ml_score: float | None
    risk_tier: str
    recommendation: str
    confidence: float
    model_version: str
    strategy: str
    rules: RuleDecision
    blend: dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, int | str | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def evaluate_rules(data: RuleInput, settings: ScoringSettings) -> RuleDecision:
    is_credit = data.facts.transaction_type in NON_HISTORY_TYPES
    traces: list[RuleTrace] = []
    raw = dict.fromkeys(RuleCategory.values, 0.0)
    standalone = 0.0
    for rule in RULES:
        enabled = settings.rule_enabled(rule)
        applicable = rule.applies_to_credits or not is_credit
        params = rule.params_from(settings.values)
        weight = settings.rule_weight_of(rule)
        standalone_weight = settings.standalone_weight_of(rule)
        outcome = rule.evaluate(data, params) if enabled and applicable else Outcome(False)
        counted = outcome.fired and enabled and applicable
        contribution = weight * outcome.score if counted else 0.0
        if counted:
            raw[rule.category] += contribution
            standalone = max(standalone, standalone_weight * outcome.score)
        traces.append(
            RuleTrace(
                rule_id=rule.rule_id,
                category=str(rule.category),
                enabled=enabled,
                applicable=applicable,
                fired=outcome.fired,
                score=outcome.score if outcome.fired else 0.0,
                weight=weight,
                standalone_weight=standalone_weight,
                contribution=contribution,
                params=params,
                inputs=outcome.inputs,
                details=outcome.details,
                severity=outcome.severity,
                confidence=outcome.confidence,
            )
        )
    capped = {category: min(settings.category_caps[category], value) for category, value in raw.items()}
    firing = sum(1 for value in capped.values() if value > 0 and value >= settings.corroboration_min_category)
    multiplier = 1 + settings.corroboration_boost * max(firing - 1, 0)
    corroborated = sum(capped.values()) * multiplier
    rule_score = min(1.0, max(corroborated, standalone))
    decision = RuleDecision(
        rule_score=rule_score,
        corroborated_score=corroborated,
        standalone_score=standalone,
        category_raw=raw,
        category_capped=capped,
        categories_firing=firing,
        multiplier=multiplier,
        confidence=0.0,
        traces=traces,
    )
    return RuleDecision(**{**decision.__dict__, "confidence": _confidence(decision)})


def _confidence(decision: RuleDecision) -> float:
    fired = decision.fired
    if not fired:
        return 0.0
    categories = len({trace.category for trace in fired})
    mean_confidence = sum(trace.confidence for trace in fired) / len(fired)
    value = (
        0.4 * min(len(fired) / CONFIDENCE_RULES_FOR_FULL, 1)
        + 0.3 * min(categories / CONFIDENCE_CATEGORIES_FOR_FULL, 1)
        + 0.3 * mean_confidence
    )
    return round(min(value, 1.0), 6)


def tier_of(score: float, settings: ScoringSettings) -> tuple[str, str]:
    if score >= settings.critical_threshold:
        return RiskTier.CRITICAL, Recommendation.BLOCK
    if score >= settings.high_threshold:
        return RiskTier.HIGH, Recommendation.HOLD
    if score >= settings.medium_threshold:
        return RiskTier.MEDIUM, Recommendation.MONITOR
    return RiskTier.LOW, Recommendation.ALLOW


def decide(rules: RuleDecision, model: ModelScore | None, settings: ScoringSettings) -> Decision:
    """Blend the rule score with the model score (if any) and map the result to a tier."""
    strategy = settings.strategy
    ml = model.score if model is not None else None
    if ml is None or strategy == HybridStrategy.RULES_ONLY:
        blended = rules.rule_score
        used = False
    elif strategy == HybridStrategy.MAX:
        blended = max(rules.rule_score, ml)
        used = True
    else:
        blended = settings.rule_weight * rules.rule_score + settings.ml_weight * ml
        used = True
    final = round(min(1.0, max(blended, rules.standalone_score)), 6)
    tier, recommendation = tier_of(final, settings)
    if used and model is not None:
        version = f"hybrid:{RULESET_VERSION}+{model.model_name}:{model.model_version}"
    else:
        version = RULESET_VERSION
    blend = {
        "strategy": strategy,
        "ml_used": used,
        "rule_weight": settings.rule_weight,
        "ml_weight": settings.ml_weight,
        "rule_score": round(rules.rule_score, 6),
        "ml_score": ml,
        "blended": round(blended, 6),
        "standalone_floor": round(rules.standalone_score, 6),
        "final": final,
    }
    return Decision(
        score=final,
        rule_score=round(rules.rule_score, 6),
        ml_score=ml,
        risk_tier=tier,
        recommendation=recommendation,
        confidence=rules.confidence,
        model_version=version[:64],
        strategy=strategy,
        rules=rules,
        blend=blend,
    )


def trace_document(decision: Decision, settings: ScoringSettings, features: dict[str, Any]) -> dict[str, Any]:
    """The stored decision trace: every rule with its inputs and outputs, the categories, the blend."""
    rules = decision.rules
    return {
        "ruleset": RULESET_VERSION,
        "rules": [trace.as_dict() for trace in rules.traces],
        "categories": {
            category: {
                "raw": round(rules.category_raw[category], 6),
                "cap": settings.category_caps[category],
                "capped": round(rules.category_capped[category], 6),
            }
            for category in rules.category_raw
        },
        "categories_firing": rules.categories_firing,
        "corroboration_multiplier": rules.multiplier,
        "corroborated_score": round(rules.corroborated_score, 6),
        "standalone_score": round(rules.standalone_score, 6),
        "rule_score": round(rules.rule_score, 6),
        "confidence": rules.confidence,
        "blend": decision.blend,
        "thresholds": {
            "medium": settings.medium_threshold,
            "high": settings.high_threshold,
            "critical": settings.critical_threshold,
        },
        "tier": decision.risk_tier,
        "recommendation": decision.recommendation,
        "config_problems": settings.problems,
        "features": features,
    }
