"""The four structuring typologies at their boundaries (pure functions, exact values)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.compliance.detection import structuring
from apps.compliance.detection.facts import Movement

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
_ids = iter(range(1, 10**6))


def move(amount: str, *, hours: float = 0, customer: str = "c1", counterparty: str = "", day: date | None = None):
    at = START + timedelta(hours=hours)
    return Movement(next(_ids), "ref", customer, counterparty, "sent", Decimal(amount), at, day or at.date())


def test_proximity_is_cubic_below_the_threshold_and_zero_at_it():
    assert structuring.proximity(Decimal("9500.00")) == pytest.approx(0.857375)
    assert structuring.proximity(Decimal("9999.99")) == pytest.approx(0.999997, abs=1e-6)
    assert structuring.proximity(Decimal("10000.00")) == 0.0


def test_regularity_needs_three_transactions_and_rewards_even_spacing():
    assert structuring.regularity([START, START + timedelta(hours=1)]) == 0.0
    assert structuring.regularity([START + timedelta(hours=h) for h in (0, 1, 2, 3)]) == 1.0
    assert structuring.regularity([START, START + timedelta(hours=1), START + timedelta(hours=3)]) == pytest.approx(
        1 - 0.5 / 1.5
    )


def test_micro_five_sub_threshold_deposits_the_same_day():
    day = [move("1900.00", hours=h) for h in range(5)]

    found = structuring.micro(day, min_sum=Decimal("8000.00"))

    assert found is not None
    assert found.amount_total == Decimal("9500.00")
    assert found.confidence == pytest.approx(0.4 * 0.857375 + 0.3 * 1.0 + 0.3 * 0.5, abs=1e-4)


@pytest.mark.parametrize(("amount", "expected"), [("1599.99", False), ("1600.00", True)])
def test_micro_needs_the_day_total_at_the_minimum(amount, expected):
    day = [move(amount, hours=h) for h in range(5)]  # 7,999.95 vs 8,000.00

    assert (structuring.micro(day, min_sum=Decimal("8000.00")) is not None) is expected


def test_micro_needs_five_transactions_or_three_to_one_recipient():
    four_spread = [move("2250.00", hours=h, counterparty=f"r{h}") for h in range(4)]
    three_to_one = [move("2700.00", hours=h, counterparty="r1") for h in range(3)]

    assert structuring.micro(four_spread, min_sum=Decimal("8000.00")) is None
    assert structuring.micro(three_to_one, min_sum=Decimal("8000.00")) is not None


def test_micro_ignores_a_day_with_a_reportable_transaction():
    day = [move("1900.00", hours=h) for h in range(4)] + [move("10000.00", hours=5)]

    assert structuring.micro(day, min_sum=Decimal("8000.00")) is None


@pytest.mark.parametrize(("amount", "expected"), [("3333.33", False), ("3333.34", True)])
def test_slow_needs_three_qualifying_amounts_summing_to_the_threshold(amount, expected):
    window = [move(amount, hours=24 * 7 * week) for week in range(3)]  # 9,999.99 vs 10,000.02

    assert (structuring.slow(window, min_amount=Decimal("3000.00"), history_mean=None) is not None) is expected


def test_slow_ignores_amounts_below_its_floor():
    window = [move("2999.99", hours=24 * day) for day in range(5)]

    assert structuring.slow(window, min_amount=Decimal("3000.00"), history_mean=None) is None


def test_slow_weekly_4500_scores_like_the_reference_and_drops_for_a_customer_who_always_sends_that():
    window = [move("4500.00", hours=24 * 7 * week) for week in range(3)]

    new_pattern = structuring.slow(window, min_amount=Decimal("3000.00"), history_mean=None)
    usual = structuring.slow(window, min_amount=Decimal("3000.00"), history_mean=Decimal("4400.00"))

    assert new_pattern is not None
    assert usual is not None
    assert new_pattern.confidence == pytest.approx(0.8482, abs=1e-4)
    assert usual.confidence == pytest.approx(0.8482 * 0.3, abs=1e-4)


@pytest.mark.parametrize(("recipients", "expected"), [(2, False), (3, True)])
def test_fan_out_needs_three_distinct_recipients(recipients, expected):
    sent = [move("3400.00", hours=h, counterparty=f"r{h % recipients}") for h in range(3)]

    assert (structuring.fan_out(sent, min_parties=3) is not None) is expected


def test_fan_out_needs_the_total_at_the_threshold():
    below = [move("3333.33", hours=h, counterparty=f"r{h}") for h in range(3)]
    at = [move("3333.34", hours=h, counterparty=f"r{h}") for h in range(3)]

    assert structuring.fan_out(below, min_parties=3) is None
    found = structuring.fan_out(at, min_parties=3)
    assert found is not None
    assert found.confidence == pytest.approx(0.2 * (0.333334**3) + 0.4 * 0.5 + 0.4 * (10000.02 / 15000), abs=1e-4)


def test_funnel_counts_distinct_senders_to_one_recipient():
    inbound = [move("3000.00", hours=h, customer=f"s{h}", counterparty="benef_1") for h in range(4)]
    two_senders = [move("5500.00", hours=h, customer=f"s{h % 2}", counterparty="benef_1") for h in range(2)]

    found = structuring.funnel(inbound, min_parties=3)
    assert found is not None
    assert found.details == {"distinct_senders": 4}
    assert structuring.funnel(two_senders, min_parties=3) is None
