"""The `scaleenv` command line. Each subcommand lives with its stage; this file only wires them.

Exit codes, for every subcommand: 0 success, 1 the input has errors, 2 a usage or I/O problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import ast
from .check import check_paths
from .check.loader import load_paths
from .diagnostics import render_json, render_text

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as the contract wants
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"scaleenv: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scaleenv", description="Spec language and compiler for tool-use agent environments.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="check specs and report diagnostics")
    check.add_argument("paths", nargs="+", metavar="PATH", help="spec files (.sedl) or folders holding them")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=run_check)
    for register in _optional_commands():
        register(sub)
    return parser


def _optional_commands():
    """Subcommands of later stages, registered by their own modules."""
    import importlib
    registered = []
    for module, names in ((".demo", ("add_parser",)), (".fmt_cmd", ("add_parser",)), (".author.cli", ("add_parser",)),
                          (".compile_cmd", ("add_compile_parser", "add_replay_parser"))):
        try:
            loaded = importlib.import_module(module, __package__)
        except ModuleNotFoundError:
            continue
        registered.extend(getattr(loaded, n) for n in names if hasattr(loaded, n))
    return registered


def run_check(args) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"scaleenv check: no such file: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    failed = False
    output = []
    for group in _spec_groups(args.paths):
        result = check_paths(group)
        failed |= not result.ok
        if args.format == "json":
            output.extend(d.to_json() for d in result.diagnostics)
        elif result.diagnostics:
            print(render_text(result.diagnostics, result.sources))
    if args.format == "json":
        print(json.dumps(output, indent=2, ensure_ascii=False))
    elif not failed:
        print("no errors", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def _spec_groups(paths: list[str]) -> list[list[str]]:
    """Each file is its own spec; a folder is one spec made of its root files."""
    groups = []
    for path in paths:
        if Path(path).is_dir():
            roots = _root_files(Path(path))
            if roots:
                groups.append(roots)
        else:
            groups.append([path])
    return groups


def _root_files(folder: Path) -> list[str]:
    """The `.sedl` files of a folder that no other file there includes."""
    files = sorted(folder.glob("*.sedl"))
    included = set()
    for module in load_paths([str(f) for f in files]).modules:
        for decl in module.decls:
            if isinstance(decl, ast.IncludeDecl):
                included.add((Path(module.path).resolve().parent / decl.path.value).resolve())
    return [str(f) for f in files if f.resolve() not in included]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
