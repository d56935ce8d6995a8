"""Reading live values: a per-process snapshot refreshed when the Redis version counter moves."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

from apps.serving.config.registry import get_parameter, parameters
from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key

logger = get_logger(__name__)

_lock = threading.Lock()
_state: dict[str, Any] = {"values": None, "version": None, "checked": 0.0}


def version_key() -> str:
    return redis_key("live-config", "version")


def _current_version() -> str | None:
    try:
        raw = get_redis().get(version_key())
    except Exception:  # Redis down: keep serving the snapshot we have; the DB stays the source of truth
        logger.warning("serving.config.version_unavailable")
        return _state["version"]
    if not raw:
        return "0"
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _load() -> dict[str, Any]:
    from apps.serving.models import ThresholdValue

    stored = dict(ThresholdValue.objects.values_list("key", "value"))
    values: dict[str, Any] = {}
    for parameter in parameters():
        if parameter.key in stored:
            try:
                values[parameter.key] = parameter.coerce(stored[parameter.key])
                continue
            except Exception:  # an old stored value that no longer fits: fall back, loudly
                logger.exception("serving.config.bad_stored_value", key=parameter.key)
        values[parameter.key] = parameter.coerce(parameter.default)
    return values


def config_snapshot(*, force: bool = False) -> dict[str, Any]:
    """All live values, at most ``LIVE_CONFIG_REFRESH_SECONDS`` old."""
    now = time.monotonic()
    if not force and _state["values"] is not None and now - _state["checked"] < settings.LIVE_CONFIG_REFRESH_SECONDS:
        return _state["values"]
    with _lock:
        version = _current_version()
        if force or _state["values"] is None or version != _state["version"]:
            _state["values"] = _load()
            _state["version"] = version
        _state["checked"] = now
        return _state["values"]


def config_value(key: str) -> Any:
    """The live value of ``key`` (its env default until an operator changes it)."""
    values = config_snapshot()
    if key not in values:
        get_parameter(key)  # raises NotFoundError for an unknown key
        values = config_snapshot(force=True)
    return values[key]


def invalidate_local() -> None:
    _state["values"] = None
