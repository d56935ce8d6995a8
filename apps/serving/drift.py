"""Population Stability Index (PSI) on the training reference's bins. Pure functions, no I/O.

A reference is built once per model version from the training data: up to ``REFERENCE_BINS`` quantile
bins per feature (fewer when a feature has fewer distinct values), open at both ends so that a served
value outside the training range still lands in the first or last bin (never silently dropped), plus
a separate count of missing values. Served values are counted on the same bins; PSI compares the two
proportions, each floored at ``PSI_FLOOR``:

    PSI = Σ_i (served_i - reference_i) · ln(served_i / reference_i)

over the bins and the "missing" bucket (included only when either side has missing values).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from apps.serving.choices import DriftStatus
from apps.serving.constants import PSI_FLOOR, REFERENCE_BINS


@dataclass(frozen=True)
class Histogram:
    """Counts on ``edges`` (interior cut points, ascending): bin i holds edges[i-1] ≤ x < edges[i]."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    missing: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts) + self.missing

    def as_dict(self) -> dict[str, Any]:
        return {"edges": list(self.edges), "counts": list(self.counts), "missing": self.missing}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Histogram:
        return cls(
            edges=tuple(float(edge) for edge in data["edges"]),
            counts=tuple(int(count) for count in data["counts"]),
            missing=int(data.get("missing", 0)),
        )


def quantile_edges(values: npt.ArrayLike, bins: int = REFERENCE_BINS) -> tuple[float, ...]:
    """Interior cut points at the 1/bins … (bins-1)/bins quantiles, de-duplicated."""
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return ()
    cuts = np.quantile(array, np.linspace(0, 1, bins + 1)[1:-1], method="higher")  # real data values
    return tuple(float(edge) for edge in np.unique(cuts))


def bin_index(values: npt.ArrayLike, edges: Sequence[float]) -> npt.NDArray[np.int64]:
    """Bin of each non-missing value (len(edges)+1 bins; values equal to an edge go to the upper bin)."""
    return np.searchsorted(np.asarray(edges, dtype=float), np.asarray(values, dtype=float), side="right")


def histogram(values: npt.ArrayLike, edges: Sequence[float]) -> Histogram:
    array = np.asarray(values, dtype=float)
    is_missing = np.isnan(array)
    counts = np.bincount(bin_index(array[~is_missing], edges), minlength=len(edges) + 1)
    return Histogram(edges=tuple(edges), counts=tuple(int(c) for c in counts), missing=int(is_missing.sum()))


def reference_histogram(values: npt.ArrayLike, bins: int = REFERENCE_BINS) -> Histogram:
    """The training reference of one feature: quantile edges and the training counts on them."""
    return histogram(values, quantile_edges(values, bins))


def proportions(counts: Sequence[int], missing: int, *, with_missing: bool) -> list[float]:
    total = sum(counts) + missing
    if total == 0:
        return [0.0] * (len(counts) + (1 if with_missing else 0))
    shares = [count / total for count in counts]
    if with_missing:
        shares.append(missing / total)
    return shares


def psi(reference: Histogram, served_counts: Sequence[int], served_missing: int = 0) -> float:
    """PSI of served counts (on the reference's bins) against the reference."""
    if len(served_counts) != len(reference.counts):
        raise ValueError("served counts must use the reference's bins")
    with_missing = reference.missing > 0 or served_missing > 0
    expected = proportions(reference.counts, reference.missing, with_missing=with_missing)
    actual = proportions(served_counts, served_missing, with_missing=with_missing)
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, PSI_FLOOR), max(a, PSI_FLOOR)
        total += (a - e) * math.log(a / e)
    return total


def psi_status(
    value: float | None, *, observations: int, min_observations: int, warning: float, critical: float
) -> str:
    if value is None:
        return DriftStatus.NO_REFERENCE
    if observations < min_observations:
        return DriftStatus.INSUFFICIENT_DATA
    if value >= critical:
        return DriftStatus.CRITICAL
    if value >= warning:
        return DriftStatus.MODERATE
    return DriftStatus.OK


def worst_status(statuses: Iterable[str]) -> str:
    order = [
        DriftStatus.CRITICAL,
        DriftStatus.MODERATE,
        DriftStatus.OK,
        DriftStatus.INSUFFICIENT_DATA,
        DriftStatus.NO_REFERENCE,
    ]
    present = set(statuses)
    for status in order:
        if status in present:
            return str(status)
    return str(DriftStatus.NO_REFERENCE)


class Binner:
    """Counts one scored row per feature on the reference bins in a single vectorised step (hot path).

    ``edges[f]`` are feature f's interior edges; the matrix is padded with +inf so every feature has the
    same width. A row's bins are ``(row[:, None] >= E).sum(axis=1)``; NaN goes to the extra last column.
    """

    def __init__(self, edges: Sequence[Sequence[float]]):
        width = max((len(e) for e in edges), default=0)
        self.bin_counts = tuple(len(e) + 1 for e in edges)
        self.missing_column = width + 1
        matrix = np.full((len(edges), max(width, 1)), np.inf)
        for row, feature_edges in enumerate(edges):
            matrix[row, : len(feature_edges)] = feature_edges
        self._edges = matrix
        self._rows = np.arange(len(edges))

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.bin_counts), self.missing_column + 1)

    def columns(self, values: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.int64]:
        """Column of each value in a counts matrix of ``shape`` (bins, then the missing column)."""
        with np.errstate(invalid="ignore"):
            bins = (values[:, None] >= self._edges).sum(axis=1)
        return np.where(np.isnan(values), self.missing_column, bins)

    def add(self, counts: npt.NDArray[np.int64], values: npt.NDArray[np.floating[Any]]) -> None:
        counts[self._rows, self.columns(values)] += 1

    def add_many(self, counts: npt.NDArray[np.int64], matrix: npt.NDArray[np.floating[Any]]) -> None:
        """Count every row of ``matrix`` (rows x features) at once (the flush bins what the scorer kept)."""
        if len(matrix) == 0:
            return
        with np.errstate(invalid="ignore"):
            bins = (matrix[:, :, None] >= self._edges[None, :, :]).sum(axis=2)
        columns = np.where(np.isnan(matrix), self.missing_column, bins)
        np.add.at(counts, (np.broadcast_to(self._rows, columns.shape), columns), 1)

    def split(self, counts_row: npt.NDArray[np.int64], feature: int) -> tuple[list[int], int]:
        """(counts on the feature's own bins, missing) out of one row of the counts matrix."""
        return [int(c) for c in counts_row[: self.bin_counts[feature]]], int(counts_row[self.missing_column])
