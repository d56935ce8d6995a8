"""Who sees the circle pages: the roles that read circle health through the API (people only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lakay.admin import ReadOnlyAdminMixin
from lakay.security.permissions import has_role
from lakay.security.roles import Role

READER_ROLES: tuple[str, ...] = (Role.ANALYST, Role.COMPLIANCE_OFFICER, Role.ADMIN)
RESCORE_ROLES: tuple[str, ...] = (Role.ANALYST, Role.ADMIN)


class CircleReadOnlyAdmin(ReadOnlyAdminMixin):
    """Rows written only by the event handlers and the scoring service; visible to the reader roles."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *READER_ROLES)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *READER_ROLES)
