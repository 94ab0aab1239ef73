"""The `scaleenv` command line. Each subcommand lives with its stage; this file only wires them.

Exit codes, for every subcommand: 0 success, 1 the input has errors, 2 a usage or I/O problem,
130 interrupted. `scaleenv author` adds 3: the API failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from importlib import import_module

from .check import check_paths
from .diagnostics import render_json, render_text

# Each subcommand, in `--help` order, with the module and function that register its parser. Only
# the chosen subcommand's module is imported, so `scaleenv check` starts without lint, fmt, serve,
# synth and the rest; `scaleenv --help` (or an unknown command) imports them all. The subcommand
# modules themselves import the compiler, the runtime and the SDK only inside their commands.
_SUBCOMMANDS = {
    "check": (__name__, "_add_check_parser"),
    "fmt": (".fmt_cmd", "add_parser"),
    "compile": (".compile_cmd", "add_compile_parser"),
    "replay": (".compile_cmd", "add_replay_parser"),
    "author": (".author.cli", "add_parser"),
    "demo": (".demo", "add_parser"),
    "graph": (".graph.cli", "add_parser"),
    "prove": (".prove.cli", "add_parser"),
    "test": (".proctest.cli", "add_parser"),
    "info": (".info", "add_parser"),
    "lint": (".lint.cli", "add_parser"),
    "rollout": (".rollout.cli", "add_parser"),
    "serve": (".serve.cli", "add_parser"),
    "synth": (".synth.cli", "add_parser"),
}

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as the contract wants
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"scaleenv: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand; with `command` one of them, a parser holding it alone,
    which parses that subcommand's arguments exactly as the full one does."""
    parser = _Parser(prog="scaleenv", description="Spec language and compiler for tool-use agent environments. "
                     "Exit codes: 0 success, 1 the input has errors, 2 a usage or I/O problem.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for name in [command] if command in _SUBCOMMANDS else _SUBCOMMANDS:
        _registrar(name)(sub)
    return parser


def _registrar(command: str):
    module, function = _SUBCOMMANDS[command]
    return getattr(import_module(module, __package__), function)


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
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
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
