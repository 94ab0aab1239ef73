"""`scaleenv fmt`: canonical layout, comments kept, meaning kept, idempotent.

Fixture pairs live in tests/fmt/cases: NAME.in.sedl formats to NAME.out.sedl.
Every stdlib spec and every checker fixture that parses is also formatted and
compared with its source: same AST (spans aside), same comments, and a second
formatting changes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import shutil
from pathlib import Path

import pytest

from scaleenv_dsl import api, cli, fmt_cmd
from scaleenv_dsl import fmt as fmt_module
from scaleenv_dsl.check import check_paths
from scaleenv_dsl.diagnostics import DiagnosticError
from scaleenv_dsl.fmt import MAX_LINE, format_source, long_quote, quote
from scaleenv_dsl.parse import parse_source

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CASES = HERE / "cases"
PAIRS = sorted(CASES.glob("*.in.sedl"))
STDLIB = sorted((ROOT / "stdlib_domains").glob("*/*.sedl"))
CHECK_CASES = ROOT / "tests" / "check" / "cases"
CHECK_FIXTURES = sorted(CHECK_CASES.glob("**/*.sedl")) if CHECK_CASES.is_dir() else []
_ERROR_EXPECTATION = re.compile(r"#\s*error\b")


# ---------------------------------------------------------------- helpers

def without_spans(node):
    """The AST as plain data with every `span` left out."""
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,) + tuple(
            without_spans(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name != "span")
    if isinstance(node, (list, tuple)):
        return tuple(without_spans(n) for n in node)
    return node


def decls_in_print_order(module):
    """fmt prints the domain header first, then includes, then the rest in source order."""
    rank = {"DomainDecl": 0, "IncludeDecl": 1}
    return sorted(module.decls, key=lambda d: rank.get(type(d).__name__, 2))


def assert_same_meaning(before: str, after: str) -> None:
    old, new = parse_source(before, "spec.sedl"), parse_source(after, "spec.sedl")
    assert new.diagnostics == []
    assert without_spans(decls_in_print_order(new.module)) == without_spans(decls_in_print_order(old.module))
    assert len(new.comments) == len(old.comments)
    assert sorted(c.text for c in new.comments) == sorted(c.text for c in old.comments)


def assert_formats_well(text: str) -> str:
    once = format_source(text, "spec.sedl")
    assert_same_meaning(text, once)
    assert format_source(once, "spec.sedl") == once, "fmt is not idempotent"
    return once


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ---------------------------------------------------------------- fixture pairs

@pytest.mark.parametrize("source", PAIRS, ids=lambda p: p.name.removesuffix(".in.sedl"))
def test_fixture_pair(source: Path):
    expected = source.with_name(source.name.replace(".in.sedl", ".out.sedl")).read_text(encoding="utf-8")
    text = source.read_text(encoding="utf-8")
    assert format_source(text, str(source)) == expected
    assert format_source(expected, str(source)) == expected
    assert_same_meaning(text, expected)


def test_there_are_fixture_pairs():
    assert len(PAIRS) >= 5
    for source in PAIRS:
        assert source.with_name(source.name.replace(".in.sedl", ".out.sedl")).exists()


# ---------------------------------------------------------------- real specs

@pytest.mark.parametrize("path", STDLIB, ids=_name)
def test_stdlib_spec_keeps_its_meaning(path: Path):
    assert_formats_well(path.read_text(encoding="utf-8"))


def test_stdlib_specs_were_found():
    assert STDLIB, "no stdlib_domains/*/*.sedl"


@pytest.mark.parametrize("path", STDLIB, ids=_name)
def test_stdlib_spec_is_in_canonical_form(path: Path):
    """`scaleenv fmt --check` is clean on the shipped specs, and none of their code lines is over
    100 columns where a break could help: only a string or a comment may run past."""
    text = path.read_text(encoding="utf-8")
    assert format_source(text, str(path)) == text
    # a `"""` string's lines are prose: blank them, keeping the line count
    blanked = re.sub(r'"""(?:.|\n)*?"""', lambda m: '""' + "\n" * m.group().count("\n"), text)
    for number, (line, code) in enumerate(zip(text.split("\n"), blanked.split("\n")), 1):
        code = _without_strings_and_comments(code)
        assert len(line) <= MAX_LINE or len(code) <= MAX_LINE, f"{_name(path)}:{number} is {len(line)} long"


def test_fmt_check_is_clean_on_the_stdlib(capsys):
    assert fmt("--check", str(ROOT / "stdlib_domains")) == 0
    assert "would reformat" not in capsys.readouterr().err


def _without_strings_and_comments(line: str) -> str:
    """A line with each string literal cut to `""` and its comment dropped: what a break could shorten."""
    line = re.sub(r'f?"(?:[^"\\]|\\.)*"', '""', line)
    return line.split("#", 1)[0].rstrip()


def _ir_without_places(folder: Path):
    """The checked IR of the domain in `folder`, without spans or the line numbers messages quote."""
    result = check_paths([str(api.resolve_spec(folder))])
    assert result.ok, [d.message for d in result.diagnostics][:3]

    place = re.compile(r"\S+\.sedl:\d+:\d+:\d+:\d+")

    def strip(value):
        if isinstance(value, dict) and value and all(place.fullmatch(k) for k in value):
            return [strip(v) for v in value.values()]   # keyed by places (a helper's guards by call site)
        if isinstance(value, dict):
            return {k if not place.fullmatch(k) else "PLACE": strip(v) for k, v in value.items() if k not in ("span", "line", "column", "end_line", "end_column")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return re.sub(r"\bline \d+", "line N", value) if isinstance(value, str) else value

    return strip(result.domain.model_dump())


@pytest.mark.parametrize("domain", sorted(p.name for p in (ROOT / "stdlib_domains").iterdir() if p.is_dir()))
def test_stdlib_domain_laid_out_wide_wraps_back_with_the_same_ir(domain: str, tmp_path, monkeypatch):
    """Each stdlib domain formatted with no line limit (every statement on one line, as fmt used
    to print them) formats back to the shipped files, and both check to the same IR."""
    folder = tmp_path / domain
    shutil.copytree(ROOT / "stdlib_domains" / domain, folder)
    specs = sorted(folder.glob("*.sedl"))
    shipped = {p.name: p.read_text(encoding="utf-8") for p in specs}
    with monkeypatch.context() as patch:
        patch.setattr(fmt_module, "MAX_LINE", 10**6)
        for spec in specs:
            spec.write_text(format_source(shipped[spec.name], spec.name), encoding="utf-8")
    wide = {p.name: p.read_text(encoding="utf-8") for p in specs}
    assert wide != shipped, "nothing in the domain is wrapped: the test tests nothing"
    assert max(len(line) for text in wide.values() for line in text.split("\n")) > 200
    ir_wide = _ir_without_places(folder)
    for spec in specs:
        assert format_source(wide[spec.name], spec.name) == shipped[spec.name]
        spec.write_text(shipped[spec.name], encoding="utf-8")
    assert _ir_without_places(folder) == ir_wide


@pytest.mark.parametrize("path", CHECK_FIXTURES, ids=_name)
def test_check_fixture(path: Path):
    """Valid fixtures keep their meaning; fixtures with syntax errors are refused, untouched."""
    text = path.read_text(encoding="utf-8")
    if parse_source(text, str(path)).diagnostics:
        assert _ERROR_EXPECTATION.search(text), f"{path.name} has no `# error:` but does not parse"
        with pytest.raises(DiagnosticError):
            format_source(text, str(path))
    else:
        assert_formats_well(text)


