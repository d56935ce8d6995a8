"""Serving and training cannot disagree: Redis, PostgreSQL point-in-time and batch timelines give the same
features for every transaction, also after Redis lost everything (rebuilt from PostgreSQL)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from apps.fraud.features import (
    features_for_transactions,
    online_features,
    point_in_time_features,
)
from apps.fraud.features.history import facts_of
from apps.fraud.features.online import _read, user_keys
from apps.fraud.models import FraudScore, FraudTransaction
from apps.fraud.services.activity import circle_join_record, login_record
from apps.fraud.services.scoring import transaction_score
from tests.fraud.conftest import flush_fraud_keys
from tests.fraud.factories import LAGOS, NEW_YORK, PORT_AU_PRINCE, T0, facts

pytestmark = pytest.mark.django_db

PLACES = [("US", NEW_YORK), ("HT", PORT_AU_PRINCE), ("NG", LAGOS)]
TYPES = ["remittance", "p2p_transfer", "circle_contribution", "circle_payout", "wallet_topup", "refund"]


def _random_history(rng: random.Random, users: int, per_user: int) -> list:
    items = []
    for number in range(users):
        user = f"user_{number}"
        moments = [T0 - timedelta(seconds=rng.randint(0, 40 * 86400)) for _ in range(per_user)]
        moments += moments[:3]  # identical event times: the (time, id) order decides
        for moment in moments:
            country, (lat, lon) = rng.choice(PLACES)
            located = rng.random() < 0.8
            items.append(
                facts(
                    transaction_id=f"t{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}",
                    user_id=user,
                    occurred_at=moment,
                    amount=Decimal(rng.choice(["50.00", "100.00", "200.00", "2950.00", "9700.00"]))
                    + Decimal(rng.randint(0, 3)),
                    transaction_type=rng.choice(TYPES),
                    device_id=rng.choice(["d1", "d2", "d3", None]),
                    country=country if located else None,
                    latitude=lat if located else None,
                    longitude=lon if located else None,
                    recipient_id=rng.choice(["r1", "r2", None]),
                )
            )
        for _ in range(per_user // 2):
            login_record(
                user_id=user,
                session_id=f"s{rng.getrandbits(48):x}",
                occurred_at=T0 - timedelta(seconds=rng.randint(0, 2 * 86400)),
            )
        for _ in range(3):
            circle_join_record(
                user_id=user,
                circle_id=f"c{rng.getrandbits(32):x}",
                occurred_at=T0 - timedelta(seconds=rng.randint(0, 3 * 86400)),
            )
    rng.shuffle(items)  # arrival order differs from event order
    return items


@pytest.mark.parametrize("seed", [1, 2])
def test_online_point_in_time_and_batch_features_are_identical(seed):
    rng = random.Random(seed)
    for transaction in _random_history(rng, users=3, per_user=25):
        transaction_score(facts=transaction, event_id=uuid.uuid4(), correlation_id=None)
    stored = list(FraudTransaction.objects.order_by("id"))
    batch = {row.transaction_id: values for row, values in features_for_transactions(stored)}

    for row in stored:
        transaction = facts_of(row)
        online = online_features(transaction)
        assert online == point_in_time_features(transaction), row.transaction_id
        assert online == batch[row.transaction_id], row.transaction_id


def test_what_was_served_is_what_training_recomputes():
    """Events arriving in event order: the features stored with each score (served from Redis) equal the
    point-in-time features the training set is built from."""
    rng = random.Random(3)
    arrivals = sorted(_random_history(rng, users=3, per_user=20), key=lambda item: item.order_key)
    for transaction in arrivals:
        transaction_score(facts=transaction, event_id=uuid.uuid4(), correlation_id=None)

    scores = FraudScore.objects.select_related("transaction").order_by("occurred_at")
    sources = [score.trace["features"]["source"] for score in scores]
    assert sources.count("online") == len(sources)
    for score in scores:
        assert score.features == point_in_time_features(facts_of(score.transaction)), score.transaction_id


def test_features_survive_a_redis_flush():
    rng = random.Random(7)
    for transaction in _random_history(rng, users=2, per_user=20):
        transaction_score(facts=transaction, event_id=uuid.uuid4(), correlation_id=None)
    stored = [facts_of(row) for row in FraudTransaction.objects.order_by("occurred_at")]
    before = [online_features(transaction) for transaction in stored]

    assert flush_fraud_keys() > 0
    after = [online_features(transaction) for transaction in stored]

    assert after == before


def test_a_lost_sorted_set_is_noticed_and_rebuilt():
    from lakay.redis import get_redis

    prior = facts(transaction_id="t_prior", occurred_at=T0 - timedelta(minutes=5))
    transaction_score(facts=prior, event_id=uuid.uuid4(), correlation_id=None)
    current = facts(transaction_id="t_now")
    online_features(current)  # builds the keys
    get_redis().delete(user_keys("user_1")[1])  # the transactions sorted set only

    assert _read(current) is None
    assert online_features(current)["txn_count_1h"] == 1.0
