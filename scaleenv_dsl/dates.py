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
import re

DATE_FORMAT = "YYYY-MM-DD"
DATETIME_FORMAT = "YYYY-MM-DDTHH:MM[:SS]"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?")


def parse_date(text) -> _dt.date | None:
    """The date `text` spells, or None when it is not `YYYY-MM-DD` or names no day (`2024-02-30`)."""
    if type(text) is not str or not _DATE.fullmatch(text):
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text) -> _dt.datetime | None:
    """The datetime `text` spells, or None when it is not `YYYY-MM-DDTHH:MM[:SS]` or names no time."""
    if type(text) is not str or not _DATETIME.fullmatch(text):
        return None
    try:
        return _dt.datetime.fromisoformat(text)
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
