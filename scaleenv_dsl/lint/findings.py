"""What every rule reports through: diagnostics at IR locations, at the severity the registry gives."""

from __future__ import annotations

from .. import ir
from ..diagnostics import Diagnostic, Label, Span
from ..errorcodes import CODES


class Findings(list):
    """A rule's diagnostics. `report` places each at an IR location (or the spec's first line)."""

    def __init__(self, domain: ir.Domain):
        super().__init__()
        self.file = domain.files[0] if domain.files else "<input>"

    def report(self, code: str, message: str, loc: ir.Loc | Span | None, help: str = "",
               labels: tuple[tuple[ir.Loc | None, str], ...] = ()) -> None:
        placed = tuple(Label(span, text) for span, text in ((span_of(l), text) for l, text in labels) if span)
        self.append(Diagnostic(code, message, span_of(loc) or Span.point(self.file, 1, 1), help,
                               CODES[code].severity, placed))


def span_of(loc: ir.Loc | Span | None) -> Span | None:
    if loc is None or isinstance(loc, Span):
        return loc
    return Span(loc.file, loc.line, loc.column, loc.end_line, loc.end_column)


def line_of(loc: ir.Loc | None) -> str:
    return f"line {loc.line}" if loc is not None else "elsewhere"
