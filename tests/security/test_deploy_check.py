"""``manage.py check --deploy --fail-level WARNING`` with the environment a production deploy has.

A correctly configured production passes with no warning; each insecure override is caught.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.checks import WARNING, Tags, run_checks
from django.test import override_settings

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def production_env(**overrides: str) -> dict[str, str]:
    """What docs/configuration.md asks of a production deploy (secrets freshly generated)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lakay.settings",
        LAKAY_ENVIRONMENT="production",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="lakay.trebanx.example",
        CSRF_TRUSTED_ORIGINS="https://lakay.trebanx.example",
        API_SECRETS_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PII_TOKEN_SECRET=secrets.token_urlsafe(48),
        PII_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        METRICS_BEARER_TOKEN=secrets.token_urlsafe(32),
        TRUST_X_FORWARDED_PROTO="true",
    )
    env.update(overrides)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_correctly_configured_production_passes_the_deploy_check():
    result = deploy_check(production_env())

    assert result.returncode == 0, result.stderr[-3000:]
    assert "no issues" in result.stdout


# The settings a production boot derives (lakay/settings/security.py with LAKAY_ENVIRONMENT=production).
PRODUCTION_SECURITY = {
    "DEBUG": False,
    "SECRET_KEY": "p" * 30 + "Q9-x_" * 10,
    "ALLOWED_HOSTS": ["lakay.trebanx.example"],
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}
INSECURE_OVERRIDES = {
    "security.W008": {"SECURE_SSL_REDIRECT": False},
    "security.W012": {"SESSION_COOKIE_SECURE": False},
    "security.W016": {"CSRF_COOKIE_SECURE": False},
    "security.W004": {"SECURE_HSTS_SECONDS": 0},
    "security.W009": {"SECRET_KEY": "too-short"},
    "security.W018": {"DEBUG": True},
    "security.W020": {"ALLOWED_HOSTS": []},
}


def deploy_warnings(**settings_values: object) -> set[str]:
    """The deployment check ids raised in-process (booting a process per case takes ~20 s each)."""
    with override_settings(**settings_values):
        messages = run_checks(include_deployment_checks=True, tags=[Tags.security])
    return {message.id for message in messages if message.level >= WARNING and message.id}


def test_the_production_settings_raise_no_deployment_warning():
    assert deploy_warnings(**PRODUCTION_SECURITY) == set()


@pytest.mark.parametrize("check_id", INSECURE_OVERRIDES)
def test_each_insecure_override_is_caught(check_id):
    assert check_id in deploy_warnings(**{**PRODUCTION_SECURITY, **INSECURE_OVERRIDES[check_id]})


@pytest.mark.parametrize(
    "override",
    [{"DEBUG": "true"}, {"SECRET_KEY": "short"}, {"API_SECRETS_ENCRYPTION_KEYS": ""}, {"PII_ENCRYPTION_KEY": ""}],
)
def test_production_refuses_to_boot_with_development_secrets(override):
    result = deploy_check(production_env(**override))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
