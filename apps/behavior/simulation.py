"""Behaviour scenarios for the traffic simulator (``manage.py simulate --scenario ato_...``).

Ground truth lives in ``SimulationLabel`` (entity ``session``), never in the events:

- ``ato_account_takeover`` (label ``account_takeover``): sometimes failed logins, then a session from a
  device the customer never used, in a city abroad outside the US-Haiti corridor; the stranger changes
  the email and password, adds a payment method and starts a large transfer.
- ``ato_takeover_other_us_city`` (``account_takeover``): the same from another US state (harder: the
  country is familiar, only the device and the city are new).
- ``ato_impossible_travel`` (``impossible_travel``): an ordinary session at home, then 10-45 minutes
  later a session on the same phone from Haiti or a far US city.
- ``ato_legit_haiti_travel`` (``no_alert`` on every session): after a quiet spell the customer flies to
  Haiti and uses the app there for days, on their own phone, doing what they usually do.

Detection figures in docs/detection.md come from these (``benchmarks/behavior_detection.py``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from apps.pipeline.simulator import Planted, Scenario, ScenarioContext, register_scenario
from apps.pipeline.simulator.formats import DAY, HOUR, MINUTE
from apps.pipeline.simulator.payloads import security as security_payloads
from apps.pipeline.simulator.payloads import users as payloads
from apps.pipeline.simulator.places import HAITI_CITIES, HAITI_WEIGHTS, US_HOMES
from apps.pipeline.simulator.runtime import Activity, Recorder
from apps.pipeline.simulator.traffic.sessions import session
from apps.pipeline.simulator.world import Device, Trip, User, mobile_ip

Envelope = dict[str, Any]

TAKEOVER_ACTIONS: tuple[tuple[str, str], ...] = (
    ("change_email", "/settings/profile/email"),
    ("change_password", "/settings/security/password"),
    ("add_payment_method", "/settings/payment-methods/new"),
    ("add_recipient", "/recipients/new"),
    ("initiate_large_transaction", "/remittances/review"),
)
QUIET_BEFORE_TRIP = 8 * HOUR  # a flight to Haiti with the trip to the airport: no teleport


@dataclass(frozen=True)
class Abroad:
    city: str
    country: str
    latitude: float
    longitude: float


# Outside the US-Haiti corridor and far from both.
ABROAD: tuple[Abroad, ...] = (
    Abroad("Lagos", "NG", 6.5244, 3.3792),
    Abroad("Accra", "GH", 5.6037, -0.1870),
    Abroad("Bucharest", "RO", 44.4268, 26.1025),
    Abroad("Sao Paulo", "BR", -23.5505, -46.6333),
    Abroad("Kyiv", "UA", 50.4501, 30.5234),
    Abroad("Jakarta", "ID", -6.2088, 106.8456),
)


def _geo(latitude: float, longitude: float, country: str, city: str, rng: random.Random) -> dict[str, Any]:
    return {
        "latitude": round(latitude + rng.uniform(-0.02, 0.02), 4),
        "longitude": round(longitude + rng.uniform(-0.02, 0.02), 4),
        "country": country,
        "city": city,
    }


def _seasoned(user: User) -> bool:
    """A customer who has used the app before (the simulator records their last visit)."""
    return user.is_active and not user.is_locked and not user.is_in_session and user.last_seen > 0


def _at_home(user: User, now: float) -> bool:
    """Not on a trip (an ended trip is cleared at the customer's next session)."""
    return user.trip is None or user.trip.until <= now


class _AttackerSession:
    """Builds the events of one session driven by someone who is not the customer."""

    def __init__(self, ctx: ScenarioContext, user: User, device: Device, geo: dict[str, Any]):
        self.ctx, self.user, self.device, self.geo = ctx, user, device, geo
        self.ip_address = mobile_ip(ctx.rng)
        self.correlation_id = ctx.uuid()
        self.session_id = ctx.new_id("sess")
        self.events: list[Envelope] = []

    def emit(self, event_type: str, payload: dict[str, Any], at: float) -> Envelope:
        envelope = self.ctx.event(event_type, payload, at=at, correlation_id=self.correlation_id)
        self.events.append(envelope)
        return envelope

    def login(self, at: float, failures: int) -> float:
        rng = self.ctx.rng
        for number in range(1, failures + 1):
            attempt_id = self.ctx.new_id("att", 10)
            self.emit("login-attempt", self._attempt(attempt_id, at), at)
            at += rng.uniform(0.5, 2.0)
            self.emit(
                "login-failed",
                payloads.login_failed(
                    user_id=self.user.user_id,
                    attempt_id=attempt_id,
                    at=self.ctx.iso(at),
                    reason="invalid_password",
                    consecutive_failures=number,
                ),
                at,
            )
            at += rng.uniform(8.0, 40.0)
        attempt_id = self.ctx.new_id("att", 10)
        self.emit("login-attempt", self._attempt(attempt_id, at), at)
        at += rng.uniform(0.5, 3.0)
        self.emit(
            "login-success",
            payloads.login_success(
                user_id=self.user.user_id,
                attempt_id=attempt_id,
                session_id=self.session_id,
                at=self.ctx.iso(at),
                mfa_used=False,
            ),
            at,
        )
        return at

    def _attempt(self, attempt_id: str, at: float) -> dict[str, Any]:
        return payloads.login_attempt(
            user_id=self.user.user_id,
            attempt_id=attempt_id,
            device=self.device,
            ip_address=self.ip_address,
            geo=self.geo,
            at=self.ctx.iso(at),
            auth_method="password",
        )

    def start(self, at: float) -> Envelope:
        return self.emit(
            "session-started",
            payloads.session_started(
                user_id=self.user.user_id,
                session_id=self.session_id,
                device=self.device,
                ip_address=self.ip_address,
                geo=self.geo,
                at=self.ctx.iso(at),
            ),
            at,
        )

    def act(self, action_type: str, target: str, at: float) -> None:
        self.emit(
            "user-action-performed",
            payloads.user_action_performed(
                user_id=self.user.user_id,
                session_id=self.session_id,
                action_id=self.ctx.new_id("act"),
                action_type=action_type,
                target=target,
                at=self.ctx.iso(at),
                duration_ms=self.ctx.rng.randint(800, 9000),
            ),
            at,
        )

    def credentials_changed(self, credential: str, at: float) -> None:
        self.emit(
            "account-credentials-changed",
            security_payloads.account_credentials_changed(
                user_id=self.user.user_id,
                credential=credential,
                at=self.ctx.iso(at),
                session_id=self.session_id,
                ip_address=self.ip_address,
                device_id=self.device.device_id,
                geo=self.geo,
            ),
            at,
        )

    def end(self, started: float, at: float, actions: int) -> None:
        self.emit(
            "session-ended",
            payloads.session_ended(
                user_id=self.user.user_id,
                session_id=self.session_id,
                at=self.ctx.iso(at),
                reason="user_logout",
                duration_seconds=int(at - started),
                actions_count=actions,
            ),
            at,
        )


class _Takeover(Scenario):
    """Someone else logs in from a new device in a place of ``_place`` and takes the account over."""

    def _place(self, ctx: ScenarioContext, user: User) -> tuple[dict[str, Any], str]:
        raise NotImplementedError

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user(_seasoned)
        device = ctx.new_device(user, device_type=rng.choice(("android", "web_desktop")))
        geo, where = self._place(ctx, user)
        attacker = _AttackerSession(ctx, user, device, geo)
        at = ctx.timeline_start(20 * MINUTE)
        at = attacker.login(at, failures=rng.choice((0, 0, 1, 2, 3, 4, 5)))
        at += rng.uniform(0.2, 1.0)
        started_at = at
        started = attacker.start(at)
        actions = 0
        for action_type, target in TAKEOVER_ACTIONS[: rng.randint(3, len(TAKEOVER_ACTIONS))]:
            at += rng.uniform(5.0, 50.0)
            attacker.act(action_type, target, at)
            actions += 1
            if action_type in {"change_email", "change_password"}:
                attacker.credentials_changed(action_type.removeprefix("change_"), at + rng.uniform(0.5, 2.0))
        at += rng.uniform(10.0, 60.0)
        attacker.end(started_at, at, actions)
        label = ctx.label(
            entity_type="session",
            entity_id=attacker.session_id,
            label="account_takeover",
            event=started,
            user_id=user.user_id,
            place=where,
        )
        return Planted(attacker.events, [label])


class AccountTakeover(_Takeover):
    name = "ato_account_takeover"
    description = (
        "A stranger logs in (after 0-5 failed attempts) from a device the customer never used, in a city abroad "
        "outside the US-Haiti corridor, and changes the email and password, adds a payment method and starts a "
        "large transfer."
    )

    def _place(self, ctx: ScenarioContext, user: User) -> tuple[dict[str, Any], str]:
        place = ctx.rng.choice(ABROAD)
        return _geo(place.latitude, place.longitude, place.country, place.city, ctx.rng), place.country


class TakeoverFromAnotherUsCity(_Takeover):
    name = "ato_takeover_other_us_city"
    description = (
        "Like ato_account_takeover, but the stranger is in another US state: only the device and the city are new."
    )

    def _place(self, ctx: ScenarioContext, user: User) -> tuple[dict[str, Any], str]:
        place = ctx.rng.choice([home for home in US_HOMES if home.state != user.home.state])
        return payloads.geo_of(place, ctx.rng), "US"


class ImpossibleTravel(Scenario):
    name = "ato_impossible_travel"
    description = (
        "An ordinary session at home, then 10-45 minutes after it ends a session on the same phone from Haiti "
        "or a US city over 1,500 km away."
    )

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        # At home: a customer on a trip would open the "home" session where they are (in Haiti, say), and
        # the far session 60-125 km away would be no impossible travel at all. The customer is also kept
        # home until the far session (no trip may start with the home session).
        user = ctx.pick_user(lambda candidate: _seasoned(candidate) and _at_home(candidate, ctx.now))
        device = user.devices[0]
        start = ctx.timeline_start(2 * HOUR)
        user.trip = Trip(user.home, start + 2 * HOUR)
        home_events = ctx.record(
            lambda sim: session(sim, user, intent="browse", device=device, failed_logins=0), start=start
        )
        home_end = max(_instant(event) for event in home_events)
        far = [home for home in US_HOMES if abs(home.latitude - user.home.latitude) > 12]
        far_us = bool(far) and rng.random() < 0.4
        place = rng.choice(far) if far_us else rng.choices(HAITI_CITIES, weights=HAITI_WEIGHTS)[0]
        geo = payloads.geo_of(place, rng)
        traveller = _AttackerSession(ctx, user, device, geo)
        at = traveller.login(home_end + rng.uniform(10, 45) * MINUTE, failures=0) + rng.uniform(0.2, 1.0)
        started_at = at
        started = traveller.start(at)
        actions = rng.randint(2, 5)
        for _ in range(actions):
            at += rng.uniform(5.0, 60.0)
            traveller.act("page_view", rng.choice(("/home", "/activity", "/wallet")), at)
        at += rng.uniform(5.0, 30.0)
        traveller.end(started_at, at, actions)
        label = ctx.label(
            entity_type="session",
            entity_id=traveller.session_id,
            label="impossible_travel",
            event=started,
            user_id=user.user_id,
            city=place.city,
            minutes_after_home=round((started_at - home_end) / 60, 1),
        )
        return Planted([*home_events, *traveller.events], [label])


class LegitimateHaitiTravel(Scenario):
    name = "ato_legit_haiti_travel"
    description = (
        "After a quiet spell of 8+ hours the customer flies to Haiti and, for 3-10 days, uses the app there on "
        "their own phone the way they do at home (remittances, browsing, circles). Nothing should alert."
    )

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user(
            lambda candidate: (
                _seasoned(candidate)
                and candidate.trip is None
                and candidate.home.country == "US"
                and ctx.now - candidate.last_seen >= QUIET_BEFORE_TRIP
            )
        )
        days = rng.randint(3, 10)
        first = ctx.timeline_start(days * DAY)
        place = rng.choices(HAITI_CITIES, weights=HAITI_WEIGHTS)[0]
        user.trip = Trip(place, first + days * DAY)  # normal traffic of this customer happens there too
        device = user.devices[0]
        events: list[Envelope] = []
        moment = first + rng.uniform(1, 3) * HOUR
        for _ in range(days):
            intent = rng.choices(("remit", "browse", "circle", "transfer"), weights=(0.4, 0.35, 0.15, 0.1))[0]
            events += ctx.record(partial(_visit, user=user, intent=intent, device=device), start=moment)
            moment += rng.uniform(18, 30) * HOUR
            if moment >= first + days * DAY:
                break
        labels = [
            ctx.label(
                entity_type="session",
                entity_id=event["payload"]["session_id"],
                label="no_alert",
                user_id=user.user_id,
                city=place.city,
            )
            for event in events
            if event["event_type"] == "session-started"
        ]
        return Planted(events, labels)


def _visit(sim: Recorder, *, user: User, intent: str, device: Device) -> Activity:
    return session(sim, user, intent=intent, device=device, failed_logins=0)


def _instant(envelope: Envelope) -> float:
    return datetime.fromisoformat(envelope["timestamp"].replace("Z", "+00:00")).timestamp()


def register() -> None:
    for scenario in (AccountTakeover(), TakeoverFromAnotherUsCity(), ImpossibleTravel(), LegitimateHaitiTravel()):
        register_scenario(scenario)
