"""Live parameters of the serving domain (changed with ``manage.py thresholds set serving.<name> …``).

Defaults come from the environment variable named in each ``Parameter``; the live value is a database row.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from apps.serving.config import Parameter, config_value
from lakay.env import env

CHALLENGER_TRAFFIC_PCT = "serving.challenger_traffic_pct"
CONTRIBUTION_METHOD = "serving.contribution_method"
CONTRIBUTION_COUNT = "serving.contribution_count"
CONTRIBUTION_MIN_SCORE = "serving.contribution_min_score"
DRIFT_WARNING_PSI = "serving.drift_warning_psi"
DRIFT_CRITICAL_PSI = "serving.drift_critical_psi"
DRIFT_CHECK_EVERY = "serving.drift_check_every"
DRIFT_MIN_OBSERVATIONS = "serving.drift_min_observations"
DRIFT_WINDOW_HOURS = "serving.drift_window_hours"
SCORE_SHIFT_WARNING_Z = "serving.score_shift_warning_z"
SCORE_SHIFT_CRITICAL_Z = "serving.score_shift_critical_z"
LATENCY_P95_MAX_MS = "serving.latency_p95_max_ms"
GUARDRAIL_LATENCY_P95_MS = "serving.guardrail_latency_p95_ms"
GUARDRAIL_ALERT_VOLUME_MULTIPLIER = "serving.guardrail_alert_volume_multiplier"
PROMOTION_MIN_AUC_PR = "serving.promotion_min_auc_pr"
PROMOTION_MAX_AUC_PR_DROP = "serving.promotion_max_auc_pr_drop"
EXPERIMENT_MIN_OBSERVATIONS = "serving.experiment_min_observations"

SERVING_PARAMETERS = [
    Parameter(
        key=CHALLENGER_TRAFFIC_PCT,
        default=env.int("SERVING_CHALLENGER_TRAFFIC_PCT", default=5),
        kind="int",
        minimum=0,
        maximum=100,
        env_var="SERVING_CHALLENGER_TRAFFIC_PCT",
        description="Share of users (sha256(user_id) mod 100 below it) scored by the challenger.",
    ),
    Parameter(
        key=CONTRIBUTION_METHOD,
        default=env.str("SERVING_CONTRIBUTION_METHOD", default="exact"),
        kind="str",
        choices=("exact", "approximate", "none"),
        env_var="SERVING_CONTRIBUTION_METHOD",
        description="Per-feature contributions: exact TreeSHAP, approximate (Saabas, faster) or none.",
    ),
    Parameter(
        key=CONTRIBUTION_COUNT,
        default=env.int("SERVING_CONTRIBUTION_COUNT", default=5),
        kind="int",
        minimum=0,
        maximum=50,
        env_var="SERVING_CONTRIBUTION_COUNT",
        description="How many of the largest contributions (by magnitude) go into the decision trace.",
    ),
    Parameter(
        key=CONTRIBUTION_MIN_SCORE,
        default=env.float("SERVING_CONTRIBUTION_MIN_SCORE", default=0.01),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="SERVING_CONTRIBUTION_MIN_SCORE",
        description="Explain (contributions) scores at or above this probability only; 0 = explain every score.",
    ),
    Parameter(
        key=DRIFT_WARNING_PSI,
        default=env.float("SERVING_DRIFT_WARNING_PSI", default=0.10),
        kind="float",
        minimum=0,
        maximum=10,
        env_var="SERVING_DRIFT_WARNING_PSI",
        description="PSI at or above which a feature (or the score) is in moderate drift.",
    ),
    Parameter(
        key=DRIFT_CRITICAL_PSI,
        default=env.float("SERVING_DRIFT_CRITICAL_PSI", default=0.25),
        kind="float",
        minimum=0,
        maximum=10,
        env_var="SERVING_DRIFT_CRITICAL_PSI",
        description="PSI at or above which a feature (or the score) is in critical drift.",
    ),
    Parameter(
        key=DRIFT_CHECK_EVERY,
        default=env.int("SERVING_DRIFT_CHECK_EVERY", default=500),
        kind="int",
        minimum=1,
        maximum=10_000_000,
        env_var="SERVING_DRIFT_CHECK_EVERY",
        description="Run a drift check after this many new scored observations (besides the schedule).",
    ),
    Parameter(
        key=DRIFT_MIN_OBSERVATIONS,
        default=env.int("SERVING_DRIFT_MIN_OBSERVATIONS", default=100),
        kind="int",
        minimum=1,
        maximum=10_000_000,
        env_var="SERVING_DRIFT_MIN_OBSERVATIONS",
        description="Fewer observations in the window than this → insufficient_data, no PSI verdict.",
    ),
    Parameter(
        key=DRIFT_WINDOW_HOURS,
        default=env.int("SERVING_DRIFT_WINDOW_HOURS", default=24),
        kind="int",
        minimum=1,
        maximum=24 * 90,
        env_var="SERVING_DRIFT_WINDOW_HOURS",
        description="Observations of the last N hours are compared with the training reference.",
    ),
    Parameter(
        key=SCORE_SHIFT_WARNING_Z,
        default=env.float("SERVING_SCORE_SHIFT_WARNING_Z", default=2.0),
        kind="float",
        minimum=0,
        maximum=100,
        env_var="SERVING_SCORE_SHIFT_WARNING_Z",
        description="|mean score of the last hour - training mean| / training std that raises a warning.",
    ),
    Parameter(
        key=SCORE_SHIFT_CRITICAL_Z,
        default=env.float("SERVING_SCORE_SHIFT_CRITICAL_Z", default=3.0),
        kind="float",
        minimum=0,
        maximum=100,
        env_var="SERVING_SCORE_SHIFT_CRITICAL_Z",
        description="Score-shift z at or above which the alert is critical.",
    ),
    Parameter(
        key=LATENCY_P95_MAX_MS,
        default=env.float("SERVING_LATENCY_P95_MAX_MS", default=25.0),
        kind="float",
        minimum=0,
        maximum=60_000,
        env_var="SERVING_LATENCY_P95_MAX_MS",
        description="Model scoring p95 over the last hour above which a latency alert is raised (ms).",
    ),
    Parameter(
        key=GUARDRAIL_LATENCY_P95_MS,
        default=env.float("SERVING_GUARDRAIL_LATENCY_P95_MS", default=200.0),
        kind="float",
        minimum=0,
        maximum=60_000,
        env_var="SERVING_GUARDRAIL_LATENCY_P95_MS",
        description="Guardrail (experiments, promotion): a variant's p95 scoring latency must stay below (ms).",
    ),
    Parameter(
        key=GUARDRAIL_ALERT_VOLUME_MULTIPLIER,
        default=env.float("SERVING_GUARDRAIL_ALERT_VOLUME_MULTIPLIER", default=2.0),
        kind="float",
        minimum=1,
        maximum=100,
        env_var="SERVING_GUARDRAIL_ALERT_VOLUME_MULTIPLIER",
        description="Guardrail: a variant may flag at most this many times the control's flag rate.",
    ),
    Parameter(
        key=PROMOTION_MIN_AUC_PR,
        default=env.float("SERVING_PROMOTION_MIN_AUC_PR", default=0.2),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="SERVING_PROMOTION_MIN_AUC_PR",
        description="Validation: a version's hold-out AUC-PR must reach this to be promoted.",
    ),
    Parameter(
        key=PROMOTION_MAX_AUC_PR_DROP,
        default=env.float("SERVING_PROMOTION_MAX_AUC_PR_DROP", default=0.05),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="SERVING_PROMOTION_MAX_AUC_PR_DROP",
        description="Validation: a new champion's AUC-PR may be at most this much below the current one's.",
    ),
    Parameter(
        key=EXPERIMENT_MIN_OBSERVATIONS,
        default=env.int("SERVING_EXPERIMENT_MIN_OBSERVATIONS", default=100),
        kind="int",
        minimum=2,
        maximum=10_000_000,
        env_var="SERVING_EXPERIMENT_MIN_OBSERVATIONS",
        description="An experiment result is significant only with at least this many observations per arm.",
    ),
]


def check_serving_defaults() -> None:
    """Cross-parameter rules on the environment defaults, at start-up (read time: ``drift_thresholds``)."""
    defaults = {parameter.key: parameter.default for parameter in SERVING_PARAMETERS}
    for low, high in ((DRIFT_WARNING_PSI, DRIFT_CRITICAL_PSI), (SCORE_SHIFT_WARNING_Z, SCORE_SHIFT_CRITICAL_Z)):
        if float(defaults[low]) > float(defaults[high]):
            raise ImproperlyConfigured(f"{low} ({defaults[low]}) must not exceed {high} ({defaults[high]}).")


def ordered_pair(low_key: str, high_key: str) -> tuple[float, float]:
    """(warning, critical) live values; a pair set in the wrong order is read as (lower, higher)."""
    low = float(config_value(low_key))
    high = float(config_value(high_key))
    return (min(low, high), max(low, high))


def drift_thresholds() -> tuple[float, float]:
    return ordered_pair(DRIFT_WARNING_PSI, DRIFT_CRITICAL_PSI)


def score_shift_thresholds() -> tuple[float, float]:
    return ordered_pair(SCORE_SHIFT_WARNING_Z, SCORE_SHIFT_CRITICAL_Z)
