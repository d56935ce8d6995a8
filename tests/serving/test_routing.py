"""Deterministic routing: SHA-256 of the user id mod 100; split accuracy over 10,000 users."""

from __future__ import annotations

import hashlib

import pytest

from apps.serving.experiments.runtime import ExperimentPlan, build_arms
from apps.serving.routing import route_variant, routing_bucket

USERS = [f"user-{n:05d}" for n in range(10_000)]


def test_the_bucket_is_the_sha256_of_the_user_id_mod_100():
    expected = int(hashlib.sha256(b"usr_7f3a").hexdigest(), 16) % 100

    assert routing_bucket("usr_7f3a") == expected


def test_a_user_always_gets_the_same_variant():
    first = [route_variant(user, 30) for user in USERS[:500]]

    assert [route_variant(user, 30) for user in USERS[:500]] == first


@pytest.mark.parametrize("challenger_pct", [0, 5, 10, 50, 90, 100])
def test_split_accuracy_over_ten_thousand_users(challenger_pct):
    share = sum(route_variant(user, challenger_pct) == "challenger" for user in USERS) / len(USERS)

    assert abs(share - challenger_pct / 100) <= 0.01


def test_raising_the_split_only_moves_users_towards_the_challenger():
    at_5 = {user for user in USERS if route_variant(user, 5) == "challenger"}
    at_20 = {user for user in USERS if route_variant(user, 20) == "challenger"}

    assert at_5 <= at_20


def test_experiment_arms_follow_their_traffic_and_are_independent_of_routing():
    plan = ExperimentPlan(
        experiment_id=7,
        name="retrain-1",
        arms=build_arms(
            [
                {"name": "control", "model_alias": "champion", "traffic_pct": 45},
                {"name": "treatment", "model_alias": "challenger", "traffic_pct": 45},
            ]
        ),
    )

    arms = [plan.assign(user) for user in USERS]

    shares = {
        name: sum(1 for arm in arms if arm and arm.name == name) / len(USERS) for name in ("control", "treatment")
    }
    outside = sum(1 for arm in arms if arm is None) / len(USERS)
    assert abs(shares["control"] - 0.45) <= 0.01
    assert abs(shares["treatment"] - 0.45) <= 0.01
    assert abs(outside - 0.10) <= 0.01
    assert [plan.assign(user) for user in USERS[:100]] == arms[:100]
