"""Build FinCEN BSA E-Filing XML batches (SARX and CTRX) and validate them against the shipped XSDs.

Pure: the caller passes plain facts (filer identity, subjects, amounts, narrative). Amounts are whole
dollars rounded up, dates YYYYMMDD, every string normalised to the restricted-string pattern (no
leading/trailing or double blanks, no line breaks) except the narrative.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # nosec B405  # builds XML, never parses input
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema

NAMESPACE = "www.fincen.gov/base"
XSD_DIR = Path(__file__).resolve().parent / "xsd"
SCHEMAS = {"SARX": XSD_DIR / "EFL_SARXBatchSchema.xsd", "CTRX": XSD_DIR / "EFL_CTRXBatchSchema.xsd"}
NARRATIVE_BLOCK = 4000
NARRATIVE_BLOCKS = 5
MSB_ORGANIZATION_TYPE = "4"
IRS_REGULATOR = "7"

ET.register_namespace("fc2", NAMESPACE)


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def clean(text: object, limit: int) -> str:
    """Fit ``text`` to FinCEN's restricted-string pattern ``\\S+( +\\S+)*|`` and ``limit`` characters."""
    value = re.sub(r"\s+", " ", str(text or "")).strip()
    return value[:limit].rstrip()


def whole_dollars(amount: Decimal) -> str:
    """FinCEN amounts are whole dollars, rounded up."""
    return str(math.ceil(amount)) if amount > 0 else "0"


def yyyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


@dataclass(frozen=True)
class Filer:
    name: str
    tin: str
    street: str
    city: str
    state: str
    zip_code: str
    country: str
    phone: str
    tcc: str
    contact_name: str = "BSA Compliance Officer"


@dataclass(frozen=True)
class Subject:
    """A person named in a filing (from the encrypted identity; unknown parts flagged as unknown)."""

    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    street: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    country: str = ""
    phone: str = ""
    customer_ref: str = ""


@dataclass(frozen=True)
class SarActivity:
    filing_date: date
    subject: Subject
    activity_from: date
    activity_to: date
    amount_total: Decimal
    classifications: list[tuple[int, int]]
    narrative: str
    prior_bsa_id: str = ""
    is_continuing: bool = False


@dataclass(frozen=True)
class CtrDetail:
    type_code: str  # 23, 32, 997, 998
    amount: Decimal
    other_text: str = ""


@dataclass(frozen=True)
class CtrActivity:
    filing_date: date
    transaction_date: date
    subject: Subject
    cash_in_total: Decimal
    cash_out_total: Decimal
    details: list[CtrDetail]
    has_multiple_transactions: bool


