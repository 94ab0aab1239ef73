"""The environment API: load a domain, make environments, call tools, read state, reward.

    domain = load_domain("retail")            # a stdlib name, a spec file, or a spec's folder
    env = domain.env()                        # live state on the domain's initial data
    env.reset(task)                           # back to the initial data (+ the task's overlay)
    result = env.call("get_order_details", {"order_id": "#W1"})
    result.ok, result.value, result.error     # error: CallError(kind, message)
    env.changes()                             # {"changed": {coll: {key: row}}, "removed": {coll: [keys]}}
    env.reward(task)                          # RewardResult(reward=1.0 | 0.0, differences=[...], ...)

Generated source can be dumped for debugging with `load_domain(..., dump_source=DIR)`
(or `compile_domain`), which writes `DIR/<domain>_env.py`.
"""

from __future__ import annotations

import json
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ir
from .codegen import GeneratedModule, load_module
from .diagnostics import Diagnostic, render_text
from .runtime.compare import RowComparer, path_text, value_at_path
from .runtime.errors import INTERNAL, INVALID_ARGUMENTS, RUNTIME, UNKNOWN_TOOL, ToolError
from .runtime.journal import rollback
from .runtime.overlay import OverlayError, apply_overlay, check_overlay
from .runtime.state import State
from .runtime.validate import MAX_STRING, ArgumentBinder, ArgumentError, ValidatorFactory, json_kind, measure
from .runtime.values import deep_copy, jcopy, rows_equal
from .schemas import anthropic_tools, mcp_tools, openai_tools

MAX_ARGUMENT_TEXT = 1_000_000


class DomainLoadError(Exception):
    """A domain could not be loaded; `diagnostics` says why, `render()` shows them like `scaleenv check`."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None,
                 sources: dict[str, str] | None = None):
        self.diagnostics = list(diagnostics or [])
        self.sources = dict(sources or {})
        super().__init__(message)

    def render(self) -> str:
        if not self.diagnostics:
            return str(self)
        return render_text(self.diagnostics, self.sources)


# ---------------------------------------------------------------- results

@dataclass(frozen=True, slots=True)
class CallError:
    kind: str      # see scaleenv_dsl.runtime.errors: require, not_found, invariant, ...
    message: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message}


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
        return {"ok": False, "error": self.error.message, "kind": self.error.kind}

    def as_step(self) -> dict:
        """The outcome in the conformance cases format."""
        if self.ok:
            return {"ok": True, "result": self.value}
        return {"ok": False, "error": self.error.message}

    def __repr__(self) -> str:
        return f"CallResult(ok=True, value={self.value!r})" if self.ok else f"CallResult(ok=False, error={self.error!r})"


def _failure(kind: str, message: str) -> CallResult:
    return CallResult(False, None, CallError(kind, message))


@dataclass
class RewardResult:
    """1.0 when every checked basis holds, else 0.0, with what did not hold."""
    reward: float
    # {"collection", "key", "field", "expected", "actual"} for each field that differs from the goal state
    differences: list[dict] = field(default_factory=list)
    failed_goals: list[int] = field(default_factory=list)   # indexes into the task's `goals`
    checked: list[str] = field(default_factory=list)         # the reward bases that were checked
    unchecked: list[str] = field(default_factory=list)       # bases that need the agent's trajectory

    @property
    def ok(self) -> bool:
        return self.reward == 1.0


# ---------------------------------------------------------------- domains

class _ToolEntry:
    __slots__ = ("function", "bind")

    def __init__(self, function, binder: ArgumentBinder):
        self.function = function
        self.bind = binder.bind


class CompiledDomain:
    """A checked and compiled domain: makes environments and tool schemas."""

    def __init__(self, domain: ir.Domain, module: GeneratedModule):
        self.ir = domain
        self.name = domain.name
        self.module = module
        factory = ValidatorFactory(domain)
        self._tools = {t.name: _ToolEntry(module.tools[t.name], ArgumentBinder(t, factory)) for t in domain.tools}
        # collection -> entity collections whose invariants read it, so must be checked whole when it changes
        self._invariant_dependents: dict[str, set[str]] = {}
        for collection, reads in module.invariant_reads.items():
            for read in reads:
                self._invariant_dependents.setdefault(read, set()).add(collection)
        self._tasks = {t.name: t for t in domain.tasks}
        self.comparer = RowComparer(domain)
        self._default_world: _World | None = None

    @property
    def source(self) -> str:
        """The generated Python module."""
        return self.module.source

    @property
    def tool_names(self) -> list[str]:
        return list(self._tools)

    @property
    def tasks(self) -> list[ir.TaskDef]:
        return list(self.ir.tasks)

    def task(self, name: str) -> ir.TaskDef:
        try:
            return self._tasks[name]
        except KeyError:
            raise KeyError(f"domain {self.name!r} has no task {name!r}") from None

    def env(self, data: dict | None = None, *, validate: bool = True) -> "Env":
        """A fresh environment on the initial data, or on `data` (same JSON shape) if given.

        Given data is checked against the schema first (the data file was checked
        with the spec); a mismatch raises DomainLoadError with the diagnostics.
        """
        if data is None:
            return Env(self, self._initial_world())
        if validate:
            self._validate_data(data)
        return Env(self, _World(self, deep_copy(data), None))

    def _validate_data(self, data) -> None:
        from .check.data import validate_data

        diagnostics = [d for d in validate_data(self.ir, data) if d.is_error]
        if diagnostics:
            shown = "; ".join(d.message for d in diagnostics[:3])
            raise DomainLoadError(f"the data does not match the schema of {self.name}: {shown}", diagnostics)

    def _check_initial(self, initial: dict | None) -> None:
        """Raise OverlayError (a ValueError) unless `initial` is an overlay that fits the schema.

        Rows are checked as the checker checks a task's `initial`: fields may be left out (they
        are merged into existing rows), but each one given must have its declared type. A field
        the schema lacks would otherwise reach tools and, through shallow copies, their results.
        """
        if not check_overlay(initial):
            return
        from .check.data import DataValidator, definitions_of

        rows = {c: {k: row for k, row in rs.items() if row is not None} for c, rs in initial.items()}
        problems = DataValidator(definitions_of(self.ir), "<initial>", "", partial=True).validate(rows)
        errors = [d.message for d in problems if d.is_error]
        if errors:
            raise OverlayError(f"the initial overlay does not fit the schema of {self.name}: " + "; ".join(errors[:3]))

    def _initial_world(self) -> "_World":
        source = _read_data(self.ir.data_path)  # cached until the file changes
        if self._default_world is None or self._default_world.source is not source:
            self._default_world = _World(self, dict(source), source)
        return self._default_world

    def initial_data(self) -> dict:
        """A copy of the domain's initial data."""
        return deep_copy(self._initial_world().base)

    def openai_tools(self) -> list[dict]:
        return openai_tools(self.ir)

    def anthropic_tools(self) -> list[dict]:
        return anthropic_tools(self.ir)

    def mcp_tools(self) -> list[dict]:
        return mcp_tools(self.ir)

    def write_source(self, directory: str | os.PathLike) -> Path:
        """Write the generated module to DIRECTORY/<domain>_env.py and return its path."""
        return write_module_source(self, directory)


