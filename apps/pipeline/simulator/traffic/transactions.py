"""Customer money movements started in a session: peer transfers, wallet top-ups and withdrawals.

transaction-initiated → transaction-completed (mostly), -failed (a few), or -flagged (rare; then
completed unless blocked). Every later event carries the same transaction_id, user_id and amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.pipeline.simulator.formats import HOUR, MINUTE, percent_of
from apps.pipeline.simulator.payloads import money as payloads
from apps.pipeline.simulator.runtime import Activity, Sim
from apps.pipeline.simulator.traffic.common import SessionContext, agent_near, amount_cents, payment_reference

FAILURE_RATE = 0.03
FLAG_RATE = 0.015
FLAG_ACTIONS: dict[str, float] = {"allowed_with_flag": 0.5, "held_for_review": 0.35, "blocked": 0.15}
FLAG_REASONS: dict[str, tuple[str, str, str]] = {
    "p2p_transfer": ("velocity_limit", "p2p_daily_count", "Several peer-to-peer transfers today."),
    "wallet_topup": ("aml_threshold", "cash_daily_total", "Cash added today is close to the daily limit."),
    "withdrawal": ("fraud_suspicion", "new_payout_destination", "Withdrawal to a destination added recently."),
}


@dataclass(slots=True)
class Transfer:
    transaction_id: str
    user_id: str
    kind: str
    amount_cents: int
    method: str  # the external side's payment method (card, ach, cash) or wallet
    correlation_id: str


def start_transaction(sim: Sim, session: SessionContext, *, kind: str, amount: int | None = None) -> Activity:
    """Emit transaction-initiated now (inside the session) and return the activity that settles it."""
    rng, user = sim.rng, session.user
    agent = None
    recipient = None
    if kind == "p2p_transfer":
        cents = amount or amount_cents(rng, median=80, sigma=0.7, low=10, high=1500, round_to=5)
        method = "wallet" if rng.random() < 0.6 else "debit_card"
        source, destination = (method, payment_reference(rng, method)), ("wallet", "wallet_main")
        recipient = sim.world.pick_user(rng, where=lambda other: other is not user).user_id
    elif kind == "wallet_topup":
        cents = amount or amount_cents(rng, median=200, sigma=0.6, low=20, high=3000, round_to=10)
        method = "cash_at_agent" if rng.random() < 0.15 else user.funding_method
        agent = agent_near(rng, user.home) if method == "cash_at_agent" else None
        source, destination = (method, payment_reference(rng, method, agent=agent)), ("wallet", "wallet_main")
    else:
        cents = amount or amount_cents(rng, median=150, sigma=0.6, low=20, high=2500, round_to=10)
        method = "cash_at_agent" if rng.random() < 0.1 else user.funding_method
        agent = agent_near(rng, user.home) if method == "cash_at_agent" else None
        source, destination = ("wallet", "wallet_main"), (method, payment_reference(rng, method, agent=agent))
    transfer = Transfer(sim.ids.prefixed("txn"), user.user_id, kind, cents, method, sim.ids.uuid())
    sim.emit(
        "transaction-initiated",
        payloads.transaction_initiated(
            transaction_id=transfer.transaction_id,
            user_id=user.user_id,
            kind=kind,
            amount_cents=cents,
            source=source,
            destination=destination,
            at=sim.now_iso,
            recipient_id=recipient,
            agent_id=agent,
            ip_address=session.ip_address,
            device_id=session.device.device_id,
            geo=session.geo,
        ),
        transfer.correlation_id,
    )
    return settle_transaction(sim, transfer)


def fees_of(transfer: Transfer) -> tuple[int, int]:
    """(platform fee, processor fee) in cents."""
    if transfer.method in ("debit_card", "credit_card") and transfer.kind != "withdrawal":
        return 0, percent_of(transfer.amount_cents, 290) + 30
    if transfer.method == "debit_card":
        return percent_of(transfer.amount_cents, 150), 0
    if transfer.method == "cash_at_agent":
        return 199, 0
    return 0, 0


def settle_transaction(sim: Sim, transfer: Transfer) -> Activity:
    rng = sim.rng
    yield rng.uniform(1.0, 8.0)
    if rng.random() < FAILURE_RATE:
        code = {"debit_card": "card_declined", "ach": "insufficient_funds"}.get(transfer.method, "network_error")
        if rng.random() < 0.2:
            code = "network_error"
        sim.emit(
            "transaction-failed",
            payloads.transaction_failed(
                transaction_id=transfer.transaction_id,
                user_id=transfer.user_id,
                at=sim.now_iso,
                error_code=code,
                retry_eligible=code == "network_error" or rng.random() < 0.5,
            ),
            transfer.correlation_id,
        )
        return
    if rng.random() < FLAG_RATE:
        action = rng.choices(list(FLAG_ACTIONS), weights=list(FLAG_ACTIONS.values()))[0]
        flag_type, rule, description = FLAG_REASONS.get(transfer.kind, FLAG_REASONS["withdrawal"])
        sim.emit(
            "transaction-flagged",
            payloads.transaction_flagged(
                transaction_id=transfer.transaction_id,
                user_id=transfer.user_id,
                at=sim.now_iso,
                flag_type=flag_type,
                risk_score=rng.randint(50, 92),
                rule=rule,
                description=description,
                action=action,
            ),
            transfer.correlation_id,
        )
        if action == "blocked":
            return
        if action == "held_for_review":
            yield rng.uniform(1 * HOUR, 20 * HOUR)
    yield settlement_delay(sim, transfer.method)
    emit_transaction_completed(sim, transfer)


def settlement_delay(sim: Sim, method: str) -> float:
    if method == "ach":
        return sim.rng.uniform(20 * MINUTE, 6 * HOUR)
    return sim.rng.uniform(2.0, 40.0)


def emit_transaction_completed(sim: Sim, transfer: Transfer) -> None:
    platform_fee, processor_fee = fees_of(transfer)
    reference = None
    if transfer.method == "ach":
        reference = f"ach_{sim.ids.hex(14)}"
    elif transfer.method in ("debit_card", "credit_card"):
        reference = f"ch_{sim.ids.hex(20)}"
    sim.emit(
        "transaction-completed",
        payloads.transaction_completed(
            transaction_id=transfer.transaction_id,
            user_id=transfer.user_id,
            amount_cents=transfer.amount_cents,
            at=sim.now_iso,
            platform_fee_cents=platform_fee,
            processor_fee_cents=processor_fee,
            processor_reference=reference,
        ),
        transfer.correlation_id,
    )