def test_output_lines_are_canonical():
    for path in STDLIB:
        out = format_source(path.read_text(encoding="utf-8"), str(path))
        assert out.endswith("\n") and not out.endswith("\n\n")
        assert "\n\n\n" not in out
        assert "\t" not in out
        for line in out.split("\n"):
            assert line == line.rstrip(), f"trailing white space in {line!r}"
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 2 == 0, f"odd indentation in {line!r}"


# ---------------------------------------------------------------- rules

def fmt_body(*statements: str) -> str:
    """Format a tool with these statements and return its body lines, unindented."""
    out = format_source("tool t() {\n" + "\n".join(statements) + "\n}\n")
    return "\n".join(line[2:] for line in out.split("\n")[1:-2])


@pytest.mark.parametrize("written, canonical", [
    ("let x = ((a)) + (b * c)", "let x = a + b * c"),
    ("let x = (a + b) * c", "let x = (a + b) * c"),
    ("let x = a - (b - c)", "let x = a - (b - c)"),
    ("let x = (a - b) - c", "let x = a - b - c"),
    ("let x = a // (b % c)", "let x = a // (b % c)"),
    ("let x = -(a).b", "let x = -a.b"),
    ("let x = (-a).b", "let x = (-a).b"),
    ("let x = - - a", "let x = --a"),
    ("let x = a or (b and c)", "let x = a or b and c"),
    ("let x = (a or b) and c", "let x = (a or b) and c"),
    ("let x = a or (b or c)", "let x = a or (b or c)"),
    ("let x = not (a == b)", "let x = not a == b"),
    ("let x = (not a) == b", "let x = (not a) == b"),
    ("let x = (a == b) == c", "let x = (a == b) == c"),
    ("let x = (a + 1) is none", "let x = a + 1 is none"),
    ("let x = (a is not none) in b", "let x = (a is not none) in b"),
    ("let x = a not in(b)", "let x = a not in b"),
    ("let x = (a if(b)else c)", "let x = (a if b else c)"),
    ("let x = ((a if b else c))", "let x = (a if b else c)"),
    ("let x = (a if b else c).d", "let x = (a if b else c).d"),
    ("let x = f( a,b , k = 1 )", "let x = f(a, b, k=1)"),
    ("let x = sum( y*2 for y in ys if (y > 0) )", "let x = sum(y * 2 for y in ys if y > 0)"),
    ("let x = [ y for y , z in w.items() ]", "let x = [y for y, z in w.items()]"),
    ("let x = { 'k' : 1 }".replace("'", '"'), 'let x = {"k": 1}'),
    ("let x = {k:v for k,v in m.items() if k}", "let x = {k: v for k, v in m.items() if k}"),
    ("let x = [ 1 , 2, ]", "let x = [1, 2]"),
    ("let x = 1_000 + 2e3 + 3.50", "let x = 1_000 + 2e3 + 3.50"),
    ("let x = m [ k ] else 'no'".replace("'", '"'), 'let x = m[k] else "no"'),
    ("xs . append( 1 )", "xs.append(1)"),
    ("x+=1", "x += 1"),
    ("ensures x==old( x )", "ensures x == old(x)"),
])
def test_expression_spacing_and_parentheses(written: str, canonical: str):
    assert fmt_body(written) == canonical


