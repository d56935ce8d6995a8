"""How values are written into events: UTC instants, dates, money and exchange rates.

Internally the simulator keeps instants as POSIX seconds (float), money as integer cents and the
USD/HTG rate as integer ten-thousandths: exact, cheap, and formatted only when an event is built.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

DAY = 86400.0
HOUR = 3600.0
MINUTE = 60.0
RATE_SCALE = 10_000  # exchange rates are kept in units of 0.0001 HTG per USD


def millis(instant: float) -> int:
    """An instant to whole milliseconds (what a timestamp shows)."""
    return round(instant * 1000)


_minute_cache: list[tuple[int, str]] = [(-1, "")]


def iso(instant: float) -> str:
    """``2026-10-01T14:03:07.250Z``: UTC, to the nearest millisecond, ``Z`` (the contracts' pattern)."""
    seconds, remainder = divmod(round(instant * 1000), 1000)
    minute, second = divmod(seconds, 60)
    cached_minute, prefix = _minute_cache[0]
    if minute != cached_minute:  # consecutive events mostly fall in the same minute: format it once
        prefix = datetime.fromtimestamp(minute * 60, UTC).isoformat()[:17]
        _minute_cache[0] = (minute, prefix)
    return f"{prefix}{second:02d}.{remainder:03d}Z"


def iso_date(instant: float) -> str:
    """The UTC calendar date of an instant, ``YYYY-MM-DD``."""
    return datetime.fromtimestamp(instant, UTC).date().isoformat()


def instant(moment: datetime | date) -> float:
    """POSIX seconds of an aware datetime, or of midnight UTC of a date."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.timestamp()


def moment(instant_seconds: float) -> datetime:
    return datetime.fromtimestamp(instant_seconds, UTC)


def money(cents: int) -> str:
    """``12345`` → ``"123.45"`` (two decimals, no sign: the contracts' money pattern)."""
    if cents < 0:
        raise ValueError("money is never negative in the contracts")
    return f"{cents // 100}.{cents % 100:02d}"


def dollars(amount: float) -> int:
    """Whole cents of a dollar amount (rounded half up)."""
    return int(amount * 100 + 0.5)


def percent_of(cents: int, basis_points: int) -> int:
    """``basis_points``/10000 of an amount, rounded half up to the cent."""
    return (cents * basis_points + 5_000) // 10_000


def rate(scaled: int) -> str:
    """``1312475`` → ``"131.2475"`` (an exchange rate, HTG per USD)."""
    return f"{scaled // RATE_SCALE}.{scaled % RATE_SCALE:04d}"


def convert(cents: int, scaled_rate: int) -> int:
    """USD cents → HTG cents at ``scaled_rate`` (rounded half up)."""
    return (cents * scaled_rate + RATE_SCALE // 2) // RATE_SCALE
