"""API routes of this app (mounted under /api/v1/ by lakay/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from apps.serving.api.experiments import (
    ExperimentCompleteView,
    ExperimentDetailView,
    ExperimentGuardrailsView,
    ExperimentListCreateView,
    ExperimentPauseView,
    ExperimentResultsView,
    ExperimentStartView,
)
from apps.serving.api.serving import MonitoringView, ReloadView, RoutingView

urlpatterns: list[URLPattern | URLResolver] = [
    path("serving/reload", ReloadView.as_view(), name="serving-reload"),
    path("serving/routing", RoutingView.as_view(), name="serving-routing"),
    path("serving/monitoring", MonitoringView.as_view(), name="serving-monitoring"),
    path("experiments", ExperimentListCreateView.as_view(), name="experiment-list"),
    path("experiments/<int:experiment_id>", ExperimentDetailView.as_view(), name="experiment-detail"),
    path("experiments/<int:experiment_id>/start", ExperimentStartView.as_view(), name="experiment-start"),
    path("experiments/<int:experiment_id>/pause", ExperimentPauseView.as_view(), name="experiment-pause"),
    path("experiments/<int:experiment_id>/complete", ExperimentCompleteView.as_view(), name="experiment-complete"),
    path("experiments/<int:experiment_id>/results", ExperimentResultsView.as_view(), name="experiment-results"),
    path(
        "experiments/<int:experiment_id>/guardrails", ExperimentGuardrailsView.as_view(), name="experiment-guardrails"
    ),
]
