"""Operational endpoints: /health (liveness), /ready (dependencies), /metrics (Prometheus)."""

from __future__ import annotations

import hmac
import os
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from lakay.redis import get_redis
from lakay.security.permissions import has_role
from lakay.security.roles import Role

STARTED = time.monotonic()
_KAFKA_CACHE: dict[str, Any] = {"at": 0.0, "ok": False}


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: answers without touching any dependency."""
    return JsonResponse(
        {
            "status": "healthy",
            "service": settings.APP_NAME,
            "version": settings.APP_VERSION,
            "uptime_seconds": int(time.monotonic() - STARTED),
        }
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure means "not ready"; the reason is in the database log
        return False


def _redis_ok() -> bool:
    try:
        return bool(get_redis().ping())
    except Exception:  # any failure means "not ready"
        return False


def _kafka_ok() -> bool:
    # One metadata round trip at most every 5 s per process: /ready is polled often.
    if time.monotonic() - _KAFKA_CACHE["at"] < 5:
        return bool(_KAFKA_CACHE["ok"])
    from apps.pipeline.spine.kafka import broker_reachable

    ok = broker_reachable(timeout=1.5)
    _KAFKA_CACHE.update(at=time.monotonic(), ok=ok)
    return ok


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency true/false; 503 when a required one is down."""
    checks = {"database": _database_ok(), "redis": _redis_ok(), "kafka": _kafka_ok()}
    required = set(settings.READY_REQUIRES)
    is_ready = all(ok for name, ok in checks.items() if name in required)
    body = {"status": "ready" if is_ready else "degraded", **checks, "required": sorted(required)}
    return JsonResponse(body, status=200 if is_ready else 503)


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_BEARER_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    return has_role(request.user, Role.OPERATOR, Role.ADMIN, Role.ML_ENGINEER)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, aggregated over every process sharing PROMETHEUS_MULTIPROC_DIR."""
    if not _metrics_allowed(request):
        response = JsonResponse(
            {
                "error": {
                    "code": "not_authenticated",
                    "message": "Bearer token or operator login required.",
                    "details": {},
                }
            },
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
