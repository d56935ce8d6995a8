"""Websocket routes of the fraud app (collected by lakay/routing.py)."""

from django.urls import path

from apps.fraud.consumers import AnalystQueueConsumer

websocket_urlpatterns = [path("ws/analyst-queue/", AnalystQueueConsumer.as_asgi())]
