"""Diagnostics: the one error type every stage reports through.

A diagnostic has a kebab-case code (registered in `errorcodes`), a severity, a
message that states the problem, a primary span, optional secondary labels, and
a help line that says how to fix it. Rendering follows rustc and Elm: the source
line, a caret underline, then the help.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .errorcodes import CODES, Severity


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file. Lines and columns are 1-based; the end is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(file: str, line: int, column: int) -> "Span":
        return Span(file, line, column, line, column + 1)

    def to(self, other: "Span") -> "Span":
        """The span from the start of this one to the end of `other`."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


NO_SPAN = Span("<unknown>", 1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class Label:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    help: str = ""
    severity: Severity = Severity.ERROR
    labels: tuple[Label, ...] = ()

    def __post_init__(self):
        assert self.code in CODES, f"the diagnostic code {self.code!r} is not registered in scaleenv_dsl/errorcodes.py"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict:
        """Exactly the keys of the `scaleenv check --format json` contract; labels show in the text form."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "help": self.help,
        }


class DiagnosticError(Exception):
    """Raised by a stage that cannot go on; carries what it found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.message for d in self.diagnostics))


def shorten(text: str, width: int = 60) -> str:
    """A user's string for a message: whole when short, else its start and an ellipsis, so that no
    message grows with what a hostile spec or call sends."""
    return text if len(text) <= width else text[:width - 1] + "…"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """'did you mean `x`?' for the closest candidate, or '' when none is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"did you mean `{close[0]}`?" if close else ""


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple:
    return (d.span.file, d.span.line, d.span.column, d.code)


# ---------------------------------------------------------------- rendering

def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    """Render in the style of rustc: header, location, source excerpt with carets, help."""
    lines: dict[str, list[str]] = {}  # each file split once, not once per diagnostic: specs run to megabytes
    for d in diagnostics:
        if d.span.file not in lines:
            lines[d.span.file] = sources.get(d.span.file, "").split("\n")
    return "\n".join(_render_one(d, lines[d.span.file]) for d in diagnostics)


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False)


def _render_one(d: Diagnostic, lines: list[str]) -> str:
    out = [f"{d.severity.value}[{d.code}]: {d.message}",
           f"  --> {d.span.file}:{d.span.line}:{d.span.column}"]
    gutter = len(str(max([d.span.line] + [l.span.line for l in d.labels])))
    out += _excerpt(d.span, lines, "", gutter)
    for label in d.labels:
        if label.span.file == d.span.file:
            out += _excerpt(label.span, lines, label.message, gutter, marker="-")
        else:
            out.append(f"  note: {label.message} ({label.span.file}:{label.span.line}:{label.span.column})")
    if d.help:
        out.append(f"  = help: {d.help}")
    return "\n".join(out) + "\n"


def _excerpt(span: Span, lines: list[str], message: str, width: int, marker: str = "^") -> list[str]:
    if not (1 <= span.line <= len(lines)):
        return []
    text = _printable(lines[span.line - 1])
    gutter = str(span.line).rjust(width)
    pad = " " * width
    end = span.end_column if span.end_line == span.line else len(text) + 1
    width = max(1, min(end, len(text) + 1) - span.column)
    underline = " " * (span.column - 1) + marker * width
    if message:
        underline += " " + message
    return [f"{pad} |", f"{gutter} | {text[:400]}", f"{pad} | {underline[:400]}"]


def _printable(text: str) -> str:
    """Control characters from hostile input must not drive the terminal."""
    return "".join(ch if ch.isprintable() else " " if ch == "\t" else "\N{REPLACEMENT CHARACTER}" for ch in text)
