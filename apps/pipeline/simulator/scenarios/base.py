"""The scenario API: planted event sequences with ground-truth labels kept outside the events.

A scenario picks what it needs from the world (a customer, a circle, a beneficiary, a device), builds
events with the payload builders (or records normal traffic code with tweaked habits through
``ctx.sim``), and says which entity should (or should not) be detected, and by which event.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from apps.pipeline.simulator.choices import LabelledEntity
from apps.pipeline.simulator.formats import iso
from apps.pipeline.simulator.ids import IdSource
from apps.pipeline.simulator.runtime import Envelope, EventFactory, Market, Payload, Recorder
from apps.pipeline.simulator.world import Circle, Device, User, World, new_device

ENTITY_TYPES: tuple[str, ...] = tuple(LabelledEntity.values)


class ScenarioError(Exception):
    """A scenario is unknown, registered twice, or planted something that breaks the rules."""


@dataclass(frozen=True)
class ScenarioLabel:
    """Ground truth for one entity: what detection should conclude, and the event that should trigger it."""

    entity_type: str
    entity_id: str
    label: str
    event_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Planted:
    events: list[Envelope]
    labels: list[ScenarioLabel]


class ScenarioContext:
    """What ``Scenario.plant`` works with. ``now`` is the planting instant (POSIX seconds, UTC)."""

    def __init__(
        self,
        *,
        rng: random.Random,
        ids: IdSource,
        world: World,
        market: Market,
        factory: EventFactory,
        now: float,
        is_live: bool,
    ):
        self.rng = rng
        self.ids = ids
        self.world = world
        self.market = market
        self.now = now
        self.is_live = is_live
        self._factory = factory
        self.sim = Recorder(rng=rng, ids=ids, world=world, market=market, factory=factory)
        self.sim.set_now(now)

    # Time ----------------------------------------------------------------------------------------
    @staticmethod
    def iso(instant: float) -> str:
        return iso(instant)

    def timeline_start(self, span_seconds: float) -> float:
        """Where a story ``span_seconds`` long should start: now in a backfill; in live mode early
        enough that it ends now (a live run never emits a timestamp from the future)."""
        return self.now - span_seconds if self.is_live else self.now

    # Building events -----------------------------------------------------------------------------
    def event(self, event_type: str, payload: Payload, *, at: float, correlation_id: str | None = None) -> Envelope:
        """An envelope for ``payload`` at instant ``at`` (put ``ctx.iso(at)`` in the payload's own time)."""
        return self._factory.build(event_type, payload, iso(at), correlation_id)

    def record(self, build: Callable[[Recorder], Any], *, start: float) -> list[Envelope]:
        """Run normal traffic code to completion from ``start`` and return its events, e.g.
        ``ctx.record(lambda sim: session(sim, user, intent="remit"), start=ctx.now)``."""
        return self.sim.run(build(self.sim), start=start)

    # Picking from the world ----------------------------------------------------------------------
    def pick_user(self, where: Callable[[User], bool] | None = None) -> User:
        return self.world.pick_user(self.rng, where)

    def pick_users(self, count: int, where: Callable[[User], bool] | None = None) -> list[User]:
        pool = [user for user in self.world.active_users if where is None or where(user)]
        if len(pool) < count:
            raise ScenarioError(f"needs {count} active customers, the world has {len(pool)}")
        return self.rng.sample(pool, count)

    def pick_circle(self) -> Circle | None:
        return self.world.pick_circle(self.rng)

    def new_device(self, user: User, device_type: str | None = None) -> Device:
        """A device the platform has never seen for this customer (not added to ``user.devices``)."""
        return new_device(self.rng, self.ids, home_ip=user.home_ip, device_type=device_type)

    def new_id(self, prefix: str, hex_digits: int = 12) -> str:
        return self.ids.prefixed(prefix, hex_digits)

    def uuid(self) -> str:
        return self.ids.uuid()

    # Ground truth --------------------------------------------------------------------------------
    def label(
        self, *, entity_type: str, entity_id: str, label: str, event: Envelope | None = None, **details: Any
    ) -> ScenarioLabel:
        if entity_type not in ENTITY_TYPES:
            raise ScenarioError(f"entity_type must be one of {', '.join(ENTITY_TYPES)}")
        return ScenarioLabel(entity_type, entity_id, label, event["event_id"] if event else None, details)


class Scenario(ABC):
    """Subclass, set ``name`` (snake_case) and ``description``, implement ``plant``, then
    ``register_scenario(MyScenario())`` from your app's ``AppConfig.ready``."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def plant(self, ctx: ScenarioContext) -> Planted:
        """Events to plant (any order; each is emitted at its own timestamp) and their labels."""
