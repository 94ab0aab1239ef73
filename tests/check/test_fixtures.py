"""Data-driven checker tests, in the style of mypy's test-data files.

Every `tests/check/cases/*.sedl` is a small spec. A comment on the line where a
diagnostic starts states what the checker must report there:

    enum E { "a" "b" }      # error: syntax-error
    let x = y               # error: unknown-name, unused-let
    task t { }              # warning: task-no-goal

A fixture with no such comments must check clean. Two more forms exist for
diagnostics that start where no comment can go:

    # error@+1: code        the diagnostic starts N lines below this comment
    # error@data.json:3: code   it starts on line 3 of another file (a JSON data file)

Fixtures are checked with `check_source`, as text with no folder. A fixture
with a line `# check-paths` is checked from disk with `check_paths` instead, so
its `include` and `data` entries resolve (relative to tests/check/cases/).

A line `# xfail: reason` anywhere in a fixture marks a known checker
discrepancy: the test is expected to fail (strictly), so the suite stays green
and the fixture turns red the day the checker is fixed.

Files in sub-folders of cases/ (included specs, data files) are helpers, not
fixtures, but expectations written in an included `.sedl` file count too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.errorcodes import ALL_CODES, CODES, PROOFS

CASES = Path(__file__).parent / "cases"
FIXTURES = sorted(CASES.glob("*.sedl"))

_EXPECT = re.compile(
    r"#\s*(?P<severity>error|warning|note)"
    r"(?:@(?:(?P<offset>[+-]\d+)|(?P<file>[\w./-]+):(?P<line>\d+)))?"
    r":\s*(?P<codes>[a-z0-9]+(?:-[a-z0-9]+)*(?:\s*,\s*[a-z0-9]+(?:-[a-z0-9]+)*)*)")
_XFAIL = re.compile(r"^#\s*xfail:\s*(?P<reason>.+)$", re.MULTILINE)
_CHECK_PATHS = re.compile(r"^#\s*check-paths\s*$", re.MULTILINE)

# (file name relative to cases/, line, severity, code)
Key = tuple[str, int, str, str]


def expectations(path: Path, root: Path = CASES) -> set[Key]:
    """The diagnostics the comments in `path` promise, files named relative to `root`."""
    expected: set[Key] = set()
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.split("\n"), start=1):
        for m in _EXPECT.finditer(line):
            file, at = _relative(path, root), number
            if m["offset"]:
                at = number + int(m["offset"])
            elif m["file"]:
                file, at = m["file"], int(m["line"])
            for code in re.split(r"\s*,\s*", m["codes"].strip()):
                expected.add((file, at, m["severity"], code))
    return expected


def _relative(path: Path | str, root: Path = CASES) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(root.resolve())) if path.is_relative_to(root.resolve()) else str(path)


def run_fixture(path: Path) -> tuple[set[Key], dict[Key, str]]:
    """Check the fixture; return the expected keys and the actual ones with their messages."""
    text = path.read_text(encoding="utf-8")
    result = check_paths([str(path)]) if _CHECK_PATHS.search(text) else check_source(text, str(path))
    actual: dict[Key, str] = {}
    for d in result.diagnostics:
        assert d.severity is CODES[d.code].severity, f"{d.code} is reported at another severity than registered"
        key = (_relative(d.span.file), d.span.line, d.severity.value, d.code)
        actual[key] = d.message
    expected = expectations(path)
    # Expectations may also live in included `.sedl` files.
    for name in result.sources:
        if name != str(path) and name.endswith(".sedl") and Path(name).exists():
            expected |= expectations(Path(name))
    return expected, actual


def render_mismatch(path: Path, expected: set[Key], actual: dict[Key, str]) -> str:
    """A diff that reads like the fixture: what was promised and not reported, and the reverse."""
    lines = [f"diagnostics of {path.name} differ from its `# error:` comments"]
    source = path.read_text(encoding="utf-8", errors="replace").split("\n")
    for title, keys in (("expected but not reported", sorted(expected - actual.keys())),
                        ("reported but not expected", sorted(actual.keys() - expected))):
        if keys:
            lines.append(f"  {title}:")
        for file, line, severity, code in keys:
            message = actual.get((file, line, severity, code), "")
            excerpt = source[line - 1].strip()[:70] if file == path.name and 0 < line <= len(source) else ""
            lines.append(f"    {file}:{line}: {severity}: {code}" + (f"  ({message})" if message else ""))
            if excerpt:
                lines.append(f"        | {excerpt}")
    return "\n".join(lines)


def _param(path: Path):
    m = _XFAIL.search(path.read_text(encoding="utf-8", errors="replace"))
    marks = [pytest.mark.xfail(reason=m["reason"].strip(), strict=True)] if m else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in FIXTURES])
def test_fixture(path: Path) -> None:
    expected, actual = run_fixture(path)
    assert expected == actual.keys(), render_mismatch(path, expected, actual)


def test_there_are_fixtures() -> None:
    # A glob that silently matches nothing would make the whole suite vacuous.
    assert len(FIXTURES) >= 10


def test_valid_fixtures_exist() -> None:
    valid = [p for p in FIXTURES if not expectations(p) and not _XFAIL.search(p.read_text())]
    assert len(valid) >= 3, "some fixtures must check clean, exercising every construct"


# ---------------------------------------------------------------- every registered code is covered

# Codes that no small fixture file can produce, and where they are tested instead.
TESTED_ELSEWHERE = {
    "file-too-large": "test_file_too_large below, and the 5 MB file in test_broken_inputs.py",
    "too-many-files": "test_too_many_files below",
    "spec-outside-root": "a root file that is a link: test_spec_folder.py",
    "internal-error": "a checker defect by definition: test_broken_inputs.py asserts it never appears",
    "compile-failed": "a code generator defect: tests/test_errorcodes.py makes one",
    "stage-crashed": "a later stage of the authoring loop: tests/author/test_author_loop.py",
}
# a proof's verdicts come from running tasks, not from checking text: tests/prove pins each one
TESTED_ELSEWHERE |= {code.name: "tests/prove" for code in ALL_CODES if code.doc == PROOFS}


def fixture_codes() -> set[str]:
    """Codes promised by fixtures that are not marked xfail (an xfail fixture proves nothing)."""
    codes: set[str] = set()
    for path in [*FIXTURES, *CASES.glob("*/*.sedl")]:
        if not _XFAIL.search(path.read_text(encoding="utf-8")):
            codes |= {code for _, _, _, code in expectations(path)}
    return codes


def test_every_code_has_a_fixture() -> None:
    # lint's codes have their fixtures in tests/lint/cases/, checked there the same way
    lint_codes = {code.name for code in CODES.values() if code.doc.startswith("docs/lint.md")}
    missing = CODES.keys() - fixture_codes() - TESTED_ELSEWHERE.keys() - lint_codes
    assert not missing, f"codes with no fixture in tests/check/cases/: {sorted(missing)}"


def test_fixtures_use_only_registered_codes() -> None:
    # A typo in an expectation would otherwise only show up as a confusing mismatch.
    unknown = fixture_codes() - CODES.keys()
    assert not unknown, f"fixtures expect codes that are not in scaleenv_dsl/errorcodes.py: {sorted(unknown)}"


def test_file_too_large() -> None:
    from scaleenv_dsl.parse import MAX_SOURCE_BYTES

    text = 'domain big {\n}\n' + "#" * MAX_SOURCE_BYTES
    codes = [d.code for d in check_source(text, "big.sedl").diagnostics]
    assert "file-too-large" in codes


def test_too_many_files(tmp_path: Path) -> None:
    from scaleenv_dsl.check.loader import MAX_FILES

    includes = "".join(f'include "part{i}.sedl"\n' for i in range(MAX_FILES))
    (tmp_path / "root.sedl").write_text('domain many {\n  description "Many files."\n}\n' + includes)
    for i in range(MAX_FILES):
        (tmp_path / f"part{i}.sedl").write_text(f'enum E{i} {{ "a" }}\n')
    result = check_paths([str(tmp_path / "root.sedl")])
    too_many = [d for d in result.diagnostics if d.code == "too-many-files"]
    assert len(too_many) == 1, [d.code for d in result.diagnostics]
    # It points at the include that went over the limit: the last line of includes.
    assert too_many[0].span.line == 3 + MAX_FILES


# ---------------------------------------------------------------- every diagnostic says how to fix it

def _check_fixture(path: Path):
    text = path.read_text(encoding="utf-8")
    return check_paths([str(path)]) if _CHECK_PATHS.search(text) else check_source(text, str(path))


def test_every_diagnostic_of_every_fixture_has_help() -> None:
    # The docs promise a help line on every diagnostic; an empty one reads as "no idea".
    helpless = [f"{path.name}:{d.span.line}: {d.code}: {d.message}"
                for path in FIXTURES for d in _check_fixture(path).diagnostics if not d.help.strip()]
    assert not helpless, "diagnostics with an empty help line:\n  " + "\n  ".join(helpless)
