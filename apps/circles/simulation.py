"""Circle scenarios for the traffic simulator (ground truth in SimulationLabel, never in the events).

- ``colluding_circle``: three or four members pay late together, by about the same number of days, in
  the same three cycles; the others behave normally. Expected: coordinated lateness naming them, and
  the circle at-risk or critical while it happens.
- ``circle_exit_scam``: the member paid out in cycle 1 or 2 leaves a few days after taking the pot (or
  stops paying until dropped for missed payments). Expected: post-payout disengagement and a free rider
  naming that member; the circle at-risk or critical.
- ``steady_circle``: an ordinary healthy circle (the usual occasional late payment, no misses, no
  drops). Expected: healthy throughout, no medium/high anomaly. (The simulator's own
  ``healthy_circle`` is the perfectly punctual variant.)

Each story is played by ``scripted_lifecycle``: the simulator's circle lifecycle with a per-member,
per-cycle script; members the script leaves alone follow the normal habits.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from apps.pipeline.simulator import Planted, Scenario, ScenarioContext, register_scenario
from apps.pipeline.simulator.formats import DAY, HOUR, iso_date, money
from apps.pipeline.simulator.payloads import circles as payloads
from apps.pipeline.simulator.runtime import Activity, ClockGap, Sim
from apps.pipeline.simulator.traffic.circle_money import contribute, pay_out
from apps.pipeline.simulator.traffic.circles import (
    CONTRIBUTION_METHODS,
    MIN_MEMBERS,
    CircleHabits,
    drop,
    fail,
    form_circle,
    miss,
    release,
)
from apps.pipeline.simulator.world import Circle, CircleMember

# (action, days late): "pay", "miss" or "leave"; None → the member follows the habits.
Action = tuple[str, int]
Script = Callable[[CircleMember, int, random.Random], Action | None]

SCENARIO_HABITS = CircleHabits(fill_failure_rate=0.0, voluntary_drop_rate=0.0)
STEADY_HABITS = CircleHabits(
    late_rate=0.08, miss_rate=0.0, voluntary_drop_rate=0.0, fill_failure_rate=0.0, max_days_late=3
)


@dataclass
class Story:
    """What a scripted circle did (for the labels)."""

    payout_cycle: dict[str, int] = field(default_factory=dict)  # recipient → cycle
    leave_after_payout: dict[str, float] = field(default_factory=dict)  # member → days after their payout


def _habit_action(habits: CircleHabits, rng: random.Random, max_late: int) -> Action:
    roll = rng.random()
    if roll < habits.miss_rate:
        return ("miss", 0)
    if roll < habits.miss_rate + habits.late_rate:
        return ("pay", rng.randint(1, max_late))
    return ("pay", 0)


def _cycle(
    sim: Sim,
    circle: Circle,
    rotation: list[CircleMember],
    cycle_number: int,
    script: Script,
    habits: CircleHabits,
    story: Story,
) -> Generator[float | ClockGap, None, int]:
    """One cycle: contributions until the due day (day 2), late ones after, payout on day 3; returns
    1 if a payout was made."""
    rng = sim.rng
    period = circle.period_seconds
    max_late = max(1, min(habits.max_days_late, int(period / DAY) - 3))
    steps: list[tuple[float, str, CircleMember, int]] = []
    for member in circle.active_members:
        kind, days_late = script(member, cycle_number, rng) or _habit_action(habits, rng, max_late)
        if kind == "miss":
            steps.append((3 * DAY + rng.uniform(0.0, 2 * HOUR), "miss", member, 0))
        elif kind == "leave":
            steps.append((rng.uniform(0.0, 0.5 * DAY), "leave", member, 0))
        elif days_late:
            steps.append(((2 + days_late) * DAY + rng.uniform(-6 * HOUR, 6 * HOUR), "pay", member, days_late))
        else:
            steps.append((rng.uniform(0.0, 2 * DAY), "pay", member, 0))
    payout_at = 3 * DAY + rng.uniform(3 * HOUR, 8 * HOUR)
    steps.append((payout_at, "payout", rotation[0], 0))
    recipient = next((m for m in rotation if not m.is_dropped and not m.has_received), None)
    if recipient is not None and recipient.user.user_id in story.leave_after_payout:
        delay = story.leave_after_payout[recipient.user.user_id]
        steps.append((payout_at + delay * DAY, "leave_after_payout", recipient, 0))
    steps.sort(key=lambda step: step[0])
    elapsed, paid_out = 0.0, 0
    for offset, kind, member, days_late in steps:
        if offset > elapsed:
            yield offset - elapsed
            elapsed = offset
        if kind == "pay" and not member.is_dropped:
            elapsed += yield from contribute(sim, circle, member, cycle_number, days_late)
        elif kind == "miss" and not member.is_dropped:
            miss(sim, circle, member, cycle_number)
        elif kind in ("leave", "leave_after_payout") and not member.is_dropped:
            drop(sim, circle, member, "voluntary", cycle_number)
        elif kind == "payout":
            receiver = next((m for m in rotation if not m.is_dropped and not m.has_received), None)
            if receiver is not None:
                elapsed += yield from pay_out(sim, circle, receiver, cycle_number)
                story.payout_cycle[receiver.user.user_id] = cycle_number
                paid_out = 1
    if period > elapsed:
        yield period - elapsed
    return paid_out


def scripted_lifecycle(
    sim: Sim, circle: Circle, script: Script, habits: CircleHabits = SCENARIO_HABITS, story: Story | None = None
) -> Activity:
    """created → every invited member joins → cycles (scripted) → completed, or failed below 3 members."""
    rng, story = sim.rng, story or Story()
    start_delay = rng.uniform(3 * DAY, 7 * DAY)
    sim.emit(
        "circle-created",
        payloads.circle_created(circle=circle, at=sim.now_iso, start_date=iso_date(sim.later(start_delay))),
        circle.correlation_id,
    )
    gap, waited = start_delay * 0.8 / len(circle.invited), 0.0
    for position, user in enumerate(circle.invited, start=1):
        if position > 1:
            wait = rng.uniform(0.3, 1.0) * gap
            waited += wait
            yield wait
        method = rng.choices(list(CONTRIBUTION_METHODS), weights=list(CONTRIBUTION_METHODS.values()))[0]
        circle.members.append(CircleMember(user, position, method))
        sim.emit(
            "circle-member-joined",
            payloads.circle_member_joined(
                circle_id=circle.circle_id, user_id=user.user_id, position=position, at=sim.now_iso, is_verified=True
            ),
            circle.correlation_id,
        )
    yield start_delay - waited
    rotation = list(circle.members)
    payouts, volume = 0, 0
    for cycle_number in range(1, len(rotation) + 1):
        if not any(not member.is_dropped and not member.has_received for member in rotation):
            break
        before = sum(member.payments_made for member in circle.members)
        payouts += yield from _cycle(sim, circle, rotation, cycle_number, script, habits, story)
        volume += (sum(member.payments_made for member in circle.members) - before) * circle.contribution_cents
        if len(circle.active_members) < MIN_MEMBERS:
            fail(sim, circle, "excessive_defaults", cycles_completed=payouts, cycles_planned=len(rotation))
            return
    sim.emit(
        "circle-completed",
        payloads.circle_completed(
            circle_id=circle.circle_id,
            at=sim.now_iso,
            total_cycles=payouts,
            total_volume_cents=volume,
            members_completed=len(circle.active_members),
            members_dropped=len(circle.members) - len(circle.active_members),
        ),
        circle.correlation_id,
    )
    release(sim, circle)


def _span(circle: Circle) -> float:
    return 8 * DAY + len(circle.invited) * circle.period_seconds


def _find(events: list[dict], event_type: str, **payload: object) -> list[dict]:
    return [
        event
        for event in events
        if event["event_type"] == event_type and all(event["payload"].get(k) == v for k, v in payload.items())
    ]


class ColludingCircle(Scenario):
    name = "colluding_circle"
    description = (
        "Three or four members of an 8-10 member circle pay 3-5 days late together in the same three cycles; "
        "the others behave normally."
    )

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        circle = form_circle(ctx.sim, size=rng.randint(8, 10), frequency=rng.choice(("biweekly", "monthly")))
        if circle is None:
            return Planted([], [])
        circle.rotation_order = "sequential"
        colluders = {user.user_id for user in rng.sample(circle.invited[1:], rng.randint(3, 4))}
        cycles = sorted(rng.sample(range(2, len(circle.invited)), 3))
        lateness = {cycle: rng.randint(3, 5) for cycle in cycles}

        def script(member: CircleMember, cycle: int, rng: random.Random) -> Action | None:
            if member.user.user_id in colluders:
                return ("pay", lateness[cycle]) if cycle in cycles else ("pay", 0)
            return None

        events = ctx.record(
            lambda sim: scripted_lifecycle(sim, circle, script), start=ctx.timeline_start(_span(circle))
        )
        trigger = _find(events, "circle-contribution-received", cycle_number=cycles[0], days_late=lateness[cycles[0]])
        label = ctx.label(
            entity_type="circle",
            entity_id=circle.circle_id,
            label="collusion",
            event=trigger[-1] if trigger else None,
            members=len(circle.invited),
            colluders=sorted(colluders),
            cycles=cycles,
            expected_anomaly="coordinated_late",
            expected_tiers=["at-risk", "critical"],
        )
        return Planted(events, [label])


class CircleExitScam(Scenario):
    name = "circle_exit_scam"
    description = (
        "The member paid out in cycle 1 or 2 of a 6-9 member circle leaves 1-3 days after taking the pot, "
        "or stops paying until dropped for missed payments."
    )

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        circle = form_circle(ctx.sim, size=rng.randint(6, 9), frequency=rng.choice(("weekly", "biweekly", "monthly")))
        if circle is None:
            return Planted([], [])
        circle.rotation_order = "sequential"
        position = rng.choice((1, 2))
        scammer = circle.invited[position - 1].user_id
        story = Story()
        walks_away = rng.random() < 0.5
        if walks_away:
            story.leave_after_payout[scammer] = rng.uniform(1.0, 3.0)

        def script(member: CircleMember, cycle: int, rng: random.Random) -> Action | None:
            if member.user.user_id != scammer:
                return None
            if member.has_received and not walks_away:
                return ("miss", 0)
            return ("pay", 0)

        events = ctx.record(
            lambda sim: scripted_lifecycle(sim, circle, script, story=story), start=ctx.timeline_start(_span(circle))
        )
        drops = _find(events, "circle-member-dropped", user_id=scammer)
        label = ctx.label(
            entity_type="circle",
            entity_id=circle.circle_id,
            label="exit_scam",
            event=drops[0] if drops else None,
            members=len(circle.invited),
            scammer=scammer,
            payout_cycle=story.payout_cycle.get(scammer),
            pattern="left_after_payout" if walks_away else "stopped_paying",
            expected_anomaly="post_payout_disengagement",
            expected_tiers=["at-risk", "critical"],
        )
        return Planted(events, [label])


class SteadyCircle(Scenario):
    name = "steady_circle"
    description = "An ordinary healthy circle of 5-10 members: the usual occasional late payment, no misses or drops."

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        circle = form_circle(ctx.sim, size=rng.randint(5, 10))
        if circle is None:
            return Planted([], [])

        def script(member: CircleMember, cycle: int, rng: random.Random) -> Action | None:
            return None

        events = ctx.record(
            lambda sim: scripted_lifecycle(sim, circle, script, habits=STEADY_HABITS),
            start=ctx.timeline_start(_span(circle)),
        )
        label = ctx.label(
            entity_type="circle",
            entity_id=circle.circle_id,
            label="no_alert",
            members=len(circle.invited),
            contribution=money(circle.contribution_cents),
            frequency=circle.frequency,
            expected_tiers=["healthy"],
        )
        return Planted(events, [label])


SCENARIOS: tuple[Scenario, ...] = (ColludingCircle(), CircleExitScam(), SteadyCircle())


def register() -> None:
    for scenario in SCENARIOS:
        register_scenario(scenario)
