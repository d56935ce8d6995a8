"""Lake jobs: silver runs, gold refreshes and rebuilds, with progress recorded on a ``LakeJob`` row
(the admin shows it) and reported to an optional callback (the command line's progress bar).

Silver partitions are independent, so a rebuild spreads them over worker processes
(``LAKE_WORKERS``, default one per CPU) when it runs outside a Celery worker; gold datasets are built
one after the other (each is vectorised and multi-threaded inside Arrow).
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connections

from apps.pipeline.lake.choices import LakeJobKind, LakeJobStatus
from apps.pipeline.lake.conf import lake_setting
from apps.pipeline.lake.gold.reader import SilverReader
from apps.pipeline.lake.gold.registry import DATASETS, SNAPSHOT
from apps.pipeline.lake.gold.service import gold_dataset, gold_refresh
from apps.pipeline.lake.models import LakeJob
from apps.pipeline.lake.silver.service import (
    PartitionKey,
    silver_partitions_process_dicts,
    silver_stale_partitions,
)
from apps.pipeline.lake.storage import lake_store, reset_lake_store
from lakay.exceptions import ConflictError
from lakay.logging import get_logger

logger = get_logger(__name__)

Progress = Callable[[int, int, str], None]
SILVER_CHUNK = 24  # partitions per metadata transaction


def lake_job_create(*, kind: str, parameters: dict[str, Any], requested_by: str) -> LakeJob:
    """Record a job to run (the caller enqueues ``lake_job_task`` or runs it inline)."""
    if kind not in LakeJobKind.values:
        raise ConflictError("Unknown job kind.", code="unknown_job_kind")
    for name in parameters.get("datasets", []):
        gold_dataset(name)
    return LakeJob.objects.create(kind=kind, parameters=parameters, requested_by=requested_by[:150])


def _workers() -> int:
    configured = int(lake_setting("LAKE_WORKERS"))
    if multiprocessing.current_process().daemon:  # a Celery prefork child cannot fork workers
        return 1
    return configured if configured > 0 else (os.cpu_count() or 1)


def _update(job: LakeJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    LakeJob.objects.filter(pk=job.pk).update(**fields)


def _parse(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def lake_job_run(job_id: int, *, progress: Progress | None = None) -> LakeJob:
    """Run a queued job to the end; marks it succeeded or failed (never raises for a job error)."""
    job = LakeJob.objects.get(pk=job_id)
    if job.status == LakeJobStatus.RUNNING:
        raise ConflictError("This job is already running.", code="job_running")
    _update(job, status=LakeJobStatus.RUNNING, started_at=datetime.now(UTC), progress_done=0, message="starting")
    try:
        result = _execute(job, progress)
    except Exception as error:
        logger.exception("lake.job.failed", job_id=job.pk, kind=job.kind)
        _update(
            job,
            status=LakeJobStatus.FAILED,
            finished_at=datetime.now(UTC),
            message=f"{type(error).__name__}: {error}"[:300],
            result={"traceback": traceback.format_exc()[-4000:]},
        )
        return job
    _update(job, status=LakeJobStatus.SUCCEEDED, finished_at=datetime.now(UTC), message="done", result=result)
    logger.info("lake.job.succeeded", job_id=job.pk, kind=job.kind)
    return job


def _execute(job: LakeJob, progress: Progress | None) -> dict[str, Any]:
    params = job.parameters
    date_from, date_to = _parse(params.get("date_from")), _parse(params.get("date_to"))
    if job.kind == LakeJobKind.SILVER:
        keys = silver_stale_partitions(
            date_from=date_from, date_to=date_to, event_type=params.get("event_type"), force=bool(params.get("force"))
        )
        _update(job, progress_total=len(keys))
        return {"silver": _run_silver(job, keys, progress, offset=0, total=len(keys))}
    if job.kind == LakeJobKind.GOLD:
        datasets = params.get("datasets") or list(DATASETS)
        today = datetime.now(UTC).date()
        start = date_from or today - timedelta(days=int(lake_setting("LAKE_GOLD_LOOKBACK_DAYS")))
        end = date_to or today
        _update(job, progress_total=len(datasets))
        return {"gold": _run_gold(job, datasets, start, end, progress, offset=0, total=len(datasets))}
    # Rebuild: every silver partition in the range, then every gold dataset over it.
    today = datetime.now(UTC).date()
    keys = silver_stale_partitions(date_from=date_from, date_to=date_to, force=True)
    datasets = params.get("datasets") or list(DATASETS)
    total = len(keys) + len(datasets)
    _update(job, progress_total=total)
    silver = _run_silver(job, keys, progress, offset=0, total=total)
    start = date_from or min((key.partition_date for key in keys), default=today)
    end = date_to or max((key.partition_date for key in keys), default=today)
    gold = _run_gold(job, datasets, start, end, progress, offset=len(keys), total=total)
    return {"silver": silver, "gold": gold}


def _summarise_silver(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "partitions": len(results),
        "total": sum(r["total"] for r in results),
        "passed": sum(r["passed"] for r in results),
        "rejected": sum(r["rejected"] for r in results),
        "duplicates_removed": sum(r["duplicates_removed"] for r in results),
        "alerts": [f"{r['event_type']}/{r['partition_date']}" for r in results if r["is_alert"]],
    }


def _chunks(keys: list[PartitionKey], size: int) -> list[list[PartitionKey]]:
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def _run_silver(
    job: LakeJob, keys: list[PartitionKey], progress: Progress | None, *, offset: int, total: int
) -> dict[str, Any]:
    """Partitions in chunks (one metadata transaction per chunk), spread over worker processes."""
    results: list[dict[str, Any]] = []
    workers = min(_workers(), max(len(keys), 1))
    chunk_size = max(1, min(SILVER_CHUNK, -(-len(keys) // (workers * 4)) if keys else 1))
    chunks = _chunks(keys, chunk_size)

    def done(chunk_results: list[dict[str, Any]], chunk: list[PartitionKey]) -> None:
        results.extend(chunk_results)
        label = f"silver {chunk[-1].label()}"
        _update(job, progress_done=offset + len(results), message=label)
        if progress:
            progress(offset + len(results), total, label)

    if workers <= 1:
        for chunk in chunks:
            done(silver_partitions_process_dicts(chunk, job.pk), chunk)
        return _summarise_silver(results)
    connections.close_all()  # children open their own connections
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_child_start) as pool:
        futures = {pool.submit(_silver_in_child, chunk, job.pk): chunk for chunk in chunks}
        for future in as_completed(futures):
            done(future.result(), futures[future])
    return _summarise_silver(results)


def _child_start() -> None:
    """A forked worker must not reuse the parent's connections or S3 client."""
    connections.close_all()
    reset_lake_store()


def _silver_in_child(chunk: list[PartitionKey], job_id: int) -> list[dict[str, Any]]:
    try:
        return silver_partitions_process_dicts(chunk, job_id)
    finally:
        connections.close_all()


def _run_gold(
    job: LakeJob,
    datasets: list[str],
    date_from: date,
    date_to: date,
    progress: Progress | None,
    *,
    offset: int,
    total: int,
) -> list[dict[str, Any]]:
    reader = SilverReader(lake_store())  # shared: datasets read the same silver partitions
    summaries = []
    for index, name in enumerate(datasets, start=1):
        grain_from = date_to if DATASETS[name].grain == SNAPSHOT else date_from
        summaries.append(asdict(gold_refresh(name, grain_from, date_to, reader=reader)))
        _update(job, progress_done=offset + index, message=f"gold {name}")
        if progress:
            progress(offset + index, total, f"gold {name}")
    return summaries
