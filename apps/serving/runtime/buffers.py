"""In-process buffers of what the scorer served: per-variant metrics, drift counts, experiment data.

The scoring path only adds to these (microseconds, no I/O); ``flush_buffers`` writes them to PostgreSQL
in one short transaction (one row update per variant/feature/hour, one insert per new assignment), from
the serving thread every ``SERVING_FLUSH_SECONDS`` or when asked. A failed flush keeps the data for the
next one.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import transaction

from apps.serving.constants import ASSIGNMENT_MEMORY, LATENCY_BUCKETS_MS, SCORE_HISTOGRAM_BINS
from apps.serving.drift import Binner
from apps.serving.stats import add_lists
from lakay.logging import get_logger

logger = get_logger(__name__)

VariantKey = tuple[str, int, str, int]  # model name, version, variant, hour number
DriftKey = tuple[str, int, int]  # model name, version, hour number
ExperimentKey = tuple[int, str]  # experiment id, variant name


def latency_bucket(latency_ms: float) -> int:
    return bisect.bisect_left(LATENCY_BUCKETS_MS, latency_ms)


def score_bucket(score: float) -> int:
    return min(max(int(score * SCORE_HISTOGRAM_BINS), 0), SCORE_HISTOGRAM_BINS - 1)


@dataclass
class ScoreAccumulator:
    count: int = 0
    score_sum: float = 0.0
    score_sq_sum: float = 0.0
    flagged: int = 0
    errors: int = 0
    latency_sum: float = 0.0
    latency_max: float = 0.0
    score_histogram: list[int] = field(default_factory=lambda: [0] * SCORE_HISTOGRAM_BINS)
    latency_histogram: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS_MS))

    def add(self, score: float, latency_ms: float, *, flagged: bool) -> None:
        self.count += 1
        self.score_sum += score
        self.score_sq_sum += score * score
        self.flagged += flagged
        self.latency_sum += latency_ms
        self.latency_max = max(self.latency_max, latency_ms)
        self.score_histogram[score_bucket(score)] += 1
        self.latency_histogram[latency_bucket(latency_ms)] += 1

    def merge(self, other: ScoreAccumulator) -> None:
        self.count += other.count
        self.score_sum += other.score_sum
        self.score_sq_sum += other.score_sq_sum
        self.flagged += other.flagged
        self.errors += other.errors
        self.latency_sum += other.latency_sum
        self.latency_max = max(self.latency_max, other.latency_max)
        self.score_histogram = [int(x) for x in add_lists(self.score_histogram, other.score_histogram)]
        self.latency_histogram = [int(x) for x in add_lists(self.latency_histogram, other.latency_histogram)]


@dataclass
class DriftAccumulator:
    """Served rows of one version and hour: kept as they come (hot path: one append), binned at flush."""

    names: tuple[str, ...]
    binner: Binner
    counts: npt.NDArray[np.int64]
    total: int = 0
    pending: list[npt.NDArray[np.float64]] = field(default_factory=list)

    def settle(self) -> None:
        if self.pending:
            self.binner.add_many(self.counts, np.vstack(self.pending))
            self.total += len(self.pending)
            self.pending = []

    def merge(self, other: DriftAccumulator) -> None:
        self.settle()
        other.settle()
        if other.counts.shape == self.counts.shape:
            self.counts += other.counts
            self.total += other.total


@dataclass
class Snapshot:
    variants: dict[VariantKey, ScoreAccumulator] = field(default_factory=dict)
    drift: dict[DriftKey, DriftAccumulator] = field(default_factory=dict)
    experiments: dict[ExperimentKey, ScoreAccumulator] = field(default_factory=dict)
    assignments: dict[tuple[int, str], tuple[str, datetime]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.variants or self.drift or self.experiments or self.assignments)


class ServingBuffers:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data = Snapshot()
        self._assigned: OrderedDict[tuple[int, str], None] = OrderedDict()

    def record_score(
        self,
        *,
        model_name: str,
        version: int,
        variant: str,
        score: float,
        latency_ms: float,
        flagged: bool,
        drift: tuple[tuple[str, ...], Binner, npt.NDArray[np.float32]] | None,
        experiment: tuple[int, str] | None,
        user_id: str,
    ) -> None:
        hour = int(time.time() // 3600)
        with self._lock:
            data = self._data
            key = (model_name, version, variant, hour)
            accumulator = data.variants.get(key)
            if accumulator is None:
                accumulator = data.variants[key] = ScoreAccumulator()
            accumulator.add(score, latency_ms, flagged=flagged)
            if drift is not None:
                names, binner, row = drift
                drift_key = (model_name, version, hour)
                counts = data.drift.get(drift_key)
                if counts is None:
                    counts = data.drift[drift_key] = DriftAccumulator(
                        names=names, binner=binner, counts=np.zeros(binner.shape, dtype=np.int64)
                    )
                counts.pending.append(np.append(row.astype(np.float64), score))
            if experiment is not None:
                experiment_id, variant_name = experiment
                metric = data.experiments.get(experiment)
                if metric is None:
                    metric = data.experiments[experiment] = ScoreAccumulator()
                metric.add(score, latency_ms, flagged=flagged)
                self._remember_assignment(experiment_id, user_id, variant_name)

    def record_experiment_error(self, *, experiment: tuple[int, str], user_id: str) -> None:
        with self._lock:
            metric = self._data.experiments.get(experiment)
            if metric is None:
                metric = self._data.experiments[experiment] = ScoreAccumulator()
            metric.errors += 1
            self._remember_assignment(experiment[0], user_id, experiment[1])

    def _remember_assignment(self, experiment_id: int, user_id: str, variant: str) -> None:
        key = (experiment_id, user_id)
        if key in self._assigned:
            return
        self._assigned[key] = None
        if len(self._assigned) > ASSIGNMENT_MEMORY:
            self._assigned.popitem(last=False)
        self._data.assignments[key] = (variant, datetime.now(UTC))

    def drain(self) -> Snapshot:
        with self._lock:
            data, self._data = self._data, Snapshot()
        for accumulator in data.drift.values():
            accumulator.settle()
        return data

    def restore(self, snapshot: Snapshot) -> None:
        """Put back what a failed flush could not write (merged with what arrived meanwhile)."""
        with self._lock:
            data = self._data
            for variant_key, accumulator in snapshot.variants.items():
                data.variants.setdefault(variant_key, ScoreAccumulator()).merge(accumulator)
            for experiment_key, accumulator in snapshot.experiments.items():
                data.experiments.setdefault(experiment_key, ScoreAccumulator()).merge(accumulator)
            for drift_key, drift in snapshot.drift.items():
                if drift_key in data.drift:
                    data.drift[drift_key].merge(drift)
                else:
                    data.drift[drift_key] = drift
            for assignment_key, assignment in snapshot.assignments.items():
                data.assignments.setdefault(assignment_key, assignment)

    def forget_assignments(self) -> None:
        with self._lock:
            self._assigned.clear()


def hour_start(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, tz=UTC)


def flush_snapshot(snapshot: Snapshot) -> dict[tuple[str, int], int]:
    """Write one drained snapshot; returns the drift observations added per (model, version)."""
    from apps.serving.models import (
        DriftObservation,
        ExperimentAssignment,
        ExperimentMetric,
        VariantMetrics,
    )

    observations: dict[tuple[str, int], int] = {}
    with transaction.atomic():
        _write_variants(VariantMetrics, snapshot.variants)
        for (name, version, _hour), drift in snapshot.drift.items():
            observations[(name, version)] = observations.get((name, version), 0) + drift.total
        _write_drift(DriftObservation, snapshot.drift)
        _write_experiments(ExperimentMetric, snapshot.experiments)
        if snapshot.assignments:
            ExperimentAssignment.objects.bulk_create(
                [
                    ExperimentAssignment(experiment_id=experiment_id, user_id=user_id, variant=variant, assigned_at=at)
                    for (experiment_id, user_id), (variant, at) in snapshot.assignments.items()
                ],
                ignore_conflicts=True,
            )
    return observations


def _write_variants(model: Any, variants: dict[VariantKey, ScoreAccumulator]) -> None:
    if not variants:
        return
    keys = sorted(variants)
    model.objects.bulk_create(
        [
            model(
                model_name=name,
                model_version=version,
                variant=variant,
                period_start=hour_start(hour),
                score_histogram=[0] * SCORE_HISTOGRAM_BINS,
                latency_histogram=[0] * len(LATENCY_BUCKETS_MS),
            )
            for name, version, variant, hour in keys
        ],
        ignore_conflicts=True,
    )
    for name, version, variant, hour in keys:
        added = variants[(name, version, variant, hour)]
        row = model.objects.select_for_update().get(
            model_name=name, model_version=version, variant=variant, period_start=hour_start(hour)
        )
        row.count += added.count
        row.score_sum += added.score_sum
        row.score_sq_sum += added.score_sq_sum
        row.flagged_count += added.flagged
        row.latency_sum_ms += added.latency_sum
        row.latency_max_ms = max(row.latency_max_ms, added.latency_max)
        row.score_histogram = [int(x) for x in add_lists(row.score_histogram, added.score_histogram)]
        row.latency_histogram = [int(x) for x in add_lists(row.latency_histogram, added.latency_histogram)]
        row.save()


def _write_drift(model: Any, drift: dict[DriftKey, DriftAccumulator]) -> None:
    if not drift:
        return
    rows: list[tuple[str, int, str, datetime, list[int], int]] = []
    for name, version, hour in sorted(drift):
        accumulator = drift[(name, version, hour)]
        for index, feature in enumerate(accumulator.names):
            counts, missing = accumulator.binner.split(accumulator.counts[index], index)
            rows.append((name, version, feature, hour_start(hour), counts, missing))
    model.objects.bulk_create(
        [
            model(model_name=name, model_version=version, feature=feature, period_start=start, counts=[0] * len(counts))
            for name, version, feature, start, counts, _missing in rows
        ],
        ignore_conflicts=True,
    )
    for name, version, feature, start, counts, missing in rows:
        row = model.objects.select_for_update().get(
            model_name=name, model_version=version, feature=feature, period_start=start
        )
        row.counts = [int(x) for x in add_lists(row.counts, counts)]
        row.missing += missing
        row.total += sum(counts) + missing
        row.save()


def _write_experiments(model: Any, experiments: dict[ExperimentKey, ScoreAccumulator]) -> None:
    if not experiments:
        return
    keys = sorted(experiments)
    model.objects.bulk_create(
        [
            model(experiment_id=experiment_id, variant=variant, latency_histogram=[0] * len(LATENCY_BUCKETS_MS))
            for experiment_id, variant in keys
        ],
        ignore_conflicts=True,
    )
    for experiment_id, variant in keys:
        added = experiments[(experiment_id, variant)]
        row = model.objects.select_for_update().get(experiment_id=experiment_id, variant=variant)
        row.count += added.count
        row.score_sum += added.score_sum
        row.score_sq_sum += added.score_sq_sum
        row.flagged_count += added.flagged
        row.error_count += added.errors
        row.latency_sum_ms += added.latency_sum
        row.latency_histogram = [int(x) for x in add_lists(row.latency_histogram, added.latency_histogram)]
        row.save()
