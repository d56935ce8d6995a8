"""Admin of the pipeline app: the spine's records (read-only), the lake (overview, jobs, quality,
PII audit) and the dashboards."""

from apps.pipeline.admin import dashboards, lake, spine

__all__ = ["dashboards", "lake", "spine"]
