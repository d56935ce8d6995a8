"""The business day, defined once for every compliance rule that works per day.

31 CFR 1010.313(b) aggregates currency "during any one business day" and treats activity "at night
or over a weekend or holiday ... as if received on the next business day". The regulation defines
the business day only for banks, so Lakay adopts one documented definition (docs/compliance.md):

* the calendar day in ``compliance.business_timezone`` (America/New_York by default, DST-aware);
* if ``compliance.business_day_cutoff_hour`` is not 0, activity at or after that local hour belongs to
  the next day;
* a day that is not a business weekday (``compliance.business_weekdays``) or is a holiday
  (``compliance.business_holidays``) rolls forward to the next business day.

The input is always the event's own time, never the arrival time, so replays give the same answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from apps.compliance.config import ComplianceRules, rules


def business_date(moment: datetime, config: ComplianceRules | None = None) -> date:
    """The business day ``moment`` (timezone-aware) belongs to."""
    if moment.tzinfo is None:
        raise ValueError("business_date needs a timezone-aware datetime")
    config = config or rules()
    local = moment.astimezone(config.business_timezone)
    day = local.date()
    if config.business_day_cutoff_hour and local.hour >= config.business_day_cutoff_hour:
        day += timedelta(days=1)
    return next_business_day_on_or_after(day, config)


def is_business_day(day: date, config: ComplianceRules) -> bool:
    return day.weekday() in config.business_weekdays and day.isoformat() not in config.business_holidays


def next_business_day_on_or_after(day: date, config: ComplianceRules) -> date:
    for _ in range(366):
        if is_business_day(day, config):
            return day
        day += timedelta(days=1)
    raise ValueError("no business day within a year: check compliance.business_weekdays/holidays")
