"""From Trebanx topics to Lakay's: events on Kafka → consumer → compliance alerts and EDD trigger →
outbox → relay → lakay.compliance.* topics, keyed by the customer, with no word of a SAR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.compliance.models import ComplianceAlert, EddReview
from apps.pipeline.spine.topics import COMPLIANCE_ALERTS, EDD_TRIGGERS, REMITTANCE_EVENTS, TRANSACTION_EVENTS
from tests.compliance.factories import cash_in, remittance
from tests.conftest import wait_until
from tests.kafka_fixtures import produce_events, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def test_alerts_and_edd_triggers_reach_their_topics(kafka_producer, manage_process):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    produce_events(
        kafka_producer,
        TRANSACTION_EVENTS,
        [
            cash_in("kf_ctr", "6000.00", start),
            cash_in("kf_ctr", "5000.00", start + timedelta(minutes=5)),
        ],
    )
    produce_events(
        kafka_producer,
        REMITTANCE_EVENTS,
        [remittance("kf_edd", "300.00", start, country="IR")],
        key=lambda event: event["payload"]["sender_id"],
    )

    manage_process("consume", "--all")
    manage_process("relay_outbox")
    wait_until(lambda: EddReview.objects.filter(customer_id="kf_edd").exists(), timeout=180, message="EDD review")

    alerts = read_topic(COMPLIANCE_ALERTS, expected=ComplianceAlert.objects.count(), timeout=90)
    triggers = read_topic(EDD_TRIGGERS, expected=1, timeout=60)

    ctr = [message for message in alerts if message["value"]["payload"]["alert_type"] == "ctr_threshold"]
    assert [(message["key"], message["value"]["payload"]["amount_total"]) for message in ctr] == [
        ("kf_ctr", "11000.00")
    ]
    assert {message["value"]["payload"]["alert_type"] for message in alerts if message["key"] == "kf_edd"} >= {
        "high_risk_geography",
        "edd_trigger",
    }
    [trigger] = triggers
    assert (trigger["key"], trigger["value"]["payload"]["new_level"]) == ("kf_edd", "high")
    assert "sar" not in str(trigger["value"]["payload"]["reasons"]).lower().split()
