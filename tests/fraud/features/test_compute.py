"""The feature function on in-memory histories: windows, novelty, travel, baselines, patterns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.fraud.features import FEATURE_NAMES
from apps.fraud.features.compute import compute_features
from tests.fraud.factories import LAGOS, facts, history, past


def test_values_come_in_feature_name_order_and_are_numeric_or_missing():
    values = compute_features(facts(), history()).values

    assert tuple(values) == FEATURE_NAMES
    assert all(value is None or isinstance(value, float) for value in values.values())


def test_window_counts_and_amounts_at_their_edges():
    prior = [
        past(timedelta(hours=1), "10.00"),  # exactly 1 h before: inside the 1 h window
        past(timedelta(hours=1, microseconds=1), "20.00"),  # just outside
        past(timedelta(days=1), "30.00"),
        past(timedelta(days=7), "40.00"),
        past(timedelta(days=30), "50.00"),
    ]

    values = compute_features(facts(), history(prior)).values

    assert (values["txn_count_1h"], values["txn_amount_1h"]) == (1.0, 10.0)
    assert (values["txn_count_24h"], values["txn_amount_24h"]) == (3.0, 60.0)
    assert (values["txn_count_7d"], values["txn_amount_7d"]) == (4.0, 100.0)
    assert (values["txn_count_30d"], values["txn_amount_30d"]) == (5.0, 150.0)


def test_novelty_needs_an_earlier_transaction():
    newcomer = compute_features(facts(device_id="d9", country="CA"), history(first_transaction_us=None)).values
    regular = compute_features(
        facts(device_id="d9", country="CA"), history(device_seen_before=False, countries_seen_before=frozenset({"US"}))
    ).values

    assert (newcomer["is_new_device"], newcomer["is_new_country"], newcomer["has_history"]) == (0.0, 0.0, 0.0)
    assert newcomer["days_since_first_txn"] is None
    assert (regular["is_new_device"], regular["is_new_country"], regular["has_history"]) == (1.0, 1.0, 1.0)
    assert regular["days_since_first_txn"] == 90.0


def test_travel_from_the_last_located_transaction():
    prior = [past(timedelta(hours=2)), past(timedelta(hours=1), latitude=None, longitude=None)]

    feature_set = compute_features(facts(latitude=LAGOS[0], longitude=LAGOS[1], country="NG"), history(prior))

    assert feature_set.values["distance_from_last_km"] == pytest.approx(8450, rel=0.01)
    assert feature_set.values["travel_speed_kmh"] == pytest.approx(8450 / 2, rel=0.01)
    assert feature_set.values["time_since_last_txn_seconds"] == 3600.0
    assert feature_set.context["previous_country"] == "US"


def test_baseline_and_zscore():
    prior = [past(timedelta(days=day), amount) for day, amount in ((1, "100.00"), (2, "200.00"), (3, "300.00"))]

    values = compute_features(facts(amount="500.00"), history(prior)).values

    assert (values["avg_amount_30d"], values["std_amount_30d"], values["amount_zscore_30d"]) == (200.0, 100.0, 3.0)


def test_same_recipient_round_amounts_gaps_and_near_threshold_counts():
    prior = [
        past(timedelta(minutes=3), "1000.00", recipient_id="benef_9"),
        past(timedelta(minutes=6), "1040.00", recipient_id="benef_9"),
        past(timedelta(hours=5), "2900.00", recipient_id="benef_9"),
        past(timedelta(days=2), "9600.00", recipient_id="benef_2"),
    ]

    values = compute_features(facts(amount="1000.00", recipient_id="benef_9"), history(prior)).values

    assert values["same_recipient_count_10m"] == 2.0
    assert values["same_recipient_amount_24h"] == 4940.0
    assert values["round_amount_ratio_30d"] == pytest.approx(4 / 5)  # 1000, 2900, 9600 and this 1000
    assert values["near_threshold_count_7d"] == 2.0
    assert values["gap_std_7d_seconds"] is not None


def test_local_hour_from_longitude():
    values = compute_features(facts(longitude=-75.0), history()).values  # T0 is 15:00 UTC

    assert values["local_hour"] == 10.0
