"""Sou-sou circles: circle-created → circle-member-joined x n → per cycle, each member's contribution
(mostly on time, some late, rarely missed) and one payout to the cycle's recipient → circle-completed
(or circle-failed). Contributions and payouts are transactions too (initiated → completed).

Invariants: a payout is contribution x members still in the circle; total_volume is the sum of the
contributions received; a member who misses twice in a row is dropped.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from apps.pipeline.simulator import names
from apps.pipeline.simulator.formats import DAY, HOUR, iso_date
from apps.pipeline.simulator.payloads import circles as payloads
from apps.pipeline.simulator.runtime import Activity, ClockGap, Sim
from apps.pipeline.simulator.traffic.circle_money import contribute, pay_out
from apps.pipeline.simulator.world import Circle, CircleMember, User

CONTRIBUTIONS: tuple[int, ...] = (50, 75, 100, 100, 150, 200, 200, 250, 300, 400, 500)
FREQUENCIES: dict[str, float] = {"weekly": 0.45, "biweekly": 0.35, "monthly": 0.2}
CONTRIBUTION_METHODS: dict[str, float] = {"ach": 0.55, "debit_card": 0.25, "wallet": 0.1, "cash_at_agent": 0.1}
MAX_CIRCLES_PER_USER = 2
MIN_MEMBERS = 3


@dataclass(frozen=True)
class CircleHabits:
    """How members behave; scenarios pass their own (``RELIABLE`` for a circle with no trouble)."""

    late_rate: float = 0.08
    miss_rate: float = 0.025
    voluntary_drop_rate: float = 0.004
    fill_failure_rate: float = 0.03
    max_days_late: int = 5


NORMAL = CircleHabits()
RELIABLE = CircleHabits(late_rate=0.0, miss_rate=0.0, voluntary_drop_rate=0.0, fill_failure_rate=0.0)


def form_circle(
    sim: Sim,
    *,
    size: int | None = None,
    organizer: User | None = None,
    contribution_cents: int | None = None,
    frequency: str | None = None,
) -> Circle | None:
    """Choose an organizer and members (mostly neighbours); None if the world has too few free customers."""
    rng, world = sim.rng, sim.world
    size = size or rng.randint(5, 12)
    try:
        organizer = organizer or world.pick_user(rng, where=lambda user: user.circle_count < MAX_CIRCLES_PER_USER)
    except LookupError:
        return None
    free = [user for user in world.active_users if user is not organizer and user.circle_count < MAX_CIRCLES_PER_USER]
    neighbours = [user for user in free if user.home is organizer.home]
    others = [user for user in free if user.home is not organizer.home]
    wanted = size - 1
    local = min(len(neighbours), round(wanted * 0.8))
    chosen = rng.sample(neighbours, local) + rng.sample(others, min(len(others), wanted - local))
    if len(chosen) < wanted:
        chosen += rng.sample(
            [user for user in neighbours if user not in chosen], min(wanted - len(chosen), len(neighbours) - local)
        )
    if len(chosen) + 1 < MIN_MEMBERS:
        return None
    circle = Circle(
        circle_id=sim.ids.prefixed("circle", 8),
        organizer=organizer,
        name=names.circle_name(rng, family=organizer.last_name, city=organizer.home.city),
        contribution_cents=(contribution_cents or rng.choice(CONTRIBUTIONS) * 100),
        frequency=frequency or rng.choices(list(FREQUENCIES), weights=list(FREQUENCIES.values()))[0],
        max_members=len(chosen) + 1,
        rotation_order="random" if rng.random() < 0.3 else "sequential",
        correlation_id=sim.ids.uuid(),
        invited=[organizer, *chosen],
    )
    for user in circle.invited:
        user.circle_count += 1
    world.circles[circle.circle_id] = circle
    return circle


def release(sim: Sim, circle: Circle) -> None:
    for user in circle.invited:
        user.circle_count -= 1
    sim.world.circles.pop(circle.circle_id, None)


def circle_lifecycle(sim: Sim, circle: Circle, habits: CircleHabits = NORMAL) -> Activity:
    rng = sim.rng
    start_delay = rng.uniform(3 * DAY, 7 * DAY)
    sim.emit(
        "circle-created",
        payloads.circle_created(circle=circle, at=sim.now_iso, start_date=iso_date(sim.later(start_delay))),
        circle.correlation_id,
    )
    joining = circle.invited
    if rng.random() < habits.fill_failure_rate:
        joining = joining[: rng.randint(1, 2)]
    gap = start_delay * 0.8 / len(joining)
    waited = 0.0
    for position, user in enumerate(joining, start=1):
        if position > 1:
            wait = rng.uniform(0.3, 1.0) * gap
            waited += wait
            yield wait
        member = CircleMember(
            user, position, rng.choices(list(CONTRIBUTION_METHODS), weights=list(CONTRIBUTION_METHODS.values()))[0]
        )
        circle.members.append(member)
        sim.emit(
            "circle-member-joined",
            payloads.circle_member_joined(
                circle_id=circle.circle_id,
                user_id=user.user_id,
                position=position,
                at=sim.now_iso,
                is_verified=rng.random() < 0.95,
            ),
            circle.correlation_id,
        )
    yield start_delay - waited  # the first cycle begins on the announced start_date
    if len(circle.members) < MIN_MEMBERS:
        fail(sim, circle, "insufficient_members", cycles_completed=0, cycles_planned=circle.max_members)
        return
    rotation = list(circle.members)
    if circle.rotation_order == "random":
        rng.shuffle(rotation)
    ledger = Ledger(cycles_planned=len(rotation))
    for cycle_number in range(1, len(rotation) + 1):
        if not any(not member.is_dropped and not member.has_received for member in rotation):
            break
        yield from run_cycle(sim, circle, rotation, cycle_number, habits, ledger)
        if len(circle.active_members) < MIN_MEMBERS:
            fail(
                sim, circle, "excessive_defaults", cycles_completed=ledger.payouts, cycles_planned=ledger.cycles_planned
            )
            return
    sim.emit(
        "circle-completed",
        payloads.circle_completed(
            circle_id=circle.circle_id,
            at=sim.now_iso,
            total_cycles=ledger.payouts,
            total_volume_cents=ledger.volume_cents,
            members_completed=len(circle.active_members),
            members_dropped=len(circle.members) - len(circle.active_members),
        ),
        circle.correlation_id,
    )
    release(sim, circle)


@dataclass
class Ledger:
    cycles_planned: int
    payouts: int = 0
    volume_cents: int = 0


def run_cycle(
    sim: Sim, circle: Circle, rotation: list[CircleMember], cycle_number: int, habits: CircleHabits, ledger: Ledger
) -> Generator[float | ClockGap, None, None]:
    """One cycle, as offsets from its start: pay until the due day (day 2), payout on day 3, late payers after."""
    rng = sim.rng
    period = circle.period_seconds
    max_late = max(1, min(habits.max_days_late, int(period / DAY) - 3))
    steps: list[tuple[float, str, CircleMember, int]] = []
    for member in circle.active_members:
        if not member.has_received and rng.random() < habits.voluntary_drop_rate:
            steps.append((rng.uniform(0.0, 0.5 * DAY), "leave", member, 0))
            continue
        roll = rng.random()
        if roll < habits.miss_rate:
            steps.append((3 * DAY + rng.uniform(0.0, 2 * HOUR), "miss", member, 0))
        elif roll < habits.miss_rate + habits.late_rate:
            late = rng.randint(1, max_late)
            steps.append(((2 + late) * DAY + rng.uniform(-6 * HOUR, 6 * HOUR), "pay", member, late))
        else:
            steps.append((rng.uniform(0.0, 2 * DAY), "pay", member, 0))
    steps.append((3 * DAY + rng.uniform(3 * HOUR, 8 * HOUR), "payout", rotation[0], 0))
    steps.sort(key=lambda step: step[0])
    elapsed = 0.0
    for offset, kind, member, days_late in steps:
        if offset > elapsed:
            yield offset - elapsed
            elapsed = offset
        if kind == "pay" and not member.is_dropped:
            elapsed += yield from contribute(sim, circle, member, cycle_number, days_late)
            ledger.volume_cents += circle.contribution_cents
        elif kind == "miss":
            miss(sim, circle, member, cycle_number)
        elif kind == "leave":
            drop(sim, circle, member, "voluntary", cycle_number)
        elif kind == "payout":
            recipient = next((m for m in rotation if not m.is_dropped and not m.has_received), None)
            if recipient is not None:
                elapsed += yield from pay_out(sim, circle, recipient, cycle_number)
                ledger.payouts += 1
    if period > elapsed:
        yield period - elapsed


def miss(sim: Sim, circle: Circle, member: CircleMember, cycle_number: int) -> None:
    member.consecutive_misses += 1
    sim.emit(
        "circle-contribution-missed",
        payloads.circle_contribution_missed(
            circle_id=circle.circle_id,
            user_id=member.user.user_id,
            cycle_number=cycle_number,
            due_date=iso_date(sim.ago(1 * DAY)),
            amount_due_cents=circle.contribution_cents,
            consecutive_misses=member.consecutive_misses,
        ),
        circle.correlation_id,
    )
    if member.consecutive_misses >= 2:
        drop(sim, circle, member, "missed_payments", cycle_number)


def drop(sim: Sim, circle: Circle, member: CircleMember, reason: str, cycle_number: int) -> None:
    member.is_dropped = True
    owed = max(0, cycle_number - member.payments_made - (1 if reason == "voluntary" else 0))
    sim.emit(
        "circle-member-dropped",
        payloads.circle_member_dropped(
            circle_id=circle.circle_id,
            user_id=member.user.user_id,
            reason=reason,
            at=sim.now_iso,
            payments_made=member.payments_made,
            payments_owed=owed,
        ),
        circle.correlation_id,
    )


def fail(sim: Sim, circle: Circle, reason: str, *, cycles_completed: int, cycles_planned: int) -> None:
    sim.emit(
        "circle-failed",
        payloads.circle_failed(
            circle_id=circle.circle_id,
            at=sim.now_iso,
            reason=reason,
            cycles_completed=cycles_completed,
            cycles_planned=cycles_planned,
            members_at_failure=len(circle.active_members),
        ),
        circle.correlation_id,
    )
    release(sim, circle)


def keep_circles(sim: Sim, *, target: int, every: float, spread: float) -> Activity:
    """Keep about ``target`` circles running: form a new one whenever fewer are running."""
    while True:
        for _ in range(target - len(sim.world.circles)):
            circle = form_circle(sim)
            if circle is None:
                break
            sim.spawn(circle_lifecycle(sim, circle), sim.rng.uniform(0.0, spread))
        yield ClockGap(every)
