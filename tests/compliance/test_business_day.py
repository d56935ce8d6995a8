"""The business day: New York calendar day by default, DST-aware; cut-off hour; closed days roll forward."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.compliance.business_day import business_date
from apps.compliance.config import PARAMETERS, build_rules
from apps.serving.config.registry import ApplicationError


def config(**overrides):
    values = {parameter.key: parameter.coerce(parameter.default) for parameter in PARAMETERS}
    values.update({f"compliance.{key}": value for key, value in overrides.items()})
    return build_rules(values)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (utc(2026, 3, 3, 4, 59, 59), date(2026, 3, 2)),  # 23:59:59 EST
        (utc(2026, 3, 3, 5, 0, 0), date(2026, 3, 3)),  # 00:00 EST
        (utc(2026, 7, 2, 3, 59, 59), date(2026, 7, 1)),  # 23:59:59 EDT (summer: UTC-4)
        (utc(2026, 7, 2, 4, 0, 0), date(2026, 7, 2)),
    ],
)
def test_the_default_business_day_is_the_new_york_calendar_day(moment, day):
    assert business_date(moment, config()) == day


def test_a_cut_off_hour_moves_later_activity_to_the_next_day():
    rules = config(business_day_cutoff_hour=17)

    assert business_date(utc(2026, 3, 2, 21, 59), rules) == date(2026, 3, 2)  # 16:59 EST
    assert business_date(utc(2026, 3, 2, 22, 0), rules) == date(2026, 3, 3)  # 17:00 EST


def test_weekends_and_holidays_roll_to_the_next_business_day():
    rules = config(business_weekdays=[0, 1, 2, 3, 4], business_holidays=["2026-07-03"])

    assert business_date(utc(2026, 3, 7, 15, 0), rules) == date(2026, 3, 9)  # Saturday → Monday
    assert business_date(utc(2026, 7, 3, 15, 0), rules) == date(2026, 7, 6)  # Friday holiday → Monday


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        business_date(datetime(2026, 3, 2, 12, 0), config())  # noqa: DTZ001 (the point of the test)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"risk_category_weights": {"transaction": 0.5, "geographic": 0.25, "behavioural": 0.25, "circle": 0.2}},
            "sum to 1.0",
        ),
        ({"risk_low_max": 0.7}, "risk_low_max < risk_medium_max"),
        ({"ctr_warning_levels": ["10000.00"]}, "strictly between"),
        ({"business_timezone": "Mars/Olympus"}, "IANA"),
        ({"monitor_confidence": 0.9}, "must not exceed"),
        ({"case_sla_hours": {"routine": 1}}, "every priority"),
    ],
)
def test_inconsistent_configuration_is_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        config(**overrides)


def test_the_ctr_threshold_cannot_be_raised_above_the_federal_ten_thousand():
    threshold = next(parameter for parameter in PARAMETERS if parameter.key == "compliance.ctr_threshold")

    assert threshold.coerce("10000.00") == threshold.coerce(threshold.default)
    with pytest.raises(ApplicationError):
        threshold.coerce("10000.01")
