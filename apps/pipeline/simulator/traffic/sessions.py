"""A customer opens the app: login-attempt → login-success (or login-failed, rarely a lockout) →
session-started → user-action-performed x n (and what those actions cause) → session-ended."""

from __future__ import annotations

from apps.pipeline.simulator.formats import HOUR, MINUTE, millis
from apps.pipeline.simulator.payloads import security as security_payloads
from apps.pipeline.simulator.payloads import users as payloads
from apps.pipeline.simulator.places import HAITI_CITIES, HAITI_WEIGHTS, US_HOMES, Place
from apps.pipeline.simulator.runtime import Activity, Sim
from apps.pipeline.simulator.traffic.common import SessionContext
from apps.pipeline.simulator.traffic.intents import INTENT_WEIGHTS, INTENTS
from apps.pipeline.simulator.world import Device, Trip, User, mobile_ip, new_device, us_broadband_ip

FAILED_LOGIN_RATE = 0.03
LOCKOUT_RATE = 0.0015
LOCK_AFTER_FAILURES = 6
TRIP_RATE = 0.004
NEW_PHONE_RATE = 0.002


def whereabouts(sim: Sim, user: User) -> Place:
    """Home, or the place of a trip in progress; now and then a trip starts (another city or Haiti)."""
    rng = sim.rng
    if user.trip is not None:
        if user.trip.until > sim.now:
            return user.trip.place
        user.trip = None
    # A trip starts only after a quiet spell, so the move is travel, not a teleport.
    if sim.now - user.last_seen > 6 * HOUR and rng.random() < TRIP_RATE:
        if rng.random() < 0.35:
            place = rng.choices(HAITI_CITIES, weights=HAITI_WEIGHTS)[0]
        else:
            place = rng.choice([home for home in US_HOMES if home.state != user.home.state] or list(US_HOMES))
        user.trip = Trip(place, sim.now + rng.uniform(3, 10) * 24 * HOUR)
        return place
    return user.home


def choose_device(sim: Sim, user: User) -> Device:
    rng = sim.rng
    if rng.random() < NEW_PHONE_RATE:
        device = new_device(rng, sim.ids, home_ip=user.home_ip, device_type=rng.choice(("ios", "android")))
        user.devices.append(device)
        return device
    if len(user.devices) > 1 and rng.random() < 0.25:
        return rng.choice(user.devices[1:])
    return user.devices[0]


def address_for(sim: Sim, user: User, device: Device, place: Place) -> str:
    rng = sim.rng
    if place is not user.home:
        return mobile_ip(rng) if device.device_type != "web_desktop" else us_broadband_ip(rng)
    if device.device_type != "web_desktop" and rng.random() < 0.1:
        return mobile_ip(rng)
    return device.ip_address


