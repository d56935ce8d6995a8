"""Tunable parameters of the behaviour domain (live configuration, ``behavior.*``).

Defaults come from the runbook's ``BEHAVIOR_*`` variables; operators change the live values with
``manage.py thresholds set behavior.<name> …``. Cross-parameter rules (the five session-anomaly weights
sum to 1.0, thresholds ascend, the ATO topic is the contract's) are checked at start-up
(``check_startup_configuration``, ImproperlyConfigured) and again when the values are read
(``behavior_settings``), where a live combination that breaks them is repaired and logged rather than
failing every event.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from apps.behavior.constants import DEFAULT_ATO_SIGNAL_WEIGHTS
from apps.serving.config import Parameter, config_value
from lakay.env import env
from lakay.exceptions import ApplicationError
from lakay.logging import get_logger

logger = get_logger(__name__)

ATO_EVENT_TYPE = "ato-alert-raised"


def configured_ato_topic() -> str:
    """Not a live parameter: a topic cannot change under a running relay. Must equal the contract's topic."""
    return str(env.str("BEHAVIOR_ATO_KAFKA_TOPIC", default="lakay.behavior.ato-alerts"))


DIMENSIONS: tuple[str, ...] = ("temporal", "device", "geographic", "behavioral", "engagement")
WEIGHT_KEYS: dict[str, str] = {
    "temporal": "behavior.temporal_weight",
    "device": "behavior.device_weight",
    "geographic": "behavior.geo_weight",
    "behavioral": "behavior.behavioral_weight",
    "engagement": "behavior.engagement_weight",
}
WEIGHT_TOLERANCE = 1e-6


def _p(key: str, default: Any, kind: str, description: str, **extra: Any) -> Parameter:
    return Parameter(key=f"behavior.{key}", default=default, kind=kind, description=description, **extra)


