"""What starts traffic. Backfill: a day planner gives every customer the day's sessions around their
usual hour (US Eastern) and brings in a few new customers. Live: whenever the rate allows, a new
session (or, now and then, a new customer) starts now."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apps.pipeline.simulator.formats import DAY, HOUR
from apps.pipeline.simulator.runtime import Activity, Sim
from apps.pipeline.simulator.traffic.common import poisson
from apps.pipeline.simulator.traffic.onboarding import onboarding
from apps.pipeline.simulator.traffic.sessions import session
from apps.pipeline.simulator.world import new_user

EASTERN = ZoneInfo("America/New_York")
NEW_CUSTOMERS_PER_USER_DAY = 0.002
LIVE_NEW_CUSTOMER_SHARE = 0.01
HOUR_SPREAD = 1.5


def hours_behind_utc(instant: float) -> float:
    """4 in summer, 5 in winter: local Eastern time + this = UTC."""
    offset = datetime.fromtimestamp(instant + 12 * HOUR, UTC).astimezone(EASTERN).utcoffset()
    return -offset.total_seconds() / HOUR if offset is not None else 5.0


def plan_days(sim: Sim) -> Activity:
    """Runs at each UTC midnight of a backfill."""
    rng, world = sim.rng, sim.world
    while True:
        behind = hours_behind_utc(sim.now)
        for user in list(world.active_users):
            for _ in range(poisson(rng, user.sessions_per_day)):
                local_hour = (user.login_hour + rng.gauss(0.0, HOUR_SPREAD)) % 24
                sim.spawn(session(sim, user, only_if_idle=True), (local_hour + behind) * HOUR)
        for _ in range(poisson(rng, len(world.users) * NEW_CUSTOMERS_PER_USER_DAY)):
            user = new_user(rng, sim.ids)
            world.add_user(user)
            sim.spawn(onboarding(sim, user), rng.uniform(0.0, DAY))
        yield DAY


def onboard_existing(sim: Sim, *, within: float) -> None:
    """Backfill start: the world's customers register at random moments of the first ``within`` seconds."""
    for user in list(sim.world.users):
        if not user.is_active:
            sim.spawn(onboarding(sim, user), sim.rng.uniform(0.0, within))


def next_live_activity(sim: Sim) -> Activity | None:
    """Live mode: the next thing to start now (None if there is nobody to run it)."""
    rng, world = sim.rng, sim.world
    if rng.random() < LIVE_NEW_CUSTOMER_SHARE or not world.active_users:
        user = new_user(rng, sim.ids)
        world.add_user(user)
        return onboarding(sim, user)
    for _ in range(5):
        user = rng.choice(world.active_users)
        if not (user.is_locked or user.is_in_session):
            return session(sim, user)
    return None
