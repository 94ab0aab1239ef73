"""The message, span and help of each diagnostic about the Python-habit constructs:
chained comparisons, default values, f-strings. The fixtures pin codes and lines;
these pin the words a user (or a model repairing its spec) reads."""

from __future__ import annotations

from scaleenv_dsl.check import check_source

HEADER = 'domain probe {\n  description "A probe."\n}\n'


def diagnostics(body: str):
    return [(d.code, d.span.line - 3, d.span.column, d.span.end_column, d.message, d.help)
            for d in check_source(HEADER + body, "probe.sedl").diagnostics]


def test_a_bad_link_of_a_chain_is_reported_at_that_link():
    found = diagnostics('tool t(hour: int) -> bool {\n  return 1 < hour < "x"\n}\n')
    assert found == [("bad-operand", 2, 14, 24, '`<` does not order `int` and `str`',
                      "order numbers with numbers and strings with strings; check optionals first")]


def fstring(text: str):
    return diagnostics(f'tool t(x: float, name: str) -> str {{\n  return {text}\n}}\n')


def test_a_format_spec_is_reported_with_the_builtin_that_replaces_it():
    assert fstring('f"{x:.2f}"') == [("invalid-fstring", 2, 14, 18, "`:.2f` is a Python format spec, not part of the language",
                                      "format the value with a built-in first, e.g. `{round(x, 2)}`")]


def test_a_conversion_is_reported_at_the_bang():
    assert fstring('f"{name!r}"') == [("invalid-fstring", 2, 17, 19, "`!r` is Python's conversion, not part of the language",
                                       "a field is converted with `str()` already: write `{name}`")]


def test_unbalanced_braces_are_reported_at_the_brace():
    assert fstring('f"a {name"') == [("invalid-fstring", 2, 14, 15, "this `{` opens a field that is never closed",
                                      "close the field with `}`, or write `{{` for a literal `{`")]
    assert fstring('f"a } b"') == [("invalid-fstring", 2, 14, 15, "a `}` in an f-string closes no field",
                                    "write `}}` for a literal `}`")]
    assert fstring('f"{ }"') == [("invalid-fstring", 2, 12, 15, "an f-string field is empty",
                                  "put an expression between the braces: `{name}`")]


def test_a_field_is_checked_where_it_stands_in_the_file():
    assert fstring('f"total {x + name}"') == [
        ("bad-operand", 2, 19, 27, "`+` does not apply to `float` and `str`",
         "convert the number with `str(x)` before joining strings")]
    assert fstring('f"{x + }"') == [("syntax-error", 2, 13, 17, "this f-string field ends too soon",
                                     "finish the expression before the `}`")]


def test_an_fstring_formats_back_to_itself():
    from scaleenv_dsl.fmt import format_source

    text = HEADER + '\ntool t(x: float, name: str) -> str {\n  return f"a {{b}} \\"{x}\\" {name.upper()} { {name: x} }"\n}\n'
    assert format_source(text, "probe.sedl") == text


def test_a_default_that_does_not_fit_is_reported_at_the_value():
    assert diagnostics('tool t(hour: int = "noon") -> int {\n  return hour\n}\n') == [
        ("invalid-default", 1, 20, 26, "this default does not fit the type `int`", "give a value of type `int`")]
    assert diagnostics('tool t(a: int, b: int = a) -> int {\n  return b\n}\n') == [
        ("not-a-literal", 1, 25, 26, "a parameter's default is a literal value",
         "write a string, number, true/false, none, or a list or map of them")]


def statement(text: str):
    return diagnostics(f'tool t(x: int, a: bool, b: bool) -> int {{\n  {text}\n  return x\n}}\n')[:1]


def test_each_python_habit_is_named_with_its_replacement():
    assert statement("while x > 0 {\n  }") == [
        ("syntax-error", 2, 11, 12, "`while` loops are not part of the language",
         "iterate a collection with `for x in xs { … }`: every loop ends")]
    assert statement("x - 1") == [("unused-value", 2, 5, 6, "the value of `x - 1` is computed and dropped",
                                   "bind it (`let y = x - 1`), or change `x` with `=`, `+=` or `-=`")]
    assert statement("x++") == [("syntax-error", 2, 4, 5, "`++` is not an operator", "write `x += 1`")]
    assert statement("let y = a && b") == [("syntax-error", 2, 13, 15, "`&&` is not an operator", "write `and`")]
    assert statement("let y = a || b") == [("syntax-error", 2, 13, 15, "`||` is not an operator", "write `or`")]
    assert statement("let y = x ** 2") == [("syntax-error", 2, 14, 15, "`**` is not an operator",
                                            "multiply (`x * x`), or compute it with `arithmetic(…)`")]
    assert statement("if a:\n    return 1") == [("syntax-error", 2, 7, 8, "a `:` does not open a block",
                                                 "blocks use braces: `if condition { … }`")]


# ---------------------------------------------------------------- messages that once misled writers

def test_a_broken_tool_body_keeps_the_signature_for_its_callers():
    found = diagnostics('tool check_in(x: int) -> int {\n  let y = x +\n  return y\n}\n'
                        'tool check_out(x: int) -> int {\n  return x\n}\n'
                        'task t {\n  "go"\n  action check_in(x=1)\n}\n')
    assert [d[0] for d in found] == ["syntax-error"]  # no unknown-tool, no missing-return


def test_a_require_without_else_is_reported_at_the_require():
    assert diagnostics('tool t(x: bool) -> int {\n  require x\n  let y = 1\n  return y\n}\n') == [
        ("syntax-error", 2, 3, 12, 'a `require` needs `else "message"`',
         'add the message the failure reports: `require COND else "message"`')]


def test_arrow_none_is_told_to_leave_out_the_arrow():
    assert diagnostics('tool t(a: str) -> none {\n}\n') == [
        ("syntax-error", 1, 16, 23, "`none` is not a return type",
         "a tool that returns nothing has no `->`: leave out `-> none`")]


CLAIMS = ('entity Adjuster in adjusters key id else "no" {\n  id: str\n}\n'
          'entity Claim in claims key claim_id else "no" {\n  claim_id: str\n  adjuster_id: ref Adjuster?\n'
          '  note: str?\n}\n')


def test_an_optional_key_is_told_to_check_for_none_not_to_convert():
    found = diagnostics(CLAIMS + 'tool t(c: ref Claim) -> str {\n  let claim = claims[c]\n'
                                 '  return adjusters[claim.adjuster_id].id\n}\n')
    assert found == [("optional-unchecked", 11, 20, 37, "a row key is a string, and this `ref Adjuster?` may be none",
                      'check `claim.adjuster_id is not none` first, or bind it with `let x = … else "message"`')]


def test_joining_an_optional_string_names_the_optional_not_a_number():
    found = diagnostics(CLAIMS + 'tool t(c: ref Claim) -> str {\n  return "n: " + claims[c].note\n}\n')
    assert found == [("bad-operand", 10, 10, 32, "`+` does not apply to `str` and `str?`",
                      '`claims[c].note` may be `none`: check `claims[c].note is not none` first, '
                      'or bind it with `let x = … else "message"`')]
