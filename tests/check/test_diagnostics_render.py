"""How diagnostics look: the text form (rustc/Elm style) and the JSON contract.

The text form must show the offending source line with a caret underline
exactly under the reported columns; the JSON form is a contract other programs
(the LLM authoring loop, editors) parse, so its keys are pinned here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.diagnostics import Diagnostic, render_json, render_text

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {"code", "severity", "message", "file", "line", "column", "end_line", "end_column", "help"}

HEADER = 'domain render {\n  description "Rendering tests."\n}\n\n'


def check(body: str, file: str = "spec.sedl"):
    result = check_source(HEADER + body, file)
    return result, result.diagnostics


def first(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in diagnostics if d.code == code]
    assert matching, f"no {code} among {[d.code for d in diagnostics]}"
    return matching[0]


def excerpt(rendered: str, line: int) -> tuple[str, str]:
    """The rendered source line `N | text` and the caret line under it, without their gutters."""
    lines = rendered.split("\n")
    for i, text in enumerate(lines):
        gutter, bar, rest = text.partition(" | ")
        if bar and gutter.strip() == str(line):
            caret = lines[i + 1]
            return rest, caret[len(gutter) + len(bar):]
    raise AssertionError(f"line {line} is not shown in:\n{rendered}")


def caret_columns(caret_line: str) -> tuple[int, int]:
    """1-based start column and exclusive end column of the `^` run."""
    start = caret_line.index("^")
    end = start
    while end < len(caret_line) and caret_line[end] == "^":
        end += 1
    return start + 1, end + 1


# ---------------------------------------------------------------- text form

def test_text_form_shows_code_location_and_help() -> None:
    result, diagnostics = check('enum Color { "red" "green" }\n')
    d = first(diagnostics, "syntax-error")
    rendered = render_text([d], result.sources)
    assert rendered.startswith(f"error[syntax-error]: {d.message}")
    assert f"--> spec.sedl:{d.span.line}:{d.span.column}" in rendered
    assert f"= help: {d.help}" in rendered


def test_caret_sits_under_the_unexpected_token() -> None:
    result, diagnostics = check('enum Color { "red" "green" }\n')
    d = first(diagnostics, "syntax-error")
    source, caret = excerpt(render_text([d], result.sources), d.span.line)
    assert source == 'enum Color { "red" "green" }'
    start, end = caret_columns(caret)
    assert source[start - 1:end - 1] == '"green"'
    assert (start, end) == (d.span.column, d.span.end_column)


def test_caret_spans_a_whole_number() -> None:
    result, diagnostics = check("tool t() -> int {\n  return 1 + 99999999999999999999\n}\n")
    d = first(diagnostics, "number-too-large")
    source, caret = excerpt(render_text([d], result.sources), d.span.line)
    start, end = caret_columns(caret)
    assert source[start - 1:end - 1] == "99999999999999999999"


def test_caret_for_a_checker_diagnostic() -> None:
    result, diagnostics = check("record R {\n  amount: Money\n}\n")
    errors = [d for d in diagnostics if d.is_error]
    assert errors, "an unknown type must be an error"
    d = errors[0]
    source, caret = excerpt(render_text([d], result.sources), d.span.line)
    start, end = caret_columns(caret)
    assert "Money" in source[start - 1:end - 1]


def test_labels_are_rendered_with_their_own_underline() -> None:
    body = 'tool f(x: int) -> int {\n  if x > 0 {\n    return 1\n\ntool g() -> int {\n  return 2\n}\n'
    result, diagnostics = check(body)
    d = first(diagnostics, "unclosed-brace")
    rendered = render_text([d], result.sources)
    assert d.labels, "an unclosed brace points at the declaration that follows"
    for label in d.labels:
        assert label.message in rendered


def test_diagnostic_at_the_end_of_the_file_renders() -> None:
    # A file cut short is reported past its last token; the excerpt must cope.
    result, diagnostics = check("include")
    d = first(diagnostics, "syntax-error")
    rendered = render_text([d], result.sources)
    assert f":{d.span.line}:{d.span.column}" in rendered


@pytest.mark.parametrize("fixture", sorted((Path(__file__).parent / "cases").glob("*.sedl")),
                         ids=lambda p: p.stem)
def test_every_fixture_renders(fixture: Path) -> None:
    """Both forms render every diagnostic of every fixture, each with its source line."""
    text = fixture.read_text(encoding="utf-8")
    result = check_paths([str(fixture)]) if "\n# check-paths\n" in "\n" + text else check_source(text, str(fixture))
    rendered = render_text(result.diagnostics, result.sources)
    for d in result.diagnostics:
        assert f"{d.severity.value}[{d.code}]: {d.message}" in rendered
        if d.span.file in result.sources and d.span.line <= result.sources[d.span.file].count("\n") + 1:
            excerpt(rendered, d.span.line)
    if result.diagnostics:
        _assert_contract(json.loads(render_json(result.diagnostics)))


def test_control_characters_in_source_are_not_echoed_raw() -> None:
    # Diagnostics go to terminals; an escape sequence in a spec must not drive them.
    result, diagnostics = check('tool t() -> str {\n  return "\x1b[2J\x07 \\q"\n}\n')
    rendered = render_text(diagnostics, result.sources)
    assert diagnostics
    assert "\x1b" not in rendered and "\x07" not in rendered


# ---------------------------------------------------------------- JSON form

def _assert_contract(objects: list[dict]) -> None:
    assert isinstance(objects, list) and objects
    for obj in objects:
        assert set(obj) == CONTRACT_KEYS, f"keys differ from the contract: {sorted(set(obj) ^ CONTRACT_KEYS)}"
        assert obj["severity"] in ("error", "warning", "note")
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(obj[key], int) and obj[key] >= 1
        for key in ("code", "message", "file", "help"):
            assert isinstance(obj[key], str)


def test_render_json_has_the_contract_fields() -> None:
    _, diagnostics = check('enum Color { "red" "green" }\nrecord R {\n  a: Money\n}\n')
    objects = json.loads(render_json(diagnostics))
    _assert_contract(objects)
    first_obj = objects[0]
    d = diagnostics[0]
    assert (first_obj["line"], first_obj["column"]) == (d.span.line, d.span.column)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scaleenv_dsl", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def cli_json(tmp_path: Path) -> list[dict]:
    """JSON for a spec with a plain syntax error and an unclosed brace (which carries a label)."""
    spec = tmp_path / "bad.sedl"
    spec.write_text(HEADER + 'enum Color { "red" "green" }\n'
                    'tool f(x: int) -> int {\n  if x > 0 {\n    return 1\n\ntool g() -> int {\n  return 2\n}\n')
    proc = run_cli("check", str(spec), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_cli_json_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    _assert_contract(cli_json(tmp_path))


def test_cli_text_form_has_caret(tmp_path: Path) -> None:
    spec = tmp_path / "bad.sedl"
    spec.write_text(HEADER + 'enum Color { "red" "green" }\n')
    proc = run_cli("check", str(spec))
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "error[syntax-error]" in out
    _, caret = excerpt(out, 5)
    assert caret_columns(caret)[0] == 20


def test_cli_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.sedl"
    good.write_text(HEADER)
    assert run_cli("check", str(good)).returncode == 0
    assert run_cli("check", str(tmp_path / "missing.sedl")).returncode == 2
    assert run_cli("check", "--format", "yaml", str(good)).returncode == 2


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_clean_spec_output(tmp_path: Path, fmt: str) -> None:
    good = tmp_path / "good.sedl"
    good.write_text(HEADER)
    proc = run_cli("check", str(good), "--format", fmt)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if fmt == "json":
        assert json.loads(proc.stdout) == []
