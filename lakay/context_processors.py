"""Template context shared by the admin and live pages."""

from __future__ import annotations

from django.http import HttpRequest

from lakay.realtime import websocket_url


def live(request: HttpRequest) -> dict[str, str]:
    """``lakay_ws_base`` for ``<meta name="lakay-ws-base" content="{{ lakay_ws_base }}">``."""
    return {"lakay_ws_base": websocket_url(request)}