def build_parameters() -> list[Parameter]:
    """The declared parameters, with defaults read from the environment now."""
    return [
        # Profiles
        _p(
            "min_sessions_active",
            env.str("BEHAVIOR_MIN_SESSIONS_ACTIVE", default="10"),
            "int",
            "Sessions a profile needs (with min_active_days distinct days) before it is active.",
            minimum=1,
            maximum=1000,
            env_var="BEHAVIOR_MIN_SESSIONS_ACTIVE",
        ),
        _p(
            "min_active_days",
            env.str("BEHAVIOR_MIN_ACTIVE_DAYS", default="7"),
            "int",
            "Distinct days with a session a profile needs before it is active.",
            minimum=1,
            maximum=365,
            env_var="BEHAVIOR_MIN_ACTIVE_DAYS",
        ),
        _p(
            "ema_decay_rate",
            env.str("BEHAVIOR_EMA_DECAY_RATE", default="0.15"),
            "float",
            "Weight of the newest session in the exponential moving averages of a profile (alpha).",
            minimum=0.001,
            maximum=1,
            env_var="BEHAVIOR_EMA_DECAY_RATE",
        ),
        _p(
            "staleness_days",
            env.str("BEHAVIOR_STALENESS_DAYS", default="30"),
            "int",
            "Days without a session (event time) after which a profile is stale.",
            minimum=1,
            maximum=3650,
            env_var="BEHAVIOR_STALENESS_DAYS",
        ),
        _p(
            "stale_ema_factor",
            0.5,
            "float",
            "Alpha is multiplied by this for the first session after staleness (a returning session moves "
            "the old baseline less, so a takeover of a dormant account cannot rewrite it at once).",
            minimum=0.05,
            maximum=1,
        ),
        # Session anomaly: dimension weights (must sum to 1.0) and classes
        _p(
            "temporal_weight",
            env.str("BEHAVIOR_TEMPORAL_WEIGHT", default="0.15"),
            "float",
            "Weight of the temporal (hour of day) dimension of the session anomaly score.",
            minimum=0,
            maximum=1,
            env_var="BEHAVIOR_TEMPORAL_WEIGHT",
        ),
        _p(
            "device_weight",
            env.str("BEHAVIOR_DEVICE_WEIGHT", default="0.25"),
            "float",
            "Weight of the device dimension of the session anomaly score.",
            minimum=0,
            maximum=1,
            env_var="BEHAVIOR_DEVICE_WEIGHT",
        ),
        _p(
            "geo_weight",
            env.str("BEHAVIOR_GEO_WEIGHT", default="0.25"),
            "float",
            "Weight of the geographic dimension of the session anomaly score.",
            minimum=0,
            maximum=1,
            env_var="BEHAVIOR_GEO_WEIGHT",
        ),
        _p(
            "behavioral_weight",
            env.str("BEHAVIOR_BEHAVIORAL_WEIGHT", default="0.25"),
            "float",
            "Weight of the behavioural dimension (duration, action count, sensitive actions, speed).",
            minimum=0,
            maximum=1,
            env_var="BEHAVIOR_BEHAVIORAL_WEIGHT",
        ),
        _p(
            "engagement_weight",
            env.str("BEHAVIOR_ENGAGEMENT_WEIGHT", default="0.10"),
            "float",
            "Weight of the engagement dimension (long absence, unfamiliar features).",
            minimum=0,
            maximum=1,
            env_var="BEHAVIOR_ENGAGEMENT_WEIGHT",
        ),
        _p(
            "building_multiplier", 0.6, "float", "Anomaly multiplier while a profile is building.", minimum=0, maximum=1
        ),
        _p("stale_multiplier", 0.8, "float", "Anomaly multiplier when the profile is stale.", minimum=0, maximum=1),
        _p(
            "suspicious_threshold",
            0.3,
            "float",
            "Anomaly score from which a session is suspicious.",
            minimum=0,
            maximum=1,
        ),
        _p(
            "high_risk_threshold",
            0.6,
            "float",
            "Anomaly score from which a session is high risk.",
            minimum=0,
            maximum=1,
        ),
        _p("critical_threshold", 0.8, "float", "Anomaly score from which a session is critical.", minimum=0, maximum=1),
        _p(
            "corridor_countries",
            "US,HT",
            "str",
            "Countries of the remittance corridor (comma-separated ISO codes): travel between them is "
            "ordinary for the diaspora and weighs less.",
        ),
        _p(
            "impossible_travel_speed_kmh",
            900.0,
            "float",
            "Speed between two sessions' locations above which travel is impossible.",
            minimum=100,
            maximum=20000,
        ),
        _p(
            "impossible_travel_min_km",
            500.0,
            "float",
            "Distance below which a location jump is never impossible travel (IP geolocation error).",
            minimum=0,
            maximum=20000,
        ),
        # Account takeover
        _p(
            "ato_signal_weights",
            DEFAULT_ATO_SIGNAL_WEIGHTS,
            "json",
            "Weight of each ATO signal in the weighted mean of the active signals (keys: "
            + ", ".join(sorted(DEFAULT_ATO_SIGNAL_WEIGHTS))
            + ").",
        ),
        _p("ato_moderate_threshold", 0.3, "float", "ATO score from which the risk is moderate.", minimum=0, maximum=1),
        _p("ato_high_threshold", 0.5, "float", "ATO score from which the risk is high (alert).", minimum=0, maximum=1),
        _p("ato_critical_threshold", 0.8, "float", "ATO score from which the risk is critical.", minimum=0, maximum=1),
        _p(
            "ato_familiar_context_cap",
            0.45,
            "float",
            "Highest ATO score when no access signal is present (known device and place, no failed logins, "
            "no impossible travel, unremarkable session): sensitive actions alone never raise an alert.",
            minimum=0,
            maximum=1,
        ),
        _p(
            "ato_step_up_passed_factor",
            0.5,
            "float",
            "ATO score multiplier once the user passed a step-up challenge in the session.",
            minimum=0,
            maximum=1,
        ),
        _p(
            "ato_failed_login_window_minutes",
            10,
            "int",
            "Look-back (event time) for failed logins before a session.",
            minimum=1,
            maximum=1440,
        ),
        _p(
            "ato_failed_login_min",
            3,
            "int",
            "Failed logins in the window from which they become an ATO signal.",
            minimum=1,
            maximum=100,
        ),
        _p(
            "ato_recent_lock_hours",
            24,
            "int",
            "Look-back for an account lock that counts as an ATO signal.",
            minimum=1,
            maximum=720,
        ),
        _p(
            "ato_dedup_window",
            env.str("BEHAVIOR_ATO_DEDUP_WINDOW", default="86400"),
            "int",
            "Seconds (event time) during which a new ATO alert for a user with an open one is merged into it "
            "(unless the risk level rises).",
            minimum=0,
            maximum=30 * 86400,
            env_var="BEHAVIOR_ATO_DEDUP_WINDOW",
        ),
        # Engagement
        _p(
            "engagement_at_risk_churn",
            0.5,
            "float",
            "Churn risk from which a user is listed as at risk.",
            minimum=0,
            maximum=1,
        ),
    ]


