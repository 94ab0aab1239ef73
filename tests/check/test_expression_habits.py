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
