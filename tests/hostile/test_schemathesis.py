"""schemathesis against ``/api/v1/schema/``: every operation, valid credentials, zero 5xx, answers as documented.

The schema is fetched from the running app as an authenticated person. Requests go through the real WSGI
stack (middleware, CSRF, authentication, throttling) behind ``SigningApp``, which plays the caller: a signed
service client (API key + HMAC signature over the exact bytes sent) for operations only services may call,
and a logged-in superuser (session cookie + CSRF token) for the people's operations.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from lakay.security.permissions import HasRole
from lakay.security.roles import Role
from lakay.security.services import IssuedKey
from lakay.security.signing import signed_headers
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# ~75 operations x this many examples stays well under the 2-minute budget.
MAX_EXAMPLES = 8
CSRF_TOKEN = "schemathesis0csrf0token000000000"  # 32 characters, as Django's CSRF secret format wants
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def admitted_roles(path: str) -> frozenset[str]:
    try:
        view = resolve(path).func
    except Resolver404:
        return frozenset()
    permissions: Iterable[type] = getattr(getattr(view, "view_class", None), "permission_classes", ())
    return frozenset(role for permission in permissions if issubclass(permission, HasRole) for role in permission.roles)


class SigningApp:
    """WSGI middleware standing in for the caller: signs or logs in every request schemathesis sends."""

    def __init__(self, issued: IssuedKey, session_id: str):
        self.app = WSGIHandler()
        self.issued = issued
        self.session_id = session_id
        self.used: set[tuple[str, str, bytes, int]] = set()
        self.offsets = itertools.cycle(range(100))

    def _timestamp(self, method: str, path: str, body: bytes) -> int:
        """A timestamp inside the allowed skew that this exact request has not used (the replay cache)."""
        now = int(time.time())
        for offset in itertools.islice(self.offsets, 100):
            key = (method, path, body, now - offset)
            if key not in self.used:
                self.used.add(key)
                return now - offset
        raise AssertionError("more identical requests than timestamps in the skew window")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        roles = admitted_roles(path)
        if Role.SERVICE in roles and len(roles) == 1:
            method = environ["REQUEST_METHOD"]
            full_path = WSGIRequest({**environ, "wsgi.input": io.BytesIO(b"")}).get_full_path()
            headers = signed_headers(
                api_key=self.issued.api_key,
                secret=self.issued.signing_secret,
                method=method,
                path=full_path,
                body=body,
                timestamp=self._timestamp(method, full_path, body),
            )
            for name, value in headers.items():
                environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
        else:
            environ["HTTP_COOKIE"] = f"sessionid={self.session_id}; csrftoken={CSRF_TOKEN}"
            environ["HTTP_X_CSRFTOKEN"] = CSRF_TOKEN
        return self.app(environ, start_response)


_fetched: list[dict[str, Any]] = []
_requests_sent: dict[str, int] = {}


@pytest.fixture
def api_schema(service_key: IssuedKey, settings: Any) -> Iterator[Any]:
    """The app's schema, fetched as a person, bound to the app behind ``SigningApp``."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"service": "1000000/min", "user": "1000000/min"},
    }
    superuser = UserFactory(is_superuser=True)
    browser = Client()
    browser.force_login(superuser)
    if not _fetched:  # generating the schema takes a second: fetch it once, through the real endpoint
        schema_response = browser.get("/api/v1/schema/?format=json")
        assert schema_response.status_code == 200, schema_response.content[:300]
        _fetched.append(schema_response.json())
    # Like Django's test client: keep the test's transaction open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_dict(copy.deepcopy(_fetched[0]))
        schema.app = SigningApp(service_key, browser.cookies["sessionid"].value)
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def documented_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, from the schema generated offline (collection needs no database)."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    with GENERATOR_STATS.silence():
        document = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


@pytest.mark.parametrize(("method", "path"), documented_operations())
def test_api_operation_answers_as_documented(api_schema, method, path):
    operation = api_schema[path][method]
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        response = case.call()
        _requests_sent[f"{method} {path}"] = _requests_sent.get(f"{method} {path}", 0) + 1
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()
    summary = Path(django_settings.VAR_DIR) / "schemathesis-summary.json"
    summary.write_text(json.dumps({"operations": len(_requests_sent), "requests": sum(_requests_sent.values())}))
