"""US → Haiti remittances, and the published USD/HTG rate they use.

remittance-initiated (in a session) → processing: compliance_check → [transaction-initiated for the
funding] → funds_captured (transaction-completed) → partner_submitted → in_transit → completed.
A few fail at each step with the matching reason and refund status (and a refund transaction when
money had been collected).
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.pipeline.simulator.formats import DAY, HOUR, MINUTE, RATE_SCALE, convert, iso_date, percent_of
from apps.pipeline.simulator.payloads import money as payloads
from apps.pipeline.simulator.runtime import Activity, ClockGap, Sim
from apps.pipeline.simulator.traffic.common import SessionContext, agent_near, amount_cents, payment_reference
from apps.pipeline.simulator.traffic.transactions import Transfer, emit_transaction_completed
from apps.pipeline.simulator.world import Beneficiary

RATE_FLOOR, RATE_CEILING, RATE_CENTRE = 129 * RATE_SCALE, 136 * RATE_SCALE, 1_325_000
RATE_SOURCES: tuple[str, ...] = ("central_bank_feed", "brh_reference_rate")
DELIVERY_TIMES: dict[str, tuple[float, float]] = {
    "mobile_wallet": (1 * MINUTE, 20 * MINUTE),
    "bank_deposit": (1 * HOUR, 20 * HOUR),
    "cash_pickup_agent": (30 * MINUTE, 36 * HOUR),
}


@dataclass(slots=True)
class Remittance:
    remittance_id: str
    transaction_id: str
    sender_id: str
    beneficiary: Beneficiary
    send_cents: int
    fee_cents: int
    excise_tax_cents: int
    scaled_rate: int
    funding_method: str
    agent_id: str | None
    correlation_id: str
    session: SessionContext


def fee_for(send_cents: int, funding_method: str) -> tuple[int, int]:
    """(Trebanx fee, 1% US remittance excise tax on cash-funded transfers) in cents."""
    if funding_method == "cash_at_agent":
        return min(1999, 499 + percent_of(send_cents, 100)), percent_of(send_cents, 100)
    if funding_method == "ach":
        return (299 if send_cents <= 50_000 else min(1499, percent_of(send_cents, 80))), 0
    return min(1999, 399 + percent_of(send_cents, 100)), 0


def start_remittance(
    sim: Sim,
    session: SessionContext,
    *,
    beneficiary: Beneficiary,
    send_cents: int | None = None,
    funding_method: str | None = None,
) -> Activity:
    """Emit remittance-initiated now (inside the session) and return the activity that carries it through."""
    rng, user = sim.rng, session.user
    send = send_cents or amount_cents(rng, median=150, sigma=0.65, low=25, high=1000, round_to=5)
    funding = funding_method or ("cash_at_agent" if rng.random() < 0.05 else user.funding_method)
    agent = agent_near(rng, user.home) if funding == "cash_at_agent" else None
    fee, excise = fee_for(send, funding)
    remittance = Remittance(
        sim.ids.prefixed("rem"),
        sim.ids.prefixed("txn"),
        user.user_id,
        beneficiary,
        send,
        fee,
        excise,
        sim.market.rate,
        funding,
        agent,
        sim.ids.uuid(),
        session,
    )
    sim.emit(
        "remittance-initiated",
        payloads.remittance_initiated(
            remittance_id=remittance.remittance_id,
            sender_id=user.user_id,
            beneficiary=beneficiary,
            send_cents=send,
            scaled_rate=remittance.scaled_rate,
            fee_cents=fee,
            excise_tax_cents=excise,
            funding_method=funding,
            at=sim.now_iso,
            agent_id=agent,
            transaction_id=remittance.transaction_id,
            ip_address=session.ip_address,
            device_id=session.device.device_id,
            geo=session.geo,
        ),
        remittance.correlation_id,
    )
    return carry_remittance(sim, remittance)


def carry_remittance(sim: Sim, remittance: Remittance) -> Activity:
    rng = sim.rng
    yield rng.uniform(2.0, 30.0)
    if rng.random() < 0.005:
        fail(sim, remittance, "cancelled_by_sender", "not_required")
        return
    processing(sim, remittance, "compliance_check")
    if rng.random() < 0.008:
        yield rng.uniform(10 * MINUTE, 6 * HOUR)
        fail(sim, remittance, "compliance_rejected", "not_required")
        return
    yield rng.uniform(5.0, 90.0)
    transfer = fund(sim, remittance)
    yield {"ach": rng.uniform(20 * MINUTE, 4 * HOUR), "cash_at_agent": rng.uniform(1.0, 5.0)}.get(
        remittance.funding_method, rng.uniform(2.0, 20.0)
    )
    if remittance.funding_method != "cash_at_agent" and rng.random() < 0.015:
        code = "insufficient_funds" if remittance.funding_method == "ach" else "card_declined"
        sim.emit(
            "transaction-failed",
            payloads.transaction_failed(
                transaction_id=transfer.transaction_id,
                user_id=transfer.user_id,
                at=sim.now_iso,
                error_code=code,
                retry_eligible=True,
            ),
            remittance.correlation_id,
        )
        fail(sim, remittance, "insufficient_funds", "not_required")
        return
    emit_transaction_completed(sim, transfer)
    processing(sim, remittance, "funds_captured")
    yield rng.uniform(2 * MINUTE, 30 * MINUTE)
    code = remittance.beneficiary.place.code.upper()
    reference = f"{code}-{iso_date(sim.now).replace('-', '')}-{rng.randint(1000, 9999)}"
    processing(sim, remittance, "partner_submitted", reference)
    if rng.random() < 0.007:
        yield rng.uniform(5 * MINUTE, 1 * HOUR)
        fail(sim, remittance, "partner_rejected", "pending")
        sim.spawn(refund(sim, remittance), rng.uniform(1 * DAY, 3 * DAY))
        return
    yield rng.uniform(1 * MINUTE, 15 * MINUTE)
    processing(sim, remittance, "in_transit")
    delivery = remittance.beneficiary.delivery_method
    yield rng.uniform(*DELIVERY_TIMES[delivery])
    if rng.random() < (0.015 if delivery == "cash_pickup_agent" else 0.004):
        fail(sim, remittance, "recipient_unreachable", "pending")
        sim.spawn(refund(sim, remittance), rng.uniform(1 * DAY, 3 * DAY))
        return
    beneficiary = remittance.beneficiary
    sim.emit(
        "remittance-completed",
        payloads.remittance_completed(
            remittance_id=remittance.remittance_id,
            sender_id=remittance.sender_id,
            at=sim.now_iso,
            receive_cents=convert(remittance.send_cents, remittance.scaled_rate),
            scaled_rate=remittance.scaled_rate,
            confirmed_by=(beneficiary.payout_agent_id if delivery == "cash_pickup_agent" else None)
            or beneficiary.partner,
            confirmation_code=f"CNF-{rng.randint(10000, 99999)}",
        ),
        remittance.correlation_id,
    )


def fund(sim: Sim, remittance: Remittance) -> Transfer:
    """The US-side money movement of the remittance (same id as remittance-initiated.transaction_id)."""
    session = remittance.session
    transfer = Transfer(
        remittance.transaction_id,
        remittance.sender_id,
        "remittance",
        remittance.send_cents,
        remittance.funding_method,
        remittance.correlation_id,
    )
    sim.emit(
        "transaction-initiated",
        payloads.transaction_initiated(
            transaction_id=transfer.transaction_id,
            user_id=remittance.sender_id,
            kind="remittance",
            amount_cents=remittance.send_cents,
            source=(
                remittance.funding_method,
                payment_reference(sim.rng, remittance.funding_method, agent=remittance.agent_id),
            ),
            destination=("wallet", "remittance_settlement_ht"),
            at=sim.now_iso,
            recipient_id=remittance.beneficiary.beneficiary_id,
            agent_id=remittance.agent_id,
            remittance_id=remittance.remittance_id,
            ip_address=session.ip_address,
            device_id=session.device.device_id,
            geo=session.geo,
        ),
        remittance.correlation_id,
    )
    return transfer


def processing(sim: Sim, remittance: Remittance, status: str, reference: str | None = None) -> None:
    sim.emit(
        "remittance-processing",
        payloads.remittance_processing(
            remittance_id=remittance.remittance_id,
            sender_id=remittance.sender_id,
            status=status,
            at=sim.now_iso,
            processor_reference=reference,
        ),
        remittance.correlation_id,
    )


def fail(sim: Sim, remittance: Remittance, reason: str, refund_status: str) -> None:
    sim.emit(
        "remittance-failed",
        payloads.remittance_failed(
            remittance_id=remittance.remittance_id,
            sender_id=remittance.sender_id,
            at=sim.now_iso,
            reason=reason,
            refund_status=refund_status,
        ),
        remittance.correlation_id,
    )


def refund(sim: Sim, remittance: Remittance) -> Activity:
    """Money collected for a remittance that could not be delivered goes back to the sender."""
    method = "wallet" if remittance.funding_method == "cash_at_agent" else remittance.funding_method
    transfer = Transfer(
        sim.ids.prefixed("txn"),
        remittance.sender_id,
        "refund",
        remittance.send_cents + remittance.fee_cents,
        method,
        remittance.correlation_id,
    )
    sim.emit(
        "transaction-initiated",
        payloads.transaction_initiated(
            transaction_id=transfer.transaction_id,
            user_id=remittance.sender_id,
            kind="refund",
            amount_cents=transfer.amount_cents,
            source=("wallet", "remittance_settlement_ht"),
            destination=(method, payment_reference(sim.rng, method)),
            at=sim.now_iso,
            remittance_id=remittance.remittance_id,
        ),
        remittance.correlation_id,
    )
    yield sim.rng.uniform(30.0, 4 * HOUR)
    emit_transaction_completed(sim, transfer)


def publish_rates(sim: Sim, *, every: float) -> Activity:
    """exchange-rate-updated a few times a day: a mean-reverting walk kept within 129-136 HTG/USD."""
    rng, market = sim.rng, sim.market
    while True:
        sim.emit(
            "exchange-rate-updated",
            payloads.exchange_rate_updated(
                scaled_rate=market.rate,
                previous=market.previous,
                at=sim.now_iso,
                source=RATE_SOURCES[0] if rng.random() < 0.8 else RATE_SOURCES[1],
            ),
        )
        yield ClockGap(rng.uniform(0.7 * every, 1.3 * every))
        step = rng.gauss(0.0, 0.003) * market.rate + (RATE_CENTRE - market.rate) * 0.05
        market.previous = market.rate
        market.rate = int(min(RATE_CEILING, max(RATE_FLOOR, market.rate + step)))
