"""Live parameters: current values (with a change form that requires a reason) and their history."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from apps.serving.admin.base import ServingReadOnlyAdmin
from apps.serving.config import config_snapshot, parameters, threshold_set
from apps.serving.models import ThresholdChange, ThresholdValue
from lakay.exceptions import ApplicationError
from lakay.security.permissions import has_role
from lakay.security.roles import Role

CHANGE_ROLES = (Role.ML_ENGINEER, Role.ADMIN, Role.OPERATOR)


class ThresholdChangeForm(forms.Form):
    key = forms.ChoiceField()
    value = forms.CharField(max_length=2000, help_text="Numbers as 0.65; JSON for json parameters.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        key_field = self.fields["key"]
        assert isinstance(key_field, forms.ChoiceField)  # noqa: S101 — declared just above  # nosec B101  # type narrowing
        key_field.choices = [(p.key, f"{p.key} — {p.description[:80]}") for p in parameters()]


@admin.register(ThresholdValue)
class ThresholdValueAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("key", "value", "version", "updated_at")
    search_fields = ("key",)
    change_list_template = "admin/serving/thresholdvalue_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "change-value/",
                self.admin_site.admin_view(self.change_value_view),
                name="serving_thresholdvalue_change_value",
            )
        ]
        return extra + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        values = config_snapshot(force=True)
        rows = [
            {
                "key": p.key,
                "value": json.dumps(p.to_storage(values[p.key])),
                "default": json.dumps(p.to_storage(p.coerce(p.default))),
                "env_var": p.env_var,
                "description": p.description,
            }
            for p in parameters()
        ]
        context = {
            **(extra_context or {}),
            "live_parameters": rows,
            "can_change": has_role(request.user, *CHANGE_ROLES),
        }
        return super().changelist_view(request, extra_context=context)

    def change_value_view(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request.user, *CHANGE_ROLES):
            messages.error(request, "Only ML engineers, operators and admins change live parameters.")
            return HttpResponseRedirect(reverse("admin:serving_thresholdvalue_changelist"))
        form = ThresholdChangeForm(request.POST or None, initial={"key": request.GET.get("key", "")})
        if request.method == "POST" and form.is_valid():
            try:
                change = threshold_set(
                    key=form.cleaned_data["key"],
                    value=form.cleaned_data["value"],
                    actor=request.user.get_username(),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, f"{error.code}: {error.message}")
            else:
                messages.success(
                    request, f"{change.key}: {change.previous_value} → {change.new_value} (v{change.version})"
                )
                return HttpResponseRedirect(reverse("admin:serving_thresholdvalue_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Change a live parameter",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/serving/threshold_form.html", context)


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("changed_at", "key", "previous_value", "new_value", "version", "changed_by", "reason")
    list_filter = ("key", "changed_by")
    search_fields = ("key", "changed_by", "reason")
    date_hierarchy = "changed_at"
