"""gunicorn settings (sync workers: ASGI HTTP is 6-10x slower on these machines, see docs/decisions.md)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
accesslog = None
control_socket_disable = True  # gunicorn 26 would otherwise create ~/.gunicorn/gunicorn.ctl


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """Drop a dead worker's Prometheus multiprocess files (live gauges)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
