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
