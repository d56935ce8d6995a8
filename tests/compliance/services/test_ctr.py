"""CTR aggregation: currency only, per person, per business day, cash-in and cash-out apart, > $10,000."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.compliance.choices import AlertType, CurrencyDirection, FilingKind
from apps.compliance.models import ComplianceAlert, CurrencyDayTotal, Filing
from apps.pipeline.spine.models import OutboxMessage
from tests.compliance.factories import cash_in, ingest, ny, remittance, transfer

pytestmark = pytest.mark.django_db


def _ctr_alerts(user: str) -> list[ComplianceAlert]:
    return list(ComplianceAlert.objects.filter(customer_id=user, alert_type=AlertType.CTR_THRESHOLD))


def test_exactly_ten_thousand_is_not_reportable():
    ingest(cash_in("u1", "6000.00", ny(2026, 3, 2, 10)), cash_in("u1", "4000.00", ny(2026, 3, 2, 11)))

    total = CurrencyDayTotal.objects.get(customer_id="u1")
    assert total.total_amount == Decimal("10000.00")
    assert _ctr_alerts("u1") == []
    assert not Filing.objects.filter(kind=FilingKind.CTR).exists()


def test_one_cent_more_is_reportable_with_one_alert_and_one_filing():
    ingest(
        cash_in("u2", "6000.00", ny(2026, 3, 2, 10)),
        cash_in("u2", "4000.01", ny(2026, 3, 2, 11)),
        cash_in("u2", "50.00", ny(2026, 3, 2, 12)),
    )

    alerts = _ctr_alerts("u2")
    assert len(alerts) == 1
    assert alerts[0].amount_total == Decimal("10000.01")
    assert alerts[0].recommended_action == "file_ctr"
    assert len(alerts[0].transaction_ids) == 3  # the later deposit is linked too
    filing = Filing.objects.get(kind=FilingKind.CTR, customer_id="u2")
    assert (filing.cash_in_total, filing.business_date.isoformat(), filing.due_on.isoformat()) == (
        Decimal("10050.01"),
        "2026-03-02",
        "2026-03-17",
    )
    published = OutboxMessage.objects.filter(event_type="compliance-alert-raised", message_key="u2")
    assert [message.payload["payload"]["alert_type"] for message in published].count("ctr_threshold") == 1


def test_the_currency_scenario_six_and_five_thousand_the_same_business_day():
    ingest(
        cash_in("u3", "6000.00", ny(2026, 3, 2, 9)),
        remittance("u3", "5000.00", ny(2026, 3, 2, 17), funding="cash_at_agent"),
    )

    [alert] = _ctr_alerts("u3")
    assert alert.amount_total == Decimal("11000.00")


def test_business_day_rolls_over_at_midnight_new_york_not_utc():
    # 23:30 and 00:30 New York are two business days (although both are the same UTC date, 2026-03-03).
    ingest(cash_in("u4", "6000.00", ny(2026, 3, 2, 23, 30)), cash_in("u4", "5000.00", ny(2026, 3, 3, 0, 30)))

    days = dict(CurrencyDayTotal.objects.filter(customer_id="u4").values_list("business_date", "total_amount"))
    assert {day.isoformat(): amount for day, amount in days.items()} == {
        "2026-03-02": Decimal("6000.00"),
        "2026-03-03": Decimal("5000.00"),
    }
    assert _ctr_alerts("u4") == []


def test_non_cash_twelve_thousand_ach_remittance_is_not_a_ctr():
    ingest(remittance("u5", "12000.00", ny(2026, 3, 2, 10), funding="ach"))

    assert not CurrencyDayTotal.objects.filter(customer_id="u5").exists()
    assert _ctr_alerts("u5") == []


def test_cash_in_and_cash_out_are_aggregated_separately_never_netted():
    ingest(
        cash_in("u6", "6000.00", ny(2026, 3, 2, 10)),
        transfer("u6", "6000.00", ny(2026, 3, 2, 11), kind="withdrawal", source="wallet", destination="cash_at_agent"),
    )

    totals = dict(CurrencyDayTotal.objects.filter(customer_id="u6").values_list("direction", "total_amount"))
    assert totals == {CurrencyDirection.CASH_IN: Decimal("6000.00"), CurrencyDirection.CASH_OUT: Decimal("6000.00")}
    assert _ctr_alerts("u6") == []


def test_the_same_transaction_through_api_and_kafka_is_counted_once():
    first = cash_in("u7", "6000.00", ny(2026, 3, 2, 10))
    again = dict(first, event_id="00000000-0000-4000-8000-000000000077")

    ingest(first, again)

    total = CurrencyDayTotal.objects.get(customer_id="u7")
    assert (total.total_amount, total.transaction_count) == (Decimal("6000.00"), 1)


def test_pre_threshold_warnings_fire_once_per_level():
    ingest(
        cash_in("u8", "8000.00", ny(2026, 3, 2, 10)),
        cash_in("u8", "100.00", ny(2026, 3, 2, 11)),
        cash_in("u8", "900.00", ny(2026, 3, 2, 12)),
        cash_in("u8", "50.00", ny(2026, 3, 2, 13)),
    )

    warnings = ComplianceAlert.objects.filter(customer_id="u8", alert_type=AlertType.CTR_PRE_THRESHOLD)
    assert sorted(alert.details["warning_level"] for alert in warnings) == ["8000.00", "9000.00"]
