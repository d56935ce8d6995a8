"""Admin permissions by Lakay role (people hold roles through groups, not Django model permissions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lakay.admin import ReadOnlyAdminMixin
from lakay.security.permissions import has_role
from lakay.security.roles import Role

LAKE_VIEWERS: tuple[str, ...] = (Role.OPERATOR, Role.ADMIN, Role.ANALYST, Role.ML_ENGINEER, Role.COMPLIANCE_OFFICER)
LAKE_OPERATORS: tuple[str, ...] = (Role.OPERATOR, Role.ADMIN, Role.ML_ENGINEER)


class RoleReadOnlyAdminMixin(ReadOnlyAdminMixin):
    """Read-only, visible to people holding one of ``view_roles``."""

    view_roles: tuple[str, ...] = LAKE_VIEWERS

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *self.view_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *self.view_roles)
