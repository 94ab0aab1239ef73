"""One environment session: live state, tool calls as transactions, savepoints, and the reward.

    env = domain.env()                        # made by a CompiledDomain (scaleenv_dsl.api)
    env.reset(task)                           # back to the initial data (+ the task's overlay)
    env.reset(task, clock="2024-03-01T09:00") # … with now() reading that time (see `clock`)
    result = env.call("get_order_details", {"order_id": "#W1"})
    result.ok, result.value, result.error     # error: CallError(kind, message, guard, loc)
    mark = env.savepoint(); ...; env.rollback(mark)   # a planner backtracks
    env.changes()                             # {"changed": {coll: {key: row}}, "removed": {coll: [keys]}}
    env.reward(task, trajectory=...)          # RewardResult, see runtime/reward.py

Environments made from the same data share one `World`: the initial data, read
by every env and written by none, and the cached goal state of each task. An env
copies a row only when a tool first writes it (see runtime/state.py), so a new
env costs O(collections) and a reset O(changes), never a copy of the database.
Each env is independent: threads may drive their own envs at once.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import dates, ir
from .errors import INTERNAL, INVALID_ARGUMENTS, RUNTIME, UNKNOWN_TOOL, ToolError
from .journal import rollback as rollback_journal
from .overlay import apply_overlay, check_overlay
from .reward import (RewardResult, Trajectory, as_trajectory, failed_goals, judge, missing_actions,
                     missing_communicate, state_differences)
from .state import State
from .validate import MAX_STRING, ArgumentBinder, ArgumentError, json_kind, measure
from .values import deep_copy, jcopy, rows_equal

if TYPE_CHECKING:
    from ..api import CompiledDomain

MAX_ARGUMENT_TEXT = 1_000_000
EXPECTED_CACHE_SIZE = 4_096   # tasks whose gold actions' changes a world keeps


# ---------------------------------------------------------------- results

@dataclass(frozen=True, slots=True)
class CallError:
    kind: str      # see scaleenv_dsl.runtime.errors: require, not_found, invariant, ...
    message: str
    guard: str | None = None  # the id of the contract's guard that fired, e.g. "cancel_pending_order#4"
    loc: str | None = None    # where it is in the spec, "file:line:col"

    def to_json(self) -> dict:
        return _with_origin({"kind": self.kind, "message": self.message}, self)


def _with_origin(out: dict, error: CallError) -> dict:
    """`out` with the error's guard and location, when codegen gave them."""
    if error.guard is not None:
        out["guard"] = error.guard
    if error.loc is not None:
        out["loc"] = error.loc
    return out


class CallResult:
    """The outcome of one tool call: a JSON value, or a structured error."""

    __slots__ = ("ok", "value", "error")

    def __init__(self, ok: bool, value: Any = None, error: CallError | None = None):
        self.ok = ok
        self.value = value
        self.error = error

    def to_json(self) -> dict:
        if self.ok:
            return {"ok": True, "result": self.value}
        return _with_origin({"ok": False, "error": self.error.message, "kind": self.error.kind}, self.error)

    def as_step(self) -> dict:
        """The outcome in the conformance cases format."""
        if self.ok:
            return {"ok": True, "result": self.value}
        return {"ok": False, "error": self.error.message}

    def __repr__(self) -> str:
        return f"CallResult(ok=True, value={self.value!r})" if self.ok else f"CallResult(ok=False, error={self.error!r})"


def _failure(kind: str, message: str) -> CallResult:
    return CallResult(False, None, CallError(kind, message))


def _tool_failure(err: ToolError, guard_locations: dict[str, str]) -> CallResult:
    # generated code names the contract's guard that fired; where it stands comes from the IR
    return CallResult(False, None, CallError(err.kind, err.message, err.guard, guard_locations.get(err.guard)))


# ---------------------------------------------------------------- shared pieces

class ToolEntry:
    """A generated tool function and the binder that checks its arguments."""

    __slots__ = ("function", "bind")

    def __init__(self, function, binder: ArgumentBinder):
        self.function = function
        self.bind = binder.bind


