"""Helpers of the procedural-test tests: the specs under specs/, and altered modules.

Specs with planted bugs, a clean one, and modules altered to have the defects a spec cannot.
(A module of its own, not conftest.py: tests elsewhere import their conftest by that name.)
"""

from __future__ import annotations

from pathlib import Path

from scaleenv_dsl.api import CompiledDomain
from scaleenv_dsl.codegen import module_from_source
from scaleenv_dsl.proctest.runner import Options, run_procedural_tests

SPECS = Path(__file__).parent / "specs"
QUICK = Options(walks=8, budget=200)  # enough for the small specs here


def spec(name: str) -> Path:
    return SPECS / name / f"{name}.sedl"


def altered(compiled: CompiledDomain, old: str, new: str) -> CompiledDomain:
    """The domain with its generated module edited: `old` (which must occur once) becomes `new`."""
    assert compiled.source.count(old) == 1, old
    source = compiled.source.replace(old, new)
    return CompiledDomain(compiled.ir, module_from_source(compiled.name, source, "altered-" + str(hash(source))))


def run(compiled: CompiledDomain, options: Options = QUICK):
    return run_procedural_tests(compiled, options)