class _World:
    """Initial data shared by every Env made from it. Never changed after construction."""

    def __init__(self, domain: CompiledDomain, data: dict, source: object):
        self.source = source  # what the data was made from, to notice a changed data file
        if not isinstance(data, dict) or not all(isinstance(rows, dict) for rows in data.values()):
            raise ValueError("the data must be an object of collections: {collection: {key: row}}")
        self.synthesized = {e.collection for e in domain.ir.entities if e.collection not in data}
        for collection in self.synthesized:
            data[collection] = {}  # tools can always reach every collection
        self.base = data
        self.blob = marshal.dumps(data)
        self.expected: dict[int, tuple[ir.TaskDef, dict]] = {}  # id(task) -> (task, expected changes)
        self.scratch: Env | None = None

    def live_copy(self) -> dict:
        return marshal.loads(self.blob)


_DATA_CACHE: dict[str, tuple[tuple, dict]] = {}


def _read_data(path: str | None) -> dict:
    """The parsed data file, cached by path and modification time; callers copy it."""
    if path is None:
        return {}
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _DATA_CACHE.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError, RecursionError) as err:
        raise DomainLoadError(f"cannot read the data file {path}: {err}") from None
    _DATA_CACHE[path] = (stamp, data)
    return data


# ---------------------------------------------------------------- environments

