"""Model versions (metrics, lineage, features), promotion/rollback forms, alias history, monitoring page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.serving.admin.base import ServingReadOnlyAdmin, can_change_models
from apps.serving.models import ModelAliasChange, ModelVersion
from apps.serving.monitoring.dashboard import monitoring_context
from apps.serving.registry import mlflow_store
from apps.serving.registry.services import model_promote, model_rollback, registry_sync
from lakay.exceptions import ApplicationError
from lakay.logging import get_logger

logger = get_logger(__name__)

METRIC_ORDER = (
    "auc_pr",
    "auc_roc",
    "precision_at_threshold",
    "recall_at_threshold",
    "f1_at_threshold",
    "rules_auc_pr",
    "rules_precision_at_threshold",
    "rules_recall_at_threshold",
    "rules_f1_at_threshold",
)


class PromoteForm(forms.Form):
    alias = forms.ChoiceField(choices=(("challenger", "challenger"), ("champion", "champion")))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    force = forms.BooleanField(required=False, help_text="Promote even if validation or guardrails fail.")


class RollbackForm(forms.Form):
    alias = forms.ChoiceField(choices=(("champion", "champion"), ("challenger", "challenger")))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


@admin.register(ModelVersion)
class ModelVersionAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "aliases",
        "auc_pr",
        "precision",
        "recall",
        "operating_threshold",
        "registered_at",
        "created_by",
    )
    list_filter = ("model_name",)
    change_list_template = "admin/serving/modelversion_change_list.html"
    change_form_template = "admin/serving/modelversion_change_form.html"
    fields = (
        "model_name",
        "version",
        "description",
        "metrics_table",
        "lineage",
        "feature_table",
        "params",
        "created_by",
        "registered_at",
        "source",
        "run_id",
    )
    readonly_fields = fields

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        extra = [
            path("monitoring/", view(self.monitoring_view), name="serving_modelversion_monitoring"),
            path("rollback/", view(self.rollback_view), name="serving_modelversion_rollback"),
            path("<int:object_id>/promote/", view(self.promote_view), name="serving_modelversion_promote"),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            registry_sync()
        except Exception:  # the list still shows what Lakay recorded
            logger.warning("serving.admin.sync_failed")
            messages.warning(request, "MLflow is unreachable: showing the versions Lakay has recorded.")
        self._aliases = self._current_aliases()
        return super().changelist_view(
            request, extra_context={**(extra_context or {}), "can_change": can_change_models(request)}
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._aliases = self._current_aliases()
        return super().change_view(
            request,
            object_id,
            form_url,
            extra_context={**(extra_context or {}), "can_change": can_change_models(request)},
        )

    def _current_aliases(self) -> dict[tuple[str, int], list[str]]:
        found: dict[tuple[str, int], list[str]] = {}
        for name in ModelVersion.objects.values_list("model_name", flat=True).distinct():
            try:
                for alias, version in mlflow_store.aliases(name).items():
                    found.setdefault((name, version), []).append(alias)
            except Exception:  # shown as unknown
                logger.warning("serving.admin.aliases_unavailable", model_name=name)
        return found

    @admin.display(description="aliases")
    def aliases(self, obj: ModelVersion) -> str:
        return ", ".join("@" + a for a in sorted(getattr(self, "_aliases", {}).get((obj.model_name, obj.version), [])))

    @admin.display(description="AUC-PR")
    def auc_pr(self, obj: ModelVersion) -> str:
        return _fmt(obj.metrics.get("auc_pr"))

    @admin.display(description="precision")
    def precision(self, obj: ModelVersion) -> str:
        return _fmt(obj.metrics.get("precision_at_threshold"))

    @admin.display(description="recall")
    def recall(self, obj: ModelVersion) -> str:
        return _fmt(obj.metrics.get("recall_at_threshold"))

    @admin.display(description="metrics (time-based hold-out)")
    def metrics_table(self, obj: ModelVersion) -> str:
        names = [n for n in METRIC_ORDER if n in obj.metrics] + sorted(set(obj.metrics) - set(METRIC_ORDER))
        rows = "".join(str(format_html("<tr><td>{}</td><td>{}</td></tr>", n, _fmt(obj.metrics[n]))) for n in names)
        return format_html('<table class="serving-table">{}</table>', _safe(rows))

    @admin.display(description="lineage")
    def lineage(self, obj: ModelVersion) -> str:
        training = obj.training or {}
        items = [
            ("data hash (SHA-256)", obj.data_hash),
            ("training window", f"{training.get('window_start', '?')} → {training.get('window_end', '?')}"),
            ("hold-out from", training.get("holdout_start", "?")),
            ("rows (train / hold-out)", f"{training.get('train_rows', '?')} / {training.get('holdout_rows', '?')}"),
            ("labels by source", training.get("label_sources", {})),
            ("code version", training.get("code_version", "?")),
            ("MLflow run", obj.run_id),
        ]
        rows = "".join(str(format_html("<tr><td>{}</td><td>{}</td></tr>", k, v)) for k, v in items)
        return format_html('<table class="serving-table">{}</table>', _safe(rows))

    @admin.display(description="features (order of the booster)")
    def feature_table(self, obj: ModelVersion) -> str:
        features = (obj.reference or {}).get("features", {})
        rows = "".join(
            str(
                format_html(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    index + 1,
                    name,
                    _fmt(features.get(name, {}).get("mean")),
                    features.get(name, {}).get("missing", ""),
                )
            )
            for index, name in enumerate(obj.feature_names)
        )
        header = "<tr><th>#</th><th>feature</th><th>training mean</th><th>missing</th></tr>"
        return format_html('<table class="serving-table">{}{}</table>', _safe(header), _safe(rows))

    def promote_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        version = get_object_or_404(ModelVersion, pk=object_id)
        if not can_change_models(request):
            messages.error(request, "Only ML engineers and admins change the serving models.")
            return HttpResponseRedirect(reverse("admin:serving_modelversion_change", args=[object_id]))
        form = PromoteForm(request.POST or None)
        checks: list[dict[str, Any]] = []
        if request.method == "POST" and form.is_valid():
            try:
                change = model_promote(
                    version=version.version,
                    alias=form.cleaned_data["alias"],
                    actor=request.user.get_username(),
                    reason=form.cleaned_data["reason"],
                    force=form.cleaned_data["force"],
                    model_name=version.model_name,
                )
            except ApplicationError as error:
                form.add_error(None, f"{error.code}: {error.message}")
                checks = list(error.details.get("checks", []))
            else:
                messages.success(request, f"{change.model_name}@{change.alias} → v{change.new_version}")
                return HttpResponseRedirect(reverse("admin:serving_modelversion_changelist"))
        return self._form_page(request, form, title=f"Promote {version}", checks=checks)

    def rollback_view(self, request: HttpRequest) -> HttpResponse:
        if not can_change_models(request):
            messages.error(request, "Only ML engineers and admins change the serving models.")
            return HttpResponseRedirect(reverse("admin:serving_modelversion_changelist"))
        form = RollbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                change = model_rollback(
                    alias=form.cleaned_data["alias"],
                    actor=request.user.get_username(),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, f"{error.code}: {error.message}")
            else:
                target = f"v{change.new_version}" if change.new_version is not None else "(removed)"
                messages.success(request, f"{change.model_name}@{change.alias} → {target}")
                return HttpResponseRedirect(reverse("admin:serving_modelversion_changelist"))
        return self._form_page(request, form, title="Roll back an alias", checks=[])

    def monitoring_view(self, request: HttpRequest) -> HttpResponse:
        version = request.GET.get("version")
        context = {
            **self.admin_site.each_context(request),
            "title": "Model monitoring",
            "opts": self.model._meta,
            **monitoring_context(version=int(version) if version and version.isdigit() else None),
        }
        return TemplateResponse(request, "admin/serving/monitoring.html", context)

    def _form_page(
        self, request: HttpRequest, form: forms.Form, *, title: str, checks: list[dict[str, Any]]
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "checks": checks,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/serving/model_action.html", context)


@admin.register(ModelAliasChange)
class ModelAliasChangeAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "changed_at",
        "model_name",
        "alias",
        "action",
        "previous_version",
        "new_version",
        "actor",
        "is_forced",
        "reason",
    )
    list_filter = ("model_name", "alias", "action", "is_forced")
    search_fields = ("actor", "reason")
    date_hierarchy = "changed_at"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else str(value)


def _safe(html: str) -> Any:
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # nosec B308 B703  # callers pass format_html output
