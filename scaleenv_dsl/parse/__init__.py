"""Stage 1: source text -> AST, with located syntax diagnostics.

`parse_source` never raises on bad input: it returns what it could parse and
the diagnostics for what it could not. After a syntax error it blanks out the
broken declaration and parses the rest again, so one mistake does not hide
the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lark import Lark, Tree, UnexpectedInput

from .. import ast
from ..diagnostics import Diagnostic, Span
from ..resources import grammar_path
from .recovery import brackets_too_deep, nesting_too_deep, recover
from .transformer import ToAst

MAX_SOURCE_BYTES = 4 * 1024 * 1024
MAX_SYNTAX_ERRORS = 20


@dataclass(frozen=True)
class Comment:
    line: int
    column: int
    text: str  # with its leading `#`


@dataclass
class ParseResult:
    module: ast.Module
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # comments are not in the AST; the formatter puts them back by position
    comments: list[Comment] = field(default_factory=list)


_COMMENTS = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def comments_of(text: str) -> list[Comment]:
    out = []
    for m in _COMMENTS.finditer(text):
        if m.group().startswith("#"):
            line = text.count("\n", 0, m.start()) + 1
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            out.append(Comment(line, column, m.group().rstrip()))
    return out


_parser: Lark | None = None


def parser() -> Lark:
    global _parser
    if _parser is None:
        _parser = Lark.open(str(grammar_path()), parser="lalr", lexer="contextual",
                            propagate_positions=True, maybe_placeholders=True, cache=True)
    return _parser


def parse_source(text: str, file: str = "<input>") -> ParseResult:
    if len(text) > MAX_SOURCE_BYTES:
        span = Span(file, 1, 1, 1, 2)
        return ParseResult(ast.Module(span, file, ()), [Diagnostic(
            "file-too-large", f"the spec is {len(text)} characters long", span,
            f"split it into files of under {MAX_SOURCE_BYTES // (1024 * 1024)} MiB with `include`")])
    original = text
    too_deep = brackets_too_deep(text, file)
    if too_deep is not None:
        return ParseResult(ast.Module(Span(file, 1, 1, 1, 1), file, ()), [too_deep])
    diagnostics: list[Diagnostic] = []
    tree = None
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            tree = parser().parse(text)
            break
        except UnexpectedInput as err:
            diagnostic, text = recover(err, text, file)
            diagnostics.append(diagnostic)
            if text is None:
                break
    decls = _to_ast(tree, file, diagnostics) if tree is not None else []
    return ParseResult(ast.Module(Span(file, 1, 1, 1, 1), file, tuple(decls)), diagnostics, comments_of(original))


def _to_ast(tree: Tree, file: str, diagnostics: list[Diagnostic]) -> list:
    decls = []
    for item in tree.children:
        deep = nesting_too_deep(item, file)
        if deep is not None:
            diagnostics.append(deep)
            continue
        transformer = ToAst(file)
        decls.append(transformer.transform(item))
        diagnostics.extend(transformer.diagnostics)
    return decls
