"""Circles in the admin: the list with tier and trend, and the circle page (ledger, health history).

Read-only (circles are projections of events). "Recompute health now" calls the scoring service; only
analysts and admins may use it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.circles import selectors
from apps.circles.admin.base import RESCORE_ROLES, CircleReadOnlyAdmin
from apps.circles.choices import ScoringTrigger, Tier
from apps.circles.models import Circle
from apps.circles.services.scoring import circle_score
from lakay.admin import admin
from lakay.security.permissions import has_role

TIER_COLOURS: dict[str, str] = {Tier.HEALTHY: "#1b7f3b", Tier.AT_RISK: "#b26a00", Tier.CRITICAL: "#b00020"}
TREND_ARROWS = {"improving": "↗", "stable": "→", "deteriorating": "↘"}


def tier_badge(tier: str) -> str:
    if not tier:
        return "—"
    return format_html(
        '<span class="circle-tier circle-tier-{}" style="color:{};font-weight:bold">{}</span>',
        tier,
        TIER_COLOURS.get(tier, "#333"),
        Tier(tier).label if tier in Tier.values else tier,
    )


def history_chart(points: list[tuple[str, float]], width: int = 480, height: int = 120) -> dict[str, Any]:
    """SVG polyline coordinates of the health history (oldest left), 0-100 on the vertical axis."""
    if not points:
        return {"polyline": "", "width": width, "height": height, "dots": []}
    step = width / max(len(points) - 1, 1)
    dots = [
        {"x": round(index * step, 1), "y": round(height - score / 100 * height, 1), "label": f"{label}: {score:.1f}"}
        for index, (label, score) in enumerate(points)
    ]
    return {
        "polyline": " ".join(f"{dot['x']},{dot['y']}" for dot in dots),
        "width": width,
        "height": height,
        "dots": dots,
        "healthy_y": round(height - 70 / 100 * height, 1),
        "critical_y": round(height - 40 / 100 * height, 1),
    }


@admin.register(Circle)
class CircleAdmin(CircleReadOnlyAdmin, admin.ModelAdmin):
    change_form_template = "admin/circles/circle/change_form.html"
    list_display = (
        "circle_id",
        "name",
        "status",
        "member_count",
        "tier_display",
        "health_score",
        "trend_display",
        "last_scored_at",
    )
    list_filter = ("tier", "trend", "status", "scoring_pending")
    search_fields = ("circle_id", "name", "organizer_id")
    ordering = ("health_score",)
    actions = ("rescore_selected",)
    list_per_page = 50
    readonly_fields = (
        "circle_id",
        "name",
        "organizer_id",
        "status",
        "contribution_amount",
        "currency",
        "frequency",
        "max_members",
        "rotation_order",
        "start_date",
        "created_at",
        "ended_at",
        "failure_reason",
        "total_cycles",
        "last_event_at",
        "scoring_pending",
        "last_scored_at",
    )
    fieldsets = (
        (None, {"fields": ("circle_id", "name", "organizer_id", "status")}),
        (
            "Terms",
            {"fields": ("contribution_amount", "currency", "frequency", "max_members", "rotation_order", "start_date")},
        ),
        (
            "Lifecycle",
            {"fields": ("created_at", "ended_at", "failure_reason", "total_cycles", "last_event_at")},
        ),
        ("Scoring", {"fields": ("scoring_pending", "last_scored_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Circle]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, circle: Circle) -> int:
        return getattr(circle, "member_total", 0)

    @admin.display(description="Tier", ordering="tier")
    def tier_display(self, circle: Circle) -> str:
        return tier_badge(circle.tier)

    @admin.display(description="Trend", ordering="trend")
    def trend_display(self, circle: Circle) -> str:
        if not circle.trend:
            return "—"
        return f"{TREND_ARROWS.get(circle.trend, '')} {circle.trend}"

    @admin.action(description="Recompute health now")
    def rescore_selected(self, request: HttpRequest, queryset: QuerySet[Circle]) -> None:
        if not has_role(request.user, *RESCORE_ROLES):
            self.message_user(request, "Only analysts and admins may recompute circle health.", messages.ERROR)
            return
        count = 0
        for circle_id in queryset.values_list("circle_id", flat=True):
            circle_score(circle_id=circle_id, trigger=ScoringTrigger.ADMIN, requested_by=request.user.get_username())
            count += 1
        self.message_user(request, f"Recomputed the health of {count} circle(s).", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<int:object_id>/rescore/",
                self.admin_site.admin_view(self.rescore_view),
                name="circles_circle_rescore",
            )
        ]
        return custom + super().get_urls()

    def rescore_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        circle = get_object_or_404(Circle, pk=object_id)
        target = reverse("admin:circles_circle_change", args=[circle.pk])
        if request.method != "POST":
            return HttpResponseRedirect(target)
        if not self.has_view_permission(request, circle) or not has_role(request.user, *RESCORE_ROLES):
            self.message_user(request, "Only analysts and admins may recompute circle health.", messages.ERROR)
            return HttpResponseRedirect(target)
        outcome = circle_score(
            circle_id=circle.circle_id, trigger=ScoringTrigger.ADMIN, requested_by=request.user.get_username()
        )
        self.message_user(
            request,
            f"Health recomputed: {outcome.health.health_score:.1f} ({outcome.health.tier}).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(target)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        circle = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if circle is not None:
            history = selectors.circle_health_history(circle=circle, limit=60)
            latest = circle.latest_health
            context.update(
                ledger=selectors.circle_ledger_table(circle=circle),
                history=history,
                chart=history_chart([(f"{h.computed_at:%Y-%m-%d %H:%M}", h.health_score) for h in reversed(history)]),
                tier_changes=selectors.circle_tier_changes(circle=circle, limit=20),
                latest=latest,
                latest_tier=tier_badge(latest.tier) if latest else "—",
                anomalies=list(latest.anomalies.order_by("id")) if latest else [],
                can_rescore=has_role(request.user, *RESCORE_ROLES),
                rescore_url=reverse("admin:circles_circle_rescore", args=[circle.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context=context)
