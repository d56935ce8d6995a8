"""Geography and device rules: where and on what the customer transacts, against their own history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.fraud.choices import RuleCategory
from apps.fraud.constants import CORRIDOR_COUNTRIES
from apps.fraud.rules.base import Outcome, Rule, RuleInput, Threshold, cents, clamp, feature, not_fired


class ImpossibleTravel(Rule):
    rule_id = "impossible_travel"
    category = RuleCategory.GEO
    default_weight = 0.20
    default_standalone_weight = 0.9
    summary = "Too far from the previous located transaction for the time between them."
    formula = (
        "speed = distance / max(elapsed, 1 min); fires if speed > V and distance ≥ D; "
        "score = min(0.5 + (min(v/V, 5) - 1) * 0.125, 1)"
    )
    thresholds = (
        Threshold("speed_kmh", 900.0, "Fastest plausible travel, km/h (an airliner).", minimum=1),
        Threshold("min_distance_km", 100.0, "Shorter jumps are ignored (GPS/IP geolocation noise)."),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        speed = data.features.get("travel_speed_kmh")
        distance = data.features.get("distance_from_last_km")
        if speed is None or distance is None:
            return not_fired(travel_speed_kmh=None)
        inputs = {
            "speed_kmh": speed,
            "distance_km": distance,
            "hours_between": data.context.get("hours_since_previous_location"),
            "previous_country": data.context.get("previous_country"),
            "current_country": data.facts.country,
        }
        if speed <= params["speed_kmh"] or distance < params["min_distance_km"]:
            return Outcome(False, inputs=inputs)
        score = clamp(0.5 + (min(speed / params["speed_kmh"], 5) - 1) * 0.125)
        return Outcome(True, score, inputs, dict(inputs), "critical", 0.95)


class NewGeography(Rule):
    rule_id = "new_geography"
    category = RuleCategory.GEO
    default_weight = 0.20
    summary = "A country this customer never transacted from (customers with history only)."
    formula = "fires if the country is new for a customer with earlier transactions; score 0.4"

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        if feature(data, "is_new_country") < 1:
            return not_fired(country=data.facts.country)
        details = {"country": data.facts.country, "known_countries": list(data.context["countries_seen_before"])}
        return Outcome(True, 0.4, dict(details), details, "medium", 0.70)


class ThirdCountrySender(Rule):
    rule_id = "third_country_sender"
    category = RuleCategory.GEO
    default_weight = 0.25
    default_standalone_weight = 0.6
    summary = (
        "A corridor (US/HT) customer transacting from a third country; with a new device and a large amount "
        "(the account-takeover pattern) it is decisive on its own."
    )
    formula = (
        "fires if country ∉ {US, HT} and the customer's earlier countries include US or HT; "
        "score = 0.5 + 0.25 if the device is new + 0.25 if amount ≥ the large-transaction minimum"
    )
    thresholds = (
        Threshold(
            "large_amount",
            "3000.00",
            "Amount that counts as large here, USD (the large-transaction minimum, FRAUD_LARGE_TXN_MIN).",
            kind="decimal",
            key="fraud.large_txn_min",
            env_var="FRAUD_LARGE_TXN_MIN",
            minimum=1,
        ),
    )

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        country = data.facts.country
        known = set(data.context["countries_seen_before"])
        corridor_history = sorted(known & CORRIDOR_COUNTRIES)
        if not country or country in CORRIDOR_COUNTRIES or not corridor_history:
            return not_fired(country=country, corridor_history=corridor_history)
        new_device = feature(data, "is_new_device") >= 1
        large = data.facts.amount_cents >= cents(params["large_amount"])
        score = 0.5 + (0.25 if new_device else 0.0) + (0.25 if large else 0.0)
        details = {
            "country": country,
            "corridor_history": corridor_history,
            "new_device": new_device,
            "large_amount": large,
        }
        return Outcome(True, score, dict(details), details, "critical" if score >= 1 else "high", 0.80)


class NewDevice(Rule):
    rule_id = "new_device"
    category = RuleCategory.GEO
    default_weight = 0.15
    summary = "A device this customer never transacted from (customers with history only)."
    formula = "fires if the device is new for a customer with earlier transactions; score 0.3"

    def evaluate(self, data: RuleInput, params: Mapping[str, Any]) -> Outcome:
        if feature(data, "is_new_device") < 1:
            return not_fired(device_id=data.facts.device_id)
        details = {"device_id": data.facts.device_id}
        return Outcome(True, 0.3, dict(details), details, "low", 0.60)


RULES: tuple[Rule, ...] = (ImpossibleTravel(), NewGeography(), ThirdCountrySender(), NewDevice())
