"""Stage 1: source text -> AST, with located syntax diagnostics.

`parse_source` never raises on bad input: it returns what it could parse and
the diagnostics for what it could not. After a syntax error it blanks out the
broken declaration and parses on after it, so one mistake does not hide the
next.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from lark import Lark, Tree, UnexpectedInput

from .. import ast
from ..diagnostics import Diagnostic, Span
from ..resources import grammar_path
from .recovery import blank, brackets_too_deep, nesting_too_deep, past_compile_limits, recover, tool_header_end
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


class _WholeWords:
    """Lets every lexer state see a name. Lark's contextual lexer offers each parser state only the
    terminals it accepts, so where a name cannot stand, `goals x` lexed as the keyword `goal`
    and a name `s`: a misspelt keyword was silently cut in two. With names always offered, the
    longest match wins, and `goals` is reported whole, as an unexpected name."""
    always_accept = ("NAME",)

    def process(self, stream):
        return stream


def parser() -> Lark:
    global _parser
    if _parser is None:
        _parser = Lark.open(str(grammar_path()), parser="lalr", lexer="contextual",
                            propagate_positions=True, maybe_placeholders=True, cache=True, postlex=_WholeWords(),
                            start=["start", "expr"])  # `expr`: the fields of an f-string
    return _parser


def parse_source(text: str, file: str = "<input>") -> ParseResult:
    if len(text) > MAX_SOURCE_BYTES:
        span = Span(file, 1, 1, 1, 2)
        return ParseResult(ast.Module(span, file, ()), [Diagnostic(
            "file-too-large", f"the spec is {len(text)} characters long", span,
            f"split it into files of under {MAX_SOURCE_BYTES // (1024 * 1024)} MiB with `include`")])
    too_deep = brackets_too_deep(text, file)
    if too_deep is not None:
        return ParseResult(ast.Module(Span(file, 1, 1, 1, 1), file, ()), [too_deep])
    diagnostics: list[Diagnostic] = []
    with gc_paused():
        unparsed_bodies: set[int] = set()
        items = _declarations(text, file, diagnostics, unparsed_bodies)
        decls = _to_ast(items, file, diagnostics, unparsed_bodies) if items is not None else []
    return ParseResult(ast.Module(Span(file, 1, 1, 1, 1), file, tuple(decls)), diagnostics, comments_of(text))


def _declarations(text: str, file: str, diagnostics: list[Diagnostic],
                  unparsed_bodies: set[int]) -> list[Tree] | None:
    """The parse trees of the top-level declarations; None if recovery gave up.

    After a syntax error the broken declaration is blanked out and parsing resumes after
    it, not from the top: the declarations before it are parsed once more on their own
    and kept. So each part of the file is parsed about twice, however many errors it has.
    A broken tool keeps its signature (its tree's id goes in `unparsed_bodies`), so the
    tasks that call it are checked against it instead of reporting an unknown tool.
    """
    items: list[Tree] = []
    done = 0  # the text before this offset is blanked out: its declarations are in `items`
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            return items + parser().parse(text, start="start").children
        except UnexpectedInput as err:
            diagnostic, broken = recover(err, text, file)
        diagnostics.append(diagnostic)
        if broken is None:
            return None
        start, end = broken
        before = _whole_declarations(text[:start]) if start > done else []
        if before is None:  # `start` is no boundary between declarations: blank only the broken part
            text = blank(text, start, end)
            continue
        items += before
        signature = tool_signature(text, start, end)
        if signature is not None:
            items.append(signature)
            unparsed_bodies.add(id(signature))
        text, done = blank(text, done, end), end
    return None


def tool_signature(text: str, start: int, end: int) -> Tree | None:
    """The tree of the tool declared at `start` with an empty body, if its signature parses;
    the text before it is blanked so every line and column stays true."""
    header_end = tool_header_end(text, start, end)
    if header_end is None:
        return None
    trees = _whole_declarations(blank(text[:header_end], 0, start) + "}")
    if not trees or len(trees) != 1 or trees[0].data != "tool_decl":
        return None
    return trees[0]


def _whole_declarations(text: str) -> list[Tree] | None:
    try:
        return parser().parse(text, start="start").children
    except UnexpectedInput:
        return None


@contextmanager
def gc_paused():
    """No cyclic garbage collection inside: parse trees and ASTs are millions of young objects
    that all live on, so each collection scans them in vain, and at megabytes they cost as
    much as the parse. Nesting and threads are safe: only the outermost user turns it back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _to_ast(items: list[Tree], file: str, diagnostics: list[Diagnostic], unparsed_bodies: set[int]) -> list:
    decls = []
    transformer = ToAst(file)
    for item in items:
        deep = nesting_too_deep(item, file)
        if deep is not None:
            diagnostics.append(deep)
            continue
        past_limits = past_compile_limits(item, file)
        if past_limits:
            diagnostics.extend(past_limits)
            continue
        decl = transformer.transform(item)
        decls.append(replace(decl, body_unparsed=True) if id(item) in unparsed_bodies else decl)
        diagnostics.extend(transformer.diagnostics)
        transformer.diagnostics.clear()
    return decls