class World:
    """Initial data shared, read-only, by every Env made from it. Never changed after construction.

    `trusted` says the data was checked against the schema, so the generated per-type copiers
    (which copy what the schema says holds containers) copy its rows completely; rows of other
    data are copied generically.
    """

    def __init__(self, domain: CompiledDomain, data: dict, source: object, *, trusted: bool = True):
        self.source = source  # what the data was made from, to notice a changed data file
        if not isinstance(data, dict) or not all(isinstance(rows, dict) for rows in data.values()):
            raise ValueError("the data must be an object of collections: {collection: {key: row}}")
        self.synthesized = {e.collection for e in domain.ir.entities if e.collection not in data}
        for collection in self.synthesized:
            data[collection] = {}  # tools can always reach every collection
        # rows stored without their key (`key … from map`) get it back: tools, goals and
        # invariants read it as any field; dump() leaves it out again
        self.base = ir.keyed_rows(domain.keyless, data)
        self.row_copiers = domain.module.copiers if trusted else {}
        # (id(task), clock) -> (task, expected changes): the gold actions' changes depend on the time
        self.expected: dict[tuple[int, str | None], tuple[ir.TaskDef, dict]] = {}
        self.scratch: Env | None = None
        self.lock = threading.Lock()  # guards `scratch` and `expected`, which envs on several threads share


# ---------------------------------------------------------------- environments

