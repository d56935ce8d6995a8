"""The simulated population: Trebanx customers in US diaspora cities, their devices, their
beneficiaries in Haiti, and the sou-sou circles they run.

Everything is drawn from the run's seeded generator, so the same seed builds the same people (a live
run after a backfill with the same seed continues with the same customers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from apps.pipeline.simulator import names
from apps.pipeline.simulator.formats import DAY
from apps.pipeline.simulator.ids import IdSource
from apps.pipeline.simulator.places import (
    BANK_PARTNERS,
    HAITI_CITIES,
    HAITI_WEIGHTS,
    MOBILE_WALLET_PARTNERS,
    US_BROADBAND_OCTETS,
    US_HOME_WEIGHTS,
    US_HOMES,
    Place,
    payout_agent_id,
)

DEVICE_TYPE_WEIGHTS: dict[str, float] = {"android": 0.45, "ios": 0.35, "web_desktop": 0.12, "web_mobile": 0.08}
DEVICE_MODELS: dict[str, tuple[tuple[str, str], ...]] = {
    "ios": (("iOS 17.6", "iPhone 13"), ("iOS 18.1", "iPhone 15"), ("iOS 18.3", "iPhone 14"), ("iOS 18.5", "iPhone 16")),
    "android": (
        ("Android 14", "Galaxy A54"),
        ("Android 15", "Pixel 8"),
        ("Android 13", "Galaxy A14"),
        ("Android 14", "moto g power"),
    ),
    "web_desktop": (("Windows 11", "Chrome/131.0"), ("macOS 14", "Safari/17.6"), ("Windows 10", "Edg/130.0")),
    "web_mobile": (("Android 14", "Chrome/131.0 Mobile"), ("iOS 18.1", "Safari/18.1 Mobile")),
}
APP_VERSIONS: tuple[str, ...] = ("4.1.3", "4.2.0", "4.2.1")
DELIVERY_WEIGHTS: dict[str, float] = {"mobile_wallet": 0.5, "bank_deposit": 0.2, "cash_pickup_agent": 0.3}
# Local (US Eastern) hour around which a customer usually opens the app.
LOGIN_HOUR_CENTRES: tuple[tuple[float, float], ...] = ((19.5, 0.5), (12.5, 0.2), (8.0, 0.2), (23.5, 0.1))
MOBILE_DEVICE_TYPES = frozenset({"ios", "android", "web_mobile"})


@dataclass(slots=True)
class Device:
    device_id: str
    device_type: str
    os_version: str
    user_agent: str
    ip_address: str  # usual address: home broadband for desktops, the carrier's IPv6 for phones
    is_registered: bool = False


@dataclass(slots=True)
class Beneficiary:
    beneficiary_id: str
    full_name: str
    phone: str
    place: Place
    delivery_method: str
    payout_agent_id: str | None  # for cash pickup
    partner: str  # mobile wallet or bank for the other delivery methods


@dataclass(slots=True)
class Trip:
    place: Place
    until: float


@dataclass(slots=True)
class User:
    user_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: str
    home: Place
    address_line1: str
    postal_code: str
    home_ip: str
    devices: list[Device]
    beneficiaries: list[Beneficiary]
    login_hour: float
    sessions_per_day: float
    funding_method: str  # how this customer usually pays: ach or debit_card
    is_active: bool = False  # registered and verified: may log in and move money
    is_locked: bool = False
    is_in_session: bool = False
    circle_count: int = 0
    consecutive_failures: int = 0
    last_seen: float = 0.0
    trip: Trip | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def primary_device(self) -> Device:
        return self.devices[0]


@dataclass(slots=True)
class CircleMember:
    user: User
    position: int
    payment_method: str
    payments_made: int = 0
    consecutive_misses: int = 0
    is_dropped: bool = False
    has_received: bool = False


@dataclass(slots=True)
class Circle:
    circle_id: str
    organizer: User
    name: str
    contribution_cents: int
    frequency: str  # weekly, biweekly, monthly
    max_members: int
    rotation_order: str
    correlation_id: str
    invited: list[User] = field(default_factory=list)  # organizer first; they join one by one
    members: list[CircleMember] = field(default_factory=list)  # joined so far

    @property
    def period_seconds(self) -> float:
        return {"weekly": 7 * DAY, "biweekly": 14 * DAY, "monthly": 30 * DAY}[self.frequency]

    @property
    def active_members(self) -> list[CircleMember]:
        return [member for member in self.members if not member.is_dropped]


@dataclass
class World:
    users: list[User] = field(default_factory=list)
    active_users: list[User] = field(default_factory=list)
    circles: dict[str, Circle] = field(default_factory=dict)  # circles still running

    def add_user(self, user: User) -> None:
        self.users.append(user)
        if user.is_active:
            self.active_users.append(user)

    def activate(self, user: User) -> None:
        if not user.is_active:
            user.is_active = True
            self.active_users.append(user)

    def pick_user(self, rng: random.Random, where: Callable[[User], bool] | None = None) -> User:
        """A random active customer (optionally one for which ``where`` holds; tries 200 draws)."""
        if not self.active_users:
            raise LookupError("no active customer in the world yet")
        for _ in range(200):
            user = rng.choice(self.active_users)
            if where is None or where(user):
                return user
        raise LookupError("no active customer matches")

    def pick_circle(self, rng: random.Random) -> Circle | None:
        """A random running circle that members have joined (None if there is none yet)."""
        running = [circle for circle in self.circles.values() if circle.members]
        return rng.choice(running) if running else None


def weighted(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def us_broadband_ip(rng: random.Random) -> str:
    return f"{rng.choice(US_BROADBAND_OCTETS)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def mobile_ip(rng: random.Random) -> str:
    """A carrier IPv6 address (documentation prefix 2001:db8::/32, never a real customer's)."""
    return f"2001:db8:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"


def new_device(rng: random.Random, ids: IdSource, *, home_ip: str, device_type: str | None = None) -> Device:
    kind = device_type or weighted(rng, DEVICE_TYPE_WEIGHTS)
    os_version, model = rng.choice(DEVICE_MODELS[kind])
    if kind in ("ios", "android"):
        user_agent = f"Trebanx/{rng.choice(APP_VERSIONS)} ({os_version}; {model})"
    else:
        user_agent = f"Mozilla/5.0 ({os_version}) {model}"
    address = mobile_ip(rng) if kind in MOBILE_DEVICE_TYPES else home_ip
    return Device(ids.prefixed("device", 16), kind, os_version, user_agent, address)


def haitian_phone(rng: random.Random) -> str:
    return f"+509{rng.choice('34')}{rng.randint(0, 9_999_999):07d}"


def new_beneficiary(rng: random.Random, ids: IdSource, *, family: str | None = None) -> Beneficiary:
    first, last = names.person_name(rng)
    place = rng.choices(HAITI_CITIES, weights=HAITI_WEIGHTS)[0]
    delivery = weighted(rng, DELIVERY_WEIGHTS)
    partner = rng.choice(MOBILE_WALLET_PARTNERS if delivery == "mobile_wallet" else BANK_PARTNERS)
    agent = payout_agent_id(place, rng.randint(1, 60)) if delivery == "cash_pickup_agent" else None
    return Beneficiary(
        ids.prefixed("benef", 10), f"{first} {family or last}", haitian_phone(rng), place, delivery, agent, partner
    )


def new_user(rng: random.Random, ids: IdSource, *, home: Place | None = None, is_active: bool = False) -> User:
    first, last = names.person_name(rng)
    place = home or rng.choices(US_HOMES, weights=US_HOME_WEIGHTS)[0]
    email = f"{names.ascii_slug(first)}.{names.ascii_slug(last)}{rng.randint(1, 999)}@{rng.choice(names.EMAIL_DOMAINS)}"
    phone = f"+1{rng.choice(place.area_codes)}555{rng.randint(0, 9999):04d}"
    birth = f"{2026 - rng.randint(21, 70)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    street = f"{rng.randint(10, 9800)} {rng.choice(place.streets)}"
    if rng.random() < 0.5:
        street += f" Apt {rng.randint(1, 6)}{rng.choice('ABCDEF')}"
    home_ip = us_broadband_ip(rng)
    devices = [new_device(rng, ids, home_ip=home_ip)]
    if rng.random() < 0.35:
        devices.append(new_device(rng, ids, home_ip=home_ip))
    beneficiaries = [
        new_beneficiary(rng, ids, family=last if rng.random() < 0.6 else None)
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3)))
    ]
    centre = rng.choices([hour for hour, _ in LOGIN_HOUR_CENTRES], weights=[w for _, w in LOGIN_HOUR_CENTRES])[0]
    user = User(
        user_id=ids.prefixed("user", 12),
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        date_of_birth=birth,
        home=place,
        address_line1=street,
        postal_code=rng.choice(place.postal_codes),
        home_ip=home_ip,
        devices=devices,
        beneficiaries=beneficiaries,
        login_hour=(centre + rng.uniform(-1.0, 1.0)) % 24,
        sessions_per_day=min(3.0, max(0.1, rng.lognormvariate(-0.6, 0.6))),
        funding_method="ach" if rng.random() < 0.55 else "debit_card",
        is_active=is_active,
    )
    if is_active:
        for device in devices:
            device.is_registered = True
    return user


def build_world(rng: random.Random, ids: IdSource, *, users: int, active: bool) -> World:
    """``users`` customers; ``active`` ones are already registered (live mode) rather than onboarded in-stream."""
    world = World()
    for _ in range(users):
        world.add_user(new_user(rng, ids, is_active=active))
    return world
