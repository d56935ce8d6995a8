"""The four anomalies: when they fire, their severity, the members and evidence they name."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.circles.config import DEFAULT_WEIGHTS, ScoringParameters
from apps.circles.health.anomalies import (
    behavioral_shift,
    binomial_tail,
    coordinated_late,
    free_riders,
    post_payout_disengagement,
)
from apps.circles.health.features import CircleInputs, PaidOutMember, derive_inputs
from apps.circles.health.ledger import build_ledger
from tests.circles.factories import build_facts

PARAMS = ScoringParameters(weights=DEFAULT_WEIGHTS)
# The reference's single-cycle rule (severity from the cycle alone), for the severity boundaries.
SINGLE_CYCLE = replace(PARAMS, coordinated_late_requires_repeat=False)


@pytest.mark.parametrize(
    ("k", "n", "p", "expected"),
    [(0, 10, 0.1, 1.0), (3, 10, 0.1, 0.0702), (4, 10, 0.1, 0.0128), (3, 5, 0.1, 0.00856), (11, 10, 0.1, 0.0)],
)
def test_binomial_tail(k, n, p, expected):
    assert binomial_tail(k, n, p) == pytest.approx(expected, abs=5e-5)


def late_in_cycle(members, cycle, late_members, total_cycles=None):
    late = {(f"u{i}", cycle): 3 for i in range(1, late_members + 1)}
    return build_ledger(build_facts(members=members, cycles=total_cycles or cycle, late=late))


def test_three_of_ten_late_is_within_chance():
    assert coordinated_late(late_in_cycle(10, 2, 3), SINGLE_CYCLE) is None  # p = 0.070 > 0.05


def test_four_of_ten_late_is_coordinated_medium():
    anomaly = coordinated_late(late_in_cycle(10, 2, 4), SINGLE_CYCLE)

    assert anomaly is not None
    assert (anomaly.severity, anomaly.cycle_number) == ("medium", 2)  # share 0.4, p 0.013
    assert anomaly.affected_members == ("u1", "u2", "u3", "u4")
    assert [item.metric_name for item in anomaly.evidence] == [
        "late_members",
        "binomial_p_value",
        "late_share",
        "repeat_late_members",
    ]


def test_three_of_five_late_is_coordinated_high():
    anomaly = coordinated_late(late_in_cycle(5, 2, 3), SINGLE_CYCLE)

    assert anomaly is not None
    assert anomaly.severity == "high"  # share 0.6


def test_two_late_members_are_never_coordinated():
    assert coordinated_late(late_in_cycle(3, 1, 2), SINGLE_CYCLE) is None


def test_a_single_bad_cycle_stays_low_until_the_same_members_are_late_together_again():
    once = {(f"u{i}", 3): 3 for i in range(1, 4)}
    twice = {**once, **{(f"u{i}", 1): 3 for i in range(1, 4)}}

    single = coordinated_late(build_ledger(build_facts(members=5, cycles=3, late=once)), PARAMS)
    ledger = build_ledger(build_facts(members=5, cycles=3, late=twice))
    repeated = coordinated_late(ledger, PARAMS, frozenset({"u1", "u2", "u3"}))

    assert single is not None
    assert single.severity == "low"
    assert repeated is not None
    assert repeated.severity == "high"
    assert repeated.evidence[3].observed_value == 3


def test_coordinated_lateness_only_looks_back_a_few_cycles():
    ledger = late_in_cycle(5, 1, 3, total_cycles=5)

    assert coordinated_late(ledger, SINGLE_CYCLE) is None
    assert coordinated_late(ledger, replace(SINGLE_CYCLE, anomaly_lookback_cycles=5)) is not None


def paid_out(user_id, *, before=1.0, after=0.0, cycles_after=2, dropped=False, contributed="100.00", owed="500.00"):
    return PaidOutMember(
        user_id, 1, before, after, cycles_after, cycles_after, dropped, Decimal(contributed), Decimal(owed)
    )


@pytest.mark.parametrize(
    ("disengaged", "eligible", "severity"), [(1, 1, "high"), (1, 2, "high"), (1, 3, "medium"), (1, 4, "low")]
)
def test_disengagement_severity_follows_the_rate(disengaged, eligible, severity):
    inputs = CircleInputs(
        post_payout_disengagement_rate=disengaged / eligible,
        members_paid_out=eligible,
        disengaged_members=("u1",),
        paid_out=(paid_out("u1", dropped=True),),
    )

    anomaly = post_payout_disengagement(inputs, PARAMS)

    assert anomaly is not None
    assert anomaly.severity == severity
    assert anomaly.evidence[1].metric_name == "dropped_after_payout:u1"


def test_no_disengagement_no_anomaly():
    assert post_payout_disengagement(CircleInputs(members_paid_out=3), PARAMS) is None


@pytest.mark.parametrize(
    ("riders", "severity"),
    [
        ([("u1", "250.00")], "low"),  # -0.5 is not below -0.5 → no rider... see below
        ([("u1", "240.00")], "low"),  # -0.52
        ([("u1", "190.00")], "medium"),  # -0.62
        ([("u1", "90.00")], "high"),  # -0.82
        ([("u1", "240.00"), ("u2", "240.00")], "medium"),
        ([("u1", "240.00"), ("u2", "240.00"), ("u3", "240.00")], "high"),
    ],
)
def test_free_rider_severity(riders, severity):
    inputs = CircleInputs(paid_out=tuple(paid_out(user, contributed=paid) for user, paid in riders))

    anomaly = free_riders(inputs, PARAMS)

    if riders == [("u1", "250.00")]:
        assert anomaly is None
        return
    assert anomaly is not None
    assert anomaly.severity == severity
    assert anomaly.affected_members == tuple(user for user, _paid in riders)


def test_behavioral_shift_needs_three_settled_cycles():
    ledger = build_ledger(build_facts(members=5, cycles=3, late={(f"u{i}", 2): 10 for i in range(1, 6)}))

    assert behavioral_shift(ledger, PARAMS) is None


def test_the_last_cycle_is_not_judged_before_the_next_begins():
    ledger = build_ledger(build_facts(members=6, cycles=6, late={(f"u{i}", 6): 10 for i in range(1, 7)}))

    assert behavioral_shift(ledger, PARAMS) is None


def test_a_whole_circle_paying_late_at_once_is_a_circle_wide_shift():
    ledger = build_ledger(build_facts(members=6, cycles=6, late={(f"u{i}", 5): 10 for i in range(1, 7)}))

    anomaly = behavioral_shift(ledger, PARAMS)

    assert anomaly is not None
    assert anomaly.cycle_number == 5
    assert anomaly.evidence[0].metric_name == "avg_payment_timing_zscore"
    assert anomaly.evidence[0].observed_value == pytest.approx(10.0)  # (10 - 0) / floor 1 day
    assert anomaly.severity == "medium"  # one circle-wide metric (+ members), not two


def test_two_circle_wide_metrics_make_a_high_shift():
    facts = build_facts(members=6, cycles=6, late={(f"u{i}", 5): 10 for i in (1, 2)}, missed={("u3", 5), ("u4", 5)})

    anomaly = behavioral_shift(build_ledger(facts), PARAMS)

    assert anomaly is not None
    assert anomaly.severity == "high"
    assert {item.metric_name for item in anomaly.evidence} >= {"avg_payment_timing_zscore", "activity_level_zscore"}


def test_a_single_member_shift_is_low():
    facts = build_facts(members=6, cycles=6, late={("u1", 5): 3})

    anomaly = behavioral_shift(build_ledger(facts), PARAMS)

    assert anomaly is not None
    assert (anomaly.severity, anomaly.affected_members) == ("low", ("u1",))


def test_a_regular_circle_shows_no_anomaly_at_all():
    facts = build_facts(members=8, cycles=8)
    ledger = build_ledger(facts)
    inputs = derive_inputs(facts, ledger, PARAMS)

    assert coordinated_late(ledger, PARAMS) is None
    assert behavioral_shift(ledger, PARAMS) is None
    assert post_payout_disengagement(inputs, PARAMS) is None
    assert free_riders(inputs, PARAMS) is None