def test_conditional_inside_conditional_keeps_its_brackets():
    assert fmt_body("let x = ((a if b else c) if (d if e else f) else g)") == \
        "let x = ((a if b else c) if (d if e else f) else g)"


def _random_expr(rng: random.Random, depth: int) -> str:
    """A fully bracketed expression: every sub-expression in parentheses, so it always parses."""
    if depth == 0:
        return rng.choice(["a", "b", "1", "2.5", '"s"', "true", "none"])
    sub = lambda: _random_expr(rng, depth - 1)  # noqa: E731
    forms = [
        lambda: f"({sub()} {rng.choice(['+', '-', '*', '/', '//', '%'])} {sub()})",
        lambda: f"({sub()} {rng.choice(['==', '!=', '<', '<=', '>', '>=', 'in', 'not in'])} {sub()})",
        lambda: f"({sub()} {rng.choice(['and', 'or'])} {sub()})",
        lambda: f"(not {sub()})",
        lambda: f"(-{sub()})",
        lambda: f"({sub()} is {rng.choice(['none', 'not none', 'card'])})",
        lambda: f"({sub()} if {sub()} else {sub()})",
        lambda: f"({sub()}.f)",
        lambda: f"({sub()}[{sub()}])",
        lambda: f"f({sub()}, k={sub()})",
        lambda: f"[{sub()}, {sub()}]",
    ]
    return rng.choice(forms)()


