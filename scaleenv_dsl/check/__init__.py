"""Stage 2: AST -> checked IR, through a fixed sequence of passes.

Public entry points: `check_source` and `check_paths`. Both return a
`CheckResult` and never raise on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, has_errors


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # file name -> text, so diagnostics can be rendered with source excerpts
    sources: dict[str, str] = field(default_factory=dict)
    # the checked domain (scaleenv_dsl.ir.Domain), or None when there are errors
    domain: object | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)
