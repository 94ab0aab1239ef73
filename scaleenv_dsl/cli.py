"""The `scaleenv` command line. Each subcommand lives with its stage; this file only wires them.

Exit codes, for every subcommand: 0 success, 1 the input has errors, 2 a usage or I/O problem,
130 interrupted. `scaleenv author` adds 3: the API failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .author.cli import add_parser as add_author_parser
from .check import check_paths
from .compile_cmd import add_compile_parser, add_replay_parser
from .demo import add_parser as add_demo_parser
from .diagnostics import render_json, render_text
from .fmt_cmd import add_parser as add_fmt_parser
from .graph.cli import add_parser as add_graph_parser
from .info import add_parser as add_info_parser
from .lint.cli import add_parser as add_lint_parser
from .proctest.cli import add_parser as add_test_parser
from .prove.cli import add_parser as add_prove_parser
from .rollout.cli import add_parser as add_rollout_parser
from .serve.cli import add_parser as add_serve_parser
from .synth.cli import add_parser as add_synth_parser

# The subcommand modules import the compiler, the runtime and the SDK only
# inside their commands, so `scaleenv check` starts without them.

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as the contract wants
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"scaleenv: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scaleenv", description="Spec language and compiler for tool-use agent environments. "
                     "Exit codes: 0 success, 1 the input has errors, 2 a usage or I/O problem.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for register in (_add_check_parser, add_fmt_parser, add_compile_parser, add_replay_parser,
                     add_author_parser, add_demo_parser, add_graph_parser, add_prove_parser,
                     add_test_parser, add_info_parser, add_lint_parser, add_rollout_parser, add_serve_parser,
                     add_synth_parser):
        register(sub)
    return parser


def _add_check_parser(sub) -> None:
    check = sub.add_parser("check", help="check specs and report diagnostics",
                           description="Check .sedl specs and report located diagnostics. "
                                       "Exit codes: 0 no errors, 1 errors, 2 a path that does not exist.")
    check.add_argument("paths", nargs="+", metavar="PATH", help="spec files (.sedl) or folders holding them")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text with source carets (default), or a JSON list on stdout")
    check.set_defaults(run=run_check)


def run_check(args) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"scaleenv check: no such file: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    failed = False
    found = []  # for --format json: one list over every spec
    for group in _spec_groups(args.paths):
        result = check_paths(group)
        failed |= not result.ok
        if args.format == "json":
            found.extend(result.diagnostics)
        elif result.diagnostics:
            print(render_text(result.diagnostics, result.sources))
    if args.format == "json":
        print(render_json(found))
    elif not failed:
        print("no errors", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def _spec_groups(paths: list[str]) -> list[list[str]]:
    """Each file is its own spec; a folder is one spec made of all its `.sedl` files.

    The loader reads each file once, by its resolved path, so a file that another one
    includes is not read twice for being named here too.
    """
    groups = []
    for path in paths:
        if Path(path).is_dir():
            files = sorted(str(f) for f in Path(path).glob("*.sedl"))
            if files:
                groups.append(files)
        else:
            groups.append([path])
    return _without_included(groups)


def _without_included(groups: list[list[str]]) -> list[list[str]]:
    """Drop the single files that another named file includes: `check a.sedl b.sedl` (or
    `check *.sedl`), where a includes b, checks b as part of a, not as a headless spec."""
    from .check.loader import load_paths

    singles = [g[0] for g in groups if len(g) == 1]
    if len(singles) < 2:
        return groups
    included: set[Path] = set()
    for file in singles:
        own = Path(file).resolve()
        included |= {path for path in load_paths([file]).read if path != own}
    return [g for g in groups if len(g) > 1 or Path(g[0]).resolve() not in included]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("scaleenv: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader left early (`scaleenv check ... | head`). Point stdout at
        # /dev/null so the flush at exit does not fail a second time, loudly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE
    except Exception as err:  # noqa: BLE001 - a defect still gets one line, never a traceback
        print(f"scaleenv {args.command}: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
