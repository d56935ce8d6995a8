"""FinCEN XML batches against the shipped schemas: valid output, and the violations FinCEN rejects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apps.compliance.fincen.batch import (
    CtrActivity,
    CtrDetail,
    Filer,
    SarActivity,
    Subject,
    build_ctr_batch,
    build_sar_batch,
    clean,
    validation_errors,
    whole_dollars,
)

FILER = Filer("Trebanx Inc", "123456789", "1 Flatbush Ave", "Brooklyn", "NY", "11217", "US", "7185550100", "PTCC0001")
SUBJECT = Subject(
    "Jean-Baptiste",
    "Marie-Claude",
    date(1988, 7, 14),
    "1234 Flatbush Ave",
    "Brooklyn",
    "NY",
    "11226",
    "US",
    "+17185550142",
    "user_2231",
)


def sar(**overrides) -> str:
    values = {
        "filing_date": date(2026, 4, 1),
        "subject": SUBJECT,
        "activity_from": date(2026, 3, 2),
        "activity_to": date(2026, 3, 4),
        "amount_total": Decimal("9500.00"),
        "classifications": [(1, 114)],
        "narrative": "Five currency deposits of $1,900.\nNo apparent purpose.",
    }
    values.update(overrides)
    return build_sar_batch([SarActivity(**values)], FILER)


def ctr() -> str:
    activity = CtrActivity(
        date(2026, 3, 5),
        date(2026, 3, 2),
        SUBJECT,
        Decimal("11000.01"),
        Decimal("0.00"),
        [CtrDetail("23", Decimal("5000.00")), CtrDetail("997", Decimal("6000.01"), "Wallet top-up")],
        True,
    )
    return build_ctr_batch([activity], FILER)


def test_a_sar_batch_validates_with_the_batch_attributes_fincen_expects():
    xml = sar()

    assert validation_errors(xml, "SARX") == []
    assert 'ActivityCount="1"' in xml
    assert 'PartyCount="1"' in xml  # subjects only
    assert 'TotalAmount="9500"' in xml


def test_a_ctr_batch_validates_and_amounts_are_whole_dollars_rounded_up():
    xml = ctr()

    assert validation_errors(xml, "CTRX") == []
    assert "<fc2:TotalCashInReceiveAmountText>11001</fc2:TotalCashInReceiveAmountText>" in xml
    assert 'PartyCount="6"' in xml  # every party
    assert 'TotalAmount="11001"' in xml  # 5000 + 6001 (details)


def test_a_long_narrative_is_split_into_numbered_blocks():
    xml = sar(narrative="x" * 9000)

    assert validation_errors(xml, "SARX") == []
    assert xml.count("<fc2:ActivityNarrativeSequenceNumber>") == 3


def test_unknown_subject_details_are_flagged_unknown_not_left_blank():
    xml = sar(subject=Subject(customer_ref="user_x"))

    assert validation_errors(xml, "SARX") == []
    assert "<fc2:EntityLastNameUnknownIndicator>Y</fc2:EntityLastNameUnknownIndicator>" in xml
    assert "<fc2:BirthDateUnknownIndicator>Y</fc2:BirthDateUnknownIndicator>" in xml


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda xml: xml.replace("<fc2:RawCityText>Brooklyn", "<fc2:RawCityText> Brooklyn", 1), "pattern"),
        (lambda xml: xml.replace('SeqNum="3"', 'SeqNum="2"', 1), "duplicated value"),
        (lambda xml: xml.replace("<fc2:FormTypeCode>SARX", "<fc2:FormTypeCode>CTRX", 1), "must be one of"),
    ],
)
def test_what_fincen_rejects_is_caught(mutate, reason):
    errors = validation_errors(mutate(sar()), "SARX")

    assert errors
    assert any(reason in error for error in errors)


def test_fewer_than_six_parties_is_invalid():
    xml = sar()
    start = xml.index('<fc2:Party SeqNum="')
    end = xml.index("</fc2:Party>", start) + len("</fc2:Party>")

    assert validation_errors(xml[:start] + xml[end:], "SARX") != []


def test_strings_are_cleaned_to_the_restricted_pattern():
    assert clean("  Jean   Pierre\n ", 50) == "Jean Pierre"
    assert whole_dollars(Decimal("10000.01")) == "10001"
    assert whole_dollars(Decimal("0.00")) == "0"
