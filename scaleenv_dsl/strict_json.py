"""Read data JSON the way the language reads it: only what JSON itself allows.

Python's `json` module accepts more than JSON: `NaN`, `Infinity` and `-Infinity`,
duplicate keys (the last one silently wins) and ints of any size (until a
conversion limit raises a bare ValueError at 4,300 digits). Data is untrusted
input and `dump()` must write it back as JSON, so each of these is refused here
with its position in the text, before the schema is looked at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_LONG_NUMBER = re.compile(r"-?\d{4300,}")
MAX_PATH_SHOWN = 120


@dataclass
class StrictJSONError(Exception):
    """Text that is not JSON, or JSON the language refuses: where, what and how to fix it."""
    message: str
    line: int
    column: int
    help: str
    not_json: bool = False  # the text is not JSON at all, rather than JSON the language refuses

    def __str__(self) -> str:
        return f"line {self.line} column {self.column}: {self.message}"


class _NonJSONConstant(Exception):
    pass


@dataclass(frozen=True)
class _Refused:
    """Where the second, slower parse found a value that the first one refused."""
    text: str


class _KeptDuplicates(dict):
    """An object whose text repeated a key; `duplicates` names them, in order."""
    duplicates: list[str]


def _refuse_constant(name: str):
    raise _NonJSONConstant(name)


def _pairs_hook(repeated: list):
    """An object hook that marks objects with a repeated key, and notes in `repeated` that one did."""
    def pairs(pairs: list[tuple[str, Any]]) -> dict:
        row = dict(pairs)
        if len(row) == len(pairs):
            return row
        marked = _KeptDuplicates(row)
        seen: set[str] = set()
        marked.duplicates = [key for key, _ in pairs if key in seen or seen.add(key)]
        repeated.append(marked)
        return marked
    return pairs


def loads_strict(text: str) -> Any:
    """The parsed JSON, or StrictJSONError for text that is not JSON or JSON the language refuses."""
    repeated: list[dict] = []
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_pairs_hook(repeated))
    except _NonJSONConstant as err:
        name = str(err)
        raise _error(text, _outside_strings(text, name), f"{_path_of_refused(text)}: `{name}` is not a JSON number",
                     "write a finite number, or `null` where the field is optional") from None
    except json.JSONDecodeError as err:
        raise StrictJSONError(f"the data is not valid JSON: {err.msg}", err.lineno, err.colno,
                              "fix the JSON syntax", not_json=True) from None
    except ValueError:  # Python's int conversion limit: the only other ValueError json.loads raises
        found = _LONG_NUMBER.search(text)
        raise _error(text, found.start() if found else 0, f"{_path_of_refused(text)}: a number has over 4,300 digits",
                     "numbers in the data must lie within ±(2^53 − 1)") from None
    except RecursionError:
        raise StrictJSONError("the data nests too deeply", 1, 1, "flatten it", not_json=True) from None
    found = _first_or_top(data, lambda value: isinstance(value, _KeptDuplicates)) if repeated else None
    if found is not None:
        path, duplicates = found
        key = duplicates.duplicates[0]
        raise _error(text, _second_key(text, path, key),
                     f"{json_path(path + [key])}: the key appears twice in its object",
                     "JSON keeps only the last of them: remove or rename the other") from None
    return data


def _path_of_refused(text: str) -> str:
    """The JSON path of the first value the fast parse refused, found by a second parse that keeps
    such values as markers: the error path pays for it, a clean file never does."""
    def long_int(digits: str):
        return _Refused(digits) if len(digits) > 4299 else int(digits)
    data = json.loads(text, parse_constant=_Refused, parse_int=long_int)
    found = _first_or_top(data, lambda value: isinstance(value, _Refused))
    return json_path(found[0]) if found else "(the top level)"


def _first_or_top(data: Any, wanted) -> tuple[list, Any] | None:
    """`_first` from the top; data nested too deep to walk is reported at the top level."""
    try:
        return _first(data, [], wanted)
    except RecursionError:
        return None


def _first(value: Any, path: list, wanted) -> tuple[list, Any] | None:
    """The path and value of the first value, depth first, for which `wanted` holds."""
    if wanted(value):
        return path, value
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for step, child in children:
        found = _first(child, path + [step], wanted)
        if found is not None:
            return found
    return None


def json_path(path: list) -> str:
    """`orders["#W1"].items[0].price`: a collection, a row key, then fields and indexes."""
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
        elif i == 0:
            out += part
        elif i == 1:
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if part.isidentifier() else f"[{json.dumps(part)}]"
    if len(out) > MAX_PATH_SHOWN:  # hostile data nests deep or has megabyte keys: keep both ends
        out = out[:MAX_PATH_SHOWN // 3] + "…" + out[-(MAX_PATH_SHOWN * 2 // 3):]
    return out or "(the top level)"


_SPACE = re.compile(r"[ \t\n\r]*")
_VALUES = json.JSONDecoder()  # its raw_decode skips a value in C; the walk builds only the path


def offset_of_path(text: str, path: list) -> int:
    """The offset in `text` of the value at `path`: of its key for an object member, of the
    element for a list item. The walk follows the text's structure, so a key that also occurs
    as a value or a field elsewhere cannot mislead it. Where the path leaves the text (or the
    text is not JSON), the deepest offset reached."""
    at = _SPACE.match(text, 0).end()
    reached = at
    for step in path:
        try:
            found = _member(text, at, step) if isinstance(step, str) else _element(text, at, step)
        except (ValueError, IndexError):
            found = None
        if found is None:
            break
        reached, at = found
    return reached


def _member(text: str, at: int, key: str) -> tuple[int, int] | None:
    """(offset of the key, offset of its value) of the member `key` of the object at `at`."""
    if text[at] != "{":
        return None
    at = _SPACE.match(text, at + 1).end()
    while text[at] == '"':
        name, end = json.decoder.scanstring(text, at + 1)
        value_at = _SPACE.match(text, _SPACE.match(text, end).end() + 1).end()
        if name == key:
            return at, value_at
        at = _after_value(text, value_at)
    return None


def _element(text: str, at: int, index: int) -> tuple[int, int] | None:
    if text[at] != "[":
        return None
    at = _SPACE.match(text, at + 1).end()
    for _ in range(index):
        if text[at] == "]":
            return None
        at = _after_value(text, at)
    return None if text[at] == "]" else (at, at)


def _after_value(text: str, at: int) -> int:
    """The offset of the next member or element after the value at `at` (past its comma)."""
    _, end = _VALUES.raw_decode(text, at)
    end = _SPACE.match(text, end).end()
    return _SPACE.match(text, end + 1).end() if text[end] == "," else end


def _second_key(text: str, path: list, key: str) -> int:
    """The offset of the repeated key: its second occurrence after the keys of its path."""
    offset = offset_of_path(text, path)
    quoted = json.dumps(key)
    first = text.find(quoted, offset)
    second = text.find(quoted, first + 1) if first >= 0 else -1
    return second if second >= 0 else max(first, 0)


def _outside_strings(text: str, token: str) -> int:
    """The offset of `token` where it stands outside a JSON string (only called on the error path)."""
    in_string = escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith(token, offset):
            return offset
    return 0


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error(text: str, offset: int, message: str, help: str) -> StrictJSONError:
    return StrictJSONError(message, *line_column(text, offset), help)
