"""API routes of this app (mounted under /api/v1/ by lakay/urls.py). Fixed paths come before
``circles/<circle_id>/…`` so no circle id can shadow them."""

from django.urls import URLPattern, URLResolver, path

from apps.circles.api.views import (
    CircleAnomalyListView,
    CircleAtRiskView,
    CircleClassificationView,
    CircleHealthSummaryView,
    CircleHealthView,
    CircleScoreView,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("circles/health/summary", CircleHealthSummaryView.as_view(), name="circles-health-summary"),
    path("circles/at-risk", CircleAtRiskView.as_view(), name="circles-at-risk"),
    path("circles/<str:circle_id>/score", CircleScoreView.as_view(), name="circles-score"),
    path("circles/<str:circle_id>/health", CircleHealthView.as_view(), name="circles-health"),
    path("circles/<str:circle_id>/anomalies", CircleAnomalyListView.as_view(), name="circles-anomalies"),
    path("circles/<str:circle_id>/classification", CircleClassificationView.as_view(), name="circles-classification"),
]
