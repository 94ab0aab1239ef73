"""The date and clock helpers generated code calls.

Dates and datetimes are ISO text; scaleenv_dsl/dates.py reads and computes them, for the checker
and the runtime alike. Here each built-in fails as a tool call does: bad text or a result outside
years 1 to 9999 is a ToolError of kind `runtime`, as Python's own errors inside a tool are. Each
helper does a fixed amount of work, so none is charged to the fuel.

The clock is the State's `clock`, set by the environment at reset from the task or the domain
header (runtime/env.py): tools never read the machine's clock.
"""

from __future__ import annotations

from functools import wraps

from .. import dates
from .errors import RUNTIME, ToolError

datetime_key = dates.datetime_key


def _failing_as_a_call(function):
    @wraps(function)
    def helper(*args):
        try:
            return function(*args)
        except (ValueError, OverflowError) as err:
            raise ToolError(str(err), RUNTIME) from None
    return helper


parse_date = _failing_as_a_call(dates.date_of_text)
parse_datetime = _failing_as_a_call(dates.datetime_of_text)
date_of = _failing_as_a_call(dates.day_of)
midnight_of = _failing_as_a_call(dates.midnight_of)
days_between = _failing_as_a_call(dates.days_between)
minutes_between = _failing_as_a_call(dates.minutes_between)
add_days = _failing_as_a_call(dates.add_days)
add_days_datetime = _failing_as_a_call(dates.add_days_datetime)
add_hours = _failing_as_a_call(dates.add_hours)
add_minutes = _failing_as_a_call(dates.add_minutes)


def now(state) -> str:
    """`now()`: the environment's clock, a datetime."""
    return state.clock


def today(state) -> str:
    """`today()`: the day of the environment's clock."""
    return state.clock[:10]
