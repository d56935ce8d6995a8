"""API routes of this app (mounted under /api/v1/ by lakay/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from apps.behavior.api.ato import AtoAlertDetailView, AtoAlertListView, AtoAssessView
from apps.behavior.api.engagement import EngagementAtRiskView, EngagementSummaryView, UserEngagementView
from apps.behavior.api.profiles import ProfileSummaryView, ProfileView
from apps.behavior.api.sessions import SessionScoreView

urlpatterns: list[URLPattern | URLResolver] = [
    path("behavior/users/<str:user_id>/profile", ProfileView.as_view(), name="behavior-profile"),
    path("behavior/users/<str:user_id>/profile/summary", ProfileSummaryView.as_view(), name="behavior-profile-summary"),
    path("behavior/users/<str:user_id>/engagement", UserEngagementView.as_view(), name="behavior-user-engagement"),
    path("behavior/sessions/score", SessionScoreView.as_view(), name="behavior-session-score"),
    path("behavior/engagement/summary", EngagementSummaryView.as_view(), name="behavior-engagement-summary"),
    path("behavior/engagement/at-risk", EngagementAtRiskView.as_view(), name="behavior-engagement-at-risk"),
    path("behavior/ato/assess", AtoAssessView.as_view(), name="behavior-ato-assess"),
    path("behavior/ato/alerts", AtoAlertListView.as_view(), name="behavior-ato-alerts"),
    path("behavior/ato/alerts/<uuid:alert_id>", AtoAlertDetailView.as_view(), name="behavior-ato-alert"),
]
