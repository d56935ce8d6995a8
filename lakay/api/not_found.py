"""``handler404``: under ``/api/`` a URL that matches no route (``/api/v1/fraud/alerts/not-a-uuid``) answers
the API's JSON error envelope, like every other API error; elsewhere Django's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": "No such resource.", "details": {}}}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception or Exception())
