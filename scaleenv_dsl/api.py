"""Loading domains: check and compile a spec, cache it, and make environments from it.

    domain = load_domain("retail")            # a stdlib name, a spec file, or a spec's folder
    env = domain.env()                        # live state on the domain's initial data
    env.reset(task)                           # back to the initial data (+ the task's overlay)
    result = env.call("get_order_details", {"order_id": "#W1"})
    result.ok, result.value, result.error     # error: CallError(kind, message, guard, loc)
    env.changes()                             # {"changed": {coll: {key: row}}, "removed": {coll: [keys]}}
    env.reward(task, trajectory=...)          # RewardResult(reward=1.0 | 0.0 | None, ...)

The session lives in scaleenv_dsl.runtime.env and the reward in scaleenv_dsl.runtime.reward;
their public names are re-exported here. Generated source can be dumped for debugging with
`load_domain(..., dump_source=DIR)` (or `compile_domain`), which writes `DIR/<domain>_env.py`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import ir
from .codegen import GeneratedModule, GenerationError, load_module
from .diagnostics import Diagnostic, render_text
from .runtime.compare import RowComparer
from .runtime.env import CallError, CallResult, Env, ToolEntry, World
from .runtime.overlay import OverlayError, check_overlay
from .runtime.reward import RewardResult, Trajectory
from .runtime.validate import ArgumentBinder, ValidatorFactory
from .runtime.values import deep_copy
from .schemas import anthropic_tools, mcp_tools, openai_tools
from .strict_json import StrictJSONError, loads_strict

__all__ = ["load_domain", "compile_domain", "CompiledDomain", "DomainLoadError", "resolve_spec",
           "write_module_source", "module_file_stem", "Env", "CallResult", "CallError", "RewardResult",
           "Trajectory"]


class DomainLoadError(Exception):
    """A domain could not be loaded; `diagnostics` says why, `render()` shows them like `scaleenv check`.

    `in_the_spec` tells the two exit codes of the commands apart: True (exit 1) when the domain's
    files were read and are at fault, their errors in `diagnostics` or the compiler refusing the
    spec; False (exit 2) when there is no spec to read.
    """

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None,
                 sources: dict[str, str] | None = None, *, in_the_spec: bool | None = None):
        self.diagnostics = list(diagnostics or [])
        self.sources = dict(sources or {})
        self.in_the_spec = bool(self.diagnostics) if in_the_spec is None else in_the_spec
        super().__init__(message)

    def render(self) -> str:
        text = render_text(self.diagnostics, self.sources) if self.diagnostics else ""
        if self.in_the_spec and not any(d.is_error for d in self.diagnostics):
            # the compiler refused a spec that checks: no diagnostic says so, and warnings may precede it
            return text + f"error: {self}\n"
        return text or str(self)


# ---------------------------------------------------------------- domains

def guard_locations(domain: ir.Domain) -> dict[str, str]:
    """Guard id -> "file:line:col", with the file's base name only: errors reach agents."""
    return {g.id: f"{Path(g.loc.file).name}:{g.loc.line}:{g.loc.column}"
            for t in domain.tools if t.contract is not None for g in t.contract.guards}


class CompiledDomain:
    """A checked and compiled domain: makes environments and tool schemas."""

    def __init__(self, domain: ir.Domain, module: GeneratedModule):
        self.ir = domain
        self.name = domain.name
        self.module = module
        factory = ValidatorFactory(domain)
        self.tool_entries = {t.name: ToolEntry(module.tools[t.name], ArgumentBinder(t, factory))
                             for t in domain.tools}
        # collection -> entity collections whose invariants read it, so must be checked whole when it changes
        self.invariant_dependents: dict[str, set[str]] = {}
        for collection, reads in module.invariant_reads.items():
            for read in reads:
                self.invariant_dependents.setdefault(read, set()).add(collection)
        self.guard_locations = guard_locations(domain)
        self.comparer = RowComparer(domain)
        self.keyless = ir.keyless_collections(domain)  # collection -> key field, rows stored without it
        self._default_world: World | None = None

    @property
    def source(self) -> str:
        """The generated Python module."""
        return self.module.source

    @property
    def tool_names(self) -> list[str]:
        return list(self.tool_entries)

    @property
    def tasks(self) -> list[ir.TaskDef]:
        return list(self.ir.tasks)

    def task(self, name: str) -> ir.TaskDef:
        return self.ir.task(name)  # KeyError naming the domain and the task

    def env(self, data: dict | None = None, *, validate: bool = True, clock: str | None = None) -> Env:
        """A fresh environment on the initial data, or on `data` (same JSON shape) if given.

        Given data is checked against the schema first (the data file was checked
        with the spec); a mismatch raises DomainLoadError with the diagnostics.
        `clock`, an ISO datetime, replaces the header's `clock` for this env: what `now()`
        reads when a task sets no clock of its own (a bad one raises ValueError).
        """
        if data is None:
            return Env(self, self._initial_world(), clock=clock)
        if validate:
            self._validate_data(data)
        return Env(self, World(self, deep_copy(data), None, trusted=validate), clock=clock)

    def _validate_data(self, data) -> None:
        from .check.data import validate_data

        diagnostics = [d for d in validate_data(self.ir, data) if d.is_error]
        if diagnostics:
            shown = "; ".join(d.message for d in diagnostics[:3])
            more = f" (and {len(diagnostics) - 3} more: see .diagnostics)" if len(diagnostics) > 3 else ""
            raise DomainLoadError(f"the data does not match the schema of {self.name}: {shown}{more}", diagnostics)

    def check_initial(self, initial: dict | None) -> None:
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

    def _initial_world(self) -> World:
        source = _read_data(self.ir.data_path)  # cached until the file changes
        if self._default_world is None or self._default_world.source is not source:
            self._default_world = World(self, dict(source), source)
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
            data = loads_strict(f.read())
    except (OSError, ValueError, StrictJSONError) as err:
        raise DomainLoadError(f"cannot read the data file {path}: {err}") from None
    _DATA_CACHE[path] = (stamp, data)
    return data


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
        try:
            compiled = compile_domain(result.domain)
        except GenerationError as err:  # a checker defect: still the documented error, never a codegen one
            raise DomainLoadError(f"{name_or_path}: the spec cannot be compiled: {err}",
                                  result.diagnostics, result.sources, in_the_spec=True) from None
        _DOMAIN_CACHE[key] = (dict(result.sources), compiled)
    if dump_source is not None:
        compiled.write_source(dump_source)
    return compiled


def check_for_command(name_or_path: str, command: str) -> tuple[ir.Domain | None, int]:
    """Check the spec a subcommand was given: (domain, 0), or (None, exit code) once stderr says why.

    Diagnostics, warnings included, go to stderr; a name that is no spec exits 2, a spec with
    errors 1, as every subcommand's contract says.
    """
    from .check import check_paths
    from .diagnostics import render_text

    try:
        spec = resolve_spec(name_or_path)
    except DomainLoadError as err:
        print(f"scaleenv {command}: {err}", file=sys.stderr)
        return None, 2
    result = check_paths([str(spec)])
    if result.diagnostics:
        print(render_text(result.diagnostics, result.sources), file=sys.stderr, end="")
    if not result.ok or result.domain is None:
        return None, 1
    return result.domain, 0


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
