"""PostgreSQL and Redis connections."""

from __future__ import annotations

from lakay.env import env

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/lakay"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME", default="test_lakay")}

REDIS_URL: str = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Prefix of every Redis key this instance writes (cache, features, replay cache, channel groups).
# Lets two instances (or two test runs) share one Redis without touching each other's keys.
REDIS_KEY_PREFIX: str = env.str("REDIS_KEY_PREFIX", default="lakay")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
