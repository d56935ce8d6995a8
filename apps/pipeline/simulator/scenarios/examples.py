"""Two generic scenarios shipped with the simulator; domain apps add their own the same way."""

from __future__ import annotations

from apps.pipeline.simulator.formats import DAY, money
from apps.pipeline.simulator.payloads import users as payloads
from apps.pipeline.simulator.places import US_HOMES
from apps.pipeline.simulator.scenarios.base import Planted, Scenario, ScenarioContext
from apps.pipeline.simulator.scenarios.registry import register_scenario
from apps.pipeline.simulator.traffic.circles import RELIABLE, circle_lifecycle, form_circle
from apps.pipeline.simulator.world import mobile_ip


class HealthyCircle(Scenario):
    name = "healthy_circle"
    description = "A weekly circle of 6-10 neighbours who all pay on time, from creation to completion."

    def plant(self, ctx: ScenarioContext) -> Planted:
        circle = form_circle(ctx.sim, size=ctx.rng.randint(6, 10), frequency="weekly")
        if circle is None:
            return Planted([], [])
        span = (8 + len(circle.invited) * 7) * DAY
        events = ctx.record(lambda sim: circle_lifecycle(sim, circle, RELIABLE), start=ctx.timeline_start(span))
        label = ctx.label(
            entity_type="circle",
            entity_id=circle.circle_id,
            label="no_alert",
            members=len(circle.invited),
            contribution=money(circle.contribution_cents),
            frequency=circle.frequency,
        )
        return Planted(events, [label])


class FailedLoginsBurst(Scenario):
    name = "failed_logins_burst"
    description = (
        "Five failed logins within three minutes from a device and city the customer never used, "
        "then a successful login from that device."
    )

    def plant(self, ctx: ScenarioContext) -> Planted:
        rng = ctx.rng
        user = ctx.pick_user()
        device = ctx.new_device(user, device_type=rng.choice(("android", "web_desktop")))
        place = rng.choice([home for home in US_HOMES if home.state != user.home.state])
        ip_address, geo = mobile_ip(rng), payloads.geo_of(place, rng)
        correlation_id = ctx.uuid()
        events = []

        def attempt(at: float) -> str:
            attempt_id = ctx.new_id("att", 10)
            events.append(
                ctx.event(
                    "login-attempt",
                    payloads.login_attempt(
                        user_id=user.user_id,
                        attempt_id=attempt_id,
                        device=device,
                        ip_address=ip_address,
                        geo=geo,
                        at=ctx.iso(at),
                        auth_method="password",
                    ),
                    at=at,
                    correlation_id=correlation_id,
                )
            )
            return attempt_id

        starts = sorted(rng.uniform(0.0, 170.0) for _ in range(5))
        for number, start in enumerate(starts, start=1):
            attempt_id = attempt(ctx.now + start)
            failed_at = ctx.now + start + rng.uniform(0.5, 2.0)
            events.append(
                ctx.event(
                    "login-failed",
                    payloads.login_failed(
                        user_id=user.user_id,
                        attempt_id=attempt_id,
                        at=ctx.iso(failed_at),
                        reason="invalid_password",
                        consecutive_failures=number,
                    ),
                    at=failed_at,
                )
            )
        success_at = ctx.now + starts[-1] + rng.uniform(4.0, 8.0)
        attempt_id = attempt(success_at - 1.0)
        session_id = ctx.new_id("sess")
        success = ctx.event(
            "login-success",
            payloads.login_success(
                user_id=user.user_id,
                attempt_id=attempt_id,
                session_id=session_id,
                at=ctx.iso(success_at),
                mfa_used=False,
            ),
            at=success_at,
            correlation_id=correlation_id,
        )
        events.append(success)
        events.append(
            ctx.event(
                "device-registered",
                payloads.device_registered(
                    user_id=user.user_id, device=device, at=ctx.iso(success_at), is_trusted=False
                ),
                at=success_at,
            )
        )
        started_at = success_at + rng.uniform(0.2, 1.0)
        events.append(
            ctx.event(
                "session-started",
                payloads.session_started(
                    user_id=user.user_id,
                    session_id=session_id,
                    device=device,
                    ip_address=ip_address,
                    geo=geo,
                    at=ctx.iso(started_at),
                ),
                at=started_at,
                correlation_id=correlation_id,
            )
        )
        label = ctx.label(
            entity_type="user",
            entity_id=user.user_id,
            label="ato_suspected",
            event=success,
            failed_logins=5,
            window_seconds=round(starts[-1] - starts[0] + 2),
            device_id=device.device_id,
            session_id=session_id,
        )
        return Planted(events, [label])


register_scenario(HealthyCircle())
register_scenario(FailedLoginsBurst())
