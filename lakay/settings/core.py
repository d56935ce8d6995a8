"""Core Django settings: installed apps, middleware, templates, time."""

from __future__ import annotations

from lakay.env import BASE_DIR, env

APP_NAME: str = env.str("APP_NAME", default="lakay-intelligence")
APP_VERSION: str = env.str("APP_VERSION", default="0.1.0")
# development | test | staging | production. staging/production refuse DEBUG and insecure secrets.
LAKAY_ENVIRONMENT: str = env.str("LAKAY_ENVIRONMENT", default="development")
DEBUG: bool = env.bool("DEBUG", default=False)

ROOT_URLCONF = "lakay.urls"
WSGI_APPLICATION = "lakay.wsgi.application"
ASGI_APPLICATION = "lakay.asgi.application"

# Where run-time files go (prometheus multiprocess files, local lake, logs, pid files).
VAR_DIR = env.path("LAKAY_VAR_DIR", default=str(BASE_DIR / "var"))

INSTALLED_APPS = [
    "daphne",
    "lakay.admin_site.LakayAdminConfig",  # django.contrib.admin with the 2FA site (lakay/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "django_prometheus",
    "channels",
    "lakay.security",
    "apps.pipeline",
    "apps.serving",
    "apps.fraud",
    "apps.circles",
    "apps.behavior",
    "apps.compliance",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "lakay.middleware.RequestContextMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lakay.context_processors.live",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
# Everything is stored and computed in UTC; business-day rules name their own zone explicitly.
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Contracts: one JSON Schema per event type and version (see docs/event-spine.md).
CONTRACTS_PATH = env.path("CONTRACTS_PATH", default=str(BASE_DIR / "contracts"))
# Events stamped further than this in the future are dead-lettered (clock skew allowance).
EVENT_MAX_FUTURE_SKEW_SECONDS: int = env.int("EVENT_MAX_FUTURE_SKEW_SECONDS", default=300)
# Larger inbound messages are dead-lettered unparsed (hostile or broken producers).
EVENT_MAX_BYTES: int = env.int("EVENT_MAX_BYTES", default=256 * 1024)
# Dependencies whose failure makes /ready answer 503 (database, redis, kafka).
READY_REQUIRES: list[str] = env.list("READY_REQUIRES", default=["database", "redis", "kafka"])
# How stale a process's copy of the live thresholds may get (it checks a Redis version counter).
LIVE_CONFIG_REFRESH_SECONDS: float = env.float("LIVE_CONFIG_REFRESH_SECONDS", default=1.0)
# Port of the websocket server when it is not behind the same origin (make run: daphne on 8001).
LIVE_WEBSOCKET_PORT: str = env.str("LIVE_WEBSOCKET_PORT", default="")
