"""Compliance scenarios for the traffic simulator (``manage.py simulate --scenario compliance_...``).

Each plants money events for customers of the simulated world and labels, outside the events, which
entity should raise which compliance alert (or none). docs/detection.md measures them with
``benchmarks/compliance_detection.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apps.pipeline.simulator import Planted, Scenario, ScenarioContext, register_scenario
from apps.pipeline.simulator.formats import HOUR, MINUTE
from apps.pipeline.simulator.payloads import circles as circle_payloads
from apps.pipeline.simulator.payloads import money
from apps.pipeline.simulator.traffic.common import agent_near, payment_reference
from apps.pipeline.simulator.traffic.remittances import fee_for
from apps.pipeline.simulator.world import Beneficiary, User

Envelope = dict[str, Any]
NEW_YORK = ZoneInfo("America/New_York")  # the default business-day zone (docs/compliance.md)


def _morning_before(ctx: ScenarioContext, span: float) -> float:
    """09:00-10:00 New York on or before the story's start, so a story of a few hours stays in one business
    day (and never in the future in live mode)."""
    start = ctx.timeline_start(span)
    local = datetime.fromtimestamp(start, NEW_YORK)
    morning = local.replace(hour=9, minute=0, second=0, microsecond=0)
    if morning > local:
        morning -= timedelta(days=1)
    return morning.timestamp() + ctx.rng.uniform(0, 3600)


def _cash_topup(ctx: ScenarioContext, user: User, cents: int, at: float) -> Envelope:
    agent = agent_near(ctx.rng, user.home)
    return ctx.event(
        "transaction-initiated",
        money.transaction_initiated(
            transaction_id=ctx.new_id("txn"),
            user_id=user.user_id,
            kind="wallet_topup",
            amount_cents=cents,
            source=("cash_at_agent", payment_reference(ctx.rng, "cash_at_agent", agent=agent)),
            destination=("wallet", "wallet_main"),
            agent_id=agent,
            at=ctx.iso(at),
        ),
        at=at,
    )


def _remittance(
    ctx: ScenarioContext, user: User, beneficiary: Beneficiary, cents: int, at: float, *, funding: str
) -> Envelope:
    fee, excise = fee_for(cents, funding)
    agent = agent_near(ctx.rng, user.home) if funding == "cash_at_agent" else None
    return ctx.event(
        "remittance-initiated",
        money.remittance_initiated(
            remittance_id=ctx.new_id("rem"),
            sender_id=user.user_id,
            beneficiary=beneficiary,
            send_cents=cents,
            scaled_rate=ctx.market.rate,
            fee_cents=fee,
            excise_tax_cents=excise,
            funding_method=funding,
            agent_id=agent,
            at=ctx.iso(at),
        ),
        at=at,
    )


def _beneficiary(ctx: ScenarioContext, user: User) -> Beneficiary:
    return ctx.rng.choice(user.beneficiaries)


def _has_beneficiary(user: User) -> bool:
    return bool(user.beneficiaries)


class CurrencyOverThreshold(Scenario):
    name = "compliance_ctr_currency"
    description = "Two currency cash-ins the same business day: a $6,000 top-up and a $5,000 cash-funded remittance."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user(_has_beneficiary)
        start = _morning_before(ctx, 3 * HOUR)
        first = _cash_topup(ctx, user, 600_000, start)
        second = _remittance(ctx, user, _beneficiary(ctx, user), 500_000, start + 2 * HOUR, funding="cash_at_agent")
        label = ctx.label(
            entity_type="user", entity_id=user.user_id, label="ctr_threshold", event=second, cash_in="11000.00"
        )
        return Planted([first, second], [label])


class NonCashLargeRemittance(Scenario):
    name = "compliance_ach_12000"
    description = "A $12,000 ACH-funded remittance: large, but not currency, so never a CTR."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user(_has_beneficiary)
        event = _remittance(ctx, user, _beneficiary(ctx, user), 1_200_000, ctx.timeline_start(MINUTE), funding="ach")
        return Planted([event], [ctx.label(entity_type="user", entity_id=user.user_id, label="no_ctr", event=event)])


class MicroStructuring(Scenario):
    name = "compliance_micro_structuring"
    description = "Five currency top-ups of $1,800-$1,990 at agents over one morning (each under the CTR line)."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user()
        start = _morning_before(ctx, 5 * HOUR)
        events = [
            _cash_topup(ctx, user, ctx.rng.randint(1800, 1990) * 100, start + hour * HOUR + ctx.rng.uniform(0, 600))
            for hour in range(5)
        ]
        label = ctx.label(entity_type="user", entity_id=user.user_id, label="structuring_micro", event=events[-1])
        return Planted(events, [label])


class FanOut(Scenario):
    name = "compliance_fan_out"
    description = "One sender, four transfers of $2,600-$3,400 to four different customers within 40 hours."

    def plant(self, ctx: ScenarioContext) -> Planted:
        sender, *recipients = ctx.pick_users(5)
        start = ctx.timeline_start(40 * HOUR)
        events = []
        for number, recipient in enumerate(recipients):
            at = start + number * 12 * HOUR + ctx.rng.uniform(0, 1800)
            events.append(
                ctx.event(
                    "transaction-initiated",
                    money.transaction_initiated(
                        transaction_id=ctx.new_id("txn"),
                        user_id=sender.user_id,
                        kind="p2p_transfer",
                        amount_cents=ctx.rng.randint(2600, 3400) * 100,
                        source=("ach", payment_reference(ctx.rng, "ach")),
                        destination=("wallet", "wallet_main"),
                        recipient_id=recipient.user_id,
                        at=ctx.iso(at),
                    ),
                    at=at,
                )
            )
        label = ctx.label(entity_type="user", entity_id=sender.user_id, label="structuring_fan_out", event=events[-1])
        return Planted(events, [label])


class Funnel(Scenario):
    name = "compliance_funnel"
    description = "Four senders each remit $2,600-$3,300 to the same beneficiary in Haiti within 40 hours."

    def plant(self, ctx: ScenarioContext) -> Planted:
        senders = ctx.pick_users(4, _has_beneficiary)
        beneficiary = _beneficiary(ctx, senders[0])
        start = ctx.timeline_start(40 * HOUR)
        events = [
            _remittance(
                ctx,
                sender,
                beneficiary,
                ctx.rng.randint(2600, 3300) * 100,
                start + number * 12 * HOUR + ctx.rng.uniform(0, 1800),
                funding=sender.funding_method,
            )
            for number, sender in enumerate(senders)
        ]
        label = ctx.label(
            entity_type="user",
            entity_id=beneficiary.beneficiary_id,
            label="structuring_funnel",
            event=events[-1],
            senders=[sender.user_id for sender in senders],
        )
        return Planted(events, [label])


class RapidMovement(Scenario):
    name = "compliance_rapid_movement"
    description = "A $4,000-$6,000 circle payout, 85-95% of it remitted to Haiti within six hours."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user(_has_beneficiary)
        start = ctx.timeline_start(6 * HOUR)
        received = ctx.rng.randint(4000, 6000) * 100
        circle_id = ctx.new_id("circle")
        payout = ctx.event(
            "circle-payout-executed",
            circle_payloads.circle_payout_executed(
                circle_id=circle_id,
                recipient_id=user.user_id,
                payout_id=ctx.new_id("payout"),
                amount_cents=received,
                cycle_number=1,
                payout_method="ach",
                at=ctx.iso(start),
            ),
            at=start,
        )
        share = ctx.rng.uniform(0.85, 0.95)
        sent = _remittance(
            ctx,
            user,
            _beneficiary(ctx, user),
            int(received * share) // 100 * 100,
            start + ctx.rng.uniform(1, 5) * HOUR,
            funding="wallet",
        )
        label = ctx.label(entity_type="user", entity_id=user.user_id, label="rapid_movement", event=sent)
        return Planted([payout, sent], [label])


SCENARIOS: tuple[Scenario, ...] = (
    CurrencyOverThreshold(),
    NonCashLargeRemittance(),
    MicroStructuring(),
    FanOut(),
    Funnel(),
    RapidMovement(),
)


def register_compliance_scenarios() -> None:
    for scenario in SCENARIOS:
        register_scenario(scenario)
