"""The money side of a circle: each contribution and payout is a transaction (initiated → completed)
followed by the circle event that references it."""

from __future__ import annotations

from collections.abc import Generator

from apps.pipeline.simulator.formats import percent_of
from apps.pipeline.simulator.payloads import circles as payloads
from apps.pipeline.simulator.payloads import money as money_payloads
from apps.pipeline.simulator.runtime import ClockGap, Sim
from apps.pipeline.simulator.traffic.common import agent_near, payment_reference
from apps.pipeline.simulator.traffic.transactions import Transfer, emit_transaction_completed
from apps.pipeline.simulator.world import Circle, CircleMember

PAYOUT_METHODS: dict[str, float] = {"ach": 0.6, "debit_card": 0.2, "wallet": 0.15, "cash_at_agent": 0.05}
CONTRIBUTION_FEE_BASIS_POINTS = 100

Steps = Generator[float | ClockGap, None, float]


def pot_of(circle: Circle) -> tuple[str, str]:
    return "wallet", f"circle_pot_{circle.circle_id.removeprefix('circle_')}"


def contribute(sim: Sim, circle: Circle, member: CircleMember, cycle_number: int, days_late: int) -> Steps:
    """A member pays this cycle's contribution; returns the story seconds it took."""
    rng = sim.rng
    user = member.user
    agent = agent_near(rng, user.home) if member.payment_method == "cash_at_agent" else None
    transfer = Transfer(
        sim.ids.prefixed("txn"),
        user.user_id,
        "circle_contribution",
        circle.contribution_cents,
        member.payment_method,
        circle.correlation_id,
    )
    sim.emit(
        "transaction-initiated",
        money_payloads.transaction_initiated(
            transaction_id=transfer.transaction_id,
            user_id=user.user_id,
            kind="circle_contribution",
            amount_cents=transfer.amount_cents,
            source=(member.payment_method, payment_reference(rng, member.payment_method, agent=agent)),
            destination=pot_of(circle),
            at=sim.now_iso,
            agent_id=agent,
            circle_id=circle.circle_id,
            cycle_number=cycle_number,
        ),
        circle.correlation_id,
    )
    took = rng.uniform(2.0, 20.0)
    yield took
    fee = percent_of(transfer.amount_cents, CONTRIBUTION_FEE_BASIS_POINTS)
    sim.emit(
        "transaction-completed",
        money_payloads.transaction_completed(
            transaction_id=transfer.transaction_id,
            user_id=user.user_id,
            amount_cents=transfer.amount_cents,
            at=sim.now_iso,
            platform_fee_cents=fee,
            processor_fee_cents=0,
            processor_reference=f"ach_{sim.ids.hex(14)}" if member.payment_method == "ach" else None,
        ),
        circle.correlation_id,
    )
    member.payments_made += 1
    member.consecutive_misses = 0
    sim.emit(
        "circle-contribution-received",
        payloads.circle_contribution_received(
            circle_id=circle.circle_id,
            user_id=user.user_id,
            contribution_id=sim.ids.prefixed("contrib", 10),
            amount_cents=circle.contribution_cents,
            cycle_number=cycle_number,
            payment_method=member.payment_method,
            at=sim.now_iso,
            days_late=days_late,
            agent_id=agent,
            transaction_id=transfer.transaction_id,
        ),
        circle.correlation_id,
    )
    return took


def pay_out(sim: Sim, circle: Circle, recipient: CircleMember, cycle_number: int) -> Steps:
    """The pot goes to this cycle's recipient: contribution x members still in the circle."""
    rng = sim.rng
    user = recipient.user
    amount = circle.contribution_cents * len(circle.active_members)
    method = rng.choices(list(PAYOUT_METHODS), weights=list(PAYOUT_METHODS.values()))[0]
    agent = agent_near(rng, user.home) if method == "cash_at_agent" else None
    transfer = Transfer(sim.ids.prefixed("txn"), user.user_id, "circle_payout", amount, method, circle.correlation_id)
    sim.emit(
        "transaction-initiated",
        money_payloads.transaction_initiated(
            transaction_id=transfer.transaction_id,
            user_id=user.user_id,
            kind="circle_payout",
            amount_cents=amount,
            source=pot_of(circle),
            destination=(method, payment_reference(rng, method, agent=agent)),
            at=sim.now_iso,
            agent_id=agent,
            circle_id=circle.circle_id,
            cycle_number=cycle_number,
        ),
        circle.correlation_id,
    )
    took = rng.uniform(5.0, 60.0)
    yield took
    emit_transaction_completed(sim, transfer)
    recipient.has_received = True
    sim.emit(
        "circle-payout-executed",
        payloads.circle_payout_executed(
            circle_id=circle.circle_id,
            recipient_id=user.user_id,
            payout_id=sim.ids.prefixed("payout", 10),
            amount_cents=amount,
            cycle_number=cycle_number,
            payout_method=method,
            at=sim.now_iso,
            agent_id=agent,
            transaction_id=transfer.transaction_id,
        ),
        circle.correlation_id,
    )
    return took
