"""The serving runtime of this process: model loader, buffers, and the thread that tends them.

``SERVING_RUNTIME_MODE=thread`` (default): a daemon thread started on the first score (so after a
fork) checks for alias changes every half second and flushes the buffers every ``SERVING_FLUSH_SECONDS``;
the scoring path never touches MLflow or writes to PostgreSQL. ``inline``: the scoring thread checks for
alias changes itself and buffers are written only by ``flush_buffers()`` (tests, benchmarks, commands).
"""

from __future__ import annotations

import atexit
import os
import threading
import time

from django.db import close_old_connections, connection

from apps.serving.conf import serving_setting
from apps.serving.constants import DRIFT_PENDING_KEY
from apps.serving.runtime.buffers import ServingBuffers, flush_snapshot
from apps.serving.runtime.loader import ModelLoader, ServingState
from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key

logger = get_logger(__name__)

TICK_SECONDS = 0.5


class ServingRuntime:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loader = ModelLoader()
        self.buffers = ServingBuffers()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stopping = threading.Event()
        self._local_pending: dict[tuple[str, int], int] = {}
        self._waited = False

    @property
    def is_threaded(self) -> bool:
        return serving_setting("SERVING_RUNTIME_MODE") == "thread"

    def state(self) -> ServingState:
        """The versions to score with now (never blocks after the first load attempt)."""
        if not self.is_threaded:
            return self.loader.maybe_refresh()
        if self._thread is None:
            self._start()
        if not self._waited and not self.loader.has_attempted.is_set():
            # Only the first caller waits (a consumer's warm-up, or the first score); later ones score
            # rules-only until the load lands rather than each stalling again.
            self.loader.has_attempted.wait(float(serving_setting("SERVING_MODEL_LOAD_TIMEOUT_SECONDS")))
        self._waited = True
        return self.loader.state

    def start(self) -> None:
        """Begin loading the model in the background now (a consumer calls this before joining its group)."""
        if self.is_threaded and self._thread is None:
            self._start()

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="lakay-serving", daemon=True)
            self._thread.start()
            atexit.register(self._at_exit)

    def _run(self) -> None:
        last_flush = time.monotonic()
        while not self._stopping.is_set():
            try:
                self.loader.maybe_refresh()
                interval = float(serving_setting("SERVING_FLUSH_SECONDS"))
                if interval > 0 and time.monotonic() - last_flush >= interval:
                    last_flush = time.monotonic()
                    self.flush()
            except Exception:  # the thread must survive anything; the next tick retries
                logger.exception("serving.runtime.tick_failed")
            finally:
                close_old_connections()
            self._stopping.wait(TICK_SECONDS)
        connection.close()

    def _at_exit(self) -> None:
        self._stopping.set()
        try:
            self.flush(check_drift=False)
        except Exception:  # the process is ending; a lost partial bucket is acceptable
            logger.warning("serving.runtime.final_flush_failed")

    def flush(self, *, check_drift: bool = True) -> dict[tuple[str, int], int]:
        """Write the buffers; run a drift check for versions that crossed the observation count."""
        snapshot = self.buffers.drain()
        if snapshot.is_empty:
            return {}
        try:
            observations = flush_snapshot(snapshot)
        except Exception:
            self.buffers.restore(snapshot)
            logger.exception("serving.runtime.flush_failed")
            return {}
        if check_drift:
            for (name, version), added in observations.items():
                if added and self._drift_due(name, version, added):
                    from apps.serving.choices import CheckTrigger
                    from apps.serving.monitoring.services import monitoring_check

                    monitoring_check(model_name=name, versions=[version], trigger=CheckTrigger.OBSERVATIONS)
        return observations

    def _drift_due(self, name: str, version: int, added: int) -> bool:
        from apps.serving.config import config_value
        from apps.serving.parameters import DRIFT_CHECK_EVERY

        every = int(config_value(DRIFT_CHECK_EVERY))
        key = redis_key(DRIFT_PENDING_KEY, name, version)
        try:
            redis = get_redis()
            pending = int(redis.incrby(key, added))
            if pending < every:
                return False
            # One process wins the check; the others keep counting towards the next one.
            return bool(redis.getdel(key) is not None)
        except Exception:  # Redis down: count in this process
            pending = self._local_pending.get((name, version), 0) + added
            self._local_pending[(name, version)] = 0 if pending >= every else pending
            return pending >= every


_runtime: ServingRuntime | None = None
_runtime_lock = threading.Lock()


def runtime() -> ServingRuntime:
    """This process's runtime (a forked child builds its own: threads do not survive a fork)."""
    global _runtime
    current = _runtime
    if current is not None and current.pid == os.getpid():
        return current
    with _runtime_lock:
        if _runtime is None or _runtime.pid != os.getpid():
            _runtime = ServingRuntime()
        return _runtime


def reset_runtime() -> None:
    """Forget every loaded model and buffered value (tests; a process after a settings change)."""
    global _runtime
    with _runtime_lock:
        if _runtime is not None:
            _runtime._stopping.set()
        _runtime = None
