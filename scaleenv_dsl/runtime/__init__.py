"""The small library that generated environment modules import, and nothing else.

Generated code binds these names once at module level (`_lookup = _rt.lookup`)
so that the hot paths read module globals, not attributes. The environment
session (`runtime.env`) and the reward (`runtime.reward`) live beside it; they
are not imported here, so generated modules do not load them.
"""

from .arithmetic import evaluate as arithmetic
from .dates import (add_days, add_days_datetime, add_hours, add_minutes, date_of, datetime_key, days_between,
                    midnight_of, minutes_between, now, parse_date, parse_datetime, today)
from .errors import ToolError, invariant_failed, postcondition_failed
from .limits import arithmetic_any, concat, join, measured, number, replace, sized, steps
from .limits import to_json as to_json_charged
from .journal import append, extend, remove, set_index, set_key, sort, update, value_at
from .state import (State, delete, delete_entry, get_touch, insert, is_variant, items_touch, lookup, lookup_touch,
                    map_get, require_present, touch_all, values_touch)
from .ids import new_id
from .values import bounded, copy_flat, copy_list, copy_map, jcopy, round_number, to_json

__all__ = [
    "arithmetic", "ToolError",
    "add_days", "add_days_datetime", "add_hours", "add_minutes", "date_of", "datetime_key", "days_between",
    "midnight_of", "minutes_between", "now", "parse_date", "parse_datetime", "today", "invariant_failed", "postcondition_failed",
    "arithmetic_any", "concat", "join", "measured", "number", "replace", "sized", "steps", "to_json_charged",
    "append", "extend", "remove", "set_index", "set_key", "sort", "update", "value_at",
    "State", "delete", "delete_entry", "get_touch", "insert", "is_variant", "items_touch", "lookup", "lookup_touch",
    "map_get", "require_present", "touch_all", "values_touch",
    "new_id", "bounded", "copy_flat", "copy_list", "copy_map", "jcopy", "round_number", "to_json",
]
