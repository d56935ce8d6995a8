"""What a customer does once logged in. Each intent emits its user-action-performed events (and the
money or security events those actions cause) and returns how many actions it performed."""

from __future__ import annotations

from collections.abc import Callable, Generator

from apps.pipeline.simulator.payloads import users as payloads
from apps.pipeline.simulator.runtime import ClockGap, Sim
from apps.pipeline.simulator.traffic.common import SessionContext, amount_cents
from apps.pipeline.simulator.traffic.remittances import start_remittance
from apps.pipeline.simulator.traffic.security import credentials_changed, mfa_changed, step_up
from apps.pipeline.simulator.traffic.transactions import start_transaction
from apps.pipeline.simulator.world import new_beneficiary

ActionRun = Generator[float | ClockGap, None, int]
Intent = Callable[[Sim, SessionContext], ActionRun]

LARGE_REMITTANCE_RATE = 0.02
BROWSING: tuple[tuple[str, str], ...] = (
    ("page_view", "/home"),
    ("page_view", "/activity"),
    ("page_view", "/remittances/history"),
    ("circle_browse", "/circles"),
    ("view_statement", "/statements"),
    ("button_click", "/home/refresh"),
    ("page_view", "/wallet"),
)
PROFILE_FIELDS: tuple[str, ...] = ("address", "occupation", "language", "phone", "email")


def act(sim: Sim, session: SessionContext, action_type: str, target: str) -> None:
    sim.emit(
        "user-action-performed",
        payloads.user_action_performed(
            user_id=session.user.user_id,
            session_id=session.session_id,
            action_id=sim.ids.prefixed("act"),
            action_type=action_type,
            target=target,
            at=sim.now_iso,
            duration_ms=sim.rng.randint(300, 30_000),
        ),
        session.correlation_id,
    )


def pause(sim: Sim) -> float:
    return sim.rng.uniform(4.0, 75.0)


def browse(sim: Sim, session: SessionContext) -> ActionRun:
    count = sim.rng.randint(2, 8)
    for _ in range(count):
        yield pause(sim)
        act(sim, session, *sim.rng.choice(BROWSING))
    return count


def remit(sim: Sim, session: SessionContext) -> ActionRun:
    rng, user = sim.rng, session.user
    yield pause(sim)
    act(sim, session, "page_view", "/home")
    count = 1
    if not user.beneficiaries or rng.random() < 0.04:
        yield pause(sim)
        act(sim, session, "add_recipient", "/remittances/recipients/new")
        count += 1
        user.beneficiaries.append(new_beneficiary(rng, sim.ids, family=user.last_name))
    beneficiary = user.beneficiaries[0] if rng.random() < 0.7 else rng.choice(user.beneficiaries)
    yield pause(sim)
    act(sim, session, "remittance_initiate", "/remittances/new")
    count += 1
    send = None
    if rng.random() < LARGE_REMITTANCE_RATE:
        send = amount_cents(rng, median=2000, sigma=0.2, low=1500, high=3000, round_to=50)
        yield pause(sim)
        act(sim, session, "initiate_large_transaction", "/remittances/review")
        count += 1
        yield rng.uniform(10.0, 60.0)
        if step_up(sim, session) != "passed":
            return count
    yield pause(sim)
    act(sim, session, "form_submit", "/remittances/confirm")
    sim.spawn(start_remittance(sim, session, beneficiary=beneficiary, send_cents=send))
    return count + 1


def transfer(sim: Sim, session: SessionContext) -> ActionRun:
    rng = sim.rng
    kind = rng.choices(("p2p_transfer", "wallet_topup", "withdrawal"), weights=(0.45, 0.35, 0.2))[0]
    yield pause(sim)
    act(sim, session, "page_view", "/wallet")
    count = 1
    if rng.random() < 0.05:
        yield pause(sim)
        act(sim, session, "add_payment_method", "/settings/payment-methods/new")
        count += 1
    yield pause(sim)
    act(sim, session, "form_submit", f"/wallet/{kind.replace('_', '-')}")
    sim.spawn(start_transaction(sim, session, kind=kind))
    if rng.random() < 0.03:
        yield pause(sim)
        act(sim, session, "remove_payment_method", "/settings/payment-methods")
        count += 1
    return count + 1


def circle(sim: Sim, session: SessionContext) -> ActionRun:
    yield pause(sim)
    act(sim, session, "circle_browse", "/circles")
    yield pause(sim)
    act(
        sim,
        session,
        *sim.rng.choice((("circle_join_request", "/circles/join"), ("contribution_initiate", "/circles/contribute"))),
    )
    return 2


def profile(sim: Sim, session: SessionContext) -> ActionRun:
    rng = sim.rng
    fields = rng.sample(PROFILE_FIELDS, rng.choice((1, 1, 2)))
    yield pause(sim)
    action = "change_email" if "email" in fields else "change_phone" if "phone" in fields else "settings_change"
    act(sim, session, action, "/settings/profile")
    yield rng.uniform(2.0, 20.0)
    sim.emit(
        "user-profile-updated",
        payloads.user_profile_updated(
            user_id=session.user.user_id, at=sim.now_iso, changed_fields=fields, session_id=session.session_id
        ),
        session.correlation_id,
    )
    for credential in ("email", "phone"):
        if credential in fields:
            credentials_changed(sim, session, credential)
    return 1


def security(sim: Sim, session: SessionContext) -> ActionRun:
    rng = sim.rng
    yield pause(sim)
    act(sim, session, "page_view", "/settings/security")
    choice = rng.choices(("password", "mfa", "settings"), weights=(0.45, 0.35, 0.2))[0]
    yield pause(sim)
    if choice == "password":
        act(sim, session, "change_password", "/settings/security/password")
        yield rng.uniform(2.0, 15.0)
        credentials_changed(sim, session, "password")
    elif choice == "mfa":
        act(sim, session, "change_mfa_settings", "/settings/security/mfa")
        yield rng.uniform(2.0, 15.0)
        mfa_changed(sim, session)
    else:
        act(sim, session, "update_security_settings", "/settings/security/devices")
        yield rng.uniform(5.0, 40.0)
        step_up(sim, session)
    return 2


def password_reset(sim: Sim, session: SessionContext) -> ActionRun:
    """The first session after an unlock: the customer sets a new password."""
    yield pause(sim)
    act(sim, session, "change_password", "/settings/security/password")
    yield sim.rng.uniform(2.0, 15.0)
    credentials_changed(sim, session, "password")
    return 1


def support(sim: Sim, session: SessionContext) -> ActionRun:
    yield pause(sim)
    act(sim, session, "support_contact", "/support/chat")
    yield sim.rng.uniform(60.0, 600.0)
    act(sim, session, "page_view", "/home")
    return 2


INTENTS: dict[str, Intent] = {
    "browse": browse,
    "remit": remit,
    "transfer": transfer,
    "circle": circle,
    "profile": profile,
    "security": security,
    "support": support,
    "password_reset": password_reset,
}
INTENT_WEIGHTS: dict[str, float] = {
    "browse": 0.55,
    "remit": 0.1,
    "transfer": 0.08,
    "circle": 0.1,
    "profile": 0.03,
    "security": 0.02,
    "support": 0.05,
}
