"""The lake in the admin: an overview page (layers, partitions, gold freshness, rejection rates,
jobs with progress, buttons to run silver / refresh gold / rebuild a range), and read-only lists of
partitions, jobs, quality runs, checkpoints and PII reveals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.pipeline.admin.charts import bar_chart
from apps.pipeline.admin.roles import LAKE_OPERATORS, RoleReadOnlyAdminMixin
from apps.pipeline.lake.choices import LakeJobKind, LakeJobStatus, LakeLayer
from apps.pipeline.lake.gold.registry import DATASETS
from apps.pipeline.lake.jobs import lake_job_create
from apps.pipeline.lake.models import (
    BronzeCheckpoint,
    LakeJob,
    LakePartition,
    PiiRevealAudit,
    PiiTokenMapping,
    SilverQualityLog,
)
from apps.pipeline.lake.selectors import bronze_buffers, gold_datasets
from apps.pipeline.lake.storage import lake_store
from apps.pipeline.tasks import lake_run_job
from lakay.exceptions import ApplicationError
from lakay.security.permissions import has_role
from lakay.security.roles import Role


def _progress_bar(job: LakeJob) -> str:
    return format_html(
        '<progress max="100" value="{}" title="{}%"></progress> {}% <small>{}</small>',
        job.percent,
        job.percent,
        job.percent,
        job.message,
    )


@admin.register(LakePartition)
class LakePartitionAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "layer",
        "dataset",
        "partition_date",
        "row_count",
        "rejected_count",
        "file_count",
        "size_bytes",
        "version",
        "updated_at",
    )
    list_filter = ("layer", "dataset")
    date_hierarchy = "partition_date"
    ordering = ("-partition_date", "layer", "dataset")

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path("overview/", self.admin_site.admin_view(self.overview_view), name="pipeline_lake_overview"),
        ]
        return custom + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not request.GET:
            return HttpResponseRedirect(reverse("admin:pipeline_lake_overview"))
        return super().changelist_view(request, extra_context)

    # ------------------------------------------------------------------ overview
    def overview_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        if request.method == "POST":
            return self._start_job(request)
        layers = list(
            LakePartition.objects.values("layer")
            .annotate(partitions=Count("id"), rows=Sum("row_count"), size=Sum("size_bytes"), latest=Max("updated_at"))
            .order_by("layer")
        )
        week_ago = datetime.now(UTC).date() - timedelta(days=7)
        rejection = list(
            LakePartition.objects.filter(layer=LakeLayer.SILVER, partition_date__gte=week_ago)
            .values("dataset")
            .annotate(rows=Sum("row_count"), rejected=Sum("rejected_count"))
            .order_by("dataset")
        )
        rates = {
            row["dataset"]: round(100 * (row["rejected"] or 0) / ((row["rows"] or 0) + (row["rejected"] or 0)), 2)
            for row in rejection
            if (row["rows"] or 0) + (row["rejected"] or 0)
        }
        datasets = gold_datasets()
        now = datetime.now(UTC)
        for item in datasets:
            seconds = item["freshness_seconds"]
            item["age"] = _age(seconds) if seconds is not None else "never"
            item["is_stale"] = seconds is None or seconds > 2 * 86400
        jobs = list(LakeJob.objects.order_by("-id")[:12])
        context = {
            **self.admin_site.each_context(request),
            "title": "Data lake",
            "storage": lake_store().location.describe(),
            "layers": layers,
            "datasets": datasets,
            "rates": rates,
            "rates_chart": bar_chart("Silver rejection rate (%) per event type, last 7 days", rates) if rates else "",
            "alerts": SilverQualityLog.objects.filter(is_alert=True).order_by("-id")[:10],
            "partitions": LakePartition.objects.order_by("-updated_at")[:30],
            "jobs": [(job, _progress_bar(job)) for job in jobs],
            "is_busy": any(job.status in (LakeJobStatus.QUEUED, LakeJobStatus.RUNNING) for job in jobs),
            "buffers": bronze_buffers(),
            "can_run": has_role(request.user, *LAKE_OPERATORS),
            "dataset_names": sorted(DATASETS),
            "today": now.date().isoformat(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/pipeline/lake_overview.html", context)

    def _start_job(self, request: HttpRequest) -> HttpResponse:
        target = reverse("admin:pipeline_lake_overview")
        if not has_role(request.user, *LAKE_OPERATORS):
            messages.error(request, "Only operators, ML engineers and admins start lake jobs.")
            return HttpResponseRedirect(target)
        action = request.POST.get("action")
        try:
            date_from = _date(request.POST.get("date_from"))
            date_to = _date(request.POST.get("date_to"))
            parameters: dict[str, Any] = {
                "date_from": date_from.isoformat() if date_from else None,
                "date_to": date_to.isoformat() if date_to else None,
            }
            if action == "silver":
                kind = LakeJobKind.SILVER
            elif action == "gold":
                kind = LakeJobKind.GOLD
                if request.POST.get("dataset"):
                    parameters["datasets"] = [request.POST["dataset"]]
            elif action == "rebuild":
                kind = LakeJobKind.REBUILD
                if not (date_from and date_to):
                    raise ApplicationError("A rebuild needs both dates.")
            else:
                raise ApplicationError("Unknown action.")
            job = lake_job_create(kind=kind, parameters=parameters, requested_by=request.user.get_username())
        except (ApplicationError, ValueError) as error:
            messages.error(request, str(getattr(error, "message", error)))
            return HttpResponseRedirect(target)
        lake_run_job.delay(job.pk)
        messages.success(request, f"Job #{job.pk} ({job.kind}) queued; its progress shows below.")
        return HttpResponseRedirect(target)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


@admin.register(LakeJob)
class LakeJobAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "requested_by", "created_at", "started_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = ("progress",)
    ordering = ("-id",)

    @admin.display(description="progress")
    def progress(self, job: LakeJob) -> str:
        return _progress_bar(job)


@admin.register(SilverQualityLog)
class SilverQualityLogAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "event_type",
        "partition_date",
        "total",
        "passed",
        "rejected",
        "duplicates_removed",
        "rejection_rate",
        "is_alert",
        "finished_at",
    )
    list_filter = ("is_alert", "event_type")
    ordering = ("-id",)


@admin.register(BronzeCheckpoint)
class BronzeCheckpointAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = (Role.OPERATOR, Role.ADMIN)
    list_display = ("consumer_group", "topic", "partition", "offset", "updated_at")
    list_filter = ("consumer_group", "topic")
    ordering = ("consumer_group", "topic", "partition")


@admin.register(PiiTokenMapping)
class PiiTokenMappingAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    """Tokens and their field only: the encrypted value never leaves the database here."""

    view_roles = (Role.COMPLIANCE_OFFICER, Role.ADMIN)
    list_display = ("token", "field", "created_at")
    list_filter = ("field",)
    search_fields = ("=token",)
    exclude = ("encrypted_value",)
    show_full_result_count = False


@admin.register(PiiRevealAudit)
class PiiRevealAuditAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = (Role.COMPLIANCE_OFFICER, Role.ADMIN)
    list_display = ("created_at", "actor_label", "token", "field", "reason")
    list_filter = ("field",)
    search_fields = ("=token", "actor_label")
    ordering = ("-id",)
