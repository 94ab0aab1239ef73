"""The registry of diagnostic codes, checked against the source and the docs.

Every code the source passes to a diagnostic is registered; every registered
code is passed somewhere; each is documented under the heading its registry
entry names, with the registry's description and severity.
"""

from __future__ import annotations

import ast as pyast
import re
from pathlib import Path

import pytest

from scaleenv_dsl.diagnostics import Diagnostic, Span
from scaleenv_dsl.errorcodes import ALL_CODES, CODES, Severity

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scaleenv_dsl"

def test_each_code_is_kebab_case_once_with_a_severity_description_and_doc():
    assert len(CODES) == len(ALL_CODES), "a code is registered twice"
    for code in ALL_CODES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code.name), code
        assert code.severity in (Severity.ERROR, Severity.WARNING), code
        assert code.description.strip() and "\n" not in code.description, code
        assert re.fullmatch(r"docs/[\w-]+\.md#[a-z0-9-]+", code.doc), code


def test_a_diagnostic_refuses_an_unregistered_code():
    with pytest.raises(AssertionError, match="'no-such-code' is not registered"):
        Diagnostic("no-such-code", "a message", Span.point("spec.sedl", 1, 1))
    assert Diagnostic("syntax-error", "a message", Span.point("spec.sedl", 1, 1)).code == "syntax-error"


# ---------------------------------------------------------------- the source

def _trees():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT), pyast.parse(path.read_text(encoding="utf-8"))


def reporters() -> set[str]:
    """Methods that take a code and make a diagnostic of it: `symbols.error`, `checker.warn`, …"""
    return {node.name for _, tree in _trees() for node in pyast.walk(tree)
            if isinstance(node, pyast.FunctionDef) and [a.arg for a in node.args.args[:2]] == ["self", "code"]}


def _code_argument(call: pyast.Call, names: set[str]) -> pyast.expr | None:
    f = call.func
    # a proof's `Reason` carries a code that becomes a Diagnostic when the authoring loop reports it
    makes_one = (isinstance(f, pyast.Name) and f.id in ("Diagnostic", "Reason")) or (
        isinstance(f, pyast.Attribute) and (f.attr == "Diagnostic" or f.attr in names))
    if not makes_one:
        return None
    return call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "code"), None)


def _passed_on(code: pyast.expr) -> bool:
    """A reporter passing its own `code` on, or a Diagnostic made from another's `.code`: seen where made."""
    return (isinstance(code, pyast.Name) and code.id == "code") or (
        isinstance(code, pyast.Attribute) and code.attr == "code")


def reported_codes() -> dict[str, list[str]]:
    """Every code literal the source passes to `Diagnostic` or a reporter, with where it does."""
    names, found, computed = reporters(), {}, []
    for path, tree in _trees():
        for node in pyast.walk(tree):
            code = _code_argument(node, names) if isinstance(node, pyast.Call) else None
            if isinstance(code, pyast.Constant) and isinstance(code.value, str):
                found.setdefault(code.value, []).append(f"{path}:{node.lineno}")
            elif code is not None and not _passed_on(code):
                computed.append(f"{path}:{node.lineno}")
    assert not computed, f"codes must be string literals, so this test can see them: {computed}"
    return found


def test_the_walk_sees_the_reporters_and_their_codes():
    # a walk that found nothing would make the two tests below pass vacuously
    assert {"error", "warn", "_error"} <= reporters()
    found = reported_codes()
    assert {"syntax-error", "unknown-name", "invalid-data", "stage-crashed"} <= found.keys()
    assert any(place.startswith("scaleenv_dsl/check/symbols.py") for place in found["duplicate-definition"])


def test_every_code_the_source_reports_is_registered():
    unregistered = {code: places for code, places in reported_codes().items() if code not in CODES}
    assert not unregistered, f"register these in scaleenv_dsl/errorcodes.py: {unregistered}"


def test_every_registered_code_is_reported_somewhere():
    unused = set(CODES) - reported_codes().keys()
    assert not unused, f"registered codes nothing reports (remove them from errorcodes.py): {sorted(unused)}"


# ---------------------------------------------------------------- the docs

def slug(heading: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading: lower-case words joined by hyphens, -1, -2 … on repeats."""
    base = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    count = seen.get(base, 0)
    seen[base] = count + 1
    return f"{base}-{count}" if count else base


def sections(doc: Path) -> dict[str, str]:
    """Anchor -> the text under that heading, up to the next heading."""
    out, seen, anchor = {}, {}, ""
    for line in doc.read_text(encoding="utf-8").split("\n"):
        heading = re.match(r"#{1,6} (.+)", line)
        if heading:
            anchor = slug(heading.group(1), seen)
            out[anchor] = ""
        elif anchor:
            out[anchor] += line + "\n"
    return out


_ROW = re.compile(r"^\| `([a-z]+(?:-[a-z]+)+)` \| (.+?) \|", re.MULTILINE)


def documented_rows() -> dict[str, dict[str, str]]:
    """doc#anchor -> code -> the meaning its row gives, for each section of docs/ with a table of codes
    (one whose header starts `| code |`; other tables may list kebab-case names that are not codes)."""
    rows = {}
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for anchor, text in sections(doc).items():
            if re.search(r"^\| code \|", text, re.MULTILINE):
                rows[f"docs/{doc.name}#{anchor}"] = dict(_ROW.findall(text))
    return rows


def test_every_code_is_documented_at_its_anchor_as_registered():
    rows = documented_rows()
    for code in ALL_CODES:
        meaning = rows.get(code.doc, {}).get(code.name)
        assert meaning is not None, f"`{code.name}` has no table row under {code.doc}"
        expected = ("*warning*: " if code.severity is Severity.WARNING else "") + code.description
        assert meaning == expected, f"{code.doc}: the row of `{code.name}` differs from errorcodes.py"


def test_the_docs_tables_list_only_registered_codes_where_the_registry_puts_them():
    misplaced = [f"{code} under {doc}" for doc, codes in documented_rows().items() for code in codes
                 if code in CODES and CODES[code].doc != doc]
    unknown = [code for codes in documented_rows().values() for code in codes if code not in CODES]
    assert not misplaced and not unknown, (misplaced, unknown)


def test_the_heading_anchors_are_githubs():
    seen: dict[str, int] = {}
    assert [slug(h, seen) for h in ("Names, types and expressions", "Tasks", "Tasks", "`ref` types")] == \
        ["names-types-and-expressions", "tasks", "tasks-1", "ref-types"]


# ---------------------------------------------------------------- a code no fixture can reach

def test_a_generated_module_python_rejects_is_compile_failed(monkeypatch):
    from scaleenv_dsl.check import check_source
    from scaleenv_dsl.codegen import generator

    domain = check_source('domain tiny { description "Tiny." }\n').domain
    monkeypatch.setattr(generator, "generate_source", lambda _: "def broken(:\n")
    [d] = generator.source_diagnostics(domain)
    assert (d.code, d.severity) == ("compile-failed", CODES["compile-failed"].severity)
    assert d.message.startswith("the compiler rejected the spec: ")
