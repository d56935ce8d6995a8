"""Structured JSON logging (structlog) with a PII-scrubbing processor.

Log calls name an event and pass ids: ``logger.info("fraud.alert.created", alert_id=...)``.
Known personal fields (user ids, IPs, devices, names, phones, coordinates...) are replaced by keyed
tokens before a line is written, as a safety net behind that habit (see lakay/logging.py).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from lakay.env import env
from lakay.settings.core import LAKAY_ENVIRONMENT

LOG_LEVEL: str = env.str("LOG_LEVEL", default="INFO").upper()
# json (default, one object per line) or console (coloured, for a developer's terminal).
LOG_FORMAT: str = env.str("LOG_FORMAT", default="json")

# Keyed HMAC secret for PII tokens (logs, silver/gold lake). Development default only.
PII_TOKEN_SECRET: str = env.str("PII_TOKEN_SECRET", default="lakay-pii-token-secret-dev-only")
# Fernet keys (comma-separated, newest first) for the reversible PII mapping; derived in development.
PII_ENCRYPTION_KEY: list[str] = env.list("PII_ENCRYPTION_KEY", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "lakay.logging.build_formatter",
            "log_format": LOG_FORMAT,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "structured"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "kafka": {"level": "WARNING"},
        "mlflow": {"level": "WARNING"},
        "alembic": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

if LAKAY_ENVIRONMENT in {"staging", "production"} and (
    PII_TOKEN_SECRET == "lakay-pii-token-secret-dev-only"  # noqa: S105  # nosec B105  # dev default, refused in production
    or not PII_ENCRYPTION_KEY
):
    raise ImproperlyConfigured("PII_TOKEN_SECRET and PII_ENCRYPTION_KEY must be set in staging/production.")
