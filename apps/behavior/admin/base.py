"""Role-based read access for the behaviour admin (analysts and admins; no model permissions needed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lakay.admin import ReadOnlyAdminMixin
from lakay.security.permissions import has_role
from lakay.security.roles import Role

READ_ROLES = (Role.ANALYST, Role.ADMIN)


class AnalystReadOnlyAdminMixin(ReadOnlyAdminMixin):
    """Records written only by services, visible to analysts and admins."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *READ_ROLES)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *READ_ROLES)
