"""Which findings to show: `--select`/`--ignore` by code or prefix, and `# lint: allow` comments.

A token names a code (`missing-doc`) or a prefix of codes at a hyphen (`guard` for
`guard-never-fails` and `guard-never-passes`). A comment `# lint: allow CODE[, CODE…]` on a
finding's line, or on the line above it, keeps that finding out: the place to justify a finding
that is meant (say why after the codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, did_you_mean
from ..errorcodes import CODES

ALLOW = re.compile(r"#\s*lint:\s*allow\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")


def matches(token: str, code: str) -> bool:
    return code == token or code.startswith(token + "-")


def parse_codes(text: str) -> tuple[str, ...]:
    """`"missing-doc, guard"` -> its tokens; ValueError naming a token that matches no registered code."""
    tokens = tuple(t for t in re.split(r"[\s,]+", text) if t)
    for token in tokens:
        if not any(matches(token, code) for code in CODES):
            hint = did_you_mean(token, CODES)
            raise ValueError(f"no diagnostic code is or starts with `{token}`" + (f"; {hint}" if hint else ""))
    return tokens


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()   # empty: every code
    ignore: tuple[str, ...] = ()

    def wants(self, d: Diagnostic) -> bool:
        if self.select and not any(matches(t, d.code) for t in self.select):
            return False
        return not any(matches(t, d.code) for t in self.ignore)


class Allowances:
    """The `# lint: allow` comments of a spec's files, read from their text (the IR keeps no comments)."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources
        self._lines: dict[str, list[str]] = {}

    def allow(self, d: Diagnostic) -> bool:
        lines = self._lines.get(d.span.file)
        if lines is None:
            lines = self._lines[d.span.file] = self.sources.get(d.span.file, "").split("\n")
        for number in (d.span.line, d.span.line - 1):
            match = ALLOW.search(lines[number - 1]) if 0 < number <= len(lines) else None
            if match and any(matches(code, d.code) for code in re.split(r"\s*,\s*", match[1])):
                return True
        return False