PARAMETERS: list[Parameter] = build_parameters()


@dataclass(frozen=True)
class BehaviorSettings:
    """One consistent reading of every behaviour parameter (taken once per event or request)."""

    min_sessions_active: int
    min_active_days: int
    ema_decay_rate: float
    staleness_days: int
    stale_ema_factor: float
    weights: dict[str, float]
    building_multiplier: float
    stale_multiplier: float
    suspicious_threshold: float
    high_risk_threshold: float
    critical_threshold: float
    corridor_countries: frozenset[str]
    impossible_travel_speed_kmh: float
    impossible_travel_min_km: float
    ato_signal_weights: dict[str, float]
    ato_moderate_threshold: float
    ato_high_threshold: float
    ato_critical_threshold: float
    ato_familiar_context_cap: float
    ato_step_up_passed_factor: float
    ato_failed_login_window_minutes: int
    ato_failed_login_min: int
    ato_recent_lock_hours: int
    ato_dedup_window: int
    engagement_at_risk_churn: float


def _corridor(raw: str) -> frozenset[str]:
    return frozenset(part.strip().upper() for part in str(raw).split(",") if part.strip())


def weights_problem(weights: dict[str, float]) -> str | None:
    """Why ``weights`` are unusable, or None. Five named dimensions, none negative, sum 1.0."""
    if set(weights) != set(DIMENSIONS):
        return f"expected the dimensions {', '.join(DIMENSIONS)}"
    if any(value < 0 or math.isnan(value) for value in weights.values()):
        return "weights must not be negative"
    total = sum(weights.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        return f"the session anomaly weights must sum to 1.0, they sum to {total:.6f}"
    return None


def ato_weights_problem(weights: Any) -> str | None:
    if not isinstance(weights, dict):
        return "behavior.ato_signal_weights must be a JSON object of signal → weight"
    unknown = sorted(set(weights) - set(DEFAULT_ATO_SIGNAL_WEIGHTS))
    if unknown:
        return f"unknown ATO signals {unknown}; known: {sorted(DEFAULT_ATO_SIGNAL_WEIGHTS)}"
    for name, value in weights.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < float(value) <= 1:
            return f"ATO signal weight {name} must be a number in (0, 1]"
    return None


def _ascending_problem(values: dict[str, float]) -> str | None:
    ordered = list(values.values())
    if any(later <= earlier for earlier, later in itertools.pairwise(ordered)):
        return "must ascend: " + " < ".join(f"{name}={value}" for name, value in values.items())
    return None


def settings_problems(raw: dict[str, Any]) -> list[str]:
    """Every cross-parameter rule ``raw`` (key → value, keys without ``behavior.``) breaks."""
    problems = []
    weights = {dimension: float(raw[WEIGHT_KEYS[dimension].split(".", 1)[1]]) for dimension in DIMENSIONS}
    if problem := weights_problem(weights):
        env_names = ", ".join(
            f"BEHAVIOR_{name.upper()}_WEIGHT" for name in ("temporal", "device", "geo", "behavioral", "engagement")
        )
        problems.append(f"{problem} ({env_names}).")
    if problem := _ascending_problem(
        {name: raw[name] for name in ("suspicious_threshold", "high_risk_threshold", "critical_threshold")}
    ):
        problems.append(f"Session anomaly thresholds {problem}.")
    if problem := _ascending_problem(
        {name: raw[name] for name in ("ato_moderate_threshold", "ato_high_threshold", "ato_critical_threshold")}
    ):
        problems.append(f"ATO thresholds {problem}.")
    if raw["ato_familiar_context_cap"] >= raw["ato_high_threshold"]:
        problems.append("behavior.ato_familiar_context_cap must stay below behavior.ato_high_threshold.")
    if problem := ato_weights_problem(raw["ato_signal_weights"]):
        problems.append(f"{problem}.")
    if not _corridor(raw["corridor_countries"]):
        problems.append("behavior.corridor_countries must name at least one country.")
    return problems


def check_startup_configuration(*, parameters: list[Parameter], contract_topic: str | None) -> None:
    """Refuse to start with inconsistent defaults or an ATO topic other than the contract's."""
    raw: dict[str, Any] = {}
    unreadable = []
    for parameter in parameters:
        try:
            raw[parameter.key.split(".", 1)[1]] = parameter.coerce(parameter.default)
        except ApplicationError as error:
            source = f"{parameter.env_var}={parameter.default!r}" if parameter.env_var else parameter.key
            unreadable.append(f"{source}: {error.message}")
    if unreadable:
        raise ImproperlyConfigured("Behaviour configuration is invalid: " + " ".join(unreadable))
    problems = settings_problems(raw)
    topic = configured_ato_topic()
    if contract_topic is not None and topic != contract_topic:
        problems.append(
            f"BEHAVIOR_ATO_KAFKA_TOPIC={topic!r} but the contract publishes {ATO_EVENT_TYPE} on "
            f"{contract_topic!r} (contracts/topics.json); they must be equal."
        )
    if problems:
        raise ImproperlyConfigured("Behaviour configuration is invalid: " + " ".join(problems))


def default_weights() -> dict[str, float]:
    """The environment defaults of the five weights (validated at start-up)."""
    by_key = {parameter.key: parameter for parameter in PARAMETERS}
    return {dimension: float(by_key[key].coerce(by_key[key].default)) for dimension, key in WEIGHT_KEYS.items()}


def live_weights() -> tuple[dict[str, float], str]:
    """The live session-anomaly weights and their source: ``live``, or ``defaults`` when the live set is broken.

    A live set that does not sum to 1.0 (one weight changed alone with ``thresholds set``) is not used:
    scoring keeps the environment defaults, which the boot validated, and logs an error. Change the
    weights together with ``manage.py behavior_weights set``.
    """
    weights = {dimension: float(config_value(key)) for dimension, key in WEIGHT_KEYS.items()}
    problem = weights_problem(weights)
    if problem is None:
        return weights, "live"
    logger.error("behavior.weights.invalid_live_set", problem=problem)
    return default_weights(), "defaults"


def behavior_settings() -> BehaviorSettings:
    """The live values, repaired (and logged) if an operator left them inconsistent mid-change."""
    raw = {parameter.key.split(".", 1)[1]: config_value(parameter.key) for parameter in PARAMETERS}
    weights, _source = live_weights()
    ato_weights = dict(DEFAULT_ATO_SIGNAL_WEIGHTS)
    if ato_weights_problem(raw["ato_signal_weights"]):
        logger.warning("behavior.config.ato_weights_ignored")
    else:
        ato_weights.update({name: float(value) for name, value in raw["ato_signal_weights"].items()})
    classes = sorted((raw["suspicious_threshold"], raw["high_risk_threshold"], raw["critical_threshold"]))
    levels = sorted((raw["ato_moderate_threshold"], raw["ato_high_threshold"], raw["ato_critical_threshold"]))
    cap = min(raw["ato_familiar_context_cap"], levels[1] - 0.001)
    corridor = _corridor(raw["corridor_countries"]) or frozenset({"US", "HT"})
    return BehaviorSettings(
        min_sessions_active=raw["min_sessions_active"],
        min_active_days=raw["min_active_days"],
        ema_decay_rate=raw["ema_decay_rate"],
        staleness_days=raw["staleness_days"],
        stale_ema_factor=raw["stale_ema_factor"],
        weights=weights,
        building_multiplier=raw["building_multiplier"],
        stale_multiplier=raw["stale_multiplier"],
        suspicious_threshold=classes[0],
        high_risk_threshold=classes[1],
        critical_threshold=classes[2],
        corridor_countries=corridor,
        impossible_travel_speed_kmh=raw["impossible_travel_speed_kmh"],
        impossible_travel_min_km=raw["impossible_travel_min_km"],
        ato_signal_weights=ato_weights,
        ato_moderate_threshold=levels[0],
        ato_high_threshold=levels[1],
        ato_critical_threshold=levels[2],
        ato_familiar_context_cap=cap,
        ato_step_up_passed_factor=raw["ato_step_up_passed_factor"],
        ato_failed_login_window_minutes=raw["ato_failed_login_window_minutes"],
        ato_failed_login_min=raw["ato_failed_login_min"],
        ato_recent_lock_hours=raw["ato_recent_lock_hours"],
        ato_dedup_window=raw["ato_dedup_window"],
        engagement_at_risk_churn=raw["engagement_at_risk_churn"],
    )
