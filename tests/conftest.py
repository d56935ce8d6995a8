"""Global fixtures: people with roles, signed service clients, Kafka helpers, subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from lakay.security.authentication import clear_key_cache
from lakay.security.services import IssuedKey, api_key_create
from lakay.security.signing import signed_headers
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.kafka_fixtures"]


class SignedClient(APIClient):
    """A DRF test client that signs every request like the Trebanx platform does."""

    def __init__(self, issued: IssuedKey, **kwargs: Any):
        super().__init__(**kwargs)
        self.issued = issued

    def generic(
        self,
        method: str,
        path: str,
        data: Any = "",
        content_type: str = "application/json",
        secure: bool = False,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Any:
        body = data if isinstance(data, bytes) else (data or "").encode()
        all_headers = signed_headers(
            api_key=self.issued.api_key, secret=self.issued.signing_secret, method=method, path=path, body=body
        )
        all_headers.update(headers or {})
        return super().generic(method, path, data, content_type, secure, headers=all_headers, **extra)

    def post_json(self, path: str, payload: Any, **kwargs: Any) -> Any:
        return self.generic("POST", path, json.dumps(payload), **kwargs)

    def patch_json(self, path: str, payload: Any, **kwargs: Any) -> Any:
        return self.generic("PATCH", path, json.dumps(payload), **kwargs)


@pytest.fixture(autouse=True)
def _fresh_auth_cache() -> Iterator[None]:
    clear_key_cache()
    yield
    clear_key_cache()


@pytest.fixture
def service_key(db: None) -> IssuedKey:
    return api_key_create(client_name=f"trebanx-{uuid.uuid4().hex[:6]}", created_by="tests")


@pytest.fixture
def service_client(service_key: IssuedKey) -> SignedClient:
    return SignedClient(service_key)


@pytest.fixture
def person_client(db: None) -> Callable[..., APIClient]:
    """``person_client("analyst")`` → a client logged in as a person holding those roles."""

    def make(*roles: str, **user_fields: Any) -> APIClient:
        user = UserFactory(roles=list(roles), **user_fields)
        client = APIClient()
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a `manage.py` child process that must see the test database."""
    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["DJANGO_SETTINGS_MODULE"] = "lakay.settings.test"
    env["KAFKA_TOPIC_PREFIX"] = settings.KAFKA_TOPIC_PREFIX
    env["KAFKA_SESSION_TIMEOUT_MS"] = str(settings.KAFKA_SESSION_TIMEOUT_MS)
    env["KAFKA_HEARTBEAT_INTERVAL_MS"] = str(settings.KAFKA_HEARTBEAT_INTERVAL_MS)
    env["KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS"] = "0.2"
    env["LOG_LEVEL"] = env.get("CHILD_LOG_LEVEL", "WARNING")
    env.update(extra)
    return env


@pytest.fixture
def manage_process(transactional_db: None) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``manage.py <args>`` against the test database; terminated at teardown."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **env: str) -> subprocess.Popen[bytes]:
        log = open(Path(settings.VAR_DIR) / f"proc-{args[0]}-{len(started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=subprocess_env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until(
    condition: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"
) -> Any:
    """Poll ``condition`` until truthy; fail the test with ``message`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def wait_until_handles_sigterm(process: subprocess.Popen[bytes], *, timeout: float = 120.0) -> None:
    """Wait until ``process`` has installed its SIGTERM handler (it is past start-up).

    A SIGTERM sent while a child is still importing Django kills it with -15 instead of the graceful
    stop the test means to check. Reads the caught-signals mask from /proc (Linux)."""

    def handles() -> bool:
        if process.poll() is not None:
            pytest.fail(f"process exited with {process.returncode} during start-up")
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
        return False

    wait_until(handles, timeout=timeout, interval=0.05, message="the process to handle SIGTERM")