class Env:
    """One environment: live state, the tools, and the reward."""

    def __init__(self, domain: CompiledDomain, world: World, *, clock: str | None = None):
        self.domain = domain
        self._world = world
        self._tools = domain.tool_entries
        self._invariants = domain.module.invariants
        self._invariant_dependents = domain.invariant_dependents
        self._state = State(world.base, world.row_copiers)
        self._task: ir.TaskDef | None = None
        self._calls: list[tuple[str, list]] = []  # (tool, bound arguments) of each call since reset
        self._savepoints: list[tuple[int, int, set, set]] = []
        self._step_limit = domain.ir.step_limit
        self._size_limit = domain.ir.size_limit
        # this env's clock where a task sets none: `env(clock=…)`, else the domain header's
        self._clock = clock_text(clock) if clock is not None else domain.ir.clock
        self._state.clock = self._clock

    @property
    def clock(self) -> str | None:
        """What `now()` reads in this episode: an ISO datetime with seconds, or None when the
        domain has no clock. Set at reset, by precedence: `reset(clock=…)`, the task's `clock`,
        `env(clock=…)`, the domain header's `clock`. Never the machine's clock."""
        return self._state.clock

    # ------------------------------------------------------------ reset
    def reset(self, task: ir.TaskDef | str | None = None, *, initial: dict | None = None,
              clock: str | None = None) -> "Env":
        """Back to the initial data, then merge the task's `initial` overlay (and `initial`, if given).
        The clock is `clock` if given, else the task's, else this env's (see `Env.clock`)."""
        task = self.domain.task(task) if isinstance(task, str) else task
        # refuse a bad overlay or clock before anything changes (a task's was checked with its spec)
        if initial is not None:
            self.domain.check_initial(initial)
        if clock is not None:
            clock = clock_text(clock)
        if task is not None:
            check_overlay(task.initial)
        state = self._state
        state.restart()
        self._calls.clear()
        self._savepoints.clear()
        self._task = task
        state.clock = clock or (task.clock if task is not None else None) or self._clock
        keyless = self.domain.keyless
        if task is not None and task.initial:
            apply_overlay(state, task.initial, keyless)
        if initial:
            apply_overlay(state, initial, keyless)
        return self

    # ------------------------------------------------------------ calls
    def call(self, tool: str, arguments: dict | str | None = None) -> CallResult:
        """Run a tool as a transaction. Never raises: every failure is a CallResult with an error."""
        entry = self._tools.get(tool) if type(tool) is str else None
        if entry is None:
            return _unknown_tool(tool)
        try:
            args = entry.bind(arguments if type(arguments) is dict else _parse_arguments(arguments))
        except ArgumentError as err:
            return _failure(INVALID_ARGUMENTS, err.message)
        except RecursionError:
            return _failure(INVALID_ARGUMENTS, "the arguments nest too deeply")
        except Exception as err:  # an object no JSON decoder makes, such as a key whose str() fails
            return _failure(INVALID_ARGUMENTS, f"the arguments are not JSON values ({type(err).__name__})")
        # bound arguments are checked copies, and generated code copies what it stores or returns,
        # so the record cannot change later; a call that then fails still counts as made (as in tau2)
        self._calls.append((tool, args))
        state = self._state
        mark = len(state.journal)
        state.steps = self._step_limit
        state.room = self._size_limit
        try:
            value = entry.function(state, *args)
            if state.call_touched or state.call_touched_all:
                self._commit_call()
        except ToolError as err:
            self._abort_call(mark)
            return _tool_failure(err, self.domain.guard_locations)
        except Exception as err:  # Python's own errors inside a tool: the call fails, state is restored
            self._abort_call(mark)
            return _failure(*_python_error(err))
        except BaseException:  # an interrupt or a timeout signal: still no half-done call, then re-raised
            self._abort_call(mark)
            raise
        return CallResult(True, value)

    def _commit_call(self) -> None:
        """Check the invariants of the rows the call reached, then remember them for changes()."""
        state = self._state
        if self._invariants:
            self._check_invariants()
        state.touched.update(state.call_touched)
        state.call_touched.clear()
        if state.call_touched_all:
            state.touched_all.update(state.call_touched_all)
            state.call_touched_all.clear()

    def _check_invariants(self) -> None:
        """Raises ToolError(kind="invariant") for the first row that breaks one: in the rows the
        call reached, and in every row of an entity whose invariants read a collection it changed."""
        state, invariants = self._state, self._invariants
        data = state.data
        reached = set(state.call_touched)
        for collection, key in reached:
            check = invariants.get(collection)
            row = data[collection].get(key) if check is not None else None
            if row is not None:
                check(row, data)
        whole = state.call_touched_all  # collections whose every row is checked
        if self._invariant_dependents:
            whole = set(whole)
            for collection in whole | {collection for collection, _ in reached}:
                whole |= self._invariant_dependents.get(collection, set())
        for collection in whole:
            check = invariants.get(collection)
            if check is not None:
                for row in data.get(collection, {}).values():
                    check(row, data)

    def _abort_call(self, mark: int) -> None:
        rollback_journal(self._state.journal, mark)
        self._state.call_touched.clear()
        self._state.call_touched_all.clear()

    # ------------------------------------------------------------ savepoints
    def savepoint(self) -> int:
        """A mark for rollback(): the state, the rows changes() counts as reached, and the calls made.

        Costs the size of the reached rows' set, not of the database. Marks are dropped by reset().
        """
        state = self._state
        self._savepoints.append((len(state.journal), len(self._calls), set(state.touched),
                                 set(state.touched_all)))
        return len(self._savepoints) - 1

    def rollback(self, mark: int) -> None:
        """Undo every call made since savepoint() returned `mark`. The mark stays valid, so a planner
        can try several branches from it; marks taken after it are dropped."""
        if type(mark) is not int or not 0 <= mark < len(self._savepoints):
            raise ValueError(f"{mark!r} is not a savepoint of this env since its last reset "
                             f"(it has {len(self._savepoints)})")
        journal_length, calls, touched, touched_all = self._savepoints[mark]
        del self._savepoints[mark + 1:]
        state = self._state
        rollback_journal(state.journal, journal_length)
        del self._calls[calls:]
        # restored in place: the saved sets stay intact for the next rollback to this mark
        state.touched.clear()
        state.touched.update(touched)
        state.touched_all.clear()
        state.touched_all.update(touched_all)

    # ------------------------------------------------------------ state
    def unchanged(self) -> bool:
        """Whether the state is the initial data as it is: nothing written since reset, no overlay.
        (Every change is journalled; a failed call's is undone.) A read's answer then depends on
        its arguments alone."""
        return not self._state.journal

    def changed_rows(self) -> dict[tuple[str, Any], frozenset[str]]:
        """(collection, key) of each row that differs from the initial data -> the names of its
        top-level fields that differ, or {"*"} for a row added or removed. A read that reads none
        of these answers as it would on the initial data."""
        state, base = self._state, self._world.base
        out: dict[tuple[str, Any], frozenset[str]] = {}
        if not state.journal:
            return out
        for collection, key in self._reached():
            live = state.data.get(collection, {}).get(key)
            before = base.get(collection, {}).get(key)
            if live is None or before is None:
                if live is not before:
                    out[(collection, key)] = frozenset("*")
            elif live is not before:
                names = frozenset(name for name in live.keys() | before.keys()
                                  if not rows_equal(live.get(name), before.get(name)))
                if names:
                    out[(collection, key)] = names
        return out

    def changes(self) -> dict:
        """What differs from the initial data: {"changed": {coll: {key: row}}, "removed": {coll: [keys]}}.

        Rows are as tools see them: a keyless row (`key … from map`) has its key field here,
        unlike in dump(), state() and replay's recorded rows."""
        changed, removed = self._differences()
        copiers = self.domain.module.copiers
        return {"changed": {c: {k: copiers.get(c, jcopy)(row) for k, row in rows.items()}
                            for c, rows in changed.items()},
                "removed": removed}

    def _differences(self) -> tuple[dict, dict]:
        """Changed rows (live, not copied) and removed keys, from the rows reached since reset."""
        state, base = self._state, self._world.base
        changed: dict[str, dict] = {}
        removed: dict[str, list] = {}
        for collection, key in sorted(self._reached()):  # a set: sorted, so that output is reproducible
            live = state.data.get(collection, {}).get(key)
            before = base.get(collection, {}).get(key)
            if live is None:
                if before is not None:
                    removed.setdefault(collection, []).append(key)
            elif before is None or not rows_equal(live, before):
                changed.setdefault(collection, {})[key] = live
        return changed, removed

    def _reached(self):
        state = self._state
        if not state.touched_all:
            return state.touched
        reached = set(state.touched)
        for collection in state.touched_all:
            for source in (state.data.get(collection, {}), self._world.base.get(collection, {})):
                reached.update((collection, key) for key in source)
        return reached

    def state(self) -> dict:
        """A copy of the whole state, in the data file's shape."""
        return {c: deep_copy(rows) for c, rows in self._collections().items()}

    def dump(self, indent: int | None = 2) -> str:
        """The whole state as JSON text, in the data file's shape."""
        return json.dumps(self._collections(), indent=indent, ensure_ascii=False, allow_nan=False)

    def _collections(self) -> dict:
        """The live collections in the data file's shape: less the empty ones added for entities
        the data file lacks, and with keyless rows (`key … from map`) stored without their key."""
        synthesized = self._world.synthesized
        live = {c: rows for c, rows in self._state.data.items() if rows or c not in synthesized}
        return ir.stored_rows(self.domain.keyless, live)

    # ------------------------------------------------------------ reward
    def reward(self, task: ir.TaskDef | str | dict | None = None, *,
               trajectory: Trajectory | dict | None = None) -> RewardResult:
        """Score this env against a task's reward bases, or against expected changes
        {"changed": …, "removed": …} (the `state` basis alone). Without a task, the one given
        to the last reset() is used.

        `trajectory` is what the agent did: its calls (for `actions`) and its messages to the
        user (for `communicate`). The calls default to those made through call() since reset();
        messages cannot be recorded here, so a `communicate` basis without them is incomplete.
        The rules of each basis are in scaleenv_dsl.runtime.reward.
        """
        goal = self._task if task is None else task
        if goal is None:
            raise ValueError("reward() needs a task or expected changes")
        trajectory = as_trajectory(trajectory)
        if isinstance(goal, dict):
            result = RewardResult(None, differences=self._state_differences(goal), checked=["state"])
            return judge(result)
        task = self.domain.task(goal) if isinstance(goal, str) else goal
        result = RewardResult(None)
        for basis in task.reward or ["state"]:
            if basis == "state":
                result.differences = self._state_differences(self._expected_changes(task))
            elif basis == "goal":
                result.failed_goals = self.failed_goals(task)
            elif basis == "actions":
                result.missing_actions = missing_actions(task.actions, self._agent_calls(trajectory),
                                                         self._bind_quietly)
            elif basis == "communicate":
                if task.communicate and trajectory.messages is None:
                    result.incomplete.append(basis)
                    continue
                result.missing_communicate = missing_communicate(task.communicate, trajectory.messages or ())
            else:
                raise ValueError(f"task {task.name!r} has an unknown reward basis {basis!r}")
            result.checked.append(basis)
        return judge(result)

    def failed_goals(self, task: ir.TaskDef | str) -> list[int]:
        """Indexes of the task's goal predicates that are false (or fail) in the current state."""
        task = self.domain.task(task) if isinstance(task, str) else task
        return failed_goals(self.domain.module.goals.get(task.name, ()), self._state.data)

    def _state_differences(self, expected: dict) -> list[dict]:
        keyless = self.domain.keyless
        if keyless and isinstance(expected.get("changed"), dict):
            # expected rows in the data file's shape (replay's) are compared with their key, as live rows hold it
            expected = {**expected, "changed": ir.keyed_rows(keyless, expected["changed"])}
        return state_differences(self.domain.comparer, expected, self._reached(), self._state.data,
                                 self._world.base)

    def _agent_calls(self, trajectory: Trajectory) -> list[tuple[str, list | None]]:
        """The trajectory's calls with bound arguments (None when they do not bind), else this env's."""
        if not trajectory.calls:
            return self._calls
        return [(tool, self._bind_quietly(tool, arguments)) for tool, arguments in trajectory.calls]

    def _bind_quietly(self, tool: str, arguments) -> list | None:
        """The arguments as the tool would receive them, or None if the call would be refused."""
        entry = self._tools.get(tool)
        if entry is None:
            return None
        try:
            return entry.bind(arguments if type(arguments) is dict else _parse_arguments(arguments))
        except Exception:  # ArgumentError, RecursionError, or an object no JSON decoder makes
            return None

    def _expected_changes(self, task: ir.TaskDef) -> dict:
        """The changes the task's gold actions make, replayed once on a scratch env and cached."""
        world = self._world
        key = (id(task), self.clock)  # gold actions run at this episode's time
        cached = world.expected.get(key)
        if cached is not None and cached[0] is task:
            return cached[1]
        with world.lock:  # one scratch env for the world: replay on it one task at a time
            if world.scratch is None:
                world.scratch = Env(self.domain, world)
            scratch = world.scratch.reset(task, clock=self.clock)
            for action in task.actions:
                scratch.call(action.tool, action.arguments)
            expected = scratch.changes()
            if len(world.expected) >= EXPECTED_CACHE_SIZE:
                world.expected.clear()   # a synthesizer's tasks are each rewarded a few times, then never again
            world.expected[key] = (task, expected)
        return expected


