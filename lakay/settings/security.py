"""Authentication, session, cookie and transport security.

Development defaults work with no configuration. When ``LAKAY_ENVIRONMENT`` is ``staging`` or
``production`` the boot refuses DEBUG, a development secret key, or missing allowed hosts.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from lakay.env import env
from lakay.settings.core import DEBUG, LAKAY_ENVIRONMENT

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105  # nosec B105  # dev default, refused in production
SECRET_KEY: str = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
# Old keys still accepted for signed sessions/cookies during a rotation.
SECRET_KEY_FALLBACKS: list[str] = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

IS_PRODUCTION_LIKE = LAKAY_ENVIRONMENT in {"staging", "production"}
if IS_PRODUCTION_LIKE:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false when LAKAY_ENVIRONMENT is staging/production.")
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: people (officers, analysts) work in the admin; keep sessions short (ASVS 7.3).
SESSION_COOKIE_AGE: int = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION_LIKE)
SESSION_COOKIE_SECURE: bool = env.bool("SESSION_COOKIE_SECURE", default=IS_PRODUCTION_LIKE)
CSRF_COOKIE_SECURE: bool = env.bool("CSRF_COOKIE_SECURE", default=IS_PRODUCTION_LIKE)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_PRODUCTION_LIKE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION_LIKE
SECURE_HSTS_PRELOAD = IS_PRODUCTION_LIKE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only honour X-Forwarded-Proto behind a proxy that overwrites it (nginx in docker-compose does).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$", r"^metrics$"]

# Login throttling (django-axes): lock the username+IP pair after N failures, with a cool-off.
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED: bool = env.bool("AXES_ENABLED", default=True)

# Service clients (Trebanx): API key + HMAC-SHA256 signature over method|path|timestamp|body.
API_SIGNATURE_MAX_SKEW_SECONDS: int = env.int("API_SIGNATURE_MAX_SKEW_SECONDS", default=120)
# Fernet keys (comma-separated, newest first) encrypting API signing secrets at rest.
# Empty in development: a key is derived from SECRET_KEY. Required in staging/production.
API_SECRETS_ENCRYPTION_KEYS: list[str] = env.list("API_SECRETS_ENCRYPTION_KEYS", default=[])
if IS_PRODUCTION_LIKE and not API_SECRETS_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("API_SECRETS_ENCRYPTION_KEYS must be set in staging/production.")
# Bearer token Prometheus presents to scrape /metrics (staff users with the operator role may also read it).
METRICS_BEARER_TOKEN: str = env.str("METRICS_BEARER_TOKEN", default="")

# Default requests/minute per service client and per person (DRF throttling, counted in Redis).
API_RATE_LIMIT_SERVICE: str = env.str("API_RATE_LIMIT_SERVICE", default="12000/min")
API_RATE_LIMIT_USER: str = env.str("API_RATE_LIMIT_USER", default="600/min")

DATA_UPLOAD_MAX_MEMORY_SIZE: int = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
