"""`scaleenv fmt PATH... [--check] [--diff]`: rewrite specs in the canonical layout.

By default changed files are rewritten in place. `--check` and `--diff` change
nothing: `--check` lists the files that would change and exits 1 if any would,
`--diff` prints a unified diff. A file with syntax errors is never touched; its
diagnostics are printed and the exit code is 1. I/O problems exit 2.

As the checker does, fmt reads only files that resolve inside the folder named (or
the folder holding a file named), and it never writes through a link, symbolic or hard.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path

from .check.loader import contained, spec_folder
from .diagnostics import DiagnosticError, render_text
from .fmt import FormatError, format_source

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "fmt", help="rewrite specs in the canonical layout",
        description="Rewrite .sedl specs in the canonical layout, keeping every comment.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="spec files (.sedl) or folders holding them")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; list the files that would change and exit 1 if any would")
    parser.add_argument("--diff", action="store_true", help="change nothing; print a unified diff of the changes")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    code = EXIT_OK
    for found in _spec_files(args.paths):
        if found is None:
            code = EXIT_USAGE
            continue
        code = max(code, _format_file(*found, check=args.check, diff=args.diff))
    return code


def _spec_files(paths: list[str]):
    """The files to format, in order, each with the folder it must resolve into;
    None for a path that does not exist (after reporting it)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folder = path.resolve()
            yield from ((p, folder) for p in sorted(path.rglob("*.sedl")) if p.is_file())
        elif path.exists():
            yield path, spec_folder(path)
        else:
            _error(f"no such file: {raw}")
            yield None


def _format_file(path: Path, folder: Path, check: bool, diff: bool) -> int:
    if contained(folder, path) is None:
        return _io_error(f"{path} is a link to outside {folder}; not read")
    try:
        original = path.read_bytes().decode("utf-8")
    except OSError as err:
        return _io_error(f"cannot read {path}: {err.strerror or err}")
    except UnicodeDecodeError as err:
        return _io_error(f"{path} is not UTF-8 text (byte {err.start})")
    # the formatter writes `\n` line ends; parse what a text-mode reader sees
    source = original.replace("\r\n", "\n").replace("\r", "\n")
    try:
        formatted = format_source(source, str(path))
    except DiagnosticError as err:
        print(render_text(err.diagnostics, {str(path): source}), file=sys.stderr)
        return EXIT_ERRORS
    except (FormatError, RecursionError) as err:
        return _io_error(f"internal error, {path} left unchanged: {err or 'input nested too deeply'}")
    if formatted == original:
        return EXIT_OK
    if diff:
        _print_diff(path, original, formatted)
    if check:
        print(f"would reformat {path}", file=sys.stderr)
        return EXIT_ERRORS
    if diff:
        return EXIT_OK
    return _write(path, formatted)


def _print_diff(path: Path, original: str, formatted: str) -> None:
    lines = difflib.unified_diff(_lines(original), _lines(formatted),
                                 fromfile=f"{path} (original)", tofile=f"{path} (formatted)")
    for line in lines:
        sys.stdout.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")


def _lines(text: str) -> list[str]:
    """Lines split at newlines only: str.splitlines also splits at other characters, such as U+2028."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _write(path: Path, text: str) -> int:
    if path.is_symlink():
        return _io_error(f"{path} is a symbolic link; not rewritten: format the file it points to")
    if path.stat().st_nlink > 1:  # a hard link: the same file may also live outside the folder
        return _io_error(f"{path} has other hard links; not rewritten: format a copy of it")
    # O_NOFOLLOW: a file swapped for a link since it was read is refused, not written through
    flags = os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        with open(os.open(path, flags), "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except OSError as err:
        return _io_error(f"cannot write {path}: {err.strerror or err}")
    print(f"reformatted {path}", file=sys.stderr)
    return EXIT_OK


def _io_error(message: str) -> int:
    _error(message)
    return EXIT_USAGE


def _error(message: str) -> None:
    print(f"scaleenv fmt: {message}", file=sys.stderr)
