"""The event loop: activities and planted events in one time-ordered queue.

Backfill: the clock jumps from one due item to the next, as fast as Python allows; normal traffic stops
at the end of the period, planted events are always produced. Live: the clock is the wall clock; due
items go first, and whenever the rate leaves room a new activity starts now. Gaps inside a live
sequence are compressed (÷ ``LIVE_TIME_COMPRESSION``, at most ``LIVE_MAX_GAP_SECONDS``) so a session
plays out in seconds and a circle cycle in under a minute; every timestamp is the moment of emission.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

from apps.pipeline.simulator.labels import LabelBook, check_planted
from apps.pipeline.simulator.runtime import Activity, ClockGap, Envelope, Sim
from apps.pipeline.simulator.scenarios.base import Scenario, ScenarioContext
from apps.pipeline.simulator.sinks import Sink
from apps.pipeline.spine.contracts import parse_timestamp
from apps.pipeline.spine.topics import INBOUND_TOPICS

LIVE_TIME_COMPRESSION = 60.0
LIVE_MAX_GAP_SECONDS = 20.0
CHECK_EVERY_ITEMS = 1024

Tick = Callable[[], None]
ShouldStop = Callable[[], bool]


class Engine(Sim):
    def __init__(self, *, sink: Sink, labels: LabelBook, is_live: bool, **kwargs: Any):
        super().__init__(**kwargs)
        self.is_live = is_live
        self.sink = sink
        self.labels = labels
        self.produced = 0
        self.by_topic: dict[str, int] = dict.fromkeys(INBOUND_TOPICS, 0)
        self.planted: Counter[str] = Counter()
        self._queue: list[tuple[float, int, Activity | Envelope]] = []
        self._order = itertools.count()
        self._routes = self.factory.routes

    # Sim -----------------------------------------------------------------------------------------
    def deliver(self, envelope: Envelope) -> None:
        route = self._routes[envelope["event_type"]]
        payload = envelope["payload"]
        self.sink.write(route.topic, str(payload.get(route.key_field) or payload.get("pair", "")), envelope)
        self.by_topic[route.topic] += 1
        self.produced += 1

    def later(self, story_seconds: float) -> float:
        if self.is_live:
            return self.now + min(story_seconds / LIVE_TIME_COMPRESSION, LIVE_MAX_GAP_SECONDS)
        return self.now + story_seconds

    def spawn(self, activity: Activity, delay: float = 0.0) -> None:
        heappush(self._queue, (self.later(delay) if delay else self.now, next(self._order), activity))

    # Setting up ----------------------------------------------------------------------------------
    def start_at(self, instant: float, activity: Activity) -> None:
        heappush(self._queue, (instant, next(self._order), activity))

    def plant(self, scenario: Scenario) -> None:
        ctx = ScenarioContext(
            rng=self.rng,
            ids=self.ids,
            world=self.world,
            market=self.market,
            factory=self.factory,
            now=self.now,
            is_live=self.is_live,
        )
        planted = scenario.plant(ctx)
        check_planted(scenario, planted)
        for envelope in planted.events:
            heappush(self._queue, (parse_timestamp(envelope["timestamp"]).timestamp(), next(self._order), envelope))
        self.labels.expect(scenario.name, planted.labels)
        if planted.events or planted.labels:
            self.planted[scenario.name] += 1

    # Running -------------------------------------------------------------------------------------
    def _advance(self, activity: Activity) -> None:
        try:
            gap = next(activity)
        except StopIteration:
            return
        due = self.now + gap.seconds if isinstance(gap, ClockGap) else self.later(gap)
        heappush(self._queue, (due, next(self._order), activity))

    def _run_item(self, item: Activity | Envelope) -> None:
        if isinstance(item, dict):
            self.deliver(item)
            if self.labels.pending:
                self.labels.on_emitted(item["event_id"])
        else:
            self._advance(item)

    def run_backfill(self, *, end: float, should_stop: ShouldStop, tick: Tick) -> None:
        queue = self._queue
        handled = 0
        while queue:
            due, _, item = heappop(queue)
            if due < end or isinstance(item, dict):
                self.set_now(due)
                self._run_item(item)
            handled += 1
            if handled % CHECK_EVERY_ITEMS == 0:
                if should_stop():
                    return
                tick()

    def run_live(
        self,
        *,
        rate: float,
        deadline: float,
        should_stop: ShouldStop,
        tick: Tick,
        next_activity: Callable[[Sim], Activity | None],
    ) -> None:
        """Token bucket at ``rate`` events/s (bursts up to one second's worth)."""
        queue = self._queue
        tokens, burst = 1.0, max(1.0, rate)
        last = time.monotonic()
        while not should_stop():
            wall = time.time()
            if wall >= deadline:
                return
            clock = time.monotonic()
            tokens = min(burst, tokens + (clock - last) * rate)
            last = clock
            tick()
            if tokens < 1.0:
                time.sleep(min(0.05, (1.0 - tokens) / rate))
                continue
            before = self.produced
            self.set_now(wall)
            if queue and queue[0][0] <= wall:
                self._run_item(heappop(queue)[2])
            else:
                activity = next_activity(self)
                if activity is None:
                    time.sleep(0.01)
                    continue
                self._advance(activity)
            tokens -= self.produced - before
