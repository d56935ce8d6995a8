"""Fraud scenarios for the traffic simulator (``manage.py simulate --scenario fraud_...``).

Each plants ``transaction-initiated`` events for one customer of the simulated world and labels every
planted fraudulent transaction (entity ``transaction``, the event that should be caught) outside the
events. Detection figures in docs/detection.md come from these (``benchmarks/fraud_detection.py``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apps.pipeline.simulator import Planted, Scenario, ScenarioContext, register_scenario
from apps.pipeline.simulator.formats import DAY, HOUR, MINUTE
from apps.pipeline.simulator.payloads import money
from apps.pipeline.simulator.payloads.users import geo_of
from apps.pipeline.simulator.traffic.common import agent_near, payment_reference
from apps.pipeline.simulator.world import Device, User, mobile_ip

Envelope = dict[str, Any]


@dataclass(frozen=True)
class Abroad:
    city: str
    country: str
    latitude: float
    longitude: float


# Far from the US East Coast and from Haiti (≥ 5,000 km): no flight gets there in under five hours.
FAR_AWAY: tuple[Abroad, ...] = (
    Abroad("Lagos", "NG", 6.5244, 3.3792),
    Abroad("Accra", "GH", 5.6037, -0.1870),
    Abroad("Paris", "FR", 48.8566, 2.3522),
    Abroad("Bucharest", "RO", 44.4268, 26.1025),
    Abroad("Sao Paulo", "BR", -23.5505, -46.6333),
    Abroad("Manila", "PH", 14.5995, 120.9842),
)


def _abroad_geo(place: Abroad, rng: random.Random) -> dict[str, Any]:
    return {
        "latitude": round(place.latitude + rng.uniform(-0.02, 0.02), 4),
        "longitude": round(place.longitude + rng.uniform(-0.02, 0.02), 4),
        "country": place.country,
        "city": place.city,
    }


class _FraudScenario(Scenario):
    """Shared builders: a transaction of ``user`` at ``at``, from home (or a given device/place)."""

    def _transaction(
        self,
        ctx: ScenarioContext,
        user: User,
        *,
        at: float,
        kind: str,
        cents: int,
        recipient: str | None = None,
        device: Device | None = None,
        geo: dict[str, Any] | None = None,
        ip_address: str | None = None,
        cash: bool = False,
    ) -> Envelope:
        rng = ctx.rng
        device = device or user.primary_device
        agent = agent_near(rng, user.home) if cash else None
        method = "cash_at_agent" if cash else user.funding_method
        if kind in ("wallet_topup", "remittance", "circle_contribution"):
            source = (method, payment_reference(rng, method, agent=agent))
            destination = ("wallet", "wallet_main")
        else:
            source = ("wallet", "wallet_main")
            destination = (method, payment_reference(rng, method, agent=agent))
        payload = money.transaction_initiated(
            transaction_id=ctx.new_id("txn"),
            user_id=user.user_id,
            kind=kind,
            amount_cents=cents,
            source=source,
            destination=destination,
            at=ctx.iso(at),
            recipient_id=recipient,
            agent_id=agent,
            ip_address=ip_address or device.ip_address,
            device_id=device.device_id,
            geo=geo or geo_of(user.home, rng),
        )
        return ctx.event("transaction-initiated", payload, at=at, correlation_id=ctx.uuid())

    def _label(self, ctx: ScenarioContext, events: Sequence[Envelope], label: str, **details: Any) -> list[Any]:
        """One label per fraudulent transaction; ``instance`` groups the labels of one planting."""
        instance = ctx.uuid()
        return [
            ctx.label(
                entity_type="transaction",
                entity_id=event["payload"]["transaction_id"],
                label=label,
                event=event,
                user_id=event["payload"]["user_id"],
                instance=instance,
                **details,
            )
            for event in events
        ]

    def _recipients(self, ctx: ScenarioContext, user: User, count: int) -> list[str]:
        others = ctx.pick_users(min(count, max(len(ctx.world.active_users) - 1, 1)), where=lambda o: o is not user)
        return [other.user_id for other in others]


class VelocityBurst(_FraudScenario):
    name = "fraud_velocity_burst"
    description = "16-24 transfers from one account within 25-45 minutes to several people (an account drain)."

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user()
        count = rng.randint(16, 24)
        span = rng.uniform(25, 45) * MINUTE
        start = ctx.timeline_start(span)
        recipients = self._recipients(ctx, user, rng.randint(3, 8))
        moments = sorted(start + rng.uniform(0, span) for _ in range(count))
        events = [
            self._transaction(
                ctx,
                user,
                at=at,
                kind="p2p_transfer",
                cents=rng.randint(40, 400) * 100,
                recipient=rng.choice(recipients),
            )
            for at in moments
        ]
        return Planted(events, self._label(ctx, events, "velocity_burst", burst_size=count))


class _Structuring(_FraudScenario):
    low: int
    high: int
    counts: tuple[int, int]
    label_value = "structuring"

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user()
        count = rng.randint(*self.counts)
        gaps = [rng.uniform(6 * HOUR, 30 * HOUR) for _ in range(count - 1)]
        start = ctx.timeline_start(sum(gaps))
        moments = [start]
        for gap in gaps:
            moments.append(moments[-1] + gap)
        events = []
        for at in moments:
            cents = rng.randint(self.low, self.high) * 100 + rng.randint(0, 99)
            events.append(
                self._transaction(ctx, user, at=at, kind="wallet_topup", cents=cents, cash=rng.random() < 0.7)
            )
        return Planted(events, self._label(ctx, events, self.label_value, deposits=count))


class StructuringUnder3k(_Structuring):
    name = "fraud_structuring_3k"
    description = "3-5 top-ups of $2,800-$2,995 over a few days, each just under the $3,000 line."
    low, high, counts = 2800, 2994, (3, 5)


class StructuringUnder10k(_Structuring):
    name = "fraud_structuring_10k"
    description = "2-3 top-ups of $9,400-$9,980 over a few days, each just under the $10,000 line."
    low, high, counts = 9400, 9979, (2, 3)


class ImpossibleTravel(_FraudScenario):
    name = "fraud_impossible_travel"
    description = "A purchase at home, then 10-90 minutes later one from another continent."

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user()
        delay = rng.uniform(10, 90) * MINUTE
        start = ctx.timeline_start(delay)
        home = self._transaction(ctx, user, at=start, kind="p2p_transfer", cents=rng.randint(30, 250) * 100,
                                 recipient=self._recipients(ctx, user, 1)[0])  # fmt: skip
        place = rng.choice(FAR_AWAY)
        device = ctx.new_device(user) if rng.random() < 0.5 else user.primary_device
        far = self._transaction(
            ctx, user, at=start + delay, kind="withdrawal", cents=rng.randint(200, 900) * 100, device=device,
            geo=_abroad_geo(place, rng), ip_address=mobile_ip(rng),
        )  # fmt: skip
        return Planted([home, far], self._label(ctx, [far], "impossible_travel", minutes=round(delay / MINUTE)))


class AccountTakeoverTransfer(_FraudScenario):
    name = "fraud_account_takeover"
    description = "A customer's usual transfer, then a day later a large transfer from a new device in a new country."

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user()
        gap = rng.uniform(0.5, 1.5) * DAY
        start = ctx.timeline_start(gap)
        usual = self._transaction(ctx, user, at=start, kind="p2p_transfer", cents=rng.randint(30, 250) * 100,
                                  recipient=self._recipients(ctx, user, 1)[0])  # fmt: skip
        place = rng.choice(FAR_AWAY)
        taken = self._transaction(
            ctx, user, at=start + gap, kind=rng.choice(("withdrawal", "p2p_transfer")),
            cents=rng.randint(3000, 8000) * 100, recipient=ctx.new_id("acct", 10), device=ctx.new_device(user),
            geo=_abroad_geo(place, rng), ip_address=mobile_ip(rng),
        )  # fmt: skip
        return Planted([usual, taken], self._label(ctx, [taken], "account_takeover", country=place.country))


class DuplicatePayments(_FraudScenario):
    name = "fraud_duplicate_payments"
    description = "The same payment to one person sent 3-4 times within 2-8 minutes."

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user()
        count = rng.randint(3, 4)
        span = rng.uniform(2, 8) * MINUTE
        start = ctx.timeline_start(span)
        recipient = self._recipients(ctx, user, 1)[0]
        cents = rng.randint(150, 1500) * 100
        moments = [start, *sorted(start + rng.uniform(20, span) for _ in range(count - 1))]
        events = [
            self._transaction(ctx, user, at=at, kind="p2p_transfer", cents=cents, recipient=recipient) for at in moments
        ]
        # The first payment was meant; the repeats are the duplicates.
        return Planted(events, self._label(ctx, events[1:], "duplicate_payment", copies=count))


SCENARIOS: tuple[Scenario, ...] = (
    VelocityBurst(),
    StructuringUnder3k(),
    StructuringUnder10k(),
    ImpossibleTravel(),
    AccountTakeoverTransfer(),
    DuplicatePayments(),
)


def register() -> None:
    for scenario in SCENARIOS:
        register_scenario(scenario)


__all__ = ["FAR_AWAY", "SCENARIOS", "register"]
