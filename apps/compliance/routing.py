"""Websocket routes of the compliance live views (collected by lakay/routing.py)."""

from django.urls import path

from apps.compliance.consumers import CaseConsumer, ComplianceQueueConsumer

websocket_urlpatterns = [
    path("ws/compliance/queue/", ComplianceQueueConsumer.as_asgi()),
    path("ws/compliance/cases/<int:case_id>/", CaseConsumer.as_asgi()),
]
