"""Django REST framework and OpenAPI."""

from __future__ import annotations

from lakay.settings.core import APP_VERSION
from lakay.settings.security import API_RATE_LIMIT_SERVICE, API_RATE_LIMIT_USER

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lakay.security.authentication.SignedApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view names the roles it admits (lakay.security.permissions.HasRole).
    "DEFAULT_PERMISSION_CLASSES": ["lakay.security.permissions.DenyAll"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["lakay.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "lakay.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["lakay.security.throttling.PrincipalRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"service": API_RATE_LIMIT_SERVICE, "user": API_RATE_LIMIT_USER},
    "EXCEPTION_HANDLER": "lakay.api.exception_handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "lakay.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lakay Intelligence API",
    "DESCRIPTION": (
        "Fraud, circle health, behaviour and AML/CFT intelligence for the Trebanx platform. "
        "Service clients authenticate with an API key and an HMAC-SHA256 request signature "
        "(see docs/security.md); people with a session."
    ),
    "VERSION": APP_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["lakay.security.permissions.IsAuthenticatedPrincipal"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error envelope on every operation (lakay/api/schema.py), after the enum post-processing.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "lakay.api.schema.document_errors"],
    # `check --deploy` is about the deployment's settings; the schema's fidelity is tested against the running
    # app by tests/hostile/test_schemathesis.py (every operation, status codes, content types, bodies).
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization"},
        }
    },
    "SECURITY": [{"ApiKey": []}, {"cookieAuth": []}],
}
