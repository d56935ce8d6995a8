"""Account-takeover (ATO) assessment: signals → weighted mean of the active ones → correlation boost.

Score = (Σ wᵢ·sᵢ / Σ wᵢ over active signals) x 1.5 with two active signals, x 2.0 with three or more,
capped at 1; a signal weaker than 0.15 counts in the mean but not towards the boost (a faint
anomaly should not double the weight of everything else). Rules added to the upstream formula
(docs/behavior.md and docs/detection.md explain why):
- **familiar context cap**: with no access signal (known device and place, no failed-login burst, no
  impossible travel, no lock, session anomaly below "suspicious"), the score is capped below the high
  level: what a user does from their own phone at home never raises an alert by itself. A new device in
  a known place and a failed or expired step-up are weak access signals: they count in the score but do
  not lift the cap on their own (the platform already refused the step-up; the owner mistyped a code).
- **impossible travel is at least high**: the same account 500+ km away faster than a plane is never
  diluted below the high level by a faint anomaly (a profile still building scales the anomaly down).
- **step-up passed**: once the user passed a step-up challenge in the session, the score is multiplied
  by ``step_up_passed_factor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.behavior.choices import AtoResponse, AtoRiskLevel
from apps.behavior.constants import ACCESS_SIGNALS

FAILED_LOGINS_FULL = 10
NEW_DEVICE_AND_LOCATION = 0.7
NEW_DEVICE_ONLY = 0.3
SENSITIVE_FULL = 3
IMPOSSIBLE_TRAVEL = 0.9
RAPID_NAVIGATION = 0.6
RAPID_NAVIGATION_WITHIN = 3  # first sensitive action among the first N actions
BOOST_TWO = 1.5
BOOST_THREE = 2.0
BOOST_MIN_SIGNAL = 0.15  # weaker signals count in the mean, not towards the correlation boost
WEAK_ACCESS_SIGNALS = frozenset({"new_device", "step_up_failed"})
CREDENTIAL_CHANGE_SCORES = {"email": 0.8, "phone": 0.8, "password": 0.6}  # nosec B105  # a score, not a password
MFA_CHANGE_SCORES = {"disabled": 0.9, "method_changed": 0.7, "enabled": 0.3}
STEP_UP_SCORES = {"failed": 0.8, "expired": 0.4}
LOCK_SCORES = {"user_request": 0.9, "fraud_hold": 0.8, "too_many_failed_logins": 0.6, "admin_action": 0.5}


@dataclass(frozen=True)
class AtoInputs:
    """Evidence about one user at one moment (usually within one session)."""

    anomaly_score: float | None = None
    failed_logins: int = 0
    is_new_device: bool | None = None
    is_new_location: bool | None = None
    newness_factor: float = 1.0  # 1 for a trusted profile, less while building, 0 with no history
    impossible_travel: bool = False
    travel_speed_kmh: float | None = None
    travel_distance_km: float | None = None
    sensitive_count: int = 0
    first_sensitive_position: int | None = None  # 1-based position among the session's actions
    credential_changes: Sequence[str] = ()  # email | phone | password
    mfa_changes: Sequence[str] = ()  # enabled | disabled | method_changed
    step_up_results: Sequence[str] = ()  # passed | failed | expired
    recent_lock_reasons: Sequence[str] = ()
    device_id: str = ""
    country: str = ""
    city: str = ""


@dataclass(frozen=True)
class AtoParameters:
    signal_weights: dict[str, float]
    moderate_threshold: float
    high_threshold: float
    critical_threshold: float
    familiar_context_cap: float
    step_up_passed_factor: float
    failed_login_min: int
    suspicious_threshold: float


@dataclass(frozen=True)
class Signal:
    signal: str
    score: float
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "score": round(self.score, 4), "details": self.details}


@dataclass(frozen=True)
class AtoResult:
    score: float
    risk_level: str
    recommended_response: str
    signals: list[Signal]
    access_signal_present: bool
    capped: bool
    step_up_passed: bool

    @property
    def is_alert(self) -> bool:
        return self.risk_level in {AtoRiskLevel.HIGH, AtoRiskLevel.CRITICAL}


def collect_signals(inputs: AtoInputs, params: AtoParameters) -> list[Signal]:
    signals: list[Signal] = []
    if inputs.anomaly_score and inputs.anomaly_score > 0:
        signals.append(Signal("session_anomaly", inputs.anomaly_score, {"anomaly_score": inputs.anomaly_score}))
    if inputs.failed_logins >= params.failed_login_min:
        signals.append(
            Signal(
                "failed_logins", min(inputs.failed_logins / FAILED_LOGINS_FULL, 1.0), {"failed": inputs.failed_logins}
            )
        )
    if inputs.is_new_device and inputs.newness_factor > 0:
        if inputs.is_new_location:
            details: dict[str, Any] = {"device_id": inputs.device_id, "country": inputs.country}
            if inputs.city:
                details["city"] = inputs.city
            signals.append(Signal("new_device_and_location", NEW_DEVICE_AND_LOCATION * inputs.newness_factor, details))
        else:
            signals.append(
                Signal("new_device", NEW_DEVICE_ONLY * inputs.newness_factor, {"device_id": inputs.device_id})
            )
    if inputs.sensitive_count > 0:
        signals.append(
            Signal(
                "sensitive_actions",
                min(inputs.sensitive_count / SENSITIVE_FULL, 1.0),
                {"count": inputs.sensitive_count},
            )
        )
    if inputs.impossible_travel:
        details = {}
        if inputs.travel_speed_kmh is not None:
            details["speed_kmh"] = round(min(inputs.travel_speed_kmh, 1e9), 1)
        if inputs.travel_distance_km is not None:
            details["distance_km"] = round(inputs.travel_distance_km, 1)
        signals.append(Signal("impossible_travel", IMPOSSIBLE_TRAVEL, details))
    if (
        inputs.sensitive_count >= 2
        and inputs.first_sensitive_position is not None
        and inputs.first_sensitive_position <= RAPID_NAVIGATION_WITHIN
    ):
        signals.append(
            Signal("rapid_sensitive_navigation", RAPID_NAVIGATION, {"first_position": inputs.first_sensitive_position})
        )
    changes = [(CREDENTIAL_CHANGE_SCORES.get(kind, 0.0), f"credential_{kind}") for kind in inputs.credential_changes]
    changes += [(MFA_CHANGE_SCORES.get(kind, 0.0), f"mfa_{kind}") for kind in inputs.mfa_changes]
    changes = [change for change in changes if change[0] > 0]
    if changes:
        signals.append(
            Signal(
                "security_settings_changed",
                max(score for score, _ in changes),
                {"changes": sorted({name for _, name in changes})},
            )
        )
    step_up = [STEP_UP_SCORES[result] for result in inputs.step_up_results if result in STEP_UP_SCORES]
    if step_up:
        signals.append(Signal("step_up_failed", max(step_up), {"results": sorted(set(inputs.step_up_results))}))
    locks = [(LOCK_SCORES[reason], reason) for reason in inputs.recent_lock_reasons if reason in LOCK_SCORES]
    if locks:
        signals.append(Signal("recent_account_lock", max(locks)[0], {"reasons": sorted({r for _, r in locks})}))
    return signals


def level_of(score: float, params: AtoParameters) -> tuple[str, str]:
    if score >= params.critical_threshold:
        return AtoRiskLevel.CRITICAL, AtoResponse.LOCK_ACCOUNT
    if score >= params.high_threshold:
        return AtoRiskLevel.HIGH, AtoResponse.STEP_UP_AUTH
    if score >= params.moderate_threshold:
        return AtoRiskLevel.MODERATE, AtoResponse.RE_AUTHENTICATE
    return AtoRiskLevel.LOW, AtoResponse.NONE


def is_access_signal(signal: Signal, params: AtoParameters) -> bool:
    if signal.signal not in ACCESS_SIGNALS or signal.signal in WEAK_ACCESS_SIGNALS:
        return False
    if signal.signal == "session_anomaly":
        return signal.score >= params.suspicious_threshold
    return True


def combine(signals: Sequence[Signal], params: AtoParameters) -> float:
    """Weighted mean of the active signals x correlation boost (signals >= 0.15), capped at 1."""
    active = [signal for signal in signals if signal.score > 0]
    if not active:
        return 0.0
    weights = [params.signal_weights[signal.signal] for signal in active]
    mean = sum(weight * signal.score for weight, signal in zip(weights, active, strict=True)) / sum(weights)
    correlated = sum(1 for signal in active if signal.score >= BOOST_MIN_SIGNAL)
    boost = BOOST_THREE if correlated >= 3 else BOOST_TWO if correlated == 2 else 1.0
    return min(mean * boost, 1.0)


def assess(inputs: AtoInputs, params: AtoParameters) -> AtoResult:
    signals = collect_signals(inputs, params)
    score = combine(signals, params)
    access = any(is_access_signal(signal, params) for signal in signals)
    capped = False
    if not access and score > params.familiar_context_cap:
        score, capped = params.familiar_context_cap, True
    if any(signal.signal == "impossible_travel" for signal in signals):
        score = max(score, params.high_threshold)
    passed = "passed" in inputs.step_up_results
    if passed:
        score *= params.step_up_passed_factor
    score = round(score, 4)
    level, response = level_of(score, params)
    return AtoResult(
        score=score,
        risk_level=level,
        recommended_response=response,
        signals=signals,
        access_signal_present=access,
        capped=capped,
        step_up_passed=passed,
    )
