"""`scaleenv prove DOMAIN [--task NAME ...] [--tasks FILE] [--format text|json] [--out FILE]`.

Exit codes: 0 every task is proved, 1 some task is not (or the spec has errors), 2 a usage or
I/O problem. The compiler and the runtime are imported inside `run`, so that registering the
command costs `scaleenv check` nothing at start-up.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "prove", help="prove that each task can be solved, with a witness plan",
        description="For each task, find a witness plan (the gold actions, with the reads they skip, or "
                    "a search's plan for a goal-only task), replay it on the compiled backend and check it. "
                    "Verdicts: proved, trivial (doing nothing is paid), unsolvable, unknown. "
                    "Exit codes: 0 every task is proved, 1 some task is not, 2 a usage or I/O problem.")
    parser.add_argument("domain", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--task", action="append", dest="task_names", metavar="NAME",
                        help="prove only this task (repeatable)")
    parser.add_argument("--tasks", dest="tasks_file", metavar="FILE",
                        help="a .sedl file of tasks, checked with the domain; only its tasks are proved")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="one line per task with details for the failures (default), or JSON")
    parser.add_argument("--out", metavar="FILE", help="write the report here instead of to stdout")
    parser.add_argument("--max-depth", type=positive_int, default=None, metavar="N",
                        help="the most write calls a searched plan may have (default 8)")
    parser.add_argument("--max-nodes", type=positive_int, default=None, metavar="N",
                        help="the most states a search may generate (default 2000)")
    parser.add_argument("--heuristic", choices=("hadd", "hmax"), default="hadd",
                        help="the relaxed-reachability heuristic that orders the search (default hadd)")
    parser.set_defaults(run=run)
    return parser


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (shared by the commands that take counts)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive")
    return value


def run(args) -> int:
    from ..api import DomainLoadError
    from . import Budget, Prover
    from .report import render, render_json, summary_line

    try:
        compiled, tasks = _load(args.domain, args.tasks_file)
    except _UsageError as err:
        return _usage(str(err))
    except DomainLoadError as err:  # a spec the compiler refuses is one too, as load_domain raises it
        if not err.in_the_spec:
            return _usage(str(err))
        print(err.render(), file=sys.stderr, end="")
        return EXIT_FAILED
    try:
        tasks = _select(tasks, args.task_names)
    except _UsageError as err:
        return _usage(str(err))
    defaults = Budget()
    budget = Budget(max_depth=args.max_depth or defaults.max_depth, max_nodes=args.max_nodes or defaults.max_nodes,
                    heuristic=args.heuristic)
    result = Prover(compiled, budget).prove_all(tasks)
    text = render_json(result) if args.format == "json" else render(result)
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as err:
            return _usage(f"cannot write {args.out}: {err.strerror or err}")
        print(summary_line(result))
    else:
        print(text)
    return EXIT_OK if result.ok else EXIT_FAILED


class _UsageError(Exception):
    pass


def _load(domain: str, tasks_file: str | None):
    """The compiled domain and the tasks to prove: all of its own, or those of the tasks file."""
    from ..api import DomainLoadError, load_domain, resolve_spec
    from ..check import check_paths

    if tasks_file is None:
        compiled = load_domain(domain)
        return compiled, compiled.tasks
    extra = Path(tasks_file)
    if not extra.is_file():
        raise _UsageError(f"{tasks_file}: no such file")
    checked = check_paths([str(resolve_spec(domain)), str(extra)])
    if not checked.ok or checked.domain is None:
        errors = sum(1 for d in checked.diagnostics if d.is_error)
        raise DomainLoadError(f"{tasks_file}: {errors} error(s)", checked.diagnostics, checked.sources)
    compiled = _compile(checked, tasks_file)
    mine = [t for t in compiled.tasks if t.loc is not None and Path(t.loc.file).resolve() == extra.resolve()]
    if not mine:
        raise _UsageError(f"{tasks_file} declares no task")
    return compiled, mine


def _compile(checked, tasks_file: str):
    """Compile as load_domain does: a spec the compiler refuses is a DomainLoadError, exit 1."""
    from ..api import DomainLoadError, compile_domain
    from ..codegen import GenerationError

    try:
        return compile_domain(checked.domain)
    except GenerationError as err:  # a checker defect
        raise DomainLoadError(f"{tasks_file}: the spec cannot be compiled: {err}", checked.diagnostics,
                              checked.sources, in_the_spec=True) from None


def _select(tasks: list, names: list[str] | None) -> list:
    if not names:
        return tasks
    from ..diagnostics import did_you_mean

    by_name = {t.name: t for t in tasks}
    for name in names:
        if name not in by_name:
            hint = did_you_mean(name, by_name)
            raise _UsageError(f"there is no task {name!r}" + (f"; {hint}" if hint else ""))
    return [by_name[n] for n in dict.fromkeys(names)]


def _usage(message: str) -> int:
    print(f"scaleenv prove: {message}", file=sys.stderr)
    return EXIT_USAGE
