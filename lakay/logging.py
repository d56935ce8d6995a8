"""structlog configuration: JSON lines, UTC timestamps, PII scrubbed before rendering."""

from __future__ import annotations

import logging
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from lakay.pii import PII_FIELDS, scrub


def _scrub_pii(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key in list(event_dict):
        if key in PII_FIELDS or isinstance(event_dict[key], dict | list):
            event_dict[key] = scrub(event_dict[key], key)
    return event_dict


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _scrub_pii,
]


def build_formatter(log_format: str = "json") -> structlog.stdlib.ProcessorFormatter:
    """Formatter for the stdlib handler; also configures structlog once."""
    renderer: Any = structlog.dev.ConsoleRenderer() if log_format == "console" else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return structlog.stdlib.ProcessorFormatter(
        processor=renderer,
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """The project's logger: ``logger = get_logger(__name__)``."""
    return structlog.stdlib.get_logger(name)


__all__ = ["build_formatter", "get_logger", "logging"]
