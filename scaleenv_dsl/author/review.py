"""Judge a draft: the include guard, the checker, then whichever later stages exist.

A review is a pure function of the draft text and a file name. The draft is
untrusted model output: it is parsed and checked, never executed. It is
checked as text (`check_source`), which has no folder, so its `include`s and
`data` entries cannot make the checker read local files (their text would flow
back to the model inside diagnostics).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from ..check import check_source
from ..diagnostics import Diagnostic, DiagnosticError, Severity, Span, has_errors

@dataclass(frozen=True)
class Review:
    stage: str                       # the stage that produced the findings: "checker", "linter", ...
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass(frozen=True)
class StageHook:
    """A later stage, used only when its module can be imported.

    `entry` is called with the checked domain and returns diagnostics (a list,
    or an object with a `.diagnostics` list).
    """
    label: str
    module: str
    entry: str

    def load(self) -> Callable | None:
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as err:
            if err.name == self.module or self.module.startswith(f"{err.name}."):
                return None          # the stage is not built yet
            raise                    # the stage exists but cannot load: a crash, reported as one
        return getattr(module, self.entry, None)


# The stages after the checker, in order. The compiler only generates and byte-compiles the
# module. The prover then runs it, as every environment does: inside the generated module's
# sandbox (allow-listed built-ins, imports of the runtime only), as `load_domain` does for any spec.
OPTIONAL_STAGES: tuple[StageHook, ...] = (
    StageHook("compiler", "scaleenv_dsl.codegen", "source_diagnostics"),
    StageHook("prover", "scaleenv_dsl.prove", "proof_diagnostics"),
)


def review_draft(text: str, file: str, stages: tuple[StageHook, ...] = OPTIONAL_STAGES) -> Review:
    checked = check_source(text, file)
    sources = {file: text, **checked.sources}
    if not checked.ok or checked.domain is None:
        return Review("checker", list(checked.diagnostics), sources)
    warnings = list(checked.diagnostics)
    for hook in stages:
        found = _run_stage(hook, checked.domain, file)
        warnings += [d for d in found if not d.is_error]
        if has_errors(found):
            return Review(hook.label, found, sources)
    return Review("checker", warnings, sources)


def _run_stage(hook: StageHook, domain: object, file: str) -> list[Diagnostic]:
    """A stage's findings; a crash is our bug, not the model's, so it only warns."""
    try:
        entry = hook.load()
        found = entry(domain) if entry else []
    except DiagnosticError as err:
        return err.diagnostics
    except Exception as err:  # noqa: BLE001 - any crash is reported the same way
        return [Diagnostic("stage-crashed", f"the {hook.label} crashed: {type(err).__name__}: {err}",
                           Span.point(file, 1, 1), severity=Severity.WARNING)]
    found = getattr(found, "diagnostics", found)
    return [d for d in (found or []) if isinstance(d, Diagnostic)]
