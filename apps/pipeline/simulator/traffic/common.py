"""Small pieces shared by the traffic activities."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from apps.pipeline.simulator.places import Place, agent_id
from apps.pipeline.simulator.world import Device, User

Payload = dict[str, Any]


@dataclass(slots=True)
class SessionContext:
    """Where and how a customer is connected: money moved in a session carries these."""

    user: User
    device: Device
    session_id: str
    ip_address: str
    geo: Payload
    correlation_id: str


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth; fine for the small means used here)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def agent_near(rng: random.Random, place: Place) -> str:
    """A Trebanx cash agent in the customer's city (a few dozen per city)."""
    return agent_id(place, rng.randint(1, 40))


def payment_reference(rng: random.Random, method: str, *, agent: str | None = None) -> str:
    """The opaque reference Trebanx puts on one side of a money movement (masked, never a full number)."""
    if method == "ach":
        return f"ach_****{rng.randint(0, 9999):04d}"
    if method in ("debit_card", "credit_card"):
        return f"card_****{rng.randint(0, 9999):04d}"
    if method == "cash_at_agent":
        return f"drawer_{(agent or 'agent')[9:]}_{rng.randint(1, 4):02d}"
    if method == "money_order":
        return f"mo_{rng.randint(0, 99_999_999):08d}"
    return "wallet_main"


def amount_cents(rng: random.Random, *, median: float, sigma: float, low: float, high: float, round_to: int) -> int:
    """A log-normal dollar amount clamped to [low, high]; round figures most of the time."""
    dollars = min(high, max(low, rng.lognormvariate(math.log(median), sigma)))
    if rng.random() < 0.75:
        return max(round_to, round(dollars / round_to) * round_to) * 100
    return int(dollars * 100)
