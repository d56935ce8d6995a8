"""Fixed numbers and names of the circles domain (tunable values live in config.py)."""

from __future__ import annotations

SCORING_VERSION = "circles-health-v1"
TIER_CHANGE_EVENT_TYPE = "circle-tier-changed"
CONTRACT_TIER_CHANGE_TOPIC = "lakay.circles.tier-changes"

DIMENSIONS: tuple[str, ...] = (
    "contribution_reliability",
    "membership_stability",
    "financial_progress",
    "trust_integrity",
)

# Weights of the trend's two look-backs (renormalised over those that exist).
TREND_WEIGHT_ONE_CYCLE = 0.6
TREND_WEIGHT_THREE_CYCLES = 0.4

# Reliability value of one member-cycle (post-payout disengagement): paid on time, paid late, not paid.
RELIABILITY_ON_TIME = 1.0
RELIABILITY_LATE = 0.5
RELIABILITY_UNPAID = 0.0

# Floors of the standard deviations used by the behavioural-shift z-scores (a perfectly regular history
# would otherwise make any change infinitely significant).
TIMING_STD_FLOOR_DAYS = 1.0
AMOUNT_STD_FLOOR_SHARE = 0.01

TIER_ORDER: tuple[str, ...] = ("healthy", "at-risk", "critical")
