"""What leaves Lakay: alert and EDD payloads follow their contracts and never reveal a SAR."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from apps.compliance.constants import REGULATORY_BASIS
from apps.compliance.services.risk import FACTOR_REASONS
from apps.pipeline.spine.contracts import OutboundContractError, validate_outbound
from apps.pipeline.spine.models import OutboxMessage
from tests.compliance.factories import cash_in, ingest, ny, remittance
from tests.events import make_event

SAR_WORD = re.compile(r"(^|[^A-Za-z])SARS?([^A-Za-z]|$)|suspicious[ _-]+activity[ _-]+report", re.IGNORECASE)


def test_no_regulatory_basis_or_edd_reason_names_the_report():
    texts = [*REGULATORY_BASIS.values(), *FACTOR_REASONS.values()]

    assert [text for text in texts if SAR_WORD.search(text)] == []


def test_the_alert_contract_rejects_a_basis_that_names_the_report():
    envelope = make_event("compliance-alert-raised")
    envelope["payload"]["regulatory_basis"] = "SAR filed under 31 CFR 1022.320"

    with pytest.raises(OutboundContractError):
        validate_outbound("lakay.compliance.alerts", envelope)


@pytest.mark.django_db
def test_alerts_and_edd_triggers_are_published_through_the_outbox():
    start = ny(2026, 3, 2, 9)
    ingest(*[cash_in("p1", "1900.00", start + timedelta(hours=h)) for h in range(5)])
    ingest(*[remittance("p1", "200.00", start + timedelta(days=1, hours=h), country="IR") for h in range(3)])

    ours = OutboxMessage.objects.filter(message_key="p1", topic__startswith="lakay.compliance.")
    topics = sorted({message.topic for message in ours})
    assert topics == ["lakay.compliance.alerts", "lakay.compliance.edd-triggers"]
    edd = OutboxMessage.objects.get(topic="lakay.compliance.edd-triggers")
    assert edd.payload["payload"]["new_level"] in {"high", "prohibited"}
    for message in ours:  # file_sar is an allowed recommendation code; free text never names the report
        text = {key: value for key, value in message.payload["payload"].items() if key != "recommended_action"}
        assert not SAR_WORD.search(str(text))
