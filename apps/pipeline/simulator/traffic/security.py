"""Security events a customer causes inside a session: credential and MFA changes, step-up challenges."""

from __future__ import annotations

from apps.pipeline.simulator.payloads import security as payloads
from apps.pipeline.simulator.runtime import Sim
from apps.pipeline.simulator.traffic.common import SessionContext

MFA_METHODS: tuple[str, ...] = ("totp", "sms", "email", "biometric")
MFA_ACTIONS: dict[str, float] = {"enabled": 0.4, "method_changed": 0.45, "disabled": 0.15}
STEP_UP_RESULTS: dict[str, float] = {"passed": 0.92, "failed": 0.05, "expired": 0.03}


def credentials_changed(sim: Sim, session: SessionContext, credential: str) -> None:
    sim.emit(
        "account-credentials-changed",
        payloads.account_credentials_changed(
            user_id=session.user.user_id,
            credential=credential,
            at=sim.now_iso,
            session_id=session.session_id,
            ip_address=session.ip_address,
            device_id=session.device.device_id,
            geo=session.geo,
        ),
        session.correlation_id,
    )


def mfa_changed(sim: Sim, session: SessionContext) -> None:
    rng = sim.rng
    sim.emit(
        "security-mfa-changed",
        payloads.security_mfa_changed(
            user_id=session.user.user_id,
            action=rng.choices(list(MFA_ACTIONS), weights=list(MFA_ACTIONS.values()))[0],
            method=rng.choice(MFA_METHODS),
            at=sim.now_iso,
            session_id=session.session_id,
            ip_address=session.ip_address,
            device_id=session.device.device_id,
        ),
        session.correlation_id,
    )


def step_up(sim: Sim, session: SessionContext, *, result: str | None = None) -> str:
    """A step-up challenge in the session; returns its result (passed, failed or expired)."""
    rng = sim.rng
    outcome = result or rng.choices(list(STEP_UP_RESULTS), weights=list(STEP_UP_RESULTS.values()))[0]
    method = "biometric" if session.device.device_type in ("ios", "android") and rng.random() < 0.5 else "sms"
    sim.emit(
        "step-up-challenge-completed",
        payloads.step_up_challenge_completed(
            user_id=session.user.user_id,
            session_id=session.session_id,
            challenge_id=sim.ids.prefixed("chal", 10),
            method=method if rng.random() < 0.9 else rng.choice(("totp", "email", "document")),
            result=outcome,
            at=sim.now_iso,
        ),
        session.correlation_id,
    )
    return outcome
