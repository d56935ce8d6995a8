"""Handler registry: event type → the domain handlers to call, in registration order.

Domain apps register in ``AppConfig.ready``::

    from apps.pipeline.spine.registry import register_handler
    register_handler("transaction-initiated", handlers.handle_transaction_initiated)

Handlers take an ``Event``, are idempotent, run inside the batch transaction (in a savepoint of their
own event), call services, and never talk to Kafka (they publish through the outbox).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from apps.pipeline.spine.events import Event

Handler = Callable[[Event], None]

_handlers: dict[str, list[Handler]] = defaultdict(list)
# Called once by a consumer process before its first batch (load models, compile config), so the first
# batch's transaction never waits on them.
_warmups: list[Callable[[], None]] = []


def register_handler(event_type: str, handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def handlers_for(event_type: str) -> list[Handler]:
    return list(_handlers.get(event_type, ()))


def registered_event_types() -> list[str]:
    return sorted(event_type for event_type, handlers in _handlers.items() if handlers)


def handler_name(handler: Handler) -> str:
    return f"{handler.__module__}.{getattr(handler, '__qualname__', repr(handler))}"


def unregister_handler(event_type: str, handler: Handler) -> None:
    if handler in _handlers.get(event_type, []):
        _handlers[event_type].remove(handler)


def register_warmup(warmup: Callable[[], None]) -> None:
    if warmup not in _warmups:
        _warmups.append(warmup)


def run_warmups() -> None:
    """Run every registered warm-up; a failing one is logged and skipped (the hot path copes without)."""
    from lakay.logging import get_logger

    for warmup in list(_warmups):
        try:
            warmup()
        except Exception:
            get_logger(__name__).exception("spine.warmup.failed", warmup=handler_name(warmup))  # type: ignore[arg-type]