class Env:
    """One environment: live state, the tools, and the reward."""

    def __init__(self, domain: CompiledDomain, world: _World):
        self.domain = domain
        self._world = world
        self._tools = domain._tools
        self._invariants = domain.module.invariants
        self._invariant_dependents = domain._invariant_dependents
        self._state = State(world.live_copy())
        self._task: ir.TaskDef | None = None

    # ------------------------------------------------------------ reset
    def reset(self, task: ir.TaskDef | str | None = None, *, initial: dict | None = None) -> "Env":
        """Back to the initial data, then merge the task's `initial` overlay (and `initial`, if given)."""
        task = self.domain.task(task) if isinstance(task, str) else task
        # refuse a bad overlay before anything changes (a task's was checked with its spec)
        if initial is not None:
            self.domain._check_initial(initial)
        if task is not None:
            check_overlay(task.initial)
        state = self._state
        rollback(state.journal, 0)
        state.call_touched.clear()
        state.call_touched_all.clear()
        state.touched.clear()
        state.touched_all.clear()
        self._task = task
        if task is not None and task.initial:
            apply_overlay(state, task.initial)
        if initial:
            apply_overlay(state, initial)
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
        state = self._state
        mark = len(state.journal)
        try:
            value = entry.function(state, *args)
            if state.call_touched or state.call_touched_all:
                self._commit_call()
        except ToolError as err:
            self._abort_call(mark)
            return _failure(err.kind, err.message)
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
        rollback(self._state.journal, mark)
        self._state.call_touched.clear()
        self._state.call_touched_all.clear()

    # ------------------------------------------------------------ state
    def changes(self) -> dict:
        """What differs from the initial data: {"changed": {coll: {key: row}}, "removed": {coll: [keys]}}."""
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
        return json.dumps(self._collections(), indent=indent, ensure_ascii=False)

    def _collections(self) -> dict:
        """The live collections, less the empty ones added for entities the data file lacks."""
        synthesized = self._world.synthesized
        return {c: rows for c, rows in self._state.data.items() if rows or c not in synthesized}

    # ------------------------------------------------------------ reward
    def reward(self, goal: ir.TaskDef | str | dict | None = None) -> RewardResult:
        """Compare this env's state with a goal: a task (its gold actions' final state, and its goal
        predicates if its reward includes "goal"), or expected changes {"changed": …, "removed": …}.
        Without a goal, the task given to the last reset() is used."""
        goal = self._task if goal is None else goal
        if goal is None:
            raise ValueError("reward() needs a task or expected changes")
        if isinstance(goal, dict):
            return self._reward_state(goal, RewardResult(1.0, checked=["state"]))
        task = self.domain.task(goal) if isinstance(goal, str) else goal
        bases = task.reward or ["state"]
        result = RewardResult(1.0, checked=[b for b in bases if b in ("state", "goal")],
                              unchecked=[b for b in bases if b not in ("state", "goal")])
        if "state" in bases:
            self._reward_state(self._expected_changes(task), result)
        if "goal" in bases:
            result.failed_goals = self.failed_goals(task)
        if result.differences or result.failed_goals:
            result.reward = 0.0
        return result

    def failed_goals(self, task: ir.TaskDef | str) -> list[int]:
        """Indexes of the task's goal predicates that are false (or fail) in the current state."""
        task = self.domain.task(task) if isinstance(task, str) else task
        goals = self.domain.module.goals.get(task.name, ())
        failed = []
        for index, goal in enumerate(goals):
            try:
                holds = goal(self._state.data)
            except Exception:  # a lookup that fails means the goal does not hold
                holds = False
            if holds is not True:
                failed.append(index)
        return failed

    def _reward_state(self, expected: dict, result: RewardResult) -> RewardResult:
        expected_changed = expected.get("changed") or {}
        expected_removed = {c: set(keys) for c, keys in (expected.get("removed") or {}).items()}
        # every row that may differ from the initial data: reached by a call since reset, or expected to change
        keys = set(self._reached())
        keys |= {(c, k) for c, rows in expected_changed.items() for k in rows}
        keys |= {(c, k) for c, ks in expected_removed.items() for k in ks}
        live, base = self._state.data, self._world.base
        for collection, key in sorted(keys):
            if key in expected_changed.get(collection, {}):
                want = expected_changed[collection][key]
            elif key in expected_removed.get(collection, ()):
                want = None
            else:
                want = base.get(collection, {}).get(key)
            have = live.get(collection, {}).get(key)
            for path in self.domain.comparer.diff_rows(collection, want, have):
                # copies: `want` and `have` are parts of the initial data, the cached goal state and the live state
                result.differences.append({"collection": collection, "key": key, "field": path_text(path),
                                           "expected": jcopy(value_at_path(want, path)),
                                           "actual": jcopy(value_at_path(have, path))})
        if result.differences:
            result.reward = 0.0
        return result

    def _expected_changes(self, task: ir.TaskDef) -> dict:
        """The changes the task's gold actions make, replayed once on a scratch env and cached."""
        world = self._world
        cached = world.expected.get(id(task))
        if cached is not None and cached[0] is task:
            return cached[1]
        if world.scratch is None:
            world.scratch = Env(self.domain, world)
        scratch = world.scratch.reset(task)
        for action in task.actions:
            scratch.call(action.tool, action.arguments)
        expected = scratch.changes()
        world.expected[id(task)] = (task, expected)
        return expected


