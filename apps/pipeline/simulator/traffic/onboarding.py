"""A new customer: user-registered → device-registered → user-verified (most), then a first session."""

from __future__ import annotations

from apps.pipeline.simulator import names
from apps.pipeline.simulator.formats import DAY, HOUR, MINUTE
from apps.pipeline.simulator.payloads import users as payloads
from apps.pipeline.simulator.runtime import Activity, Sim
from apps.pipeline.simulator.traffic.sessions import session
from apps.pipeline.simulator.world import User

NEVER_VERIFIED_RATE = 0.03
VERIFICATION_METHODS: dict[str, float] = {"document": 0.45, "selfie": 0.3, "database": 0.2, "manual_review": 0.05}


def onboarding(sim: Sim, user: User) -> Activity:
    rng = sim.rng
    device = user.primary_device
    channel = device.device_type if device.device_type in ("ios", "android") else "web"
    referral = None
    if rng.random() < 0.2:
        referral = f"{names.ascii_slug(rng.choice(names.LAST_NAMES)).upper()[:10]}{rng.randint(10, 99)}"
    sim.emit(
        "user-registered",
        payloads.user_registered(user=user, at=sim.now_iso, signup_channel=channel, referral_code=referral),
    )
    yield rng.uniform(1.0, 6.0)
    sim.emit(
        "device-registered",
        payloads.device_registered(user_id=user.user_id, device=device, at=sim.now_iso, is_trusted=True),
    )
    device.is_registered = True
    yield min(2 * DAY, max(10 * MINUTE, rng.lognormvariate(9.0, 1.2)))
    if rng.random() < NEVER_VERIFIED_RATE:
        return
    method = rng.choices(list(VERIFICATION_METHODS), weights=list(VERIFICATION_METHODS.values()))[0]
    document_country = ("HT" if rng.random() < 0.6 else "US") if method in ("document", "selfie") else None
    sim.emit(
        "user-verified",
        payloads.user_verified(
            user_id=user.user_id,
            at=sim.now_iso,
            level="enhanced" if rng.random() < 0.1 else "basic",
            method=method,
            document_country=document_country,
        ),
    )
    sim.world.activate(user)
    sim.spawn(session(sim, user, only_if_idle=True), rng.uniform(1 * MINUTE, 2 * HOUR))
