"""Pipeline API: event submission and dead letters (the lake's endpoints join here)."""

from django.urls import URLPattern, URLResolver, path

from apps.pipeline.api import dashboards, lake
from apps.pipeline.api.dead_letters import DeadLetterListView, DeadLetterReplayView
from apps.pipeline.api.events import EventSubmitView

urlpatterns: list[URLPattern | URLResolver] = [
    path("events", EventSubmitView.as_view(), name="events-submit"),
    path("pipeline/dead-letters", DeadLetterListView.as_view(), name="dead-letter-list"),
    path(
        "pipeline/dead-letters/<int:dead_letter_id>/replay", DeadLetterReplayView.as_view(), name="dead-letter-replay"
    ),
    # The data lake (docs/lake.md).
    path("pipeline/bronze/stats", lake.BronzeStatsView.as_view(), name="lake-bronze-stats"),
    path("pipeline/bronze/partitions", lake.BronzePartitionsView.as_view(), name="lake-bronze-partitions"),
    path("pipeline/silver/stats", lake.SilverStatsView.as_view(), name="lake-silver-stats"),
    path("pipeline/silver/partitions", lake.SilverPartitionsView.as_view(), name="lake-silver-partitions"),
    path("pipeline/silver/quality", lake.SilverQualityView.as_view(), name="lake-silver-quality"),
    path("pipeline/silver/rejected", lake.SilverRejectedView.as_view(), name="lake-silver-rejected"),
    path("pipeline/silver/run", lake.SilverRunView.as_view(), name="lake-silver-run"),
    path("pipeline/gold/datasets", lake.GoldDatasetsView.as_view(), name="lake-gold-datasets"),
    path("pipeline/gold/<str:dataset_name>/refresh", lake.GoldRefreshView.as_view(), name="lake-gold-refresh"),
    path("pipeline/gold/<str:dataset_name>", lake.GoldQueryView.as_view(), name="lake-gold-query"),
    path("pipeline/lake/jobs", lake.LakeJobListView.as_view(), name="lake-job-list"),
    path("pipeline/lake/jobs/<int:job_id>", lake.LakeJobDetailView.as_view(), name="lake-job-detail"),
    path("pipeline/pii/reveal", lake.PiiRevealView.as_view(), name="lake-pii-reveal"),
    path("dashboards/platform", dashboards.PlatformDashboardView.as_view(), name="dashboard-platform"),
    path("dashboards/fraud", dashboards.FraudDashboardView.as_view(), name="dashboard-fraud"),
    path("dashboards/circles", dashboards.CirclesDashboardView.as_view(), name="dashboard-circles"),
    path("dashboards/compliance", dashboards.ComplianceDashboardView.as_view(), name="dashboard-compliance"),
    path("dashboards/corridor", dashboards.CorridorDashboardView.as_view(), name="dashboard-corridor"),
]