def test_random_expressions_keep_their_meaning():
    rng = random.Random(20240601)
    for _ in range(300):
        source = "tool t() {\n  let x = " + _random_expr(rng, rng.randint(1, 4)) + "\n}\n"
        assert parse_source(source).diagnostics == [], source
        assert_formats_well(source)


def test_declaration_order_domain_then_includes_then_source_order():
    source = 'enum B { "b" }\ninclude "x.sedl"\nenum A { "a" }\ndomain d {}\ninclude "y.sedl"\n'
    assert format_source(source) == (
        'domain d {}\n\ninclude "x.sedl"\n\ninclude "y.sedl"\n\nenum B { "b" }\n\nenum A { "a" }\n')


def test_long_parameter_lists_are_broken():
    params = ", ".join(f"p{i}: int" for i in range(12))
    out = format_source(f"tool t({params}) {{\n}}\n")
    assert out.split("\n")[:3] == ["tool t(", "  p0: int,", "  p1: int,"]
    assert "  p11: int,\n) {}\n" in out


# ---------------------------------------------------------------- strings

@pytest.mark.parametrize("value", [
    "plain", 'a "quote"', "back\\slash", "new\nline", "tab\there", "cr\rhere", "bell\x07", "nul\x00",
    "del\x7f", "line sep\u2028", "é and 日本 and 🎉", "\\u0041 is not an escape once escaped",
])
def test_one_line_strings_round_trip(value: str):
    source = f"tool t() {{\n  return {quote(value)}\n}}\n"
    parsed = parse_source(source)
    assert parsed.diagnostics == []
    assert parsed.module.decls[0].body[0].value.value == value
    assert "\n" not in quote(value) and all(ch.isprintable() or ch == " " for ch in quote(value))


def _doc_of(source: str) -> str:
    return parse_source(source).module.decls[0].doc.value


@pytest.mark.parametrize("value", [
    "two\nlines", "  leading spaces\nthen none", "a\n\nblank line between", 'has """ inside\nit',
    'ends in a quote"\n"starts in one', "back\\slash\nand \\n text", "\ttabs\n\tfirst",
])
def test_multi_line_doc_strings_become_triple_quoted(value: str):
    out = format_source(f"record R {{\n  {quote(value)}\n}}\n")
    assert '"""' in out
    assert _doc_of(out) == value


@pytest.mark.parametrize("value", [
    "ends in a newline\n", "\nstarts with one", "  all lines\n  indented", "x\n   \nspaces-only line",
    "trailing space \n", "two\nlines\n\n", "trailing spaces  \nan editor would strip",
])
def test_doc_strings_the_dedent_would_change_stay_escaped(value: str):
    assert long_quote(value, "  ") is None
    out = format_source(f"record R {{\n  {quote(value)}\n}}\n")
    assert '"""' not in out
    assert _doc_of(out) == value


def test_random_doc_strings_round_trip():
    rng = random.Random(7)
    alphabet = ['a', 'b', ' ', '  ', '\n', '\t', '"', '\\', '\r', '#', '\x01', 'é', '"""']
    for _ in range(500):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        source = f'domain d {{\n  policy {quote(value)}\n}}\n'
        out = assert_formats_well(source)
        assert parse_source(out).module.decls[0].entries[0].value.value == value


# ---------------------------------------------------------------- comments

COMMENTED = """\
# header

domain d {  # after the header
  description "x"  # after an entry
  # before the closing brace
}
tool t(a: int) {
  let x = [1,  # inside an expression
           # own line inside an expression
           2]  # after it
  if a > 0 {
    # only a comment
  } else {  # on the else
  }
}
# at the end
"""


