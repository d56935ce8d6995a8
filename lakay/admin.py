"""Admin building blocks shared by the apps (no domain logic)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class AppendOnlyAdminMixin:
    """Nothing an analyst did is deleted: no delete permission, no bulk delete action."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdminMixin(AppendOnlyAdminMixin):
    """For records written only by services (audit rows, scores, raw events)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


__all__ = ["AppendOnlyAdminMixin", "ReadOnlyAdminMixin", "admin"]
