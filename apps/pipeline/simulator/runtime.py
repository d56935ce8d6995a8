"""What traffic code sees while it runs: the clock, the world, the random generator, and ``emit``.

Traffic is written as *activities*: Python generators that emit events and ``yield`` how long to wait
(story seconds) before their next step. The engine interleaves thousands of them in time order; a
``Recorder`` runs one to completion on its own, which is how scenarios reuse normal traffic code.
"""

from __future__ import annotations

import heapq
import itertools
import random
from abc import ABC, abstractmethod
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from apps.pipeline.simulator.formats import RATE_SCALE, iso
from apps.pipeline.simulator.ids import IdSource
from apps.pipeline.simulator.world import World
from apps.pipeline.spine.contracts import get_registry

Payload = dict[str, Any]
Envelope = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClockGap:
    """A wait measured on the run's clock in every mode (story gaps are compressed in live mode)."""

    seconds: float


Activity = Generator[float | ClockGap, None, None]

SOURCE_SERVICES: dict[str, str] = {
    "trebanx.circle.events": "circle-service",
    "trebanx.transaction.events": "transaction-service",
    "trebanx.user.events": "user-service",
    "trebanx.remittance.events": "remittance-service",
    "trebanx.security.events": "security-service",
}
# The Kafka message key is the main entity of the topic (exchange rates have none: their pair).
KEY_FIELDS: dict[str, str] = {
    "trebanx.circle.events": "circle_id",
    "trebanx.transaction.events": "user_id",
    "trebanx.user.events": "user_id",
    "trebanx.remittance.events": "sender_id",
    "trebanx.security.events": "user_id",
}
EVENT_VERSION = "1.0"
RECORD_HORIZON = 400 * 86400.0  # a recording stops a little over a year after it starts


@dataclass(frozen=True, slots=True)
class Route:
    topic: str
    source_service: str
    key_field: str


class EventFactory:
    """Wraps payloads in contract envelopes and knows each type's topic and message key."""

    def __init__(self, ids: IdSource):
        self._ids = ids
        self.routes: dict[str, Route] = {
            event_type: Route(topic, SOURCE_SERVICES[topic], KEY_FIELDS[topic])
            for event_type, topic in get_registry().topic_of_type.items()
        }

    def build(self, event_type: str, payload: Payload, timestamp: str, correlation_id: str | None) -> Envelope:
        envelope: Envelope = {
            "event_id": self._ids.uuid(),
            "event_type": event_type,
            "event_version": EVENT_VERSION,
            "timestamp": timestamp,
            "source_service": self.routes[event_type].source_service,
        }
        if correlation_id is not None:
            envelope["correlation_id"] = correlation_id
        envelope["payload"] = payload
        return envelope

    def topic_of(self, event_type: str) -> str:
        return self.routes[event_type].topic

    def key_of(self, envelope: Envelope) -> str:
        payload = envelope["payload"]
        return str(payload.get(self.routes[envelope["event_type"]].key_field) or payload.get("pair", ""))


@dataclass(slots=True)
class Market:
    """The published USD/HTG rate (HTG per USD, in units of 0.0001)."""

    rate: int = 132 * RATE_SCALE + 5_000
    previous: int | None = None


class Sim(ABC):
    """The context an activity runs in. ``now`` is the instant stamped on events emitted in this step."""

    is_live = False

    def __init__(self, *, rng: random.Random, ids: IdSource, world: World, market: Market, factory: EventFactory):
        self.rng = rng
        self.ids = ids
        self.world = world
        self.market = market
        self.factory = factory
        self.now = 0.0
        self.now_iso = iso(0.0)

    def set_now(self, instant: float) -> None:
        self.now = instant
        self.now_iso = iso(instant)

    def emit(self, event_type: str, payload: Payload, correlation_id: str | None = None) -> Envelope:
        envelope = self.factory.build(event_type, payload, self.now_iso, correlation_id)
        self.deliver(envelope)
        return envelope

    def later(self, story_seconds: float) -> float:
        """The instant a story gap from now lands on this run's clock (compressed in live mode)."""
        return self.now + story_seconds

    def ago(self, story_seconds: float) -> float:
        return self.now - (self.later(story_seconds) - self.now)

    @abstractmethod
    def deliver(self, envelope: Envelope) -> None: ...

    @abstractmethod
    def spawn(self, activity: Activity, delay: float = 0.0) -> None:
        """Start another activity ``delay`` story seconds from now."""


class Recorder(Sim):
    """Runs activities to completion in story time and keeps their events (time-ordered)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.events: list[Envelope] = []
        self._queue: list[tuple[float, int, Activity]] = []
        self._order = itertools.count()

    def deliver(self, envelope: Envelope) -> None:
        self.events.append(envelope)

    def spawn(self, activity: Activity, delay: float = 0.0) -> None:
        heapq.heappush(self._queue, (self.now + delay, next(self._order), activity))

    def run(self, activity: Activity, *, start: float, horizon: float = RECORD_HORIZON) -> list[Envelope]:
        """Run ``activity`` (and whatever it spawns) to its end, or ``horizon`` seconds past ``start``
        (a guard against activities that never end); returns the events of this run."""
        self.events = []
        self._queue = []
        self.set_now(start)
        self.spawn(activity)
        while self._queue:
            due, _, current = heapq.heappop(self._queue)
            if due > start + horizon:
                break
            self.set_now(due)
            try:
                gap = next(current)
            except StopIteration:
                continue
            self.spawn(current, gap.seconds if isinstance(gap, ClockGap) else gap)
        return self.events
