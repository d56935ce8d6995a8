"""URL map: operational endpoints, the admin, the OpenAPI schema and one include per app."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from lakay import health

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("apps.fraud.api.urls")),
    path("", include("apps.circles.api.urls")),
    path("", include("apps.behavior.api.urls")),
    path("", include("apps.compliance.api.urls")),
    path("", include("apps.serving.api.urls")),
    path("", include("apps.pipeline.api.urls")),
]

urlpatterns = [
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("metrics", health.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler404 = "lakay.api.not_found.not_found"
