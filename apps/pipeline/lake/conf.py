"""Lake settings: read from Django settings when set (tests override them), else the environment.

Every variable is documented once in ``.env.example`` (section "data lake").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from lakay.env import env

_DEFAULTS: dict[str, Any] = {
    # Bronze: flush a per-event-type buffer at this many events or this age (seconds).
    "LAKE_BRONZE_FLUSH_EVENTS": env.int("LAKE_BRONZE_FLUSH_EVENTS", default=1000),
    "LAKE_BRONZE_FLUSH_SECONDS": env.float("LAKE_BRONZE_FLUSH_SECONDS", default=60.0),
    # Parquet compression of every layer: zstd or snappy.
    "LAKE_PARQUET_COMPRESSION": env.str("LAKE_PARQUET_COMPRESSION", default="zstd"),
    # Silver: share of rejected events in one partition run above which an alert is raised.
    "LAKE_SILVER_REJECTION_ALERT_RATE": env.float("LAKE_SILVER_REJECTION_ALERT_RATE", default=0.10),
    # Silver/gold beat schedule: minutes between incremental silver runs; UTC hour of the daily gold run.
    "LAKE_SILVER_EVERY_MINUTES": env.int("LAKE_SILVER_EVERY_MINUTES", default=15),
    "LAKE_GOLD_DAILY_HOUR_UTC": env.int("LAKE_GOLD_DAILY_HOUR_UTC", default=2),
    # Gold: days before today the daily run always rebuilds (late events land in past days).
    "LAKE_GOLD_LOOKBACK_DAYS": env.int("LAKE_GOLD_LOOKBACK_DAYS", default=2),
    # Worker processes for a rebuild from the command line (0 = one per CPU).
    "LAKE_WORKERS": env.int("LAKE_WORKERS", default=0),
}


def lake_setting(name: str) -> Any:
    """The value of a lake setting (``override_settings`` wins over the environment default)."""
    return getattr(settings, name, _DEFAULTS[name])


def bronze_consumer_group() -> str:
    return f"{settings.KAFKA_CONSUMER_GROUP}.bronze"
