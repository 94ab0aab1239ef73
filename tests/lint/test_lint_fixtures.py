"""Data-driven lint tests, in the checker's fixture format.

Every `tests/lint/cases/*.sedl` is a small spec, linted with `lint_source` (or, with a line
`# check-paths`, from disk with `lint_paths`, so its `data` file resolves). Comments state what
lint must report, exactly as in tests/check/cases/ (see tests/check/test_fixtures.py):

    task t { action get(id="nope") }    # error: missing-row
    # warning@+1: guard-never-fails     the finding starts on the next line

A fixture reports check's diagnostics too: lint's output is check's, then the rules'.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from scaleenv_dsl.errorcodes import CODES
from scaleenv_dsl.lint import lint_paths, lint_source

CASES = Path(__file__).parent / "cases"
FIXTURES = sorted(CASES.glob("*.sedl"))
_CHECK_PATHS = re.compile(r"^#\s*check-paths\s*$", re.MULTILINE)
LINT_CODES = {code.name for code in CODES.values() if code.doc.startswith("docs/lint.md")}


def _checker_fixture_format():
    """The checker's fixture helpers (expectations, mismatch rendering), loaded by path: test
    folders are not packages."""
    path = Path(__file__).parents[1] / "check" / "test_fixtures.py"
    spec = importlib.util.spec_from_file_location("check_fixture_format", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FORMAT = _checker_fixture_format()


def run_fixture(path: Path):
    text = path.read_text(encoding="utf-8")
    result = lint_paths([str(path)]) if _CHECK_PATHS.search(text) else lint_source(text, str(path))
    actual = {}
    for d in result.diagnostics:
        assert d.severity is CODES[d.code].severity, f"{d.code} is reported at another severity than registered"
        assert d.help.strip(), f"{d.code} at line {d.span.line} has an empty help line: {d.message}"
        actual[(FORMAT._relative(d.span.file, CASES), d.span.line, d.severity.value, d.code)] = d.message
    return FORMAT.expectations(path, CASES), actual


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture(path: Path) -> None:
    expected, actual = run_fixture(path)
    assert expected == actual.keys(), FORMAT.render_mismatch(path, expected, actual)


def test_there_are_fixtures_and_a_clean_one() -> None:
    assert len(FIXTURES) >= 10
    assert any(not FORMAT.expectations(p, CASES) for p in FIXTURES), "one fixture must lint clean"


def fixture_codes() -> set[str]:
    return {code for path in FIXTURES for _, _, _, code in FORMAT.expectations(path, CASES)}


def test_every_lint_code_has_a_fixture() -> None:
    # rule-crashed is a defect by definition: test_lint_api.py makes a rule crash
    missing = LINT_CODES - fixture_codes() - {"rule-crashed"}
    assert not missing, f"lint codes with no fixture in tests/lint/cases/: {sorted(missing)}"


def test_fixtures_use_only_registered_codes() -> None:
    unknown = fixture_codes() - CODES.keys()
    assert not unknown, f"fixtures expect codes that are not in scaleenv_dsl/errorcodes.py: {sorted(unknown)}"


def test_the_docs_show_each_rule_with_an_example() -> None:
    text = (Path(__file__).parents[2] / "docs" / "lint.md").read_text(encoding="utf-8")
    sections = {heading: body for heading, body in re.findall(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", text, re.M | re.S)}
    for code in LINT_CODES - {"rule-crashed"}:  # a defect has no example to show
        [body] = [b for heading, b in sections.items() if f"`{code}`" in heading] or [""]
        assert "```sedl" in body, f"docs/lint.md has no section with an example for `{code}`"
