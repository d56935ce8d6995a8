"""Every URL pattern refuses anonymous callers, except the liveness/readiness probes and the login page."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

OPEN = {"/health", "/ready"}
# The admin's entrance must answer to let people log in; everything behind it redirects there.
ENTRANCES = {"/admin/login/", "/admin/logout/"}
SAMPLES = {"int": "1", "str": "sample", "slug": "sample", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x/y"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "sample"), route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # regex routes (admin)
    route = re.sub(r"[()?*+]", "", route)
    return "/" + route


def all_paths() -> list[str]:
    return sorted({_concrete(route) for route in _walk(get_resolver().url_patterns)})


def test_the_walker_sees_the_api():
    paths = all_paths()
    assert "/api/v1/events" in paths
    assert "/metrics" in paths
    assert len(paths) > 20


@pytest.mark.parametrize("path", all_paths())
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_anonymous_callers_get_nothing(path, method):
    response = getattr(APIClient(), method)(path)

    if path in OPEN or path in ENTRANCES:
        return
    if path.startswith("/admin/"):
        assert response.status_code in {302, 403, 404, 405}, (path, method, response.status_code)
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
        return
    assert response.status_code in {401, 403, 404, 405}, (path, method, response.status_code)
