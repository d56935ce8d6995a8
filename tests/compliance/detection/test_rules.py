"""Monitoring rules at their boundaries (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.compliance.detection import rules
from apps.compliance.detection.facts import Movement

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
MARKS = (Decimal("2999.00"), Decimal("4999.00"), Decimal("9999.00"))
_ids = iter(range(1, 10**6))


def move(amount: str, *, flow: str = "sent", hours: float = 0, is_round: bool = False) -> Movement:
    at = START + timedelta(hours=hours)
    return Movement(next(_ids), "ref", "c1", "", flow, Decimal(amount), at, at.date(), is_round_amount=is_round)


@pytest.mark.parametrize(
    ("amount", "mark"),
    [("9988.99", None), ("9989.00", "9999.00"), ("9999.00", "9999.00"), ("9999.01", None), ("4990.00", "4999.00")],
)
def test_just_below_a_mark(amount, mark):
    found = rules.just_below_mark(Decimal(amount), marks=MARKS, band=Decimal("10.00"))

    assert (str(found) if found is not None else None) == mark


def test_round_amounts_are_whole_multiples_of_the_unit():
    assert rules.is_round_amount(Decimal("1500.00"), Decimal("500.00"))
    assert not rules.is_round_amount(Decimal("1500.01"), Decimal("500.00"))
    assert not rules.is_round_amount(Decimal("0.00"), Decimal("500.00"))


def test_round_amount_pattern_needs_the_share_and_the_count():
    three_of_five = [move("1000.00", is_round=True) for _ in range(3)] + [move("123.45") for _ in range(2)]
    two_of_five = [move("1000.00", is_round=True) for _ in range(2)] + [move("123.45") for _ in range(3)]
    four = [move("1000.00", is_round=True) for _ in range(4)]

    assert rules.round_amount_pattern(three_of_five, ratio=0.60, min_count=5) is not None
    assert rules.round_amount_pattern(two_of_five, ratio=0.60, min_count=5) is None
    assert rules.round_amount_pattern(four, ratio=0.60, min_count=5) is None


@pytest.mark.parametrize(("sent", "expected"), [("799.99", False), ("800.00", True)])
def test_rapid_movement_needs_the_ratio_sent_on(sent, expected):
    receipt = move("1000.00", flow="received")
    history = [receipt, move(sent, hours=1)]

    found = rules.rapid_movement(history, receipt=receipt, hours=24, ratio=0.80, min_amount=Decimal("1000.00"))

    assert (found is not None) is expected


def test_rapid_movement_adds_up_split_sends_inside_the_window_only():
    receipt = move("5000.00", flow="received")
    inside = [receipt, move("2000.00", hours=1), move("2000.00", hours=23.99)]
    late = [receipt, move("2000.00", hours=1), move("2000.00", hours=24.01)]

    found = rules.rapid_movement(inside, receipt=receipt, hours=24, ratio=0.80, min_amount=Decimal("1000.00"))
    assert found is not None
    assert found.details["sent_on"] == "4000.00"
    assert rules.rapid_movement(late, receipt=receipt, hours=24, ratio=0.80, min_amount=Decimal("1000.00")) is None


def test_rapid_movement_ignores_small_receipts():
    receipt = move("999.99", flow="received")

    found = rules.rapid_movement(
        [receipt, move("999.99", hours=1)], receipt=receipt, hours=24, ratio=0.8, min_amount=Decimal("1000.00")
    )

    assert found is None


@pytest.mark.parametrize(("amount", "expected"), [("299.99", False), ("300.00", True)])
def test_unusual_volume_is_three_times_the_thirty_day_mean(amount, expected):
    prior = [move("100.00", hours=-24 * day) for day in range(1, 6)]

    found = rules.unusual_volume(move(amount), prior, multiplier=3.0, min_history=5)

    assert (found is not None) is expected


def test_unusual_volume_needs_enough_history():
    prior = [move("100.00", hours=-24 * day) for day in range(1, 5)]

    assert rules.unusual_volume(move("5000.00"), prior, multiplier=3.0, min_history=5) is None


def test_velocity_needs_the_count_in_24_hours():
    prior = [move("50.00", hours=-24 * day) for day in range(2, 8)]
    four = [move("50.00", hours=-h) for h in range(4)]
    five = [move("50.00", hours=-h) for h in range(5)]

    assert rules.velocity(five[0], four, prior, multiplier=3.0, min_count_24h=5, min_history=5) is None
    assert rules.velocity(five[0], five, prior, multiplier=3.0, min_count_24h=5, min_history=5) is not None


def test_unusual_volume_also_needs_the_z_score():
    spread = [
        move(amount, hours=-24 * day) for day, amount in enumerate(["50.00", "100.00", "150.00", "100.00", "600.00"], 1)
    ]
    steady = [
        move(amount, hours=-24 * day) for day, amount in enumerate(["100.00", "110.00", "90.00", "100.00", "100.00"], 1)
    ]

    assert rules.unusual_volume(move("600.00"), spread, multiplier=3.0, min_history=5, min_z_score=3.0) is None
    found = rules.unusual_volume(move("300.00"), steady, multiplier=3.0, min_history=5, min_z_score=3.0)
    assert found is not None
    assert found.details["z_score"] > 3
