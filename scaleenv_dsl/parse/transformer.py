"""Lark tree -> AST. The only place that knows Lark's tree shapes.

Rule and alias names in grammar/sedl.lark map one-to-one onto methods here.
Token-level problems (bad escapes, numbers too large) are collected, not
raised, so one bad literal does not hide the rest of the file.
"""

from __future__ import annotations

import textwrap

from lark import Token, Tree

from .. import ast
from . import fstrings
from ..diagnostics import Diagnostic, Span

# JSON's safe integer range: a number outside it cannot round-trip through data files.
MAX_SAFE_INTEGER = 2**53 - 1
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "/": "/", "0": "\0"}


def token_span(file: str, tok: Token) -> Span:
    return Span(file, tok.line, tok.column, tok.end_line, tok.end_column)


class ToAst:
    """Builds AST nodes: the method named after each rule gets the node's meta and its children.

    Lark's own Transformer would do, but at megabytes it costs as much as parsing: it
    rebuilds a wrapper around the method at every node. Here the methods are looked up
    once per rule, and the walk is iterative, so deep input cannot overflow Python's stack.
    """

    def __init__(self, file: str):
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._rules: dict[str, object] = {}

    def transform(self, tree: Tree):
        order, pending = [], [tree]
        while pending:  # parents before children, so reversed it is children first
            node = pending.pop()
            order.append(node)
            if type(node) is Tree:
                pending.extend(node.children)
        done: list = []  # each node's result, in order; a parent takes its children's off the end
        for node in reversed(order):
            if type(node) is not Tree:
                done.append(node)
                continue
            count = len(node.children)
            children = done[len(done) - count:]
            del done[len(done) - count:]
            done.append(self._rule(node.data)(node.meta, *children))
        return done[0]

    def _rule(self, name: str):
        method = self._rules.get(name)
        if method is None:
            method = self._rules[name] = getattr(self, name)
        return method

    # -- helpers
    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _ident(self, tok: Token) -> ast.Ident:
        return ast.Ident(token_span(self.file, tok), str(tok))

    def _error(self, code: str, message: str, span: Span, help: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help))

    # -- tokens become nodes lazily: rules receive Token objects and call these
    def _str(self, tok: Token | ast.Str) -> ast.Str:
        if isinstance(tok, ast.Str):
            return tok
        span = token_span(self.file, tok)
        if tok.type == "LONG_STRING":
            body = textwrap.dedent(str(tok)[3:-3].lstrip("\n")).rstrip()
            return ast.Str(span, self._unescape(body, span))
        return ast.Str(span, self._unescape(str(tok)[1:-1], span))

    def _unescape(self, raw: str, span: Span) -> str:
        if "\\" not in raw:
            return raw
        out, i = [], 0
        while i < len(raw):
            ch = raw[i]
            if ch != "\\" or i + 1 >= len(raw):
                out.append(ch)
                i += 1
                continue
            nxt = raw[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif nxt == "u" and _is_hex(raw[i + 2:i + 6]):
                code, i = _code_point(raw, i)
                if code is None:
                    self._error("invalid-escape", f"`{raw[i - 6:i]}` is half of a surrogate pair", span,
                                "write the character itself, or both halves: `\\ud83d\\ude00`")
                else:
                    out.append(chr(code))
            else:
                self._error("invalid-escape", f"`\\{nxt}` is not an escape sequence", span,
                            'use \\" \\\\ \\n \\t \\r or \\uXXXX')
                out.append(nxt)
                i += 2
        return "".join(out)

    def _expr(self, item):
        """Strings and names arrive as bare tokens where a rule was inlined."""
        if isinstance(item, Token):
            if item.type in ("STRING", "LONG_STRING"):
                return self._str(item)
            if item.type == "NAME":
                return ast.Name(token_span(self.file, item), str(item))
        return item

    # -- top level
    def start(self, meta, *decls):
        return list(decls)

    def include_decl(self, meta, path):
        return ast.IncludeDecl(self._span(meta), self._str(path))

    def domain_decl(self, meta, name, *entries):
        return ast.DomainDecl(self._span(meta), self._ident(name), entries)

    def domain_entry(self, meta, key, value):
        if isinstance(value, Token) and value.type == "NUMBER":  # a budget: `step_limit 1_000_000`
            return ast.DomainEntry(self._span(meta), self._ident(key), self.number(meta, value))
        return ast.DomainEntry(self._span(meta), self._ident(key), self._str(value))

    def enum_decl(self, meta, name, *values):
        return ast.EnumDecl(self._span(meta), self._ident(name),
                            tuple(self._str(v) for v in values if v is not None))

    def docstring(self, meta, text):
        return self._str(text)

    def _split_members(self, members):
        doc = None
        if members and isinstance(members[0], ast.Str):
            doc, members = members[0], members[1:]
        fields = tuple(m for m in members if isinstance(m, ast.FieldDecl))
        invariants = tuple(m for m in members if isinstance(m, ast.InvariantDecl))
        return doc, fields, invariants

    def record_decl(self, meta, name, *members):
        doc, fields, invariants = self._split_members(members)
        return ast.RecordDecl(self._span(meta), self._ident(name), doc, fields, invariants)

    def union_decl(self, meta, name, tag, *rest):
        doc = rest[0] if rest and isinstance(rest[0], ast.Str) else None
        variants = tuple(v for v in rest if isinstance(v, ast.VariantDecl))
        return ast.UnionDecl(self._span(meta), self._ident(name), self._ident(tag), doc, variants)

    def variant_decl(self, meta, name, *members):
        _, fields, invariants = self._split_members(members)
        return ast.VariantDecl(self._span(meta), self._tag(name), fields, invariants)

    def entity_decl(self, meta, name, collection, key, from_map, not_found, *members):
        doc, fields, invariants = self._split_members(members)
        return ast.EntityDecl(self._span(meta), self._ident(name), self._ident(collection),
                              self._ident(key), self._expr(not_found), doc, fields, invariants, from_map is not None)

    def key_from_map(self, meta):
        return True

    def field_decl(self, meta, name, type_, *options):
        return ast.FieldDecl(self._span(meta), self._ident(name), type_, options)

    def invariant_decl(self, meta, condition, message):
        return ast.InvariantDecl(self._span(meta), self._expr(condition), self._expr(message))

    def doc_option(self, meta, text):
        text = self._str(text)
        return ast.DocOption(text.span, text)

    def example_option(self, meta, value):
        return ast.ExampleOption(self._span(meta), self._expr(value))

    def compare_option(self, meta, mode, argument):
        return ast.CompareOption(self._span(meta), self._ident(mode),
                                 self.number(None, argument) if argument is not None else None)

    # -- types
    def named_type(self, meta, name):
        return ast.NamedType(self._span(meta), self._ident(name))

    def generic_type(self, meta, name, *args):
        return ast.GenericType(self._span(meta), self._ident(name), args)

    def ref_type(self, meta, name, *path):
        return ast.RefType(self._span(meta), self._ident(name), tuple(self._ident(p) for p in path))

    def optional_type(self, meta, inner):
        return ast.OptionalType(self._span(meta), inner)

    # -- tools
    def tool_decl(self, meta, name, *rest):
        params = tuple(p for p in rest if isinstance(p, ast.ParamDecl))
        returns = next((r for r in rest if isinstance(r, ast.ReturnsDecl)), None)
        body = [s for s in rest if s is not None and not isinstance(s, (ast.ParamDecl, ast.ReturnsDecl))]
        doc = None
        if body and isinstance(body[0], ast.Str):
            doc, body = body[0], body[1:]
        return ast.ToolDecl(self._span(meta), self._ident(name), params, returns, doc, tuple(body))

    def param_decl(self, meta, name, *rest):
        local = rest[0] if rest and isinstance(rest[0], ast.Ident) else None
        type_, *options = rest[1:] if rest and (local is not None or rest[0] is None) else rest
        default = options[0] if options and isinstance(options[0], ast.ParamDefault) else None
        options = tuple(o for o in options if o is not None and not isinstance(o, ast.ParamDefault))
        return ast.ParamDecl(self._span(meta), self._ident(name), type_, options, default, local)

    def param_local(self, meta, name):
        return self._ident(name)

    def param_default(self, meta, value):
        return ast.ParamDefault(self._span(meta), self._expr(value))

    def returns_decl(self, meta, type_, doc=None):
        return ast.ReturnsDecl(self._span(meta), type_, self._str(doc) if doc is not None else None)

    def helper_decl(self, meta, name, *rest):
        params = tuple(p for p in rest if isinstance(p, ast.HelperParam))
        returns, *body = rest[len(params):]
        body = [s for s in body if s is not None]
        doc = None
        if body and isinstance(body[0], ast.Str):
            doc, body = body[0], body[1:]
        return ast.HelperDecl(self._span(meta), self._ident(name), params, returns, doc, tuple(body))

    def helper_param(self, meta, name, type_):
        return ast.HelperParam(self._span(meta), self._ident(name), type_)

    def const_decl(self, meta, name, value):
        return ast.ConstDecl(self._span(meta), self._ident(name), self._expr(value))

    def block(self, meta, *stmts):
        return ast.Block(self._span(meta), stmts)

    def let_stmt(self, meta, name, value, otherwise):
        return ast.Let(self._span(meta), self._ident(name), self._expr(value),
                       self._expr(otherwise) if otherwise is not None else None)

    def require_stmt(self, meta, condition, message):
        return ast.Require(self._span(meta), self._expr(condition), self._expr(message))

    def fail_stmt(self, meta, message):
        return ast.Fail(self._span(meta), self._expr(message))

    def if_stmt(self, meta, condition, then, *otherwise):
        other = otherwise[-1] if otherwise else None
        return ast.If(self._span(meta), self._expr(condition), then, other)

    def for_stmt(self, meta, first, second, iterable, body):
        names = (self._ident(first),) + ((self._ident(second),) if second is not None else ())
        return ast.For(self._span(meta), names, self._expr(iterable), body)

    def break_stmt(self, meta):
        return ast.Break(self._span(meta))

    def continue_stmt(self, meta):
        return ast.Continue(self._span(meta))

    def return_stmt(self, meta, value):
        return ast.Return(self._span(meta), self._expr(value))

    def ensures_stmt(self, meta, condition, message):
        return ast.Ensures(self._span(meta), self._expr(condition),
                           self._expr(message) if message is not None else None)

    def insert_stmt(self, meta, row, otherwise):
        return ast.Insert(self._span(meta), self._expr(row),
                          self._expr(otherwise) if otherwise is not None else None)

    def delete_stmt(self, meta, target):
        return ast.Delete(self._span(meta), self._expr(target))

    def assign_stmt(self, meta, target, op, value):
        return ast.Assign(self._span(meta), self._expr(target), str(op), self._expr(value))

    def expr_stmt(self, meta, expr):
        return ast.ExprStmt(self._span(meta), self._expr(expr))

    # -- tasks
    def task_decl(self, meta, name, *entries):
        entries = [e for e in entries if e is not None]
        doc = None
        if entries and isinstance(entries[0], ast.Str):
            doc, entries = entries[0], entries[1:]
        return ast.TaskDecl(self._span(meta), self._ident(name), doc, tuple(entries))

    def instruction_entry(self, meta, text):
        return ast.Instruction(self._span(meta), self._str(text))

    def knows_entry(self, meta, name, value):
        return ast.Knows(self._span(meta), self._ident(name), self._expr(value))

    def initial_entry(self, meta, value):
        return ast.Initial(self._span(meta), self._expr(value))

    def action_entry(self, meta, tool, *args):
        return ast.Action(self._span(meta), self._ident(tool),
                          tuple(self._expr(a) for a in args if a is not None))

    def goal_entry(self, meta, condition):
        return ast.Goal(self._span(meta), self._expr(condition))

    def communicate_entry(self, meta, text):
        return ast.Communicate(self._span(meta), self._str(text))

    def reward_entry(self, meta, *bases):
        return ast.RewardEntry(self._span(meta), tuple(self._ident(b) for b in bases))

    # -- expressions
    def name(self, meta, tok):
        return ast.Name(token_span(self.file, tok), str(tok))

    def number(self, meta, tok):
        span = token_span(self.file, tok)
        text = str(tok)
        digits = text.replace("_", "")
        is_float = any(c in digits for c in ".eE")
        if len(digits) > 40:
            self._error("number-too-large", f"the number `{text[:20]}…` has {len(digits)} digits", span,
                        f"numbers must lie within ±{MAX_SAFE_INTEGER}")
            return ast.Number(span, 0, text)
        value = float(digits) if is_float else int(digits)
        if abs(value) > MAX_SAFE_INTEGER:  # infinity included: `1e400` reads as inf
            self._error("number-too-large", f"the number `{text}` is too large", span,
                        f"numbers must lie within ±{MAX_SAFE_INTEGER}, so JSON data can hold them exactly")
            value = 0
        return ast.Number(span, value, text)

    def true(self, meta):
        return ast.Bool(self._span(meta), True)

    def false(self, meta):
        return ast.Bool(self._span(meta), False)

    def none(self, meta):
        return ast.NoneLit(self._span(meta))

    def attribute(self, meta, obj, attr):
        return ast.Attribute(self._span(meta), self._expr(obj), self._ident(attr))

    def index(self, meta, obj, key):
        return ast.Index(self._span(meta), self._expr(obj), self._expr(key))

    def call(self, meta, func, args):
        func = self._expr(func)
        if isinstance(args, ast.Generator):
            return ast.Call(self._span(meta), func, (args,), ())
        positional = tuple(self._expr(a) for a in args if not isinstance(a, ast.KeywordArg))
        keywords = tuple(a for a in args if isinstance(a, ast.KeywordArg))
        return ast.Call(self._span(meta), func, positional, keywords)

    def call_args(self, meta, *args):
        return [a for a in args if a is not None]

    def generator_args(self, meta, element, *loops):
        return ast.Generator(self._span(meta), self._expr(element), loops)

    def keyword_arg(self, meta, name, value):
        return ast.KeywordArg(self._span(meta), self._ident(name), self._expr(value))

    def list_display(self, meta, *items):
        return ast.ListDisplay(self._span(meta), tuple(self._expr(i) for i in items if i is not None))

    def list_comp(self, meta, element, *loops):
        return ast.ListComp(self._span(meta), self._expr(element), loops)

    def dict_item(self, meta, key, value):
        return ast.DictItem(self._span(meta), self._expr(key), self._expr(value))

    def dict_display(self, meta, *items):
        return ast.DictDisplay(self._span(meta), tuple(i for i in items if i is not None))

    def dict_comp(self, meta, item, *loops):
        return ast.DictComp(self._span(meta), item, loops)

    def comp_for(self, meta, first, second, iterable, condition):
        names = (self._ident(first),) + ((self._ident(second),) if second is not None else ())
        return ast.CompFor(self._span(meta), names, self._expr(iterable),
                           self._expr(condition) if condition is not None else None)

    def conditional(self, meta, then, condition, otherwise):
        return ast.Conditional(self._span(meta), self._expr(then), self._expr(condition), self._expr(otherwise))

    def binary(self, meta, left, op, right):
        return ast.BinaryOp(self._span(meta), str(op), self._expr(left), self._expr(right))

    def compare(self, meta, left, op, right):
        return ast.Compare(self._span(meta), str(op), self._expr(left), self._expr(right))

    def chained_compare(self, meta, *parts):
        operands, ops = parts[0::2], parts[1::2]
        return ast.ChainedCompare(self._span(meta), tuple(str(op) for op in ops),
                                  tuple(self._expr(o) for o in operands))

    def slice(self, meta, obj, start, stop):
        return ast.Slice(self._span(meta), self._expr(obj),
                         self._expr(start) if start is not None else None,
                         self._expr(stop) if stop is not None else None)

    def fstring(self, meta, tok):
        """Each field is parsed as an expression where it stands, so its spans are the file's."""
        from lark import UnexpectedEOF, UnexpectedInput

        from . import parser
        from .recovery import nesting_too_deep, syntax_diagnostic

        span = token_span(self.file, tok)
        parts, problems = fstrings.split(str(tok)[2:-1])
        body_column = tok.column + 2  # the body starts after `f"`; a one-line token
        for p in problems:
            self._error("invalid-fstring", p.message,
                        Span(self.file, tok.line, body_column + p.offset, tok.line, body_column + p.offset + p.length),
                        p.help)
        out: list = []
        for part in parts:
            if isinstance(part, str):
                out.append(self._unescape(part, span))
                continue
            placed = "\n" * (tok.line - 1) + " " * (body_column + part.offset - 1) + part.text
            try:
                tree = parser().parse(placed, start="expr")
            except UnexpectedInput as err:
                ends_early = isinstance(err, UnexpectedEOF) or getattr(getattr(err, "token", None), "type", "") == "$END"
                if ends_early:
                    start = body_column + part.offset
                    self._error("syntax-error", "this f-string field ends too soon",
                                Span(self.file, tok.line, start, tok.line, start + len(part.text)),
                                "finish the expression before the `}`")
                else:
                    self.diagnostics.append(syntax_diagnostic(err, placed, self.file))
                continue
            deep = nesting_too_deep(tree, self.file) if isinstance(tree, Tree) else None
            if deep is not None:
                self.diagnostics.append(deep)
                continue
            out.append(self._expr(self.transform(tree) if isinstance(tree, Tree) else tree))
        return ast.FString(span, tuple(out))

    def in_op(self, meta, left, right):
        return ast.Compare(self._span(meta), "in", self._expr(left), self._expr(right))

    def not_in_op(self, meta, left, right):
        return ast.Compare(self._span(meta), "not in", self._expr(left), self._expr(right))

    def is_op(self, meta, value, kind):
        return ast.IsCheck(self._span(meta), self._expr(value), self._tag(kind), False)

    def is_not_op(self, meta, value, kind):
        return ast.IsCheck(self._span(meta), self._expr(value), self._tag(kind), True)

    def _tag(self, tok: Token) -> ast.Ident:
        """A union's tag: a name, or a quoted string such as `"in transit"`, which is its value."""
        if tok.type == "STRING":
            return ast.Ident(token_span(self.file, tok), self._str(tok).value)
        return self._ident(tok)

    def is_none_op(self, meta, value):
        return self._is_none(meta, value, negated=False)

    def is_not_none_op(self, meta, value):
        return self._is_none(meta, value, negated=True)

    def _is_none(self, meta, value, negated: bool):
        span = self._span(meta)
        word = Span(self.file, span.end_line, max(1, span.end_column - 4), span.end_line, span.end_column)
        return ast.IsCheck(span, self._expr(value), ast.Ident(word, "none"), negated)

    def or_op(self, meta, left, right):
        return ast.BoolOp(self._span(meta), "or", self._expr(left), self._expr(right))

    def and_op(self, meta, left, right):
        return ast.BoolOp(self._span(meta), "and", self._expr(left), self._expr(right))

    def not_op(self, meta, operand):
        return ast.Not(self._span(meta), self._expr(operand))

    def negate(self, meta, operand):
        return ast.Negate(self._span(meta), self._expr(operand))


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)


def _code_point(raw: str, i: int) -> tuple[int | None, int]:
    """The character of the `\\uXXXX` escape at `i` and the offset after it.

    As in JSON, a character outside the Basic Multilingual Plane is written as a
    surrogate pair, `\\ud83d\\ude00`. A half of a pair alone is no character (None):
    no file or JSON document can hold it.
    """
    code = int(raw[i + 2:i + 6], 16)
    if not 0xD800 <= code <= 0xDFFF:
        return code, i + 6
    low = raw[i + 8:i + 12] if raw[i + 6:i + 8] == "\\u" and _is_hex(raw[i + 8:i + 12]) else ""
    if code <= 0xDBFF and low and 0xDC00 <= int(low, 16) <= 0xDFFF:
        return 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00), i + 12
    return None, i + 6
