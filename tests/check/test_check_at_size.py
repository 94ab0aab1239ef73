"""Checking at size: recovery after syntax errors costs work linear in the file's size, whatever
the number of errors, and the garbage collector paused during a check is left as it was found.

Work is counted in tokens lexed, not seconds: a parser that counts every token it lexes
stands in for the real one. Recovery used to parse the whole file again after each error,
so a file with k errors cost about k/2 full parses; now each part is parsed about twice.
"""

from __future__ import annotations

import gc

import pytest
from lark import Lark

import scaleenv_dsl.parse as parse_module
from scaleenv_dsl.check import check_source
from scaleenv_dsl.parse import MAX_SYNTAX_ERRORS, parse_source
from scaleenv_dsl.resources import grammar_path

DECLARATIONS = 60


class CountingParser:
    """The real grammar, counting every token its lexer produces."""

    def __init__(self):
        self.tokens = 0
        names = [t.name for t in parse_module.parser().terminals]
        self._lark = Lark.open(str(grammar_path()), parser="lalr", lexer="contextual", propagate_positions=True,
                               maybe_placeholders=True, lexer_callbacks={name: self._count for name in names},
                               start=["start", "expr"])

    def _count(self, token):
        self.tokens += 1
        return token

    def parse(self, text, start="start"):
        return self._lark.parse(text, start=start)

    def __getattr__(self, name):  # the terminal table, for the diagnostics' wording
        return getattr(self._lark, name)


def spec(errors: int) -> str:
    """Enums and tools, with `errors` of the tools broken, spread evenly through the file."""
    broken = {round((i + 0.5) * DECLARATIONS / errors) for i in range(errors)} if errors else set()
    parts = ['domain many {\n  description "Many declarations."\n}\n']
    for i in range(DECLARATIONS):
        parts.append(f'enum E{i} {{ "a", "b", "c" }}\n')
        params = "(x: int" if i in broken else "(x: int)"  # a `(` never closed
        parts.append(f"tool t{i}{params} -> int {{\n  let y = x + {i}\n  return y * 2\n}}\n")
    return "".join(parts)


@pytest.fixture
def counting(monkeypatch) -> CountingParser:
    counter = CountingParser()
    monkeypatch.setattr(parse_module, "parser", lambda: counter)
    return counter


def tokens_to_parse(text: str, counter: CountingParser) -> tuple[int, list]:
    counter.tokens = 0
    result = parse_source(text, "many.sedl")
    return counter.tokens, result.diagnostics


@pytest.mark.parametrize("errors", [1, 5, MAX_SYNTAX_ERRORS - 1])
def test_recovery_lexes_each_part_of_the_file_about_twice(counting, errors):
    clean, none = tokens_to_parse(spec(0), counting)
    assert none == []
    work, diagnostics = tokens_to_parse(spec(errors), counting)
    assert len(diagnostics) == errors  # every error is still found, each once
    assert work <= 2.5 * clean, f"{errors} errors cost {work / clean:.1f} parses of the file"


def test_recovery_keeps_every_declaration_around_the_errors(counting):
    module = parse_source(spec(MAX_SYNTAX_ERRORS - 1), "many.sedl").module
    names = [decl.name.name for decl in module.decls]
    assert len(names) == 1 + 2 * DECLARATIONS - (MAX_SYNTAX_ERRORS - 1)
    assert names[:3] == ["many", "E0", "t0"] and names[-1] == f"t{DECLARATIONS - 1}"


@pytest.mark.parametrize("enabled", [True, False])
def test_a_check_leaves_the_garbage_collector_as_it_found_it(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        check_source(spec(3), "many.sedl")  # with syntax errors, so recovery runs too
        parse_source("domain d {", "d.sedl")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
