"""Graceful stop for long-running commands: SIGTERM/SIGINT set a flag checked between batches."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from lakay.logging import get_logger

logger = get_logger(__name__)


def install_stop_flag() -> Callable[[], bool]:
    stop = threading.Event()

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("process.stop_requested", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop.is_set