@dataclass
class _Builder:
    sequence: int = 0
    parties: list[ET.Element] = field(default_factory=list)

    def element(self, parent: ET.Element, tag: str, *, numbered: bool = False, text: str | None = None) -> ET.Element:
        child = ET.SubElement(parent, _q(tag))
        if numbered:
            self.sequence += 1
            child.set("SeqNum", str(self.sequence))
        if text is not None:
            child.text = text
        return child

    def leaf(self, parent: ET.Element, tag: str, text: str) -> None:
        self.element(parent, tag, text=text)

    def party(self, activity: ET.Element, code: str) -> ET.Element:
        party = self.element(activity, "Party", numbered=True)
        self.leaf(party, "ActivityPartyTypeCode", code)
        self.parties.append(party)
        return party

    def name(self, party: ET.Element, *, full: str = "", last: str = "", first: str = "", kind: str = "L") -> None:
        element = self.element(party, "PartyName", numbered=True)
        if not full and not last:
            self.leaf(element, "EntityLastNameUnknownIndicator", "Y")
        if not full and not first:
            self.leaf(element, "FirstNameUnknownIndicator", "Y")
        self.leaf(element, "PartyNameTypeCode", kind)
        if last:
            self.leaf(element, "RawEntityIndividualLastName", clean(last, 150))
        if first:
            self.leaf(element, "RawIndividualFirstName", clean(first, 35))
        if full:
            self.leaf(element, "RawPartyFullName", clean(full, 150))

    def address(self, party: ET.Element, *, street: str, city: str, state: str, zip_code: str, country: str) -> None:
        element = self.element(party, "Address", numbered=True)
        if not city:
            self.leaf(element, "CityUnknownIndicator", "Y")
        if not country:
            self.leaf(element, "CountryCodeUnknownIndicator", "Y")
        for tag, value, limit in (
            ("RawCityText", city, 50),
            ("RawCountryCodeText", country, 2),
            ("RawStateCodeText", state, 3),
            ("RawStreetAddress1Text", street, 100),
            ("RawZIPCode", zip_code.replace("-", ""), 9),
        ):
            if value:
                self.leaf(element, tag, clean(value, limit))
        for tag, value in (
            ("StateCodeUnknownIndicator", state),
            ("StreetAddressUnknownIndicator", street),
            ("ZIPCodeUnknownIndicator", zip_code),
        ):
            if not value:
                self.leaf(element, tag, "Y")

    def phone(self, party: ET.Element, number: str) -> None:
        element = self.element(party, "PhoneNumber", numbered=True)
        self.leaf(element, "PhoneNumberText", clean(re.sub(r"[^0-9]", "", number), 16))

    def identification(
        self, party: ET.Element, *, number: str = "", type_code: str = "", unknown: bool = False
    ) -> None:
        element = self.element(party, "PartyIdentification", numbered=True)
        if unknown:
            self.leaf(element, "TINUnknownIndicator", "Y")
            return
        self.leaf(element, "PartyIdentificationNumberText", clean(number, 25))
        self.leaf(element, "PartyIdentificationTypeCode", type_code)

    def msb(self, party: ET.Element) -> None:
        element = self.element(party, "OrganizationClassificationTypeSubtype", numbered=True)
        self.leaf(element, "OrganizationTypeID", MSB_ORGANIZATION_TYPE)

    def institution(self, activity: ET.Element, code: str, filer: Filer, *, indicators: tuple[str, ...] = ()) -> None:
        party = self.party(activity, code)
        self.leaf(party, "PrimaryRegulatorTypeCode", IRS_REGULATOR)
        for indicator in indicators:
            self.leaf(party, indicator, "Y")
        self.name(party, full=filer.name)
        self.address(
            party,
            street=filer.street,
            city=filer.city,
            state=filer.state,
            zip_code=filer.zip_code,
            country=filer.country,
        )
        self.identification(party, number=filer.tin, type_code="2")
        self.msb(party)

    def header_parties(self, activity: ET.Element, filer: Filer) -> None:
        transmitter = self.party(activity, "35")
        self.name(transmitter, full=filer.name)
        self.address(
            transmitter,
            street=filer.street,
            city=filer.city,
            state=filer.state,
            zip_code=filer.zip_code,
            country=filer.country,
        )
        self.phone(transmitter, filer.phone)
        self.identification(transmitter, number=filer.tin, type_code="4")
        self.identification(transmitter, number=filer.tcc, type_code="28")
        contact = self.party(activity, "37")
        self.name(contact, full=filer.contact_name)

    def contact_office(self, activity: ET.Element, filer: Filer) -> None:
        office = self.party(activity, "8")
        self.name(office, full=filer.contact_name)
        self.phone(office, filer.phone)

    def person(self, party: ET.Element, subject: Subject) -> None:
        self.name(party, last=subject.last_name, first=subject.first_name)
        self.address(
            party,
            street=subject.street,
            city=subject.city,
            state=subject.state,
            zip_code=subject.zip_code,
            country=subject.country,
        )
        if subject.phone:
            self.phone(party, subject.phone)
        self.identification(party, unknown=True)


def _birth(party: ET.Element, builder: _Builder, subject: Subject) -> None:
    if subject.birth_date:
        builder.leaf(party, "IndividualBirthDateText", yyyymmdd(subject.birth_date))
    else:
        builder.leaf(party, "BirthDateUnknownIndicator", "Y")


