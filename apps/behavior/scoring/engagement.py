"""Engagement score (0-100), lifecycle stage, churn risk and trend of one user.

Score = 0.30 frequency + 0.25 recency + 0.15 streak + 0.20 breadth + 0.10 consistency, each 0-100.
Stage and churn read the weekly history (oldest → newest, the current week last), which is what lets
``reactivated`` and ``declining`` appear at all (upstream never passed a history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apps.behavior.choices import ChurnLevel, LifecycleStage, Trend
from apps.behavior.constants import FEATURE_BREADTH_FULL

WEIGHTS = {"frequency": 0.30, "recency": 0.25, "streak": 0.15, "breadth": 0.20, "consistency": 0.10}
RECENCY_STEPS: tuple[tuple[float, float], ...] = ((1, 100), (3, 80), (7, 60), (14, 30), (30, 10))
STREAK_STEPS: tuple[tuple[int, float], ...] = ((14, 100), (7, 80), (3, 50), (1, 30))
CHURNED_DAYS = 30
DORMANT_DAYS = 14
NEW_MAX_SESSIONS = 5
ONBOARDING_MAX_SESSIONS = 15
REACTIVATED_FROM_BELOW = 10
REACTIVATED_TO_ABOVE = 30
DECLINE_POINTS = 20
POWER_USER_SCORE = 80
POWER_USER_SESSIONS_7D = 5
TREND_POINTS = 5
LOW_SCORE = 30


@dataclass(frozen=True)
class EngagementInputs:
    sessions_7d: int
    typical_sessions_per_week: float | None
    days_since_last_session: float | None  # None: never seen
    streak_days: int
    features_used_30d: int
    maturity: int  # sessions learnt in the profile


@dataclass(frozen=True)
class EngagementResult:
    score: float
    components: dict[str, float]
    stage: str
    churn_risk: float
    churn_level: str
    trend: str


def frequency_component(sessions_7d: int, typical_per_week: float | None) -> float:
    if typical_per_week and typical_per_week > 0:
        return min(sessions_7d / typical_per_week, 1.0) * 100
    return min(sessions_7d / 7, 1.0) * 100


def recency_component(days_since_last: float | None) -> float:
    if days_since_last is None:
        return 0.0
    for limit, points in RECENCY_STEPS:
        if days_since_last <= limit:
            return points
    return 0.0


def streak_component(streak_days: int) -> float:
    for limit, points in STREAK_STEPS:
        if streak_days >= limit:
            return points
    return 0.0


def components_of(inputs: EngagementInputs) -> dict[str, float]:
    return {
        "frequency": round(frequency_component(inputs.sessions_7d, inputs.typical_sessions_per_week), 2),
        "recency": recency_component(inputs.days_since_last_session),
        "streak": streak_component(inputs.streak_days),
        "breadth": round(min(inputs.features_used_30d / FEATURE_BREADTH_FULL, 1.0) * 100, 2),
        "consistency": round(min(inputs.streak_days / 7, 1.0) * 100, 2),
    }


def engagement_score(components: dict[str, float]) -> float:
    return round(sum(WEIGHTS[name] * components[name] for name in WEIGHTS), 2)


def lifecycle_stage(inputs: EngagementInputs, history: Sequence[float]) -> str:
    """``history``: weekly scores, oldest → newest, the current score last."""
    idle = inputs.days_since_last_session
    if idle is None or idle >= CHURNED_DAYS:
        return LifecycleStage.CHURNED
    if idle >= DORMANT_DAYS:
        return LifecycleStage.DORMANT
    if len(history) >= 2 and history[-2] < REACTIVATED_FROM_BELOW and history[-1] > REACTIVATED_TO_ABOVE:
        return LifecycleStage.REACTIVATED
    if inputs.maturity <= NEW_MAX_SESSIONS:
        return LifecycleStage.NEW
    if inputs.maturity <= ONBOARDING_MAX_SESSIONS:
        return LifecycleStage.ONBOARDING
    if len(history) >= 3 and history[-3] - history[-1] > DECLINE_POINTS:
        return LifecycleStage.DECLINING
    if history and history[-1] >= POWER_USER_SCORE and inputs.sessions_7d >= POWER_USER_SESSIONS_7D:
        return LifecycleStage.POWER_USER
    return LifecycleStage.ACTIVE


def _level(risk: float) -> str:
    if risk >= 0.6:
        return ChurnLevel.HIGH
    if risk >= 0.3:
        return ChurnLevel.MEDIUM
    return ChurnLevel.LOW


def churn_risk(stage: str, score: float, history: Sequence[float]) -> tuple[float, str]:
    if stage == LifecycleStage.CHURNED:
        return 1.0, ChurnLevel.HIGH
    if stage == LifecycleStage.DORMANT:
        return 0.7, ChurnLevel.HIGH
    if stage == LifecycleStage.NEW:
        return 0.3, ChurnLevel.MEDIUM
    if stage == LifecycleStage.DECLINING:
        return 0.6, ChurnLevel.HIGH
    if len(history) >= 3 and history[-3] - history[-1] > DECLINE_POINTS:
        risk = min((history[-3] - history[-1]) / 50, 1.0)
        return round(risk, 4), _level(risk)
    if score < LOW_SCORE:
        return 0.4, ChurnLevel.MEDIUM
    return 0.1, ChurnLevel.LOW


def trend_of(history: Sequence[float]) -> str:
    if len(history) < 2:
        return Trend.STABLE
    change = history[-1] - history[-2]
    if change > TREND_POINTS:
        return Trend.IMPROVING
    if change < -TREND_POINTS:
        return Trend.DECLINING
    return Trend.STABLE


def evaluate(inputs: EngagementInputs, previous_scores: Sequence[float]) -> EngagementResult:
    """``previous_scores``: earlier weekly scores, oldest → newest (the current week excluded)."""
    components = components_of(inputs)
    score = engagement_score(components)
    history = [*previous_scores, score]
    stage = lifecycle_stage(inputs, history)
    risk, level = churn_risk(stage, score, history)
    return EngagementResult(
        score=score, components=components, stage=stage, churn_risk=risk, churn_level=level, trend=trend_of(history)
    )


def streak_ending(active_days: Sequence[int], reference_day: int) -> int:
    """Consecutive days (ordinals) with a session, ending at ``reference_day`` or the day before."""
    days = set(active_days)
    start = reference_day if reference_day in days else reference_day - 1
    streak = 0
    while start - streak in days:
        streak += 1
    return streak
