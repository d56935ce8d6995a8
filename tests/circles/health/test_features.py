"""Every health input derived from the facts (ledger rules of docs/circles.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from apps.circles.config import DEFAULT_WEIGHTS, ScoringParameters
from apps.circles.health.facts import CircleFacts, ContributionFact, MemberFact, MissFact
from apps.circles.health.features import (
    coordinated_behavior_score,
    derive_inputs,
    late_payment_trend,
    on_time_rate,
    recent_misses,
)
from apps.circles.health.ledger import build_ledger
from tests.circles.factories import AMOUNT, T0, build_facts, cycle_time


def inputs_of(facts, drop=0.30, min_post=2, min_unpaid=2, **params):
    """Inputs with the reference derivation (raw on-time share, lifetime misses) unless overridden."""
    params.setdefault("on_time_prior_weight", 0.0)
    params.setdefault("missed_lookback_cycles", 0)
    parameters = ScoringParameters(
        weights=DEFAULT_WEIGHTS,
        disengagement_drop=drop,
        disengagement_min_post_cycles=min_post,
        disengagement_min_unpaid=min_unpaid,
        **params,
    )
    return derive_inputs(facts, build_ledger(facts), parameters)


def test_an_empty_circle_has_neutral_inputs():
    inputs = inputs_of(CircleFacts("circle_new"))

    assert inputs.on_time_payment_rate == 1.0
    assert inputs.collection_ratio == 1.0
    assert inputs.payout_completion_rate == 1.0
    assert (inputs.cycles_completed, inputs.member_count_current, inputs.current_cycle) == (0, 0, 0)


def test_a_perfect_circle():
    inputs = inputs_of(build_facts(members=5, cycles=4))

    assert inputs.on_time_payment_rate == 1.0
    assert inputs.avg_days_late == 0.0
    assert inputs.consecutive_on_time_streak == 4
    assert inputs.collection_ratio == 1.0
    assert inputs.payout_completion_rate == 1.0
    assert inputs.cycles_completed == 4  # the last cycle is closed by its payout
    assert inputs.avg_member_tenure_days == pytest.approx(7 + 14 * 4 + 1)
    assert inputs.members_paid_out == 4


def test_late_and_missed_payments():
    facts = build_facts(members=5, cycles=4, late={("u1", 2): 4, ("u2", 4): 2}, missed={("u3", 3)})

    inputs = inputs_of(facts)

    assert inputs.on_time_payment_rate == pytest.approx(17 / 20)
    assert inputs.avg_days_late == pytest.approx(6 / 19)
    assert inputs.missed_contribution_count == 1
    assert inputs.consecutive_on_time_streak == 0  # cycle 4 had a late payment
    assert inputs.collection_ratio == pytest.approx(19 / 20)
    assert inputs.largest_single_missed_amount == 100.0


def test_a_miss_paid_later_counts_as_a_late_payment_not_a_miss():
    facts = build_facts(members=3, cycles=2, missed={("u2", 1)})
    cured = ContributionFact("u2", 1, AMOUNT, 5, cycle_time(1) + timedelta(days=5))

    facts = replace(facts, contributions=(*facts.contributions, cured))

    inputs = inputs_of(facts)

    assert inputs.missed_contribution_count == 0
    assert inputs.on_time_payment_rate == pytest.approx(5 / 6)
    assert inputs.collection_ratio == 1.0


def test_drops_tenure_and_membership_counts():
    facts = build_facts(members=4, cycles=3, dropped={"u4": 1})

    inputs = inputs_of(facts)

    assert (inputs.member_count_current, inputs.member_count_original) == (3, 4)
    assert inputs.member_drop_rate == 0.25


def test_open_cycle_without_payout_is_not_yet_due():
    facts = build_facts(members=3, cycles=3)

    facts = replace(facts, payouts=facts.payouts[:2])

    inputs = inputs_of(facts)

    assert inputs.cycles_completed == 2
    assert inputs.payout_completion_rate == 1.0


def test_a_skipped_payout_in_a_closed_cycle_lowers_completion():
    facts = build_facts(members=4, cycles=3)

    facts = replace(facts, payouts=(facts.payouts[0], facts.payouts[2]))

    assert inputs_of(facts).payout_completion_rate == pytest.approx(2 / 3)


def test_an_active_member_with_no_record_two_cycles_back_is_unaccounted():
    facts = build_facts(members=3, cycles=3)
    facts = replace(
        facts, contributions=tuple(c for c in facts.contributions if (c.user_id, c.cycle_number) != ("u3", 1))
    )

    inputs = inputs_of(facts)

    assert inputs.unaccounted_contributions == 1
    assert inputs.collection_ratio == pytest.approx(8 / 9)
    assert inputs.missed_contribution_count == 0


def test_a_payment_missing_from_the_last_two_cycles_is_not_in_yet():
    facts = build_facts(members=3, cycles=3)
    facts = replace(
        facts, contributions=tuple(c for c in facts.contributions if (c.user_id, c.cycle_number) != ("u3", 2))
    )

    inputs = inputs_of(facts)

    assert inputs.unaccounted_contributions == 0
    assert inputs.collection_ratio == 1.0
    assert inputs.on_time_payment_rate == 1.0


def test_every_silent_cycle_of_an_ended_circle_is_unaccounted():
    facts = replace(build_facts(members=3, cycles=2, status="failed"))
    facts = replace(
        facts, contributions=tuple(c for c in facts.contributions if (c.user_id, c.cycle_number) != ("u3", 2))
    )

    assert inputs_of(facts).unaccounted_contributions == 1


def test_late_payment_trend_compares_recent_cycles_with_earlier_ones():
    facts = build_facts(members=4, cycles=5, late={("u1", 4): 3, ("u2", 5): 3, ("u3", 5): 3})

    # rates per cycle: 0, 0, 0, 0.25, 0.5 → recent (3,4,5) mean 0.25, earlier (1,2) mean 0
    assert late_payment_trend(build_ledger(facts)) == pytest.approx(0.25)


def test_late_payment_trend_needs_two_cycles():
    assert late_payment_trend(build_ledger(build_facts(members=3, cycles=1, late={("u1", 1): 2}))) == 0.0


def test_coordination_is_high_when_the_same_members_are_late_in_the_same_cycles():
    late = {(user, cycle): 4 for user in ("u2", "u3", "u4") for cycle in (2, 4)}

    score, members = coordinated_behavior_score(build_ledger(build_facts(members=6, cycles=5, late=late)))

    assert score == 1.0
    assert members == ("u2", "u3", "u4")


def test_coordination_is_low_when_lateness_is_scattered():
    late = {("u1", 1): 2, ("u1", 3): 2, ("u2", 2): 2, ("u2", 4): 2, ("u3", 5): 2, ("u3", 1): 2}

    score, members = coordinated_behavior_score(build_ledger(build_facts(members=6, cycles=5, late=late)))

    # no two members share two late cycles: nobody is linked
    assert score == 0.0
    assert members == ()


def test_ordinary_lateness_elsewhere_does_not_dilute_a_colluding_group():
    late = {(user, cycle): 4 for user in ("u2", "u3", "u4") for cycle in (2, 4, 5)}
    late.update({("u6", 1): 2, ("u6", 3): 2, ("u7", 2): 1, ("u7", 3): 1})

    score, members = coordinated_behavior_score(build_ledger(build_facts(members=8, cycles=6, late=late)))

    assert score == 1.0
    assert members == ("u2", "u3", "u4")


def test_coordination_of_two_repeaters_is_halved():
    late = {(user, cycle): 2 for user in ("u1", "u2") for cycle in (1, 2)}

    score, _members = coordinated_behavior_score(build_ledger(build_facts(members=5, cycles=3, late=late)))

    assert score == 0.5


def test_a_member_who_drops_after_the_pot_is_disengaged_and_owes_the_rotation():
    inputs = inputs_of(build_facts(members=5, cycles=3, dropped={"u1": 1}))

    assert inputs.disengaged_members == ("u1",)
    assert inputs.post_payout_disengagement_rate == 1.0  # u1 is the only paid-out member judged yet
    rider = next(member for member in inputs.paid_out if member.user_id == "u1")
    assert (rider.contributed, rider.owed) == (Decimal("100.00"), Decimal("500.00"))
    assert rider.contribution_deviation == pytest.approx(-0.8)


def test_a_paid_out_member_who_stops_paying_is_disengaged():
    # u1 paid out in cycle 1; after: on time, missed, missed → reliability 1/3, two unpaid cycles
    facts = build_facts(members=5, cycles=4, missed={("u1", 3), ("u1", 4)})

    assert inputs_of(facts).disengaged_members == ("u1",)
    assert inputs_of(facts, min_post=4).disengaged_members == ()  # three cycles after the payout only


def test_a_single_miss_after_the_payout_is_not_disengagement():
    facts = build_facts(members=5, cycles=4, missed={("u1", 3)})

    assert inputs_of(facts).disengaged_members == ()
    assert inputs_of(facts, min_unpaid=1).disengaged_members == ("u1",)


def test_reliability_fall_boundary():
    # u1 paid out in cycle 1 (before = 1.0); after: on time, on time, late (0.5), missed (0) → 0.625
    facts = build_facts(members=6, cycles=5, late={("u1", 4): 2}, missed={("u1", 5)})

    assert inputs_of(facts, drop=0.375, min_unpaid=1).disengaged_members == ("u1",)
    assert inputs_of(facts, drop=0.38, min_unpaid=1).disengaged_members == ()


def test_circle_facts_before_circle_created_use_the_common_amount():
    facts = CircleFacts(
        "circle_early",
        members=(MemberFact("u1", joined_at=T0),),
        contributions=(ContributionFact("u1", 1, Decimal("50.00"), 0, T0),),
        misses=(MissFact("u2", 1, Decimal("50.00"), T0.date(), T0),),
        as_of=T0,
    )

    inputs = inputs_of(facts)

    assert inputs.contribution_amount == 50.0
    assert inputs.collection_ratio == 0.5


@pytest.mark.parametrize(
    ("on_time", "expected", "prior", "rate"),
    [(0, 0, 0.0, 1.0), (0, 0, 10.0, 1.0), (4, 6, 0.0, 4 / 6), (4, 6, 10.0, 14 / 16), (90, 100, 10.0, 100 / 110)],
)
def test_on_time_rate_credits_a_clean_start(on_time, expected, prior, rate):
    assert on_time_rate(on_time, expected, prior) == pytest.approx(rate)


def test_the_default_on_time_rate_damps_a_young_circle():
    facts = build_facts(members=6, cycles=1, late={("u1", 1): 2, ("u2", 1): 2})

    assert inputs_of(facts).on_time_payment_rate == pytest.approx(4 / 6)
    assert inputs_of(facts, on_time_prior_weight=10.0).on_time_payment_rate == pytest.approx(14 / 16)


def test_only_recent_misses_count_in_the_missed_penalty():
    facts = build_facts(members=5, cycles=6, missed={("u2", 1), ("u3", 4), ("u4", 6)})
    ledger = build_ledger(facts)

    assert recent_misses(ledger, 0) == 3
    assert recent_misses(ledger, 3) == 2  # cycles 4-6
    assert recent_misses(ledger, 1) == 1
    assert inputs_of(facts, missed_lookback_cycles=3).missed_contribution_count == 2
