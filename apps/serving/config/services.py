"""Changing a live value: validated, versioned, recorded with who and why, announced to every process."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from apps.serving.config.registry import get_parameter
from apps.serving.config.selectors import config_value, invalidate_local, version_key
from apps.serving.models import ThresholdChange, ThresholdValue
from lakay.exceptions import ApplicationError
from lakay.logging import get_logger
from lakay.redis import get_redis

logger = get_logger(__name__)


def threshold_set(*, key: str, value: Any, actor: str, reason: str) -> ThresholdChange:
    """Set ``key`` to ``value``. ``reason`` is mandatory: the history is what a regulator reads."""
    if not reason or not reason.strip():
        raise ApplicationError("A reason is required for every threshold change.", code="reason_required")
    if not actor:
        raise ApplicationError("The actor making the change must be named.", code="actor_required")
    parameter = get_parameter(key)
    new_value = parameter.coerce(value)
    before = parameter.to_storage(config_value(key))
    with transaction.atomic():
        current, created = ThresholdValue.objects.select_for_update().get_or_create(
            key=key, defaults={"value": parameter.to_storage(new_value), "version": 1}
        )
        previous = None if created else current.value
        if not created:
            ThresholdValue.objects.filter(pk=current.pk).update(
                value=parameter.to_storage(new_value), version=F("version") + 1
            )
            current.refresh_from_db()
        change = ThresholdChange.objects.create(
            key=key,
            previous_value=previous if previous is not None else before,
            new_value=parameter.to_storage(new_value),
            version=current.version,
            changed_by=actor[:150],
            reason=reason.strip()[:1000],
        )
        invalidate_local()  # this process sees its own change at once
        transaction.on_commit(_announce)
    logger.info("serving.threshold.changed", key=key, version=change.version, actor=actor)
    return change


def _announce() -> None:
    invalidate_local()
    try:
        get_redis().incr(version_key())
    except Exception:  # processes fall back to their refresh interval once Redis is back
        logger.warning("serving.config.announce_failed")
