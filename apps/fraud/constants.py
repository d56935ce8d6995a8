"""Fixed numbers of the fraud domain (tunable values are live parameters in config.py)."""

from __future__ import annotations

RULESET_VERSION = "rules-v3"
HYBRID_VERSION_PREFIX = "hybrid"

MICROSECONDS = 1_000_000
MINUTE_US = 60 * MICROSECONDS
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US

# The longest feature window, and how far back the online store keeps events (one day of slack so
# slightly late events are still scored from Redis).
FEATURE_WINDOW_US = 30 * DAY_US
ONLINE_RETENTION_US = 31 * DAY_US
LOGIN_WINDOW_US = 10 * MINUTE_US
CIRCLE_JOIN_WINDOW_US = DAY_US
# Redis keys of a user expire this long after their last write (the store rebuilds them from PostgreSQL).
ONLINE_KEY_TTL_SECONDS = 35 * 24 * 3600

# Countries of the Trebanx corridor (a sender outside them is unusual).
CORRIDOR_COUNTRIES = frozenset({"US", "HT"})
SCORED_CURRENCY = "USD"
EARTH_RADIUS_KM = 6371.0088
