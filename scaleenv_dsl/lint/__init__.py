"""`scaleenv lint`: static findings over a checked domain, beyond what `check` rejects.

    result = lint_paths(["stdlib_domains/library/library.sedl"])
    result.diagnostics      # check's diagnostics, then the rules' findings: one Diagnostic type
    result.ok               # no errors (warnings allowed)

A spec that does not check has nothing to lint: its result holds check's diagnostics alone.
The rules are `rules.RULES`, plain functions over the IR (`lint_domain` runs them on a domain
from anywhere); their codes are registered in `errorcodes` and documented in docs/lint.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..check import CheckResult, check_paths, check_source
from ..diagnostics import Diagnostic, has_errors, sort_key
from .rules import RULES, initial_data, lint_domain
from .select import Allowances, Selection, parse_codes

__all__ = ["lint_paths", "lint_source", "lint_domain", "LintResult", "Selection", "parse_codes", "RULES",
           "initial_data"]


@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # for rendering with source excerpts
    checked: bool = True  # False when the spec has check errors, so no rule ran

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def lint_paths(paths: list[str], selection: Selection = Selection()) -> LintResult:
    """Check the spec made of `paths` and lint it."""
    return _lint(check_paths(paths), selection)


def lint_source(text: str, file: str = "<input>", selection: Selection = Selection()) -> LintResult:
    """Lint a spec given as text (no `include`, no `data`: as `check_source`)."""
    return _lint(check_source(text, file), selection)


def _lint(checked: CheckResult, selection: Selection) -> LintResult:
    if not checked.ok or checked.domain is None:
        return LintResult(checked.diagnostics, checked.sources, checked=False)
    found = checked.diagnostics + lint_domain(checked.domain, sources=checked.sources)
    allowances = Allowances(checked.sources)
    kept = [d for d in found if selection.wants(d) and not allowances.allow(d)]
    return LintResult(sorted(_unique(kept), key=sort_key), checked.sources)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))