def clock_text(text) -> str:
    """A clock given to `env(clock=…)` or `reset(clock=…)`, as the ISO datetime with seconds it names."""
    parsed = dates.parse_datetime(text)
    if parsed is None:
        raise ValueError(f"the clock must be an ISO datetime {dates.DATETIME_FORMAT}, such as "
                         f"2024-03-01T09:00:00, not {text!r:.60}")
    return dates.datetime_text(parsed)


def _parse_arguments(arguments) -> dict:
    """Arguments given other than as a plain dict: none, a dict subclass, or JSON text."""
    if arguments is None:
        return {}
    if isinstance(arguments, dict):  # a dict subclass, such as an OrderedDict
        return dict(arguments)
    if type(arguments) is str:  # function-calling APIs deliver arguments as JSON text
        if len(arguments) > MAX_ARGUMENT_TEXT:
            raise ArgumentError("the arguments text is too long")
        try:
            arguments = json.loads(arguments)
        except ValueError as err:
            raise ArgumentError(f"the arguments are not valid JSON: {err}") from None
        measure(arguments)
    return arguments


def _unknown_tool(tool) -> CallResult:
    if type(tool) is not str:
        return _failure(UNKNOWN_TOOL, f"the tool name must be a string, got {json_kind(tool)}")
    return _failure(UNKNOWN_TOOL, f"unknown tool {tool[:100]!r}")


def _python_error(err: Exception) -> tuple[str, str]:
    """(kind, message) for a Python error raised inside generated code: Python's own text."""
    if isinstance(err, KeyError):
        return RUNTIME, f"no field or key {err.args[0]!r}" if err.args else "missing key"
    if isinstance(err, RecursionError):
        return RUNTIME, "the call nests too deeply"
    if isinstance(err, MemoryError):
        return RUNTIME, "out of memory"
    # RuntimeError: a map changed size while a loop iterated it, as in Python
    if isinstance(err, (ArithmeticError, LookupError, ValueError, TypeError, RuntimeError)):
        return RUNTIME, str(err)[:MAX_STRING] or type(err).__name__
    return INTERNAL, f"{type(err).__name__}: {str(err)[:1000]}"