def _parse_arguments(arguments) -> dict:
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


# ---------------------------------------------------------------- loading

_DOMAIN_CACHE: dict[str, tuple[dict[str, str], CompiledDomain]] = {}


def compile_domain(domain: ir.Domain, *, dump_source: str | os.PathLike | None = None) -> CompiledDomain:
    """Compile checked IR into a CompiledDomain (the generated module is cached by IR content)."""
    compiled = CompiledDomain(domain, load_module(domain))
    if dump_source is not None:
        compiled.write_source(dump_source)
    return compiled


def load_domain(name_or_path: str | os.PathLike, *,
                dump_source: str | os.PathLike | None = None) -> CompiledDomain:
    """A stdlib domain by name (`"retail"`), a spec file, or a folder holding one.

    Checks and compiles the spec, caching the result until one of its files
    changes. Raises DomainLoadError, carrying the diagnostics, if it has errors.
    """
    from .check import check_paths

    path = resolve_spec(name_or_path)
    key = str(path)
    cached = _DOMAIN_CACHE.get(key)
    if cached is not None and _unchanged(cached[0]):
        compiled = cached[1]
    else:
        result = check_paths([key])
        if not result.ok or result.domain is None:
            errors = [d for d in result.diagnostics if d.is_error]
            raise DomainLoadError(f"{name_or_path}: the spec has {len(errors)} error(s)",
                                  result.diagnostics, result.sources)
        compiled = compile_domain(result.domain)
        _DOMAIN_CACHE[key] = (dict(result.sources), compiled)
    if dump_source is not None:
        compiled.write_source(dump_source)
    return compiled


def resolve_spec(name_or_path: str | os.PathLike) -> Path:
    """The root `.sedl` file for a stdlib name, a spec file, or a folder."""
    from .resources import stdlib_root

    path = Path(name_or_path)
    if not path.exists() and isinstance(name_or_path, str) and "/" not in name_or_path \
            and "\\" not in name_or_path and not name_or_path.endswith(".sedl"):
        try:
            path = stdlib_root() / name_or_path
        except FileNotFoundError as err:
            raise DomainLoadError(str(err)) from None
        if not path.is_dir():
            raise DomainLoadError(f"there is no stdlib domain {name_or_path!r} and no such file")
    if path.is_dir():
        return _root_spec(path)
    if not path.is_file():
        raise DomainLoadError(f"{name_or_path}: no such spec file")
    return _inside_its_folder(path)


def _root_spec(folder: Path) -> Path:
    specs = sorted(folder.glob("*.sedl"))
    named = folder / f"{folder.name}.sedl"
    if named.is_file():
        return _inside_its_folder(named)
    if len(specs) == 1:
        return _inside_its_folder(specs[0])
    if not specs:
        raise DomainLoadError(f"{folder}: the folder holds no .sedl spec")
    raise DomainLoadError(f"{folder}: several .sedl files and none named {folder.name}.sedl")


def _inside_its_folder(spec: Path) -> Path:
    """The spec file in its resolved folder; a file that is a link to outside that folder is refused,
    as the checker refuses every file that leaves a spec's folder."""
    from .check.loader import contained, spec_folder

    folder = spec_folder(spec)
    if contained(folder, spec) is None:
        raise DomainLoadError(f"{spec}: the spec file is a link to outside its folder {folder}")
    return folder / spec.name


def _unchanged(sources: dict[str, str]) -> bool:
    try:
        return all(Path(file).read_text(encoding="utf-8", errors="replace") == text
                   for file, text in sources.items())
    except OSError:
        return False


def write_module_source(compiled: CompiledDomain, directory: str | os.PathLike) -> Path:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{module_file_stem(compiled.name)}.py"
    target.write_text(compiled.source, encoding="utf-8")
    return target


def module_file_stem(domain_name: str) -> str:
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in domain_name)[:60] or "domain"
    return f"{safe}_env"
