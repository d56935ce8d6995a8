"""Tunable values of circle health (live configuration ``circle.*``) and the start-up checks.

The four dimension weights start from the runbook's ``CIRCLE_*_WEIGHT`` variables and must sum to 1.0:
the boot refuses environment defaults that do not, and scoring refuses a live set that does not (see
``live_weights``). Change them together with ``manage.py circle_weights`` (one validated transaction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from apps.circles.constants import CONTRACT_TIER_CHANGE_TOPIC, TIER_CHANGE_EVENT_TYPE
from apps.serving.config import Parameter, config_value, register_parameters
from lakay.env import env
from lakay.logging import get_logger

logger = get_logger(__name__)

WEIGHT_TOLERANCE = 1e-6

# dimension → (live key, environment variable, runbook default)
WEIGHT_KEYS: dict[str, tuple[str, str, float]] = {
    "contribution_reliability": ("circle.contribution_weight", "CIRCLE_CONTRIBUTION_WEIGHT", 0.35),
    "membership_stability": ("circle.membership_weight", "CIRCLE_MEMBERSHIP_WEIGHT", 0.25),
    "financial_progress": ("circle.financial_weight", "CIRCLE_FINANCIAL_WEIGHT", 0.25),
    "trust_integrity": ("circle.trust_weight", "CIRCLE_TRUST_WEIGHT", 0.15),
}

ENV_WEIGHTS: dict[str, float] = {
    "contribution_reliability": env.float("CIRCLE_CONTRIBUTION_WEIGHT", default=0.35),
    "membership_stability": env.float("CIRCLE_MEMBERSHIP_WEIGHT", default=0.25),
    "financial_progress": env.float("CIRCLE_FINANCIAL_WEIGHT", default=0.25),
    "trust_integrity": env.float("CIRCLE_TRUST_WEIGHT", default=0.15),
}

TIER_CHANGE_TOPIC: str = env.str("CIRCLE_TIER_CHANGE_TOPIC", default=CONTRACT_TIER_CHANGE_TOPIC)


def _weight_parameters() -> list[Parameter]:
    return [
        Parameter(
            key=key,
            default=ENV_WEIGHTS[dimension],
            kind="float",
            minimum=0,
            maximum=1,
            env_var=env_var,
            description=f"Weight of the {dimension.replace('_', ' ')} dimension in the composite health score "
            "(the four weights must sum to 1.0; change them together with `manage.py circle_weights`).",
        )
        for dimension, (key, env_var, _default) in WEIGHT_KEYS.items()
    ]


PARAMETERS: list[Parameter] = [
    *_weight_parameters(),
    Parameter(
        key="circle.healthy_min_score",
        default=70.0,
        kind="float",
        minimum=0,
        maximum=100,
        description="Effective score at or above which a circle is healthy.",
    ),
    Parameter(
        key="circle.at_risk_min_score",
        default=40.0,
        kind="float",
        minimum=0,
        maximum=100,
        description="Effective score at or above which a circle is at-risk (below: critical).",
    ),
    Parameter(
        key="circle.on_time_prior_weight",
        default=10.0,
        kind="float",
        minimum=0,
        maximum=1000,
        description="On-time payments every circle is credited with in its on-time rate (0: the raw share).",
    ),
    Parameter(
        key="circle.missed_lookback_cycles",
        default=3,
        kind="int",
        minimum=0,
        maximum=1000,
        description="Cycles whose unpaid misses count in the missed penalty (0: the whole life of the circle).",
    ),
    Parameter(
        key="circle.trend_threshold",
        default=10.0,
        kind="float",
        minimum=0,
        maximum=100,
        description="Weighted score change (vs 1 and 3 cycles ago) beyond which the trend is improving/deteriorating.",
    ),
    Parameter(
        key="circle.trend_min_cycles",
        default=3,
        kind="int",
        minimum=0,
        maximum=100,
        description="Completed cycles a circle needs before its trend may be improving/deteriorating (else stable).",
    ),
    Parameter(
        key="circle.deteriorating_penalty",
        default=10.0,
        kind="float",
        minimum=0,
        maximum=100,
        description="Points taken off the score before tiering when the trend is deteriorating.",
    ),
    Parameter(
        key="circle.deteriorating_critical_below",
        default=55.0,
        kind="float",
        minimum=0,
        maximum=100,
        description="A deteriorating circle whose raw score is below this is critical.",
    ),
    Parameter(
        key="circle.coordinated_late_base_rate",
        default=0.10,
        kind="float",
        minimum=0.001,
        maximum=0.999,
        description="Expected share of members late in a cycle (the binomial base rate of coordinated lateness).",
    ),
    Parameter(
        key="circle.coordinated_late_min_members",
        default=3,
        kind="int",
        minimum=2,
        maximum=100,
        description="Fewest members late or missing in one cycle for coordinated lateness.",
    ),
    Parameter(
        key="circle.coordinated_late_p_value",
        default=0.05,
        kind="float",
        minimum=0,
        maximum=1,
        description="Largest binomial tail probability that still counts as coordinated lateness.",
    ),
    Parameter(
        key="circle.coordinated_late_requires_repeat",
        default=True,
        kind="bool",
        description="Coordinated lateness above low severity needs two of the late members late together before.",
    ),
    Parameter(
        key="circle.anomaly_lookback_cycles",
        default=3,
        kind="int",
        minimum=1,
        maximum=100,
        description="Most recent cycles searched for coordinated lateness.",
    ),
    Parameter(
        key="circle.disengagement_drop",
        default=0.30,
        kind="float",
        minimum=0.01,
        maximum=1,
        description="Relative fall of a member's reliability after their payout that counts as disengagement.",
    ),
    Parameter(
        key="circle.disengagement_min_post_cycles",
        default=2,
        kind="int",
        minimum=1,
        maximum=100,
        description="Cycles after a payout before a member's reliability is compared (a drop counts at once).",
    ),
    Parameter(
        key="circle.disengagement_min_unpaid",
        default=2,
        kind="int",
        minimum=1,
        maximum=100,
        description="Unpaid cycles after a payout needed (besides the reliability fall) to call a member disengaged.",
    ),
    Parameter(
        key="circle.free_rider_shortfall",
        default=0.5,
        kind="float",
        minimum=0.01,
        maximum=1,
        description="Share of what a paid-out member owed that must be missing to call them a free rider.",
    ),
    Parameter(
        key="circle.behavioral_shift_zscore",
        default=2.5,
        kind="float",
        minimum=0.5,
        maximum=20,
        description="Absolute z-score of the last closed cycle against earlier cycles that counts as a shift.",
    ),
    Parameter(
        key="circle.behavioral_shift_activity_floor",
        default=0.10,
        kind="float",
        minimum=0.001,
        maximum=1,
        description="Smallest spread assumed for the share of members paying per cycle (behavioural shift z-score).",
    ),
    Parameter(
        key="circle.scoring_debounce_seconds",
        default=10,
        kind="int",
        minimum=0,
        maximum=3600,
        description="A circle with new facts is rescored at most once per this many seconds (POST …/score: now).",
    ),
    Parameter(
        key="circle.scoring_batch_size",
        default=200,
        kind="int",
        minimum=1,
        maximum=10000,
        description="Most circles one sweep of the scoring task rescores.",
    ),
]


@dataclass(frozen=True, slots=True)
class ScoringParameters:
    """Everything the (pure) health engine needs; built from the live configuration or by tests.

    Defaults equal the live defaults. Five differ from the reference, chosen on the simulator's labelled
    circles (docs/detection.md, Circles): on_time_prior_weight 10 (reference 0), missed_lookback_cycles 3
    (reference: the whole life), trend_threshold 10 (5), coordinated_late_requires_repeat (no), activity
    floor 0.10 (none)."""

    weights: Mapping[str, float]
    on_time_prior_weight: float = 10.0
    missed_lookback_cycles: int = 3
    healthy_min_score: float = 70.0
    at_risk_min_score: float = 40.0
    trend_threshold: float = 10.0
    trend_min_cycles: int = 3
    deteriorating_penalty: float = 10.0
    deteriorating_critical_below: float = 55.0
    coordinated_late_base_rate: float = 0.10
    coordinated_late_min_members: int = 3
    coordinated_late_p_value: float = 0.05
    coordinated_late_requires_repeat: bool = True
    anomaly_lookback_cycles: int = 3
    disengagement_drop: float = 0.30
    disengagement_min_post_cycles: int = 2
    disengagement_min_unpaid: int = 2
    free_rider_shortfall: float = 0.5
    behavioral_shift_zscore: float = 2.5
    activity_std_floor: float = 0.10
    weights_source: str = "live"


DEFAULT_WEIGHTS: dict[str, float] = {dimension: default for dimension, (_k, _e, default) in WEIGHT_KEYS.items()}


def weights_error(weights: Mapping[str, float]) -> str | None:
    """Why ``weights`` is not a valid set (None when it is)."""
    missing = [dimension for dimension in WEIGHT_KEYS if dimension not in weights]
    if missing:
        return f"missing weights: {', '.join(missing)}"
    negative = [dimension for dimension in WEIGHT_KEYS if not 0 <= weights[dimension] <= 1]
    if negative:
        return f"weights must be between 0 and 1: {', '.join(negative)}"
    total = math.fsum(weights[dimension] for dimension in WEIGHT_KEYS)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        parts = " + ".join(f"{weights[dimension]:g}" for dimension in WEIGHT_KEYS)
        return f"the four weights must sum to 1.0, got {parts} = {total:g}"
    return None


def validate_startup_configuration() -> None:
    """Refuse to start with weights that do not sum to 1.0 or a tier-change topic the contract does not name."""
    problem = weights_error(ENV_WEIGHTS)
    if problem:
        names = ", ".join(env_var for _key, env_var, _default in WEIGHT_KEYS.values())
        raise ImproperlyConfigured(f"Circle health weights ({names}): {problem}.")
    from apps.pipeline.spine.contracts import get_registry

    contract_topic = get_registry().outbound_types.get(TIER_CHANGE_EVENT_TYPE)
    if contract_topic is None:
        raise ImproperlyConfigured(
            f"The outbound contracts define no topic for {TIER_CHANGE_EVENT_TYPE}; check CONTRACTS_PATH."
        )
    if contract_topic != TIER_CHANGE_TOPIC:
        raise ImproperlyConfigured(
            f"CIRCLE_TIER_CHANGE_TOPIC={TIER_CHANGE_TOPIC!r} differs from the topic of the outbound contract "
            f"for {TIER_CHANGE_EVENT_TYPE} ({contract_topic!r}). Tier changes are published where the contract "
            "says; unset the variable or set it to that topic (use KAFKA_TOPIC_PREFIX to isolate environments)."
        )


def register() -> None:
    register_parameters(PARAMETERS)


def live_weights() -> tuple[dict[str, float], str]:
    """The live weights and their source: ``live``, or ``defaults`` when the live set is broken.

    A live set that does not sum to 1.0 (someone changed one weight alone with ``thresholds set``) is
    not used: scoring keeps the environment defaults, which the boot has validated, and logs an error.
    """
    weights = {dimension: float(config_value(key)) for dimension, (key, _e, _d) in WEIGHT_KEYS.items()}
    problem = weights_error(weights)
    if problem is None:
        return weights, "live"
    logger.error("circles.weights.invalid_live_set", problem=problem)
    return dict(ENV_WEIGHTS), "defaults"


def scoring_parameters() -> ScoringParameters:
    weights, source = live_weights()
    healthy = float(config_value("circle.healthy_min_score"))
    at_risk = float(config_value("circle.at_risk_min_score"))
    if at_risk > healthy:
        logger.error("circles.tiers.invalid_live_set", healthy_min_score=healthy, at_risk_min_score=at_risk)
        healthy, at_risk = 70.0, 40.0
    return ScoringParameters(
        weights=weights,
        weights_source=source,
        healthy_min_score=healthy,
        at_risk_min_score=at_risk,
        on_time_prior_weight=float(config_value("circle.on_time_prior_weight")),
        missed_lookback_cycles=int(config_value("circle.missed_lookback_cycles")),
        trend_threshold=float(config_value("circle.trend_threshold")),
        trend_min_cycles=int(config_value("circle.trend_min_cycles")),
        deteriorating_penalty=float(config_value("circle.deteriorating_penalty")),
        deteriorating_critical_below=float(config_value("circle.deteriorating_critical_below")),
        coordinated_late_base_rate=float(config_value("circle.coordinated_late_base_rate")),
        coordinated_late_min_members=int(config_value("circle.coordinated_late_min_members")),
        coordinated_late_p_value=float(config_value("circle.coordinated_late_p_value")),
        coordinated_late_requires_repeat=bool(config_value("circle.coordinated_late_requires_repeat")),
        anomaly_lookback_cycles=int(config_value("circle.anomaly_lookback_cycles")),
        disengagement_drop=float(config_value("circle.disengagement_drop")),
        disengagement_min_post_cycles=int(config_value("circle.disengagement_min_post_cycles")),
        disengagement_min_unpaid=int(config_value("circle.disengagement_min_unpaid")),
        free_rider_shortfall=float(config_value("circle.free_rider_shortfall")),
        behavioral_shift_zscore=float(config_value("circle.behavioral_shift_zscore")),
        activity_std_floor=float(config_value("circle.behavioral_shift_activity_floor")),
    )
