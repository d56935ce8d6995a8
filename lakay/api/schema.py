"""OpenAPI schema wiring (drf-spectacular): component names, the signed API key scheme, the error responses.

- Views nest their ``InputSerializer``/``OutputSerializer``; components are named after the view
  (``AtoAssessInput``), so two views' ``InputSerializer`` never collide into one component.
- ``SignedApiKeyAuthentication`` is documented as the ``ApiKey`` scheme (with its signature headers).
- Every operation documents the error envelope ``{"error": {"code", "message", "details"}}`` for the
  4xx answers every view can give (authentication, roles, throttling, unknown ids, bad bodies).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"description": "Field errors or facts about the refusal (an object or a list)."},
            },
        }
    },
}
_ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field errors in details).",
    "401": "Missing, invalid, stale or replayed credentials.",
    "403": "The caller's roles do not admit this operation.",
    "404": "No such object (or not visible to the caller).",
    "409": "The request clashes with the object's current state.",
    "413": "Request body larger than allowed.",
    "429": "Rate limit of the caller exceeded.",
}
_UNSAFE = {"post", "put", "patch", "delete"}


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: serializers.Serializer[Any], direction: Any) -> str:
        qualified = type(serializer).__qualname__
        if "." not in qualified:
            return super().get_serializer_name(serializer, direction)
        outer, _, inner = qualified.rpartition(".")
        return outer.replace(".", "").removesuffix("View") + inner


class SignedApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "lakay.security.authentication.SignedApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`ApiKey lk_<key_id>_<secret>` plus `X-Lakay-Timestamp` (Unix seconds) and `X-Lakay-Signature` "
                "(hex HMAC-SHA256 of `METHOD|path?query|timestamp|body`); see docs/security.md."
            ),
        }


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: the error envelope on every operation's 4xx answers."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _UNSAFE | {"get"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["400", "401", "403", "404", "429"]
            if method in _UNSAFE:
                wanted += ["409", "413"]
            for status in wanted:
                response = responses.setdefault(status, {"description": _ERROR_DESCRIPTIONS[status]})
                response.setdefault("content", content)
    return result
