"""``run_simulation``: build the world, start the traffic, plant scenarios, record the run."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils import timezone

from apps.pipeline.simulator.choices import SimulationMode
from apps.pipeline.simulator.engine import Engine
from apps.pipeline.simulator.formats import DAY, HOUR, instant, iso
from apps.pipeline.simulator.ids import IdSource
from apps.pipeline.simulator.labels import LabelBook
from apps.pipeline.simulator.models import SimulationRun
from apps.pipeline.simulator.runtime import Activity, ClockGap, EventFactory, Market
from apps.pipeline.simulator.scenarios.base import Scenario
from apps.pipeline.simulator.scenarios.registry import get_scenario
from apps.pipeline.simulator.sinks import Sink
from apps.pipeline.simulator.traffic.circles import keep_circles
from apps.pipeline.simulator.traffic.planner import next_live_activity, onboard_existing, plan_days
from apps.pipeline.simulator.traffic.remittances import publish_rates
from apps.pipeline.simulator.world import build_world
from lakay.logging import get_logger

logger = get_logger(__name__)

PROGRESS_EVERY_SECONDS = 10.0
ONBOARDING_SHARE, ONBOARDING_MAX = 0.1, 3 * DAY
BACKFILL_RATE_EVERY, LIVE_RATE_EVERY = 6 * HOUR, 300.0


class SimulationError(Exception):
    """Options that cannot produce a sensible run."""


@dataclass
class SimulationOptions:
    mode: str = SimulationMode.LIVE
    seed: int | None = None
    rate: float = 20.0  # live: events per second
    duration: float = 60.0  # live: seconds; 0 = until stopped
    users: int = 500
    circles: int = 40
    start: date | None = None  # backfill: first day (UTC)
    days: float = 1.0  # backfill: length of the period
    scenarios: list[str] = field(default_factory=list)
    scenario_every: float | None = None  # seconds of the run's clock between plantings; None = each once


@dataclass
class Progress:
    run_id: int
    produced: int
    by_topic: dict[str, int]
    planted: dict[str, int]
    labels: int
    clock: str  # the simulated time reached
    elapsed: float  # wall seconds
    delivery_failures: int


def _plant(engine: Engine, scenarios: list[Scenario], every: float | None) -> Activity:
    if every is None:
        for scenario in scenarios:
            engine.plant(scenario)
        return
    for turn in itertools.count():
        engine.plant(scenarios[turn % len(scenarios)])
        yield ClockGap(every)


def _check(options: SimulationOptions, sink: Sink) -> None:
    if options.mode not in SimulationMode.values:
        raise SimulationError(f"mode must be one of {', '.join(SimulationMode.values)}")
    if options.users < 3 or options.circles < 0:
        raise SimulationError("needs at least 3 users and a non-negative number of circles")
    if options.scenario_every is not None and options.scenario_every <= 0:
        raise SimulationError("scenario_every must be positive")
    if options.mode == SimulationMode.LIVE:
        if options.rate <= 0 or options.duration < 0:
            raise SimulationError("live mode needs a positive rate and a duration >= 0")
        return
    if options.start is None or options.days <= 0:
        raise SimulationError("backfill needs a start date and a positive number of days")
    end = instant(options.start) + options.days * DAY
    if sink.is_broker and end > time.time() + settings.EVENT_MAX_FUTURE_SKEW_SECONDS:
        raise SimulationError("a backfill sent to Kafka must end in the past (future timestamps are dead-lettered)")


def _setup_live(engine: Engine, options: SimulationOptions, scenarios: list[Scenario]) -> float:
    """Start the standing activities now; returns the deadline."""
    now = time.time()
    engine.set_now(now)
    engine.start_at(now, publish_rates(engine, every=LIVE_RATE_EVERY))
    engine.start_at(now, keep_circles(engine, target=options.circles, every=5.0, spread=60.0))
    if scenarios:
        engine.start_at(now, _plant(engine, scenarios, options.scenario_every))
    return now + options.duration if options.duration else float("inf")


def _setup_backfill(engine: Engine, options: SimulationOptions, scenarios: list[Scenario]) -> float:
    """Onboard the world during the first tenth of the period (at most three days), then let circles and
    scenarios begin; returns the end of the period."""
    if options.start is None:
        raise SimulationError("backfill needs a start date")
    start = instant(options.start)
    onboarded = start + min(ONBOARDING_MAX, ONBOARDING_SHARE * options.days * DAY)
    engine.set_now(start)
    onboard_existing(engine, within=onboarded - start)
    engine.start_at(start, plan_days(engine))
    engine.start_at(start, publish_rates(engine, every=BACKFILL_RATE_EVERY))
    engine.start_at(onboarded, keep_circles(engine, target=options.circles, every=12 * HOUR, spread=2 * DAY))
    if scenarios:
        engine.start_at(onboarded, _plant(engine, scenarios, options.scenario_every))
    return start + options.days * DAY


def _create_run(options: SimulationOptions, seed: int, sink: Sink) -> SimulationRun:
    is_live = options.mode == SimulationMode.LIVE
    return SimulationRun.objects.create(
        seed=seed,
        mode=options.mode,
        rate=options.rate if is_live else None,
        scenarios=options.scenarios,
        started_at=timezone.now(),
        parameters={
            "users": options.users,
            "circles": options.circles,
            "output": sink.description,
            "scenario_every": options.scenario_every,
            **({"duration": options.duration} if is_live else {"start": str(options.start), "days": options.days}),
        },
    )


def run_simulation(
    options: SimulationOptions,
    sink: Sink,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Produce traffic (and planted scenarios) into ``sink``; labels go to the database. Returns the
    final progress. The sink is closed at the end, also when the options are refused."""
    try:
        _check(options, sink)
        scenarios = [get_scenario(name) for name in options.scenarios]
    except Exception:
        sink.close()
        raise
    is_live = options.mode == SimulationMode.LIVE
    seed = options.seed if options.seed is not None else random.SystemRandom().getrandbits(48)
    rng = random.Random(seed)
    ids = IdSource(rng)
    world = build_world(rng, ids, users=options.users, active=is_live)
    run = _create_run(options, seed, sink)
    labels = LabelBook(run, sink)
    engine = Engine(
        rng=rng,
        ids=ids,
        world=world,
        market=Market(),
        factory=EventFactory(ids),
        sink=sink,
        labels=labels,
        is_live=is_live,
    )
    started = time.monotonic()
    next_report = started + PROGRESS_EVERY_SECONDS

    def progress() -> Progress:
        return Progress(
            run.pk,
            engine.produced,
            dict(engine.by_topic),
            dict(engine.planted),
            labels.written,
            iso(engine.now),
            time.monotonic() - started,
            sink.failures,
        )

    def tick() -> None:
        nonlocal next_report
        if time.monotonic() >= next_report:
            next_report += PROGRESS_EVERY_SECONDS
            labels.flush()
            SimulationRun.objects.filter(pk=run.pk).update(events_produced=engine.produced)
            if on_progress:
                on_progress(progress())

    logger.info("simulator.run_started", run_id=run.pk, mode=options.mode, seed=seed, users=options.users)
    try:
        if is_live:
            deadline = _setup_live(engine, options, scenarios)
            engine.run_live(
                rate=options.rate,
                deadline=deadline,
                should_stop=should_stop,
                tick=tick,
                next_activity=next_live_activity,
            )
        else:
            end = _setup_backfill(engine, options, scenarios)
            engine.run_backfill(end=end, should_stop=should_stop, tick=tick)
    finally:
        labels.flush()
        sink.close()
        SimulationRun.objects.filter(pk=run.pk).update(events_produced=engine.produced, finished_at=timezone.now())
    result = progress()
    logger.info(
        "simulator.run_finished",
        run_id=run.pk,
        events=result.produced,
        labels=result.labels,
        seconds=round(result.elapsed, 1),
        delivery_failures=result.delivery_failures,
    )
    if on_progress:
        on_progress(result)
    return result
