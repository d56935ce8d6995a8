"""Role checks. Every view names the roles it admits; the default is to deny."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from lakay.security.roles import Role


def roles_of(user: Any) -> frozenset[str]:
    """Role names of a person (their groups; superusers hold every role) or a service principal."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    principal_roles = getattr(user, "roles", None)
    if principal_roles is not None:
        return frozenset(principal_roles)
    if not user.is_active:
        return frozenset()
    cached = getattr(user, "_lakay_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(role.value for role in Role if role is not Role.SERVICE)
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._lakay_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


class DenyAll(BasePermission):
    """Default permission: a view that forgot to declare its roles answers 403, never 200."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class IsAuthenticatedPrincipal(BasePermission):
    """Any authenticated person or service client (used for the OpenAPI schema and docs)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(roles_of(request.user))


class HasRole(BasePermission):
    """Subclass with ``roles = (...)`` or build one with ``HasRole.of("analyst", ...)``."""

    roles: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_role(request.user, *self.roles)

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        names = tuple(str(role) for role in roles)
        return type(f"HasRole_{'_'.join(names)}", (cls,), {"roles": names})
