"""`scaleenv lint PATH... [--format text|json] [--select CODES] [--ignore CODES]`.

Each PATH is a spec file, a folder holding one, or a stdlib domain name; each is checked and
linted on its own. The output is check's, and in its JSON form one list over every spec.
Exit codes: 0 no errors (warnings allowed), 1 errors, 2 usage or I/O problems.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "lint", help="static findings beyond check: tasks on missing rows, dead checks, unused declarations",
        description="Check each spec, then run the lint rules over it (docs/lint.md lists them). A spec with "
                    "check errors is not linted. A comment `# lint: allow CODE` on a finding's line, or the "
                    "line above, keeps it out. Exit codes: 0 no errors (warnings allowed), 1 errors, "
                    "2 usage or I/O problems.")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text with source carets (default), or a JSON list on stdout, as `scaleenv check`")
    parser.add_argument("--select", metavar="CODES", default="",
                        help="report only these codes (comma-separated; a prefix such as `guard` selects "
                             "every `guard-…` code)")
    parser.add_argument("--ignore", metavar="CODES", default="", help="leave these codes (or prefixes) out")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..api import DomainLoadError, resolve_spec
    from ..diagnostics import render_json, render_text
    from . import Selection, lint_paths, parse_codes

    try:
        selection = Selection(parse_codes(args.select), parse_codes(args.ignore))
        specs = [path if Path(path).is_file() else _shown(resolve_spec(path)) for path in args.paths]
    except (ValueError, DomainLoadError) as err:
        print(f"scaleenv lint: {err}", file=sys.stderr)
        return EXIT_USAGE
    results = [lint_paths([str(spec)], selection) for spec in specs]
    found = [d for result in results for d in result.diagnostics]
    if args.format == "json":
        print(render_json(found))
    else:
        for result in results:
            if result.diagnostics:
                print(render_text(result.diagnostics, result.sources))
        print(summary(found), file=sys.stderr)
    return EXIT_OK if all(result.ok for result in results) else EXIT_ERRORS


def _shown(spec: Path) -> str:
    """A resolved spec as the user would name it: relative to where they stand, when it is below."""
    relative = os.path.relpath(spec)
    return str(spec) if relative.startswith("..") else relative


def summary(diagnostics) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if not diagnostics:
        return "no findings"
    return f"{errors} error(s), {warnings} warning(s)"
