"""Celery tasks of the pipeline app (the lake's silver and gold jobs). Thin: create or load a job,
run it, let the job row carry progress and outcome."""

from __future__ import annotations

from celery import shared_task

from apps.pipeline.lake.choices import LakeJobKind
from apps.pipeline.lake.jobs import lake_job_create, lake_job_run


@shared_task(name="pipeline.lake.silver_incremental")
def lake_silver_incremental() -> int:
    """Beat (every 15 minutes by default): process bronze partitions that changed since the last run."""
    job = lake_job_create(kind=LakeJobKind.SILVER, parameters={}, requested_by="beat")
    return lake_job_run(job.pk).pk


@shared_task(name="pipeline.lake.gold_daily")
def lake_gold_daily() -> int:
    """Beat (daily): silver catch-up, then every gold dataset over the look-back window."""
    silver = lake_job_create(kind=LakeJobKind.SILVER, parameters={}, requested_by="beat")
    lake_job_run(silver.pk)
    gold = lake_job_create(kind=LakeJobKind.GOLD, parameters={}, requested_by="beat")
    return lake_job_run(gold.pk).pk


@shared_task(name="pipeline.lake.run_job")
def lake_run_job(job_id: int) -> int:
    """On demand (API, admin): run a job created by ``lake_job_create``."""
    return lake_job_run(job_id).pk
