"""Training fixtures: a labelled history of transactions in PostgreSQL (bulk-created projection rows),
the real MLflow sqlite store, inline serving runtime and a model name per test."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.fraud.models import FraudLabel, FraudTransaction
from apps.pipeline.simulator.models import SimulationLabel, SimulationRun
from tests.serving.conftest import _serving_runtime  # noqa: F401 — autouse: inline runtime, model name per test

START = datetime(2026, 8, 1, tzinfo=UTC)
NEW_YORK = (40.7128, -74.0060)
LAGOS = (6.5244, 3.3792)


@dataclass
class History:
    transactions: list[FraudTransaction] = field(default_factory=list)
    frauds: list[FraudTransaction] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        return max(t.occurred_at for t in self.transactions) + timedelta(seconds=1)


def _transaction(
    user: str, at: datetime, amount: float, *, device: str, country: str, place: tuple[float, float]
) -> FraudTransaction:
    return FraudTransaction(
        transaction_id=f"txn_{uuid.uuid4().hex[:12]}",
        user_id=user,
        occurred_at=at,
        amount=Decimal(f"{amount:.2f}"),
        currency="USD",
        transaction_type="remittance",
        source_type="ach",
        destination_type="wallet",
        device_id=device,
        country=country,
        latitude=place[0],
        longitude=place[1],
        recipient_id=f"benef_{user}",
        event_id=uuid.uuid4(),
    )


def build_history(*, users: int = 120, fraud_users: int = 45, days: int = 60, seed: int = 5) -> History:
    """Ordinary customers (a remittance every ~2 days, $60-$400, home device, New York) and, for some,
    a takeover: a burst of three $1,500-$6,000 transfers from a new device in Lagos within an hour."""
    rng = random.Random(seed)
    result = History()
    for number in range(users):
        user = f"user_{number:04d}"
        moment = START + timedelta(hours=rng.uniform(0, 48))
        while moment < START + timedelta(days=days):
            result.transactions.append(
                _transaction(user, moment, rng.uniform(60, 400), device=f"dev_{user}", country="US", place=NEW_YORK)
            )
            moment += timedelta(hours=rng.uniform(24, 72))
        if number < fraud_users:
            at = START + timedelta(days=rng.uniform(5, days - 1))
            for step in range(3):
                burst = _transaction(
                    user, at + timedelta(minutes=15 * step), rng.uniform(1500, 6000),
                    device=f"stolen_{user}", country="NG", place=LAGOS,
                )  # fmt: skip
                result.transactions.append(burst)
                result.frauds.append(burst)
    FraudTransaction.objects.bulk_create(result.transactions)
    return result


@pytest.fixture
def history() -> History:
    return build_history()


@pytest.fixture
def simulator_labels(history: History) -> History:
    run = SimulationRun.objects.create(seed=5, mode="backfill", started_at=timezone.now())
    SimulationLabel.objects.bulk_create(
        [
            SimulationLabel(
                run=run,
                scenario="account_takeover",
                entity_type="transaction",
                entity_id=t.transaction_id,
                label="account_takeover",
            )
            for t in history.frauds
        ]
    )
    return history


@pytest.fixture
def analyst_labels(history: History) -> History:
    rng = random.Random(9)
    legitimate = rng.sample([t for t in history.transactions if t not in history.frauds], 300)
    FraudLabel.objects.bulk_create(
        [FraudLabel(transaction_id=t.transaction_id, user_id=t.user_id, label="fraud") for t in history.frauds]
        + [FraudLabel(transaction_id=t.transaction_id, user_id=t.user_id, label="legitimate") for t in legitimate]
    )
    return history