def test_no_comment_is_ever_dropped():
    out = assert_formats_well(COMMENTED)
    for line in COMMENTED.split("\n"):
        if "#" in line:
            assert line[line.index("#"):] in out


def test_comments_go_before_the_next_node_at_its_indentation():
    out = format_source(COMMENTED)
    assert "  # before the closing brace\n}" in out
    assert "  if a > 0 {\n    # only a comment\n  } else {}  # on the else\n}" in out
    assert 'domain d {  # after the header\n  description "x"  # after an entry' in out
    assert out.endswith("}\n\n# at the end\n")


def test_two_trailing_comments_on_a_joined_line_move_above_it():
    out = format_source(COMMENTED)
    assert ("  # inside an expression\n  # own line inside an expression\n  # after it\n"
            "  let x = [1, 2]\n") in out


def test_comment_only_and_empty_files():
    assert format_source("") == ""
    assert format_source("# just a note\n") == "# just a note\n"


# ---------------------------------------------------------------- broken input

@pytest.mark.parametrize("source", [
    "enum E { \"a\" \"b\" }\n", "tool t( {\n", 'domain d { description "unterminated }\n',
    'domain d { description "\\q" }\n', "tool t() { let x = 99999999999999999999 }\n",
])
def test_broken_input_is_refused(source: str):
    with pytest.raises(DiagnosticError) as err:
        format_source(source)
    assert err.value.diagnostics


# ---------------------------------------------------------------- the command

def fmt(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="scaleenv")
    fmt_cmd.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["fmt", *argv])
    return args.run(args)


UGLY = "domain d{description \"x\"}\ntool t(){let x=(1)}\n"
PRETTY = 'domain d {\n  description "x"\n}\n\ntool t() {\n  let x = 1\n}\n'


def test_cli_rewrites_in_place(tmp_path, capsys):
    spec = tmp_path / "a.sedl"
    spec.write_text(UGLY)
    assert fmt(str(spec)) == 0
    assert spec.read_text() == PRETTY
    assert "reformatted" in capsys.readouterr().err
    assert fmt(str(spec)) == 0
    assert "reformatted" not in capsys.readouterr().err


def test_cli_check_lists_files_and_changes_nothing(tmp_path, capsys):
    ugly, pretty = tmp_path / "ugly.sedl", tmp_path / "pretty.sedl"
    ugly.write_text(UGLY)
    pretty.write_text(PRETTY)
    assert fmt("--check", str(ugly), str(pretty)) == 1
    err = capsys.readouterr().err
    assert str(ugly) in err and str(pretty) not in err
    assert ugly.read_text() == UGLY
    assert fmt("--check", str(pretty)) == 0


def test_cli_diff_prints_a_unified_diff(tmp_path, capsys):
    spec = tmp_path / "a.sedl"
    spec.write_text(UGLY)
    assert fmt("--diff", str(spec)) == 0
    out = capsys.readouterr().out
    assert out.startswith("---") and "\n+++ " in out and "\n+  let x = 1\n" in out
    assert spec.read_text() == UGLY
    assert fmt("--diff", "--check", str(spec)) == 1


def test_cli_syntax_error_prints_diagnostics_and_leaves_the_file(tmp_path, capsys):
    spec = tmp_path / "bad.sedl"
    spec.write_text('enum E { "a" "b" }\n')
    assert fmt(str(spec)) == 1
    err = capsys.readouterr().err
    assert "error[syntax-error]" in err and f"{spec}:1:" in err and "Traceback" not in err
    assert spec.read_text() == 'enum E { "a" "b" }\n'


