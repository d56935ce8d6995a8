"""PSI against hand-computed values; reference bins; the hot-path binner agrees with the histogram."""

from __future__ import annotations

import math

import numpy as np
import pytest

from apps.serving.choices import DriftStatus
from apps.serving.drift import Binner, Histogram, histogram, psi, psi_status, quantile_edges, reference_histogram


def test_psi_of_a_three_bin_shift_matches_the_hand_computation():
    # reference 50/30/20 %, served 30/30/40 %:
    # (0.3-0.5)·ln(0.3/0.5) + 0 + (0.4-0.2)·ln(0.4/0.2) = 0.102165 + 0.138629 = 0.240795
    reference = Histogram(edges=(1.0, 2.0), counts=(50, 30, 20))

    assert psi(reference, [30, 30, 40]) == pytest.approx(0.240795, abs=1e-6)


def test_identical_distributions_have_zero_psi():
    reference = Histogram(edges=(1.0, 2.0), counts=(50, 30, 20))

    assert psi(reference, [500, 300, 200]) == pytest.approx(0.0, abs=1e-12)


def test_a_change_in_the_share_of_missing_values_is_drift():
    # reference 40/40 % + 20 % missing, served 45/45 % + 10 % missing:
    # 2·(0.05·ln 1.125) + (-0.1)·ln 0.5 = 0.011778 + 0.069315 = 0.081093
    reference = Histogram(edges=(5.0,), counts=(40, 40), missing=20)

    assert psi(reference, [45, 45], served_missing=10) == pytest.approx(0.081093, abs=1e-6)


def test_an_empty_reference_bin_is_floored_not_infinite():
    # (0.9-1)·ln 0.9 + (0.1-1e-6)·ln(0.1/1e-6) = 0.010536 + 1.151281 = 1.161817
    reference = Histogram(edges=(5.0,), counts=(100, 0))

    assert psi(reference, [90, 10]) == pytest.approx(1.161817, abs=1e-6)


def test_served_counts_must_use_the_reference_bins():
    with pytest.raises(ValueError):
        psi(Histogram(edges=(1.0,), counts=(1, 1)), [1, 1, 1])


@pytest.mark.parametrize(
    ("value", "observations", "expected"),
    [
        (None, 1000, DriftStatus.NO_REFERENCE),
        (0.5, 99, DriftStatus.INSUFFICIENT_DATA),
        (0.0999, 1000, DriftStatus.OK),
        (0.10, 1000, DriftStatus.MODERATE),
        (0.2499, 1000, DriftStatus.MODERATE),
        (0.25, 1000, DriftStatus.CRITICAL),
    ],
)
def test_status_bands(value, observations, expected):
    assert psi_status(value, observations=observations, min_observations=100, warning=0.10, critical=0.25) == expected


def test_reference_uses_ten_quantile_bins_open_at_both_ends():
    values = np.arange(1000, dtype=float)

    reference = reference_histogram(values)

    assert len(reference.edges) == 9
    assert reference.counts == (100,) * 10
    beyond = histogram([-50.0, 5000.0, math.nan], reference.edges)
    assert (beyond.counts[0], beyond.counts[-1], beyond.missing) == (1, 1, 1)


def test_a_binary_feature_gets_as_many_bins_as_it_has_values():
    values = np.array([0.0] * 80 + [1.0] * 20)

    assert quantile_edges(values) == (0.0, 1.0)
    assert reference_histogram(values).counts == (0, 80, 20)


def test_the_hot_path_binner_counts_like_the_histogram():
    rng = np.random.default_rng(3)
    columns = [rng.normal(size=500), rng.exponential(size=500), (rng.random(500) < 0.3).astype(float)]
    columns[1][::7] = np.nan
    edges = [quantile_edges(column) for column in columns]
    binner = Binner(edges)
    counts = np.zeros(binner.shape, dtype=np.int64)

    for row in np.column_stack(columns):
        binner.add(counts, row)

    for index, column in enumerate(columns):
        expected = histogram(column, edges[index])
        assert binner.split(counts[index], index) == (list(expected.counts), expected.missing)


def test_binning_a_batch_counts_like_one_row_at_a_time():
    rng = np.random.default_rng(8)
    matrix = rng.normal(size=(300, 3))
    matrix[::5, 1] = np.nan
    binner = Binner([quantile_edges(matrix[:, i]) for i in range(3)])
    one_by_one = np.zeros(binner.shape, dtype=np.int64)
    batch = np.zeros(binner.shape, dtype=np.int64)

    for row in matrix:
        binner.add(one_by_one, row)
    binner.add_many(batch, matrix)

    np.testing.assert_array_equal(batch, one_by_one)
