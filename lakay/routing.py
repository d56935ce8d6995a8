"""Websocket routes: the concatenation of each app's ``routing.websocket_urlpatterns``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_APPS_WITH_ROUTES = ("apps.fraud", "apps.compliance", "apps.circles", "apps.behavior", "apps.serving", "apps.pipeline")


def _collect() -> list[Any]:
    patterns: list[Any] = []
    for app in _APPS_WITH_ROUTES:
        try:
            module = import_module(f"{app}.routing")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.routing":
                raise
            continue
        # An app may have a routing.py that is not about websockets (serving's model routing).
        patterns.extend(getattr(module, "websocket_urlpatterns", []))
    return patterns


websocket_urlpatterns = _collect()