def test_cli_io_errors_exit_2(tmp_path, capsys):
    assert fmt(str(tmp_path / "missing.sedl")) == 2
    assert "no such file" in capsys.readouterr().err
    binary = tmp_path / "binary.sedl"
    binary.write_bytes(b"domain d {}\n\xff\xfe\n")
    assert fmt(str(binary)) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_cli_formats_folders_and_normalises_line_ends(tmp_path):
    (tmp_path / "sub").mkdir()
    crlf = tmp_path / "sub" / "b.sedl"
    crlf.write_bytes(PRETTY.replace("\n", "\r\n").encode())
    (tmp_path / "a.sedl").write_text(UGLY)
    (tmp_path / "notes.txt").write_text("not a spec {")
    assert fmt("--check", str(tmp_path)) == 1
    assert fmt(str(tmp_path)) == 0
    assert crlf.read_bytes() == PRETTY.encode()
    assert (tmp_path / "a.sedl").read_text() == PRETTY
    assert fmt("--check", str(tmp_path)) == 0


def test_cli_is_wired_into_scaleenv(tmp_path):
    spec = tmp_path / "a.sedl"
    spec.write_text(UGLY)
    assert cli.main(["fmt", "--check", str(spec)]) == 1
    assert cli.main(["fmt", str(spec)]) == 0
    assert spec.read_text() == PRETTY


# ---------------------------------------------------------------- wrapping and columns

def test_random_expressions_keep_their_meaning_when_wrapped_narrow(monkeypatch):
    """With a 24-column limit nearly every statement breaks, at every kind of break."""
    monkeypatch.setattr(fmt_module, "MAX_LINE", 24)
    rng = random.Random(11)
    for _ in range(300):
        source = "tool t() {\n  require " + _random_expr(rng, rng.randint(2, 4)) + ' else "no"\n}\n'
        out = assert_formats_well(source)
        assert len(out.split("\n")) > 3 or len(source) < 40


def test_a_long_statement_breaks_at_else_when_both_parts_fit():
    cond = " and ".join(f"x{i} > {i}" for i in range(8))
    assert fmt_body(f'require {cond} else "a message that is long enough to push the line over"') == (
        f'require {cond}\n    else "a message that is long enough to push the line over"')


def test_a_long_call_breaks_one_argument_per_line_with_commas():
    args = ", ".join(f"argument_{i}=value_{i}" for i in range(6))
    out = fmt_body(f'insert Row({args}) else "Row exists"')
    assert out.split("\n") == ["insert Row("] + [f"  argument_{i}=value_{i}," for i in range(6)] + [
        ') else "Row exists"']


def test_a_long_comprehension_breaks_at_its_clauses():
    out = fmt_body("let xs = [item.some_long_field_name for item in collection.values() "
                   "if item.status == \"active\" and item.owner == owner_id]")
    assert out.split("\n") == [
        "let xs = [", "  item.some_long_field_name", "  for item in collection.values()",
        '  if item.status == "active" and item.owner == owner_id', "]"]


def test_the_trailing_comment_of_a_broken_statement_stays_on_its_first_line():
    args = ", ".join(f'p{i}="value number {i}"' for i in range(6))
    out = format_source(f"task t {{\n  action tool_name({args})  # lint: allow missing-row: why\n}}\n")
    assert "  action tool_name(  # lint: allow missing-row: why\n" in out
    assert_formats_well(out)


def test_fields_align_in_columns_unless_that_pushes_a_line_past_100():
    out = format_source('record R {\n  a: int "A." example 1\n  longer_name: str "Longer." compare exact\n'
                        f'  c: str "{"x" * 80}"\n}}\n')
    assert '  a: int           "A."      example 1\n' in out
    assert '  longer_name: str "Longer." compare exact\n' in out
    assert f'  c: str "{"x" * 80}"\n' in out  # aligned, it would pass 100 columns


def test_plain_union_variants_go_on_one_line_with_their_braces_in_a_column():
    out = format_source('union P by kind {\n  credit_card { id: str last_four: str }\n  cash { id: str }\n'
                        '  gift { id: str  invariant len(self.id) > 0 else "an id" }\n}\n')
    assert "  credit_card { id: str  last_four: str }\n  cash        { id: str }\n  gift {\n" in out
