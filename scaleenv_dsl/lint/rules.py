"""The lint rules, run in order from one tuple, as sqlglot's optimizer runs its RULES.

Each rule is a plain function over the checked IR returning diagnostics. Besides `domain` a rule
may ask for what it needs by naming it as a parameter, and gets only that:

- `data`: the domain's initial data (`{collection: {key: row}}`; `{}` with no data file, None
  when the file cannot be read), loaded once, and only if some rule asks for it;
- `sources`: the spec's text by file name, for what the IR does not locate (the domain header).

The checker's own warnings, such as `unstated-reward-basis` (a reward basis a task never
states), and its `data-breaks-invariant` error are not repeated here: `lint_paths` reports
every diagnostic `check` gives, then these.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Callable, Iterable

from .. import ir
from ..diagnostics import Diagnostic, Span
from .docs import missing_docs, missing_header, unconfirmed_writes
from .guards import decided_guards, writes_before_guards
from .messages import error_messages
from .reach import unreachable_tools
from .tasks import missing_rows
from .usage import duplicate_tools, unread_entities, unused_enum_values, unused_fields

Rule = Callable[..., Iterable[Diagnostic]]

RULES: tuple[Rule, ...] = (
    missing_rows,
    decided_guards,
    writes_before_guards,
    unreachable_tools,
    unread_entities,
    unused_fields,
    unused_enum_values,
    duplicate_tools,
    error_messages,
    unconfirmed_writes,
    missing_docs,
    missing_header,
)


def lint_domain(domain: ir.Domain, *, data: Any = ..., sources: dict[str, str] | None = None,
                rules: Iterable[Rule] = RULES) -> list[Diagnostic]:
    """Run each rule over the domain. `data` defaults to the domain's data file, read on first need."""
    available: dict[str, Any] = {"domain": domain, "sources": sources or {}}
    if data is not ...:
        available["data"] = data
    found: list[Diagnostic] = []
    for rule in rules:
        wanted = inspect.signature(rule).parameters
        if "data" in wanted and "data" not in available:
            available["data"] = initial_data(domain)
        try:
            found.extend(rule(**{name: available[name] for name in wanted}))
        except Exception as err:  # one broken rule must not hide the others' findings, nor show a traceback
            first = domain.files[0] if domain.files else "<input>"
            found.append(Diagnostic("rule-crashed", f"the lint rule `{rule.__name__}` failed: {type(err).__name__}: "
                                    f"{err}", Span.point(first, 1, 1), "this is a bug in scaleenv lint; please "
                                    "report it with the spec"))
    return found


def initial_data(domain: ir.Domain) -> dict | None:
    """The parsed data file; {} when the domain has none; None when it cannot be read (check says why)."""
    if domain.data_path is None:
        return {}
    try:
        data = json.loads(Path(domain.data_path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    # rows as tools read them: a keyless row (`key … from map`) with its key field
    return ir.keyed_rows(ir.keyless_collections(domain), data) if isinstance(data, dict) else None
