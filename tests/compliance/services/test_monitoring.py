"""Monitoring rules and typologies fed by real events through the spine (ingest_envelope)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.compliance.choices import AlertType, RuleCode
from apps.compliance.models import ComplianceAlert, MoneyMovement
from apps.pipeline.spine.models import OutboxMessage
from tests.compliance.factories import cash_in, ingest, ny, remittance, transfer
from tests.events import make_event

pytestmark = pytest.mark.django_db
T0 = ny(2026, 3, 2, 9)


def rules_fired(customer: str) -> list[str]:
    return sorted(ComplianceAlert.objects.filter(customer_id=customer).values_list("rule_code", flat=True))


def payout(recipient: str, amount: str, at, *, circle: str = "circle_1", method: str = "ach", **overrides):
    envelope = make_event("circle-payout-executed", at=at)
    envelope["payload"] = {
        "circle_id": circle,
        "recipient_id": recipient,
        "payout_id": f"payout_{recipient}_{at.timestamp():.0f}",
        "amount": amount,
        "currency": "USD",
        "cycle_number": 1,
        "payout_method": method,
        "executed_at": at.isoformat().replace("+00:00", "Z"),
        **overrides,
    }
    if method == "cash_at_agent":
        envelope["payload"]["agent_id"] = "agent_us_nyc_017"
    return envelope


def contribution(user: str, amount: str, at, *, circle: str = "circle_1", method: str = "cash_at_agent", **overrides):
    envelope = make_event("circle-contribution-received", at=at)
    envelope["payload"] = {
        "circle_id": circle,
        "user_id": user,
        "contribution_id": f"contrib_{user}_{at.timestamp():.0f}",
        "amount": amount,
        "currency": "USD",
        "cycle_number": 1,
        "payment_method": method,
        "paid_at": at.isoformat().replace("+00:00", "Z"),
        "days_late": 0,
        **overrides,
    }
    if method == "cash_at_agent":
        envelope["payload"]["agent_id"] = "agent_us_nyc_017"
    return envelope


def test_an_amount_just_below_a_threshold_raises_a_round_amount_alert():
    ingest(remittance("m1", "9995.00", T0), remittance("m1", "9988.00", T0 + timedelta(days=2)))

    assert rules_fired("m1") == [RuleCode.ROUND_AMOUNT]


def test_rapid_movement_received_then_mostly_sent_on_within_the_window():
    ingest(payout("m2", "5000.00", T0), remittance("m2", "4800.00", T0 + timedelta(hours=1)))

    [alert] = ComplianceAlert.objects.filter(customer_id="m2", rule_code=RuleCode.RAPID_MOVEMENT)
    assert (alert.alert_type, alert.priority, alert.recommended_action) == ("rapid_movement", "urgent", "file_sar")
    assert alert.amount_total == Decimal("5000.00")
    assert len(alert.transaction_ids) == 2


def test_rapid_movement_also_found_when_the_send_arrives_first():
    ingest(remittance("m3", "4800.00", T0 + timedelta(hours=1)), payout("m3", "5000.00", T0))

    assert RuleCode.RAPID_MOVEMENT in rules_fired("m3")


def test_unusual_volume_against_the_thirty_day_mean():
    ingest(*[remittance("m4", "100.00", T0 - timedelta(days=day)) for day in range(1, 11)])
    ingest(remittance("m4", "1000.00", T0))

    assert rules_fired("m4") == [RuleCode.UNUSUAL_VOLUME]


def test_call_for_action_jurisdiction_is_critical_but_haiti_grey_list_alone_is_not():
    ingest(remittance("m5", "200.00", T0, country="IR"), remittance("m6", "200.00", T0, country="HT"))

    [alert] = ComplianceAlert.objects.filter(customer_id="m5", rule_code=RuleCode.HIGH_RISK_GEOGRAPHY)
    assert (alert.priority, alert.recommended_action) == ("critical", "escalate_to_bsa_officer")
    assert alert.details["fatf_lists"] == ["call_for_action_countermeasures"]
    assert RuleCode.HIGH_RISK_GEOGRAPHY not in rules_fired("m6")


def test_activity_from_a_new_third_country():
    geo = {"latitude": 48.85, "longitude": 2.35, "country": "FR", "city": "Paris"}
    home = {"latitude": 40.67, "longitude": -73.94, "country": "US", "city": "Brooklyn"}
    ingest(
        transfer("m7", "50.00", T0, recipient="x1", geo_location=home),
        transfer("m7", "60.00", T0 + timedelta(hours=5), recipient="x1", geo_location=geo),
    )

    assert rules_fired("m7") == [RuleCode.THIRD_COUNTRY]


def test_currency_concentrated_in_one_circle_in_one_day():
    ingest(*[contribution(f"member{i}", "3000.00", T0 + timedelta(hours=i), circle="circle_cc") for i in range(3)])

    [alert] = ComplianceAlert.objects.filter(customer_id="circle:circle_cc")
    assert (alert.rule_code, alert.amount_total) == (RuleCode.CIRCLE_CASH_CONCENTRATION, Decimal("9000.00"))


def test_a_large_circle_payout_is_a_routine_circle_alert():
    ingest(payout("m8", "8000.00", T0, circle="circle_big"), payout("m9", "7999.99", T0, circle="circle_small"))

    assert ComplianceAlert.objects.get(customer_id="circle:circle_big").priority == "routine"
    assert not ComplianceAlert.objects.filter(customer_id="circle:circle_small").exists()


def test_micro_structuring_five_cash_deposits_below_the_threshold():
    ingest(*[cash_in("s1", "1900.00", T0 + timedelta(hours=h)) for h in range(5)])

    [alert] = ComplianceAlert.objects.filter(customer_id="s1", alert_type=AlertType.STRUCTURING)
    assert alert.rule_code == RuleCode.STRUCTURING_MICRO
    assert alert.confidence == pytest.approx(0.793, abs=1e-3)
    assert (alert.priority, alert.recommended_action, alert.details["tier"]) == ("urgent", "file_sar", "sar")
    assert alert.amount_total == Decimal("9500.00")


def test_fan_out_to_three_recipients_within_48_hours():
    ingest(*[transfer("s2", "3400.00", T0 + timedelta(hours=10 * i), recipient=f"r{i}") for i in range(3)])

    assert RuleCode.STRUCTURING_FAN_OUT in rules_fired("s2")


def test_funnel_of_four_senders_to_one_beneficiary():
    ingest(*[remittance(f"sender{i}", "3000.00", T0 + timedelta(hours=i), recipient="benef_f1") for i in range(4)])

    [alert] = ComplianceAlert.objects.filter(customer_id="benef_f1")
    assert alert.rule_code == RuleCode.STRUCTURING_FUNNEL
    assert alert.details["distinct_senders"] == 4


def test_slow_structuring_over_weeks():
    ingest(*[remittance("s3", "4500.00", T0 + timedelta(days=7 * week), recipient="benef_s3") for week in range(3)])

    [alert] = ComplianceAlert.objects.filter(customer_id="s3", rule_code=RuleCode.STRUCTURING_SLOW)
    assert alert.confidence == pytest.approx(0.8482, abs=1e-3)


def test_replaying_the_same_events_raises_nothing_new():
    events = [cash_in("s4", "1900.00", T0 + timedelta(hours=h)) for h in range(5)]
    ingest(*events)
    before = (ComplianceAlert.objects.count(), MoneyMovement.objects.count(), OutboxMessage.objects.count())

    for envelope in events:
        ingest(dict(envelope, event_id=envelope["event_id"][:-4] + "ffff"))

    assert (ComplianceAlert.objects.count(), MoneyMovement.objects.count(), OutboxMessage.objects.count()) == before


def test_a_remittance_and_its_transaction_are_one_movement():
    rem = remittance("s5", "700.00", T0, funding="cash_at_agent", transaction_id="txn_linked_1")
    txn = cash_in(
        "s5",
        "700.00",
        T0,
        transaction_id="txn_linked_1",
        type="remittance",
        metadata={"remittance_id": rem["payload"]["remittance_id"]},
    )

    ingest(rem, txn)

    movement = MoneyMovement.objects.get(customer_id="s5")
    assert (movement.transaction_id, movement.remittance_id) == ("txn_linked_1", rem["payload"]["remittance_id"])


def test_a_circle_contribution_and_its_transaction_without_shared_ids_are_one_movement():
    contrib = contribution("s6", "200.00", T0, circle="circle_d")
    txn = transfer(
        "s6",
        "200.00",
        T0,
        kind="circle_contribution",
        source="cash_at_agent",
        metadata={"circle_id": "circle_d", "cycle_number": 1},
    )

    ingest(contrib, txn)

    assert MoneyMovement.objects.filter(customer_id="s6").count() == 1


def test_a_failed_cash_transaction_leaves_the_day_total():
    first = cash_in("s7", "6000.00", T0)
    failed = make_event("transaction-failed", at=T0 + timedelta(minutes=1))
    failed["payload"].update(transaction_id=first["payload"]["transaction_id"], user_id="s7")
    ingest(first, failed, cash_in("s7", "5000.00", T0 + timedelta(hours=1)))

    assert not ComplianceAlert.objects.filter(customer_id="s7", rule_code=RuleCode.CTR_THRESHOLD).exists()


def test_two_circle_members_under_alert_make_a_circle_alert():
    ingest(
        contribution("cm1", "50.00", T0, circle="circle_fm", method="ach"),
        contribution("cm2", "50.00", T0, circle="circle_fm", method="ach"),
    )

    ingest(remittance("cm1", "9995.00", T0 + timedelta(hours=1)))
    assert not ComplianceAlert.objects.filter(customer_id="circle:circle_fm").exists()
    ingest(remittance("cm2", "4995.00", T0 + timedelta(hours=2)))

    [alert] = ComplianceAlert.objects.filter(customer_id="circle:circle_fm")
    assert (alert.rule_code, alert.details["flagged_member_count"]) == (RuleCode.CIRCLE_FLAGGED_MEMBERS, 2)
