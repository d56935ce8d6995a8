"""Channels layer used by the live views (websockets served by daphne)."""

from __future__ import annotations

from lakay.settings.database import REDIS_KEY_PREFIX, REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # socket_timeout: redis-py 8 otherwise gives up reading after 5 s, exactly when channels_redis's
        # blocking receive (BZPOPMIN, 5 s) returns empty, so every idle websocket died after 5 s.
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
            "prefix": f"{REDIS_KEY_PREFIX}:asgi",
            "capacity": 1000,
        },
    }
}
