"""Rules over tasks: a goal or a gold action that names a row that is not there.

Each task is followed from its start (the data with its `initial` merged in) through its gold
actions: a row an action inserts under a key it was given exists afterwards, a row it deletes
no longer does. An action's argument that refers to rows (`ref Order`, `ref User.payment_methods`,
`ref Order.items.item_id`) must name one that exists when the action runs; a goal's lookup with a
constant key must find its row when the task ends. Whatever cannot be followed statically (an
insert under a computed key, a change to the map a reference points into) stops the rule for
that entity rather than guess.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ir
from ..check.evaluate import Evaluator, Failed, Undecided
from ..check.invariants import with_overlay
from .findings import Findings
from .guards import sometimes_evaluated, span_key

REFERENCE_SOURCES = ("keys", "map-keys", "member-keys")
HELP = "fix the key, or add the row: to the data, to the task's `initial`, or by an earlier gold action"


def missing_rows(domain: ir.Domain, data: Any) -> Findings:
    found = Findings(domain)
    if data is None:  # the data could not be read: nothing to hold the tasks to
        return found
    sets = KeySets()
    for task in domain.tasks:
        overlay = ir.keyed_rows(ir.keyless_collections(domain), task.initial)
        rows = TaskRows(domain, with_overlay(data, overlay) if task.initial else data, sets)
        for action in task.actions:
            if _check_action(found, task, action, domain.tool(action.tool), rows):
                rows.apply(domain.tool(action.tool), action.arguments)
        for goal in task.goals:
            _check_goal(found, task, goal, rows)
    return found


def _check_action(found: Findings, task: ir.TaskDef, action: ir.ActionCall, tool: ir.ToolDef,
                  rows: "TaskRows") -> bool:
    """Report the arguments naming no row; True when there are none (the action can take effect)."""
    clean = True
    for source in tool.contract.params if tool.contract else ():
        value = action.arguments.get(source.param)
        if source.source not in REFERENCE_SOURCES or value is None:
            continue
        listed = source.element and isinstance(value, list)
        for key in value if listed else [value]:
            if rows.exists(source, key) is False:
                clean = False
                given = f"{json.dumps(key)} in its `{source.param}`" if listed else f"{source.param}={json.dumps(key)}"
                found.report("missing-row", f"task `{task.name}`: `{tool.name}` gets {given}, but "
                             f"{_absent(source, key)} when it runs", action.loc, HELP)
    return clean


def _check_goal(found: Findings, task: ir.TaskDef, goal: ir.Expr, rows: "TaskRows") -> None:
    skipped = sometimes_evaluated([(goal, False)])
    constants = Evaluator(rows.domain, None)
    for node in ir.walk(goal):
        if not isinstance(node, ir.Lookup) or span_key(node.loc) in skipped:
            continue
        try:
            key = constants.value(node.key)
        except (Undecided, Failed):
            continue
        if rows.has_row(node.entity, key) is False:
            found.report("missing-row", f"task `{task.name}`: the goal reads {node.entity} {json.dumps(key)}, "
                         f"which {rows.why_absent(node.entity, key)}, so the goal never holds",
                         node.loc or goal.loc, HELP)


def _absent(source: ir.ParamDomain, key) -> str:
    if source.source == "keys":
        return f"there is no {source.entity} {json.dumps(key)}"
    if source.source == "map-keys":
        return f"no {source.entity}'s `{'.'.join(source.path)}` has the key {json.dumps(key)}"
    return f"no {source.entity}'s `{'.'.join(source.path[:-1])}` has a member whose `{source.path[-1]}` is " \
           f"{json.dumps(key)}"


class KeySets:
    """Keys found in collections, cached by the collection object: tasks share the rows their
    overlays leave alone."""

    def __init__(self):
        self._cache: dict[tuple, frozenset] = {}

    def inner(self, rows: dict, source: str, path: tuple[str, ...]) -> frozenset:
        key = (id(rows), source, path)
        if key not in self._cache:
            self._cache[key] = frozenset(k for row in rows.values() for k in _inner_keys(row, source, path))
        return self._cache[key]


class TaskRows:
    """Which rows exist at one point of a task: the start, then each gold action's inserts and deletes."""

    def __init__(self, domain: ir.Domain, data: dict, sets: KeySets):
        self.domain = domain
        self.data = data
        self.sets = sets
        self.inserted: dict[str, set] = {}
        self.deleted: dict[str, set] = {}
        self.untracked: set[tuple[str, str]] = set()  # (entity, field) the actions changed in ways not followed

    def exists(self, source: ir.ParamDomain, key) -> bool | None:
        if source.source == "keys":
            return self.has_row(source.entity, key)
        changed = {(source.entity, source.path[0]), (source.entity, "*")} & self.untracked
        if changed or self.inserted.get(source.entity):  # new rows hold keys no one wrote down here
            return None
        rows = self._rows(source.entity)
        return None if rows is None else key in self.sets.inner(rows, source.source, source.path)

    def has_row(self, entity: str, key) -> bool | None:
        if (entity, "*") in self.untracked or not isinstance(key, str):
            return None
        if key in self.inserted.get(entity, ()):
            return True
        if key in self.deleted.get(entity, ()):
            return False
        rows = self._rows(entity)
        return None if rows is None else rows.get(key) is not None

    def why_absent(self, entity: str, key) -> str:
        if key in self.deleted.get(entity, ()):
            return "a gold action deletes"
        return "does not exist when the task ends"

    def _rows(self, entity: str) -> dict | None:
        rows = self.data.get(self.domain.entity(entity).collection, {})
        return rows if isinstance(rows, dict) else None

    def apply(self, tool: ir.ToolDef, arguments: dict) -> None:
        """What the action changes, as far as it can be followed from its arguments."""
        constants = Evaluator(self.domain, None)
        for effect in tool.contract.effects if tool.contract else ():
            if effect.op in ("insert", "delete"):
                key = _known_key(constants, effect, arguments)
                if key is None and effect.op == "insert":
                    self.untracked.add((effect.entity, "*"))
                elif effect.op == "insert":
                    self.inserted.setdefault(effect.entity, set()).add(key)
                    self.deleted.get(effect.entity, set()).discard(key)
                elif key is not None and not effect.when:  # a delete that may not happen proves nothing
                    self.deleted.setdefault(effect.entity, set()).add(key)
                    self.inserted.get(effect.entity, set()).discard(key)
            else:
                self.untracked.add((effect.entity, effect.path[0] if effect.path else "*"))


def _known_key(constants: Evaluator, effect: ir.Effect, arguments: dict) -> str | None:
    if effect.opaque or effect.in_loop or effect.key is None:
        return None
    try:
        key = constants.value(effect.key, env=arguments)
    except (Undecided, Failed):
        return None
    return key if isinstance(key, str) else None


def _inner_keys(row: Any, source: str, path: tuple[str, ...]):
    """The map keys (`map-keys`) or member key values (`member-keys`) at `path` in a row."""
    values = [row]
    for step in path:
        values = [item[step] for v in values for item in (v if isinstance(v, list) else [v])
                  if isinstance(item, dict) and step in item]
    for value in values:
        if source == "map-keys" and isinstance(value, dict):
            yield from value
        elif source == "member-keys" and isinstance(value, str):
            yield value
