"""`scaleenv compile` and `scaleenv replay`.

    scaleenv compile PATH -o DIR
        DIR/<domain>_env.py        the generated module
        DIR/tools.openai.json      OpenAI function-calling tools
        DIR/tools.anthropic.json   Anthropic tools
        DIR/tools.mcp.json         MCP tool definitions
        DIR/domain.ir.json         the checked IR
        DIR/graph.json             the tool dependency graph (node-link JSON)
        DIR/graph.svg              its picture
        DIR/proctest_cases.json    the procedural tests, as cases (see scaleenv_dsl.proctest)
        DIR/test_<domain>_env_proctest.py   pytest: those cases against the written module
    scaleenv replay DOMAIN --cases FILE --out FILE [--db FILE]

Exit codes: 0 success, 1 errors in the spec or the cases file (each is printed
with where it is), or, for `replay`, a case whose recorded `expect` the run does not match
(each mismatch is printed; OUT is still written), 2 usage or I/O problems. Neither command
ever prints a traceback.

More artifacts plug in through `ARTIFACT_WRITERS` or `register_artifact`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .diagnostics import render_text
from .strict_json import StrictJSONError, loads_strict

if TYPE_CHECKING:
    from .api import CompiledDomain

# The compiler and runtime are imported inside the commands, so that registering these
# subcommands costs `scaleenv check` nothing at start-up.
ArtifactWriter = Callable[["CompiledDomain", Path], list[Path]]


def _write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    return path


def write_module(compiled: CompiledDomain, out: Path) -> list[Path]:
    from .api import write_module_source

    return [write_module_source(compiled, out)]


def write_tool_schemas(compiled: CompiledDomain, out: Path) -> list[Path]:
    return [_write_json(out / "tools.openai.json", compiled.openai_tools()),
            _write_json(out / "tools.anthropic.json", compiled.anthropic_tools()),
            _write_json(out / "tools.mcp.json", compiled.mcp_tools())]


def write_ir(compiled: CompiledDomain, out: Path) -> list[Path]:
    target = out / "domain.ir.json"
    target.write_text(compiled.ir.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return [target]


def write_graph(compiled: CompiledDomain, out: Path) -> list[Path]:
    from .graph import build_graph, graph_to_json, to_svg

    graph = build_graph(compiled.ir)
    data, picture = out / "graph.json", out / "graph.svg"
    data.write_text(graph_to_json(graph) + "\n", encoding="utf-8")
    picture.write_text(to_svg(graph), encoding="utf-8")
    return [data, picture]


def write_procedural_tests(compiled: CompiledDomain, out: Path) -> list[Path]:
    from .proctest.artifact import write_procedural_tests as write

    return write(compiled, out)


# Each writer receives the compiled domain and the output folder and returns the files it wrote.
ARTIFACT_WRITERS: list[ArtifactWriter] = [write_module, write_tool_schemas, write_ir, write_graph,
                                          write_procedural_tests]


def register_artifact(writer: ArtifactWriter) -> None:
    if writer not in ARTIFACT_WRITERS:
        ARTIFACT_WRITERS.append(writer)


# ---------------------------------------------------------------- compile

def add_compile_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compile", help="compile a spec into a Python environment, tool schemas and its IR",
        description="Check a spec and write its generated environment module, tool schemas "
                    "(OpenAI, Anthropic, MCP) and checked IR into a folder.")
    parser.add_argument("path", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("-o", "--out", required=True, metavar="DIR",
                        help="the folder to write into (created if needed)")
    parser.set_defaults(run=run_compile)
    return parser


def run_compile(args) -> int:
    try:
        compiled = _check_and_compile(args.path)
        if isinstance(compiled, int):
            return compiled
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        written = [path for writer in ARTIFACT_WRITERS for path in writer(compiled, out)]
    except OSError as err:
        return _io_error(f"cannot write to {args.out}: {err.strerror or err}")
    except Exception as err:  # a defect must still not show the user a traceback
        return _io_error(f"internal error: {type(err).__name__}: {err}")
    for path in written:
        print(path)
    return 0


def _check_and_compile(path: str) -> CompiledDomain | int:
    from .api import DomainLoadError, compile_domain, resolve_spec
    from .check import check_paths
    from .codegen import GenerationError

    try:
        spec = resolve_spec(path)
    except DomainLoadError as err:
        return _io_error(str(err))
    result = check_paths([str(spec)])
    if result.diagnostics:
        print(render_text(result.diagnostics, result.sources), file=sys.stderr, end="")
    if not result.ok or result.domain is None:
        return 1
    try:
        return compile_domain(result.domain)
    except GenerationError as err:
        print(f"error: the spec cannot be compiled: {err}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------- replay

def add_replay_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "replay", help="replay conformance cases on a domain and record what happened",
        description="Run each case's actions from the initial data (plus the case's `initial` rows) "
                    "and write the cases back with `expect` filled in from this run. A case that already "
                    "records an `expect` is compared with the run: exit 1 on any mismatch, each printed.")
    parser.add_argument("domain", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--cases", required=True, help="the cases file to replay")
    parser.add_argument("--out", required=True, help="where to write the replayed cases")
    parser.add_argument("--db", help="initial data to use instead of the domain's data file")
    parser.set_defaults(run=run_replay)
    return parser


def run_replay(args) -> int:
    from .api import DomainLoadError, load_domain
    from .cases_format import cases_problems
    from .replay import compare_cases, replay_cases

    try:
        domain = load_domain(args.domain)
    except DomainLoadError as err:  # a spec the compiler refuses is one too: load_domain raises nothing else
        if not err.in_the_spec:
            return _io_error(str(err))
        print(err.render(), file=sys.stderr, end="")
        return 1
    try:
        cases = _read_json(args.cases, "cases")
        data = _read_db(domain, args.db) if args.db else None
        problems = cases_problems(cases)
        if problems:
            return _report_problems(args.cases, problems)
        replayed = replay_cases(domain, cases, data)
        replayed = {**{k: v for k, v in cases.items() if k != "cases"}, **replayed,
                    "reference": f"scaleenv_dsl replay of {args.domain}"}
        _write_json(Path(args.out), replayed)
    except _InputError as err:
        return _io_error(str(err))
    except OSError as err:
        return _io_error(f"cannot write {args.out}: {err.strerror or err}")
    except _DataErrors as err:  # --db data that does not match the schema: located as `check` locates them
        print(render_text(err.diagnostics, {args.db: err.text}), file=sys.stderr, end="")
        return 1
    except ValueError as err:  # data that does not have the data file's shape
        return _io_error(str(err))
    except Exception as err:
        return _io_error(f"internal error: {type(err).__name__}: {err}")
    return 0 if _report(cases, replayed, compare_cases) else 1


def _report_problems(path: str, problems: list[str], shown: int = 20) -> int:
    """The input has errors: exit 1, as `check` does for a spec, with each problem located."""
    for problem in problems[:shown]:
        print(f"error: {path}: {problem}", file=sys.stderr)
    if len(problems) > shown:
        print(f"error: {path}: … and {len(problems) - shown} more problems", file=sys.stderr)
    return 1


class _InputError(Exception):
    pass


class _DataErrors(Exception):
    def __init__(self, diagnostics: list, text: str):
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics, self.text = diagnostics, text


def _read_db(domain, path: str):
    """`--db` data: strict JSON, then checked against the schema exactly as `check` checks the
    data file, so its problems have codes, JSON paths, lines and help, and a cap is said."""
    from .check.data import validate_data

    text = _read_text(path, "data")
    data = _parse_json(text, path, "data")
    diagnostics = [d for d in validate_data(domain.ir, data, path, text) if d.is_error]
    if diagnostics:
        raise _DataErrors(diagnostics, text)
    return data


def _read_json(path: str, what: str):
    return _parse_json(_read_text(path, what), path, what)


def _read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as err:
        raise _InputError(f"cannot read the {what} file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise _InputError(f"the {what} file {path} is not UTF-8 text: {err.reason}") from None


def _parse_json(text: str, path: str, what: str):
    try:
        return loads_strict(text)
    except (ValueError, StrictJSONError) as err:
        raise _InputError(f"the {what} file {path} is not valid JSON: {err}") from None


def _report(cases: dict, replayed: dict, compare) -> bool:
    """Print what the replay did and how it compares with the file's own `expect`s; False on a mismatch."""
    steps = [s for c in replayed["cases"] for s in c["expect"]["steps"]]
    failed = sum(1 for s in steps if not s["ok"])
    print(f"replayed {len(replayed['cases'])} cases, {len(steps)} actions ({failed} rejected)")
    # only a case that records an `expect` states what should happen; the others are just run
    expected = [c for c in cases["cases"] if "expect" in c]
    if not expected:
        return True
    report = compare({**cases, "cases": expected}, replayed)
    print(f"against the file's own expectations: {report.render()}")
    return report.ok


def _io_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
