"""Per-principal rate limits: a fixed-window counter in Redis (one pipelined round trip per request).

DRF's SimpleRateThrottle keeps the whole request history in one cache value, which costs more than
the scoring itself at thousands of requests per minute.
"""

from __future__ import annotations

import time
from typing import Any, cast

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from lakay.redis import get_redis, redis_key

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


class PrincipalRateThrottle(BaseThrottle):
    """One bucket per service client or per person; anonymous requests never reach a view."""

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return True
        scope = "service" if getattr(user, "roles", None) is not None else "user"
        rates = cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        self.limit, self.period = parse_rate(rates[scope])
        window = int(time.time() // self.period)
        key = redis_key("throttle", scope, user.pk, window)
        pipe = get_redis().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, self.period + 1)
        count, _ = pipe.execute()
        self.remaining_seconds = self.period - (time.time() % self.period)
        return int(count) <= self.limit

    def wait(self) -> float | None:
        return getattr(self, "remaining_seconds", None)
