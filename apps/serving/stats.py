"""Small statistics on the stored aggregates: histogram percentiles, means, Welch's t-test. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence

from apps.serving.constants import LATENCY_BUCKETS_MS, SCORE_HISTOGRAM_BINS


def add_lists(left: Sequence[float], right: Sequence[float]) -> list[float]:
    size = max(len(left), len(right))
    return [(left[i] if i < len(left) else 0) + (right[i] if i < len(right) else 0) for i in range(size)]


def histogram_percentile(counts: Sequence[float], upper_bounds: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) of values counted in buckets ``(upper_bounds[i-1], upper_bounds[i]]``.

    Linear interpolation inside the bucket; an open last bucket answers its lower bound.
    """
    total = sum(counts)
    if total <= 0:
        return None
    target = q * total
    cumulative = 0.0
    lower = 0.0
    for count, upper in zip(counts, upper_bounds, strict=False):
        if count and cumulative + count >= target:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (target - cumulative) / count
        cumulative += count
        lower = upper
    return lower


def latency_percentiles(histogram: Sequence[float]) -> dict[str, float | None]:
    return {
        f"p{int(q * 100)}_ms": _round(histogram_percentile(histogram, LATENCY_BUCKETS_MS, q)) for q in (0.5, 0.95, 0.99)
    }


def score_percentile(histogram: Sequence[float], q: float) -> float | None:
    bounds = [(i + 1) / SCORE_HISTOGRAM_BINS for i in range(SCORE_HISTOGRAM_BINS)]
    return histogram_percentile(histogram, bounds, q)


def mean_std(count: float, total: float, total_sq: float) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation from count, Σx and Σx²."""
    if count <= 0:
        return None, None
    mean = total / count
    if count < 2:
        return mean, None
    variance = max((total_sq - count * mean * mean) / (count - 1), 0.0)
    return mean, math.sqrt(variance)


def welch_t_test(
    mean_a: float, std_a: float, n_a: int, mean_b: float, std_b: float, n_b: int
) -> tuple[float | None, float | None]:
    """(t, two-sided p) of Welch's unequal-variance t-test, with the Welch-Satterthwaite degrees of freedom."""
    if n_a < 2 or n_b < 2:
        return None, None
    var_a, var_b = std_a * std_a / n_a, std_b * std_b / n_b
    standard_error = math.sqrt(var_a + var_b)
    if standard_error == 0:
        return None, None
    t = (mean_b - mean_a) / standard_error
    dof = (var_a + var_b) ** 2 / ((var_a**2) / (n_a - 1) + (var_b**2) / (n_b - 1))
    from scipy import stats as scipy_stats  # imported on use: scipy.stats costs ~0.3 s at start-up

    p = float(2 * scipy_stats.t.sf(abs(t), dof))
    return t, p


def two_proportion_z_test(success_a: int, n_a: int, success_b: int, n_b: int) -> tuple[float | None, float | None]:
    """(z, two-sided p) comparing two rates with a pooled standard error."""
    if n_a == 0 or n_b == 0:
        return None, None
    pooled = (success_a + success_b) / (n_a + n_b)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if standard_error == 0:
        return None, None
    z = (success_b / n_b - success_a / n_a) / standard_error
    from scipy import stats as scipy_stats

    return z, float(2 * scipy_stats.norm.sf(abs(z)))


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