def session(
    sim: Sim,
    user: User,
    *,
    intent: str | None = None,
    device: Device | None = None,
    failed_logins: int | None = None,
    only_if_idle: bool = False,
) -> Activity:
    """One visit. ``intent`` (see ``intents.INTENTS``), ``device`` and ``failed_logins`` (failed attempts
    before the one that succeeds; six lock the account) are drawn when not given. ``only_if_idle`` (normal
    traffic) skips the visit if the customer is locked out or already in a session."""
    rng, ids = sim.rng, sim.ids
    if only_if_idle and (user.is_locked or user.is_in_session):
        return
    device = device or choose_device(sim, user)
    place = whereabouts(sim, user)
    ip_address = address_for(sim, user, device, place)
    geo = payloads.geo_of(place, rng)
    correlation_id = ids.uuid()
    is_app = device.device_type in ("ios", "android")
    auth_method = "biometric" if is_app and rng.random() < 0.55 else "magic_link" if rng.random() < 0.05 else "password"
    roll = rng.random()
    failures = LOCK_AFTER_FAILURES if roll < LOCKOUT_RATE else rng.choice((1, 1, 2)) if roll < FAILED_LOGIN_RATE else 0
    if failed_logins is not None:
        failures = failed_logins

    def attempt() -> str:
        attempt_id = ids.prefixed("att", 10)
        sim.emit(
            "login-attempt",
            payloads.login_attempt(
                user_id=user.user_id,
                attempt_id=attempt_id,
                device=device,
                ip_address=ip_address,
                geo=geo,
                at=sim.now_iso,
                auth_method=auth_method,
            ),
            correlation_id,
        )
        return attempt_id

    for _ in range(failures):
        attempt_id = attempt()
        yield rng.uniform(0.5, 3.0)
        user.consecutive_failures += 1
        reason = "mfa_failed" if auth_method == "password" and rng.random() < 0.15 else "invalid_password"
        sim.emit(
            "login-failed",
            payloads.login_failed(
                user_id=user.user_id,
                attempt_id=attempt_id,
                at=sim.now_iso,
                reason=reason,
                consecutive_failures=user.consecutive_failures,
            ),
            correlation_id,
        )
        if user.consecutive_failures >= LOCK_AFTER_FAILURES:
            sim.emit(
                "account-locked",
                security_payloads.account_locked(
                    user_id=user.user_id, at=sim.now_iso, reason="too_many_failed_logins", locked_by="system"
                ),
            )
            user.is_locked = True
            sim.spawn(unlock(sim, user), rng.uniform(20 * MINUTE, 8 * HOUR))
            return
        yield rng.uniform(5.0, 45.0)

    attempt_id = attempt()
    yield rng.uniform(0.5, 4.0)
    session_id = ids.prefixed("sess")
    mfa_used = auth_method == "password" and rng.random() < 0.6
    sim.emit(
        "login-success",
        payloads.login_success(
            user_id=user.user_id, attempt_id=attempt_id, session_id=session_id, at=sim.now_iso, mfa_used=mfa_used
        ),
        correlation_id,
    )
    user.consecutive_failures = 0
    user.is_in_session = True
    if not device.is_registered:
        sim.emit(
            "device-registered",
            payloads.device_registered(
                user_id=user.user_id, device=device, at=sim.now_iso, is_trusted=mfa_used or rng.random() < 0.7
            ),
        )
        device.is_registered = True
    yield rng.uniform(0.1, 1.0)
    sim.emit(
        "session-started",
        payloads.session_started(
            user_id=user.user_id, session_id=session_id, device=device, ip_address=ip_address, geo=geo, at=sim.now_iso
        ),
        correlation_id,
    )
    started = sim.now
    context = SessionContext(user, device, session_id, ip_address, geo, correlation_id)
    chosen = intent or rng.choices(list(INTENT_WEIGHTS), weights=list(INTENT_WEIGHTS.values()))[0]
    actions = yield from INTENTS[chosen](sim, context)
    timed_out = rng.random() < 0.3
    yield 15 * MINUTE if timed_out else rng.uniform(2.0, 30.0)
    sim.emit(
        "session-ended",
        payloads.session_ended(
            user_id=user.user_id,
            session_id=session_id,
            at=sim.now_iso,
            reason="timeout" if timed_out else "user_logout",
            duration_seconds=(millis(sim.now) - millis(started)) // 1000,
            actions_count=actions,
        ),
        correlation_id,
    )
    user.last_seen = sim.now
    user.is_in_session = False


def unlock(sim: Sim, user: User) -> Activity:
    """A locked customer is let back in (reset link or support), then logs in and sets a new password."""
    rng = sim.rng
    by_user = rng.random() < 0.7
    sim.emit(
        "account-unlocked",
        security_payloads.account_unlocked(
            user_id=user.user_id,
            at=sim.now_iso,
            unlocked_by="user" if by_user else "admin",
            reason="Password reset through the emailed link."
            if by_user
            else "Identity confirmed by phone with the support team.",
        ),
    )
    user.consecutive_failures = 0
    user.is_locked = False
    yield rng.uniform(1 * MINUTE, 10 * MINUTE)
    sim.spawn(session(sim, user, intent="password_reset", device=user.devices[0], failed_logins=0))
