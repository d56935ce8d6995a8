"""API routes of the fraud app (mounted under /api/v1/ by lakay/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from apps.fraud.api.alerts import FraudAlertDetailView, FraudAlertListView
from apps.fraud.api.rules import FraudRulesView
from apps.fraud.api.score import FraudScoreView

urlpatterns: list[URLPattern | URLResolver] = [
    path("fraud/score", FraudScoreView.as_view(), name="fraud-score"),
    path("fraud/rules", FraudRulesView.as_view(), name="fraud-rules"),
    path("fraud/alerts", FraudAlertListView.as_view(), name="fraud-alert-list"),
    path("fraud/alerts/<uuid:alert_id>", FraudAlertDetailView.as_view(), name="fraud-alert-detail"),
]
