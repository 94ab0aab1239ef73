"""The date and clock helpers generated code calls.

Dates and datetimes are ISO text (scaleenv_dsl/dates.py says which spellings); these helpers read
them with the standard library's `datetime` and give text back, datetimes always with seconds.
Bad text or a result outside years 1 to 9999 fails the call with kind `runtime`, as Python's own
errors inside a tool do. Each helper does a fixed amount of work, so none is charged to the fuel.

The clock is the State's `clock`, set by the environment at reset from the task or the domain
header (runtime/env.py): tools never read the machine's clock.
"""

from __future__ import annotations

import datetime as _dt

from .. import dates
from .errors import RUNTIME, ToolError

datetime_key = dates.datetime_key


def _date(text) -> _dt.date:
    d = dates.parse_date(text)
    if d is None:
        raise ToolError(f"invalid date {_shown(text)}: a date is written {dates.DATE_FORMAT}, such as 2024-03-01",
                        RUNTIME)
    return d


def _datetime(text) -> _dt.datetime:
    d = dates.parse_datetime(text)
    if d is None:
        raise ToolError(f"invalid datetime {_shown(text)}: a datetime is written {dates.DATETIME_FORMAT}, "
                        "such as 2024-03-01T09:00:00", RUNTIME)
    return d


def _shown(text) -> str:
    return repr(text[:40] + "…" if len(text) > 40 else text) if type(text) is str else repr(text)


def parse_date(text) -> str:
    """`date(s)`: the date `s` spells, or a failed call."""
    return dates.date_text(_date(text))


def parse_datetime(text) -> str:
    """`datetime(s)`: the datetime `s` spells, with its seconds, or a failed call."""
    return dates.datetime_text(_datetime(text))


def date_of(value) -> str:
    """`date(dt)`: the day a datetime falls on."""
    return dates.date_text(_datetime(value).date())


def midnight_of(value) -> str:
    """`datetime(d)`: the start of a day."""
    return dates.datetime_text(_dt.datetime.combine(_date(value), _dt.time()))


def days_between(a, b) -> int:
    """`days_between(a, b)`: whole days from date `a` to date `b`, negative when `b` is earlier."""
    return (_date(b) - _date(a)).days


def minutes_between(a, b) -> int:
    """`minutes_between(a, b)`: whole minutes from datetime `a` to `b`, rounded toward zero."""
    seconds = (_datetime(b) - _datetime(a)) // _dt.timedelta(seconds=1)
    return int(seconds / 60)


def add_days(value, n) -> str:
    """`add_days(d, n)` for a date: `n` days later (earlier when `n` is negative)."""
    return dates.date_text(_shifted(_date(value), days=n))


def add_days_datetime(value, n) -> str:
    """`add_days(t, n)` for a datetime: the same time of day, `n` days later."""
    return dates.datetime_text(_shifted(_datetime(value), days=n))


def add_hours(value, n) -> str:
    return dates.datetime_text(_shifted(_datetime(value), hours=n))


def add_minutes(value, n) -> str:
    return dates.datetime_text(_shifted(_datetime(value), minutes=n))


def _shifted(start, **amount):
    try:
        return start + _dt.timedelta(**amount)
    except OverflowError:  # before year 1 or after 9999, as Python's dates are
        (unit, n), = amount.items()
        raise ToolError(f"the date is out of range: {start.isoformat()} plus {n} {unit}", RUNTIME) from None


def now(state) -> str:
    """`now()`: the environment's clock, a datetime."""
    return state.clock


def today(state) -> str:
    """`today()`: the day of the environment's clock."""
    return state.clock[:10]