def build_sar_batch(activities: list[SarActivity], filer: Filer) -> str:
    builder = _Builder()
    root = ET.Element(_q("EFilingBatchXML"))
    builder.leaf(root, "FormTypeCode", "SARX")
    total = 0
    for item in activities:
        activity = builder.element(root, "Activity", numbered=True)
        if item.prior_bsa_id:
            builder.leaf(activity, "EFilingPriorDocumentNumber", item.prior_bsa_id)
        builder.leaf(activity, "FilingDateText", yyyymmdd(item.filing_date))
        association = builder.element(activity, "ActivityAssociation", numbered=True)
        builder.leaf(
            association, "ContinuingActivityReportIndicator" if item.is_continuing else "InitialReportIndicator", "Y"
        )
        builder.header_parties(activity, filer)
        builder.institution(activity, "30", filer)
        builder.contact_office(activity, filer)
        builder.institution(activity, "34", filer, indicators=("SellingPayingLocationIndicator",))
        subject = builder.party(activity, "33")
        _birth(subject, builder, item.subject)
        builder.leaf(subject, "PurchaserSenderIndicator", "Y")
        builder.person(subject, item.subject)
        suspicious = builder.element(activity, "SuspiciousActivity", numbered=True)
        builder.leaf(suspicious, "SuspiciousActivityFromDateText", yyyymmdd(item.activity_from))
        builder.leaf(suspicious, "SuspiciousActivityToDateText", yyyymmdd(item.activity_to))
        amount = whole_dollars(item.amount_total)
        builder.leaf(suspicious, "TotalSuspiciousAmountText", amount)
        total += int(amount)
        for type_id, subtype_id in item.classifications[:99] or [(9, 925)]:
            classification = builder.element(suspicious, "SuspiciousActivityClassification", numbered=True)
            builder.leaf(classification, "SuspiciousActivitySubtypeID", str(subtype_id))
            builder.leaf(classification, "SuspiciousActivityTypeID", str(type_id))
        text = item.narrative.strip()
        blocks = [text[start : start + NARRATIVE_BLOCK] for start in range(0, len(text), NARRATIVE_BLOCK)][
            :NARRATIVE_BLOCKS
        ]
        for number, block in enumerate(blocks or ["No narrative."], start=1):
            narrative = builder.element(activity, "ActivityNarrativeInformation", numbered=True)
            builder.leaf(narrative, "ActivityNarrativeSequenceNumber", str(number))
            builder.leaf(narrative, "ActivityNarrativeText", block)
    subjects = sum(1 for party in builder.parties if party.findtext(_q("ActivityPartyTypeCode")) == "33")
    root.set("ActivityAttachmentCount", "0")
    root.set("ActivityCount", str(len(activities)))
    root.set("AttachmentCount", "0")
    root.set("PartyCount", str(subjects))
    root.set("TotalAmount", str(total))
    return _serialise(root)


def build_ctr_batch(activities: list[CtrActivity], filer: Filer) -> str:
    builder = _Builder()
    root = ET.Element(_q("EFilingBatchXML"))
    builder.leaf(root, "FormTypeCode", "CTRX")
    total = 0
    for item in activities:
        activity = builder.element(root, "Activity", numbered=True)
        builder.leaf(activity, "FilingDateText", yyyymmdd(item.filing_date))
        association = builder.element(activity, "ActivityAssociation", numbered=True)
        builder.leaf(association, "CorrectsAmendsPriorReportIndicator", "")
        builder.leaf(association, "FinCENDirectBackFileIndicator", "")
        builder.leaf(association, "InitialReportIndicator", "Y")
        builder.header_parties(activity, filer)
        builder.institution(activity, "30", filer)
        builder.contact_office(activity, filer)
        builder.institution(activity, "34", filer)
        person = builder.party(activity, "50")
        _birth(person, builder, item.subject)
        if item.cash_in_total > 0:
            builder.leaf(person, "IndividualEntityCashInAmountText", whole_dollars(item.cash_in_total))
        if item.cash_out_total > 0:
            builder.leaf(person, "IndividualEntityCashOutAmountText", whole_dollars(item.cash_out_total))
        if item.has_multiple_transactions:
            builder.leaf(person, "MultipleTransactionsPersonsIndividualsIndicator", "Y")
        builder.person(person, item.subject)
        currency = builder.element(activity, "CurrencyTransactionActivity", numbered=True)
        for indicator in (
            "AggregateTransactionIndicator",
            "ArmoredCarServiceIndicator",
            "ATMIndicator",
            "MailDepositShipmentIndicator",
            "NightDepositIndicator",
            "SharedBranchingIndicator",
        ):
            builder.leaf(currency, indicator, "")
        builder.leaf(currency, "TotalCashInReceiveAmountText", whole_dollars(item.cash_in_total))
        builder.leaf(currency, "TotalCashOutAmountText", whole_dollars(item.cash_out_total))
        builder.leaf(currency, "TransactionDateText", yyyymmdd(item.transaction_date))
        for detail in item.details[:219]:
            element = builder.element(currency, "CurrencyTransactionActivityDetail", numbered=True)
            builder.leaf(element, "CurrencyTransactionActivityDetailTypeCode", detail.type_code)
            amount = whole_dollars(detail.amount)
            total += int(amount)
            builder.leaf(element, "DetailTransactionAmountText", amount)
            builder.leaf(element, "OtherCurrencyTransactionActivityDetailText", clean(detail.other_text, 50))
            builder.leaf(element, "OtherForeignCurrencyCountryText", "")
    root.set("ActivityCount", str(len(activities)))
    root.set("PartyCount", str(len(builder.parties)))
    root.set("TotalAmount", str(total))
    return _serialise(root)


def _serialise(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


@lru_cache(maxsize=2)
def schema(form: str) -> Any:
    return xmlschema.XMLSchema11(str(SCHEMAS[form]))


def validation_errors(xml: str, form: str) -> list[str]:
    """Every schema violation of ``xml`` (empty when valid)."""
    return [str(error.reason or error.message)[:300] for error in schema(form).iter_errors(xml)]
