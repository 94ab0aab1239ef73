"""Stage 2: AST -> checked IR, through a fixed sequence of passes.

    load (files and includes) -> collect declarations -> resolve types
    -> type definitions and invariants -> tools (types, effects) -> tasks
    -> data validation -> the data and task overlays against the invariants

Public entry points: `check_source` and `check_paths`. Both return a
`CheckResult` and never raise on bad input: every problem is a diagnostic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import ir
from ..diagnostics import Diagnostic, Span, has_errors, sort_key
from ..parse import gc_paused
from ..types_fit import FitBuilder, TypeTable
from .data import validate_data_file
from .invariants import broken_invariants
from .decls import domain_header, task_definition, type_definitions
from .loader import LoadedSpec, load_paths, load_source
from .options import check_examples
from .symbols import Symbols, collect, resolve_types
from .contracts import with_contracts
from .tools import ToolChecker
from .helpers import check_constants, check_helpers


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # file name -> text, so diagnostics can be rendered with source excerpts
    sources: dict[str, str] = field(default_factory=dict)
    # the checked domain, or None when there are errors
    domain: ir.Domain | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def check_source(text: str, file: str = "<input>") -> CheckResult:
    """Check a single spec given as text. `include` and `data` are unavailable: there is no folder."""
    with gc_paused():
        return _check(load_source(text, file))


def check_paths(paths: list[str], validate_data: bool = True) -> CheckResult:
    """Check a spec made of the given files and everything they include."""
    with gc_paused():
        return _check(load_paths(paths), validate_data)


def _check(spec: LoadedSpec, validate_data: bool = True) -> CheckResult:
    try:
        domain, diagnostics = _passes(spec, validate_data)
    except RecursionError:
        # the parser bounds nesting, so this is a defect; still, never a traceback for the user
        first = next(iter(spec.sources), "<input>")
        diagnostics = spec.diagnostics + [Diagnostic(
            "nesting-too-deep", "the spec nests too deeply to check", Span(first, 1, 1, 1, 2),
            "split deep expressions with `let` bindings")]
        domain = None
    except Exception as err:  # a checker defect must still reach the user as a diagnostic
        first = next(iter(spec.sources), "<input>")
        diagnostics = spec.diagnostics + [Diagnostic(
            "internal-error", f"the checker failed: {type(err).__name__}: {err}", Span(first, 1, 1, 1, 2),
            "this is a bug in scaleenv_dsl; please report it with the spec")]
        domain = None
    diagnostics = sorted(_unique(diagnostics), key=sort_key)
    ok = not has_errors(diagnostics)
    return CheckResult(diagnostics, spec.sources, domain if ok else None)


def _passes(spec: LoadedSpec, validate_data: bool) -> tuple[ir.Domain | None, list[Diagnostic]]:
    symbols = Symbols()
    collect(spec.modules, symbols, header_expected=not has_errors(spec.diagnostics))
    resolve_types(symbols)
    header = domain_header(symbols, spec.root_dir)
    check_constants(symbols)  # before anything that may name them
    definitions = type_definitions(symbols)
    fits = FitBuilder(TypeTable.of(definitions))  # for literals in the spec: examples, action arguments
    helpers = check_helpers(symbols)
    tools = {name: ToolChecker(symbols, decl).check() for name, decl in symbols.tools.items()}
    check_examples(symbols, fits)
    tasks = [task_definition(symbols, decl, tools, fits) for decl in symbols.tasks.values()]
    diagnostics = spec.diagnostics + symbols.diagnostics
    if has_errors(diagnostics):
        return None, diagnostics
    domain = with_contracts(ir.Domain(**header, **definitions, tools=list(tools.values()),
                                      helpers=list(helpers.values()), tasks=tasks,
                                      files=list(spec.sources)))
    if validate_data and domain.data_path:
        display = _display(domain.data_path, spec)
        found, text, data = validate_data_file(domain, domain.data_path, display)
        if data is not None and not has_errors(found):  # invariants read rows that fit the schema
            # invariants read rows as tools do: a keyless row with its key field
            found += broken_invariants(domain, ir.keyed_rows(ir.keyless_collections(domain), data), display, text)
        if found:
            spec.sources[display] = text  # so the text form can show the offending JSON line
        diagnostics += found
    elif validate_data:  # no data file: the tables start empty, but task overlays still fill them
        diagnostics += broken_invariants(domain, {}, "<data>", "")
    return domain, diagnostics


def _display(path: str, spec: LoadedSpec) -> str:
    """Name the data file the way the user named the spec: relative to where they stand if they did."""
    first = next(iter(spec.sources), "")
    return path if Path(first).is_absolute() else os.path.relpath(path)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in diagnostics:
        key = (d.code, d.span, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
