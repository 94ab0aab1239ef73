"""The shape of a cases file, checked whole before anything is replayed.

    {"cases": [{"id": "c1",                                    # optional: a string or an integer
                "initial": {collection: {key: row | null}},   # optional
                "actions": [{"name": tool, "arguments": {...}}, ...],
                "expect": {"steps": [{"ok": true, ...}, ...],  # optional, each part too
                           "changed": {collection: {key: row | null}},
                           "removed": {collection: [key, ...]}}}]}

`cases_problems` lists every problem, each as `JSON path: what is wrong`, so a
hand-edited or generated file gets all its mistakes at once instead of a crash
halfway through the replay.
"""

from __future__ import annotations

import json

from .runtime.validate import json_kind

MAX_KEY_SHOWN = 40  # a path names the file's own keys; a hostile file's keys may be megabytes long


def cases_problems(doc) -> list[str]:
    """Every problem with the shape of a parsed cases file; [] if it can be replayed and compared."""
    if not isinstance(doc, dict):
        return [f'the file: expected an object with "cases", got {json_kind(doc)}']
    cases = doc.get("cases")
    if not isinstance(cases, list):
        return [f"cases: expected a list of cases, got {json_kind(cases)}"]
    problems: list[str] = []
    first_with_id: dict[str, int] = {}
    for index, case in enumerate(cases):
        where = f"cases[{index}]"
        if not isinstance(case, dict):
            problems.append(f'{where}: expected an object with "actions", got {json_kind(case)}')
            continue
        _check_id(case, where, index, first_with_id, problems)
        _check_rows(case.get("initial"), f"{where}.initial", problems)
        _check_actions(case.get("actions", []), f"{where}.actions", problems)
        _check_expect(case.get("expect", {}), f"{where}.expect", problems)
    return problems


def _check_id(case: dict, where: str, index: int, first_with_id: dict[str, int], problems: list[str]) -> None:
    if "id" not in case:
        return
    case_id = case["id"]
    if isinstance(case_id, bool) or not isinstance(case_id, (str, int)):
        problems.append(f"{where}.id: expected a string or an integer, got {json_kind(case_id)}")
        return
    # the comparison matches cases by id: a second case with the same id would hide the first
    earlier = first_with_id.setdefault(str(case_id), index)
    if earlier != index:
        problems.append(f"{where}.id: {_key(str(case_id))} is also the id of cases[{earlier}]")


def _check_actions(actions, where: str, problems: list[str]) -> None:
    if not isinstance(actions, list):
        problems.append(f"{where}: expected a list of actions, got {json_kind(actions)}")
        return
    for index, action in enumerate(actions):
        at = f"{where}[{index}]"
        if not isinstance(action, dict):
            problems.append(f'{at}: expected an object with "name" and "arguments", got {json_kind(action)}')
            continue
        if "name" not in action and "tool" in action:  # a habit of other trace formats
            problems.append(f'{at}: the tool is named by the key "name", not "tool"')
        elif not isinstance(action.get("name"), str):
            problems.append(f"{at}.name: expected a tool name (a string), got {json_kind(action.get('name'))}")
        if not isinstance(action.get("arguments", {}), dict):
            problems.append(f"{at}.arguments: expected an object, got {json_kind(action['arguments'])}")


def _check_expect(expect, where: str, problems: list[str]) -> None:
    if not isinstance(expect, dict):
        problems.append(f"{where}: expected an object, got {json_kind(expect)}")
        return
    steps = expect.get("steps", [])
    if not isinstance(steps, list):
        problems.append(f"{where}.steps: expected a list of outcomes, got {json_kind(steps)}")
    else:
        for index, step in enumerate(steps):
            if not isinstance(step, dict) or not isinstance(step.get("ok", False), bool):
                problems.append(f'{where}.steps[{index}]: expected an object with "ok" true or false, '
                                f"got {_step_kind(step)}")
    _check_rows(expect.get("changed"), f"{where}.changed", problems)
    _check_removed(expect.get("removed"), f"{where}.removed", problems)


def _step_kind(step) -> str:
    return json_kind(step) if not isinstance(step, dict) else f'"ok": {json_kind(step["ok"])}'


def _collections(value, where: str, problems: list[str]) -> dict:
    """`value` as {collection: ...}: absent (null) is none, anything else but an object is a problem."""
    if value is not None and not isinstance(value, dict):
        problems.append(f"{where}: expected an object of collections, got {json_kind(value)}")
    return value if isinstance(value, dict) else {}


def _check_rows(rows, where: str, problems: list[str]) -> None:
    """{collection: {key: row or null}}, as an `initial` overlay and `changed` are."""
    for collection, table in _collections(rows, where, problems).items():
        at = f"{where}[{_key(collection)}]"
        if not isinstance(table, dict):
            problems.append(f"{at}: expected an object of rows by key, got {json_kind(table)}")
            continue
        for key, row in table.items():
            if row is not None and not isinstance(row, dict):
                problems.append(f"{at}[{_key(key)}]: expected a row (an object) or null, got {json_kind(row)}")


def _check_removed(removed, where: str, problems: list[str]) -> None:
    for collection, keys in _collections(removed, where, problems).items():
        at = f"{where}[{_key(collection)}]"
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            problems.append(f"{at}: expected a list of keys (strings), got {_list_kind(keys)}")


def _list_kind(value) -> str:
    if not isinstance(value, list):
        return json_kind(value)
    odd = next(item for item in value if not isinstance(item, str))
    return f"a list holding {json_kind(odd)}"


def _key(name: str) -> str:
    shown = name if len(name) <= MAX_KEY_SHOWN else name[:MAX_KEY_SHOWN] + "…"
    return json.dumps(shown, ensure_ascii=False)
