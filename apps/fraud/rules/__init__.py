"""The 18 fraud rules in their four capped categories (see docs/fraud.md for every formula)."""

from __future__ import annotations

from apps.fraud.choices import RuleCategory
from apps.fraud.rules import amount, geo, patterns, velocity
from apps.fraud.rules.base import Outcome, Rule, RuleInput, Threshold

RULES: tuple[Rule, ...] = (*velocity.RULES, *amount.RULES, *geo.RULES, *patterns.RULES)
RULES_BY_ID: dict[str, Rule] = {rule.rule_id: rule for rule in RULES}

# Most a category can add to the corroborated score (upstream caps).
DEFAULT_CATEGORY_CAPS: dict[str, float] = {
    RuleCategory.VELOCITY: 0.35,
    RuleCategory.AMOUNT: 0.30,
    RuleCategory.GEO: 0.25,
    RuleCategory.PATTERNS: 0.30,
}

__all__ = ["DEFAULT_CATEGORY_CAPS", "RULES", "RULES_BY_ID", "Outcome", "Rule", "RuleInput", "Threshold"]
