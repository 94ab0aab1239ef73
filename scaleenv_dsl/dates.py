"""Dates and datetimes as the language holds them: naive ISO 8601 text.

A `date` is `YYYY-MM-DD`; a `datetime` is `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`. No time
zones, no fractions of a second, no other ISO spellings (week dates, `20240301`, a space for `T`):
one spelling per value keeps the data readable and lets a date compare as text.

Values stay text everywhere (in the data, in rows, in arguments), so the state is still plain JSON
and dumps back byte for byte. What the language builds (`datetime(s)`, `add_days`, `now()`) is
written with seconds; the data may leave them out. A datetime's order and equality therefore go
through `datetime_key`, which adds `:00` to a value without seconds.

Shared by the checker (literals, data, the static evaluator) and the runtime (runtime/dates.py),
so that both read a date the same way. Pure functions over the standard library's `datetime`.
"""

from __future__ import annotations

import datetime as _dt

DATE_FORMAT = "YYYY-MM-DD"
DATETIME_FORMAT = "YYYY-MM-DDTHH:MM[:SS]"

def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _date_shape(text: str) -> bool:
    """`YYYY-MM-DD`, checked by hand: a regular expression would cost the checker's cold start."""
    return (len(text) == 10 and text[4] == "-" and text[7] == "-"
            and _digits(text[:4]) and _digits(text[5:7]) and _digits(text[8:]))


def _datetime_shape(text: str) -> bool:
    """`YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`."""
    if len(text) not in (16, 19) or text[10] != "T" or not _date_shape(text[:10]):
        return False
    clock = text[11:]
    return all(_digits(clock[i:i + 2]) and (i + 2 == len(clock) or clock[i + 2] == ":") for i in range(0, len(clock), 3))


def parse_date(text) -> _dt.date | None:
    """The date `text` spells, or None when it is not `YYYY-MM-DD` or names no day (`2024-02-30`)."""
    return _parse(text, _date_shape, _dt.date.fromisoformat)


def parse_datetime(text) -> _dt.datetime | None:
    """The datetime `text` spells, or None when it is not `YYYY-MM-DDTHH:MM[:SS]` or names no time."""
    return _parse(text, _datetime_shape, _dt.datetime.fromisoformat)


def _parse(text, shape, from_iso):
    """`from_iso(text)` for a string of our one spelling (`shape`), None otherwise: the shape is
    checked first because `fromisoformat` also reads spellings the language refuses (`20240301`),
    and a well-shaped text may still name no day or time (`2024-02-30`, `T25:00`)."""
    if type(text) is not str or not shape(text):
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None


def date_text(d: _dt.date) -> str:
    return d.isoformat()


def datetime_text(d: _dt.datetime) -> str:
    return d.isoformat(timespec="seconds")


def datetime_key(text):
    """A datetime's text with its seconds, so that `09:00` and `09:00:00` compare equal; other
    values (none, a malformed text that only an unchecked path could bring) are left as they are."""
    if type(text) is str and len(text) == 16:
        return text + ":00"
    return text


# ---------------------------------------------------------------- the built-ins, over text
# Each takes and gives ISO text. Bad text raises DateError (a ValueError), a result outside
# years 1 to 9999 OverflowError: the runtime words both as a failed call (runtime/dates.py), and
# the checker's static evaluator as an expression that fails.

class DateError(ValueError):
    """Text that is not a date or datetime of the language's spellings."""


def _date(text) -> _dt.date:
    d = parse_date(text)
    if d is None:
        raise DateError(f"invalid date {_shown(text)}: a date is written {DATE_FORMAT}, such as 2024-03-01")
    return d


def _datetime(text) -> _dt.datetime:
    d = parse_datetime(text)
    if d is None:
        raise DateError(f"invalid datetime {_shown(text)}: a datetime is written {DATETIME_FORMAT}, "
                        "such as 2024-03-01T09:00:00")
    return d


def _shown(text) -> str:
    return repr(text[:40] + "…" if len(text) > 40 else text) if type(text) is str else repr(text)


def _shifted(start, **amount):
    try:
        return start + _dt.timedelta(**amount)
    except OverflowError:  # before year 1 or after 9999, as Python's dates are
        (unit, n), = amount.items()
        raise OverflowError(f"the date is out of range: {start.isoformat()} plus {n} {unit}") from None


def date_of_text(text) -> str:
    """`date(s)`: the date `s` spells."""
    return date_text(_date(text))


def datetime_of_text(text) -> str:
    """`datetime(s)`: the datetime `s` spells, with its seconds."""
    return datetime_text(_datetime(text))


def day_of(value) -> str:
    """`date(t)`: the day a datetime falls on."""
    return date_text(_datetime(value).date())


def midnight_of(value) -> str:
    """`datetime(d)`: the start of a day."""
    return datetime_text(_dt.datetime.combine(_date(value), _dt.time()))


def days_between(a, b) -> int:
    """Whole days from date `a` to date `b`, negative when `b` is earlier."""
    return (_date(b) - _date(a)).days


def minutes_between(a, b) -> int:
    """Whole minutes from datetime `a` to `b`, rounded toward zero."""
    seconds = (_datetime(b) - _datetime(a)) // _dt.timedelta(seconds=1)
    return int(seconds / 60)


def add_days(value, n) -> str:
    return date_text(_shifted(_date(value), days=n))


def add_days_datetime(value, n) -> str:
    """`add_days(t, n)` for a datetime: the same time of day, `n` days later."""
    return datetime_text(_shifted(_datetime(value), days=n))


def add_hours(value, n) -> str:
    return datetime_text(_shifted(_datetime(value), hours=n))


def add_minutes(value, n) -> str:
    return datetime_text(_shifted(_datetime(value), minutes=n))
