"""`scaleenv fmt`: the one canonical layout of a spec.

The output is a function of the AST and the comments only: the source's own
spacing, line breaks and redundant parentheses are forgotten. Comments are not
in the AST, so they are put back by position: each output line remembers where
its first token was in the source, an own-line comment goes before the line
that follows it there, and a trailing comment after the line it follows. Where
comments need room, they get it: an enum or parameter list holding one is
printed one item per line, and a top-level comment followed by a blank line (a
file header, a section title) keeps that blank line.

Nodes are told apart by class name, one method per node type.

The formatter never formats broken input (it raises `DiagnosticError`), and it
never hands back text whose AST or comments differ from the input's: it parses
its own output and raises `FormatError` if they do.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import textwrap
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import ast
from .diagnostics import DiagnosticError, Span, has_errors
from .parse import Comment, parse_source

INDENT = "  "
MAX_LINE = 100

# Expression precedence, loosest first, as in grammar/sedl.lark. A child is
# parenthesised only when it binds more loosely than its place requires.
OR, AND, NOT, CMP, SUM, TERM, UNARY, POSTFIX, ATOM = range(1, 10)
_BINARY_PREC = {"+": SUM, "-": SUM, "*": TERM, "/": TERM, "//": TERM, "%": TERM}
_BOOL_PREC = {"or": OR, "and": AND}

# Declarations that lead the file, in this order; the rest keep their source order.
_LEADING_DECLS = {"DomainDecl": 0, "IncludeDecl": 1}

Pos = tuple[int, int]


class FormatError(Exception):
    """The output would not mean what the input meant: a formatter bug, so nothing is written."""


def format_source(text: str, file: str = "<input>") -> str:
    """The canonical form of `text`; raises `DiagnosticError` if it does not parse cleanly."""
    parsed = parse_source(text, file)
    if has_errors(parsed.diagnostics):
        raise DiagnosticError(parsed.diagnostics)
    printer = _Printer(parsed.comments)
    printer.module(parsed.module)
    out = _render(printer.lines, parsed.comments, text)
    _verify(parsed, out, file)
    return out


def canonical_order(decls) -> list:
    """The order declarations are printed in: domain header, includes, then source order."""
    return sorted(decls, key=lambda d: _LEADING_DECLS.get(type(d).__name__, 2))


def shape(node):
    """A node as nested tuples without spans: two parses mean the same iff their shapes are equal."""
    if dataclasses.is_dataclass(node):
        values = (shape(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name != "span")
        return (type(node).__name__, *values)
    if isinstance(node, (tuple, list)):
        return tuple(shape(item) for item in node)
    return node


def _verify(parsed, out: str, file: str) -> None:
    again = parse_source(out, file)
    if has_errors(again.diagnostics):
        raise FormatError(f"the formatted {file} does not parse: {again.diagnostics[0].message}")
    if shape(canonical_order(again.module.decls)) != shape(canonical_order(parsed.module.decls)):
        raise FormatError(f"formatting {file} would change its meaning")
    if sorted(c.text for c in again.comments) != sorted(c.text for c in parsed.comments):
        raise FormatError(f"formatting {file} would lose or split a comment")


# ---------------------------------------------------------------- strings

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "/": "/", "0": "\0"}


def _escape_char(ch: str, keep: str = "") -> str:
    if ch in keep:
        return ch
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    # control characters (and the Unicode line breaks editors honour) would be invisible or break lines
    if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
        return f"\\u{ord(ch):04x}"
    return ch


def _tag(name: str) -> str:
    """A union's tag as written: bare when it is a name, quoted when it is not (`"in transit"`)."""
    from .parse.recovery import RESERVED_WORDS

    bare = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name not in RESERVED_WORDS
    return name if bare else quote(name)


def _field(text: str) -> str:
    # a field that is a map display would read as `{{`, an escaped brace
    return "{ " + text + " }" if text.startswith("{") or text.endswith("}") else "{" + text + "}"


def quote(value: str) -> str:
    """`value` as a one-line string literal."""
    return '"' + "".join(_escape_char(ch) for ch in value) + '"'


def long_quote(value: str, pad: str) -> str | None:
    """`value` as a `\"\"\"` string whose lines start with `pad`, or None if the parser would not read it back."""
    body = "".join(_escape_char(ch, keep='"\n') for ch in value)
    # a `\"\"\"` inside would end the string: escape every quote of a run of three or more
    body = re.sub(r'"{3,}', lambda m: '\\"' * len(m.group()), body)
    lines = [pad + line if line else "" for line in body.split("\n")]
    if any(line != line.rstrip() for line in lines):
        return None  # editors strip trailing spaces, which would change the text without a trace
    literal = '"""\n' + "\n".join(lines) + "\n" + pad + '"""'
    return literal if _read_long(literal) == value else None


def _read_long(literal: str) -> str:
    """What the parser makes of a `\"\"\"` string: see `_str` in parse/transformer.py."""
    body = textwrap.dedent(literal[3:-3].lstrip("\n")).rstrip()
    return re.sub(r'\\(u[0-9a-fA-F]{4}|.)', _unescape_one, body)


def _unescape_one(m: re.Match) -> str:
    code = m.group(1)
    return chr(int(code[1:], 16)) if len(code) == 5 else _UNESCAPES.get(code, code)


# ---------------------------------------------------------------- lines

@dataclass
class Line:
    """One output line (a `\"\"\"` string may make it several physical lines)."""

    indent: int
    text: str
    start: Pos | None = None  # source position of its first token: where comments anchor
    end: Pos | None = None  # end of the source it covers, for comments inside a multi-line node
    blank_before: bool = False
    leading: list[Comment] = field(default_factory=list)
    trailing: list[Comment] = field(default_factory=list)

    @property
    def closes(self) -> bool:
        return self.text.startswith("}")

    @property
    def opens(self) -> bool:
        return self.text.endswith("{")


def _start(span: Span) -> Pos:
    return (span.line, span.column)


def _end(span: Span) -> Pos:
    return (span.end_line, span.end_column)


def _closing(span: Span) -> Pos:
    """Where the `}` that ends `span` is."""
    return (span.end_line, span.end_column - 1)


class _Printer:
    """Turns the AST into `Line`s: one method per node type, found by class name."""

    def __init__(self, comments: list[Comment]):
        self.lines: list[Line] = []
        self.depth = 0
        self.comments = sorted((c.line, c.column) for c in comments)

    def commented(self, start: Pos, end: Pos) -> bool:
        """Whether a comment lies between `start` and `end`: a list holding one is printed one item per line."""
        k = bisect.bisect_right(self.comments, start)
        return k < len(self.comments) and self.comments[k] < end

    def line(self, text: str, node=None, start: Pos | None = None, end: Pos | None = None) -> None:
        if node is not None:
            start, end = _start(node.span), _end(node.span)
        self.lines.append(Line(self.depth, text, start, end))

    def dispatch(self, kind: str, node):
        return getattr(self, f"{kind}_{type(node).__name__}")(node)

    @contextmanager
    def braces(self, header: str, span: Span, end: Pos | None = None):
        """`header {`, the indented body the caller prints, then `}`."""
        self.line(header + " {", start=_start(span), end=end)
        self.depth += 1
        yield
        self.depth -= 1
        self.line("}", start=_closing(span))

    def text(self, s) -> str:
        """A doc string or other prose: triple-quoted when it has several lines and that reads back exactly."""
        if "\n" in s.value:
            literal = long_quote(s.value, INDENT * self.depth)
            if literal is not None:
                return literal
        return quote(s.value)

    def doc(self, s) -> None:
        if s is not None:
            self.line(self.text(s), s)

    # -- declarations
    def module(self, module) -> None:
        previous = None
        for i, decl in enumerate(canonical_order(module.decls)):
            first = len(self.lines)
            self.dispatch("decl", decl)
            # constants in a run stay together, as a table of them reads
            together = isinstance(decl, ast.ConstDecl) and isinstance(previous, ast.ConstDecl)
            self.lines[first].blank_before = i > 0 and not together
            previous = decl

    def decl_DomainDecl(self, d) -> None:
        with self.braces(f"domain {d.name.name}", d.span):
            for entry in d.entries:
                value = entry.value.text if isinstance(entry.value, ast.Number) else self.text(entry.value)
                self.line(f"{entry.key.name} {value}", entry)

    def decl_IncludeDecl(self, d) -> None:
        self.line(f"include {quote(d.path.value)}", d)

    def decl_EnumDecl(self, d) -> None:
        values = ", ".join(quote(v.value) for v in d.values)
        one_line = f"enum {d.name.name} {{ {values} }}" if values else f"enum {d.name.name} {{}}"
        if len(one_line) <= MAX_LINE and not self.commented(_start(d.span), _end(d.span)):
            self.line(one_line, d)
            return
        with self.braces(f"enum {d.name.name}", d.span):
            for value in d.values:
                self.line(quote(value.value) + ",", value)

    def decl_RecordDecl(self, d) -> None:
        with self.braces(f"record {d.name.name}", d.span):
            self.doc(d.doc)
            self.members(d)

    def decl_UnionDecl(self, d) -> None:
        with self.braces(f"union {d.name.name} by {d.tag.name}", d.span):
            self.doc(d.doc)
            for variant in d.variants:
                with self.braces(_tag(variant.name.name), variant.span):
                    self.members(variant)

    def decl_EntityDecl(self, d) -> None:
        source = " from map" if d.key_from_map else ""
        header = (f"entity {d.name.name} in {d.collection.name} key {d.key.name}{source} "
                  f"else {self.expr(d.not_found)}")
        with self.braces(header, d.span):
            self.doc(d.doc)
            self.members(d)

    def members(self, d) -> None:
        """Fields, then invariants: the AST keeps them apart, so their interleaving is not kept."""
        for f in d.fields:
            self.line(self.field(f), f)
        for inv in d.invariants:
            self.line(f"invariant {self.expr(inv.condition)} else {self.expr(inv.message)}", inv)

    def field(self, f) -> str:
        default = getattr(f, "default", None)  # a tool parameter's `= VALUE`
        local = getattr(f, "local", None)  # a tool parameter's `as NAME`
        name = f.name.name + (f" as {local.name}" if local is not None else "")
        return f"{name}: {self.type(f.type)}" + (f" = {self.expr(default.value)}" if default else "") \
            + "".join(" " + self.option(o) for o in f.options)

    def option(self, o) -> str:
        return self.dispatch("option", o)

    def option_DocOption(self, o) -> str:
        return self.text(o.text)

    def option_ExampleOption(self, o) -> str:
        return f"example {self.expr(o.value)}"

    def option_CompareOption(self, o) -> str:
        return f"compare {o.mode.name}" + (f" {o.argument.text}" if o.argument is not None else "")

    # -- types
    def type(self, t) -> str:
        return self.dispatch("type", t)

    def type_NamedType(self, t) -> str:
        return t.name.name

    def type_GenericType(self, t) -> str:
        return f"{t.name.name}[{', '.join(self.type(a) for a in t.args)}]"

    def type_RefType(self, t) -> str:
        return "ref " + ".".join([t.entity.name] + [p.name for p in t.path])

    def type_OptionalType(self, t) -> str:
        return f"{self.type(t.inner)}?"

    # -- tools
    def decl_ToolDecl(self, d) -> None:
        self.tool_header(d)
        self.depth += 1
        self.doc(d.doc)
        for stmt in d.body:
            self.dispatch("stmt", stmt)
        self.depth -= 1
        self.line("}", start=_closing(d.span))

    def decl_HelperDecl(self, d) -> None:
        self.tool_header(d, keyword="def")
        self.depth += 1
        self.doc(d.doc)
        for stmt in d.body:
            self.dispatch("stmt", stmt)
        self.depth -= 1
        self.line("}", start=_closing(d.span))

    def decl_ConstDecl(self, d) -> None:
        self.line(f"const {d.name.name} = {self.expr(d.value)}", d)

    def helper_param(self, p) -> str:
        return f"{p.name.name}: {self.type(p.type)}"

    def tool_header(self, d, keyword: str = "tool") -> None:
        returns = ""
        field = self.field if keyword == "tool" else self.helper_param
        if keyword == "def":  # a helper's return type is required and has no doc
            returns = f" -> {self.type(d.returns)}"
        elif d.returns is not None:
            doc = f" {self.text(d.returns.doc)}" if d.returns.doc is not None else ""
            returns = f" -> {self.type(d.returns.type)}{doc}"
        params = ", ".join(field(p) for p in d.params)
        one_line = f"{keyword} {d.name.name}({params}){returns} {{"
        last = d.returns or (d.params[-1] if d.params else d.name)
        fits = "\n" not in one_line and len(one_line) <= MAX_LINE
        if not d.params or (fits and not self.commented(_start(d.span), _end(d.params[-1].span))):
            self.line(one_line, start=_start(d.span), end=_end(last.span))
            return
        # too long, or comments among the parameters: one parameter per line
        self.line(f"{keyword} {d.name.name}(", start=_start(d.span))
        self.depth += 1
        for i, p in enumerate(d.params):
            self.line(field(p) + ("," if i < len(d.params) - 1 else ""), p)
        self.depth -= 1
        # a `)` has no node to anchor a comment on unless the return type is on its line
        anchor = d.returns.span if d.returns is not None else None
        self.line(f"){returns} {{", start=anchor and _start(anchor), end=anchor and _end(anchor))

    # -- statements
    def body(self, stmts) -> None:
        self.depth += 1
        for stmt in stmts:
            self.dispatch("stmt", stmt)
        self.depth -= 1

    def otherwise(self, e) -> str:
        return f" else {self.expr(e)}" if e is not None else ""

    def stmt_Let(self, s) -> None:
        self.line(f"let {s.name.name} = {self.expr(s.value)}{self.otherwise(s.otherwise)}", s)

    def stmt_Require(self, s) -> None:
        self.line(f"require {self.expr(s.condition)} else {self.expr(s.message)}", s)

    def stmt_Fail(self, s) -> None:
        self.line(f"fail {self.expr(s.message)}", s)

    def stmt_If(self, s) -> None:
        self.line(f"if {self.expr(s.condition)} {{", start=_start(s.span), end=_start(s.then.span))
        self.if_rest(s)

    def if_rest(self, s) -> None:
        """The branches of `s` after its header; `else if` chains stay flat."""
        self.body(s.then.body)
        close, other = _closing(s.then.span), s.otherwise
        if other is None:
            self.line("}", start=close)
        elif type(other).__name__ == "Block":
            self.line("} else {", start=close, end=_start(other.span))
            self.body(other.body)
            self.line("}", start=_closing(other.span))
        else:
            self.line(f"}} else if {self.expr(other.condition)} {{", start=close, end=_start(other.then.span))
            self.if_rest(other)

    def stmt_For(self, s) -> None:
        names = ", ".join(n.name for n in s.names)
        self.line(f"for {names} in {self.expr(s.iterable)} {{", start=_start(s.span), end=_start(s.body.span))
        self.body(s.body.body)
        self.line("}", start=_closing(s.body.span))

    def stmt_Break(self, s) -> None:
        self.line("break", s)

    def stmt_Continue(self, s) -> None:
        self.line("continue", s)

    def stmt_Return(self, s) -> None:
        self.line(f"return {self.expr(s.value)}", s)

    def stmt_Ensures(self, s) -> None:
        self.line(f"ensures {self.expr(s.condition)}{self.otherwise(s.message)}", s)

    def stmt_Insert(self, s) -> None:
        self.line(f"insert {self.expr(s.row)}{self.otherwise(s.otherwise)}", s)

    def stmt_Delete(self, s) -> None:
        self.line(f"delete {self.expr(s.target)}", s)

    def stmt_Assign(self, s) -> None:
        self.line(f"{self.expr(s.target)} {s.op} {self.expr(s.value)}", s)

    def stmt_ExprStmt(self, s) -> None:
        self.line(self.expr(s.expr), s)

    # -- tasks
    def decl_TaskDecl(self, d) -> None:
        with self.braces(f"task {d.name.name}", d.span):
            self.doc(d.doc)
            for entry in d.entries:
                self.line(self.dispatch("entry", entry), entry)

    def entry_Instruction(self, e) -> str:
        return f"instruction {self.text(e.text)}"

    def entry_Knows(self, e) -> str:
        return f"knows {e.name.name} = {self.expr(e.value)}"

    def entry_Initial(self, e) -> str:
        return f"initial {self.expr(e.value)}"

    def entry_Action(self, e) -> str:
        return f"action {e.tool.name}({', '.join(self.arg(a) for a in e.args)})"

    def entry_Goal(self, e) -> str:
        return f"goal {self.expr(e.condition)}"

    def entry_Communicate(self, e) -> str:
        return f"communicate {self.text(e.text)}"

    def entry_RewardEntry(self, e) -> str:
        return "reward " + ", ".join(b.name for b in e.bases)

    # -- expressions: each `x_` method gives the text and its precedence
    def expr(self, e, prec: int = 0) -> str:
        text, own = self.dispatch("x", e)
        return f"({text})" if own < prec else text

    def arg(self, a) -> str:
        kind = type(a).__name__
        if kind == "KeywordArg":
            return f"{a.name.name}={self.expr(a.value)}"
        if kind == "Generator":
            return self.expr(a.element) + self.loops(a.loops)
        return self.expr(a)

    def loops(self, loops) -> str:
        out = ""
        for loop in loops:
            names = ", ".join(n.name for n in loop.names)
            out += f" for {names} in {self.expr(loop.iterable)}"
            if loop.condition is not None:
                out += f" if {self.expr(loop.condition)}"
        return out

    def x_Name(self, e):
        return e.id, ATOM

    def x_Number(self, e):
        return e.text, ATOM

    def x_Str(self, e):
        return quote(e.value), ATOM

    def x_FString(self, e):
        text = "".join("".join(_escape_char(c) for c in p).replace("{", "{{").replace("}", "}}")
                       if isinstance(p, str) else _field(self.expr(p)) for p in e.parts)
        return f'f"{text}"', ATOM

    def x_Bool(self, e):
        return ("true" if e.value else "false"), ATOM

    def x_NoneLit(self, e):
        return "none", ATOM

    def x_Attribute(self, e):
        return f"{self.expr(e.obj, POSTFIX)}.{e.attr.name}", POSTFIX

    def x_Index(self, e):
        return f"{self.expr(e.obj, POSTFIX)}[{self.expr(e.key)}]", POSTFIX

    def x_Slice(self, e):
        start = self.expr(e.start) if e.start is not None else ""
        stop = self.expr(e.stop) if e.stop is not None else ""
        return f"{self.expr(e.obj, POSTFIX)}[{start}:{stop}]", POSTFIX

    def x_Call(self, e):
        args = ", ".join(self.arg(a) for a in (*e.args, *e.kwargs))
        return f"{self.expr(e.func, POSTFIX)}({args})", POSTFIX

    def x_ListDisplay(self, e):
        return "[" + ", ".join(self.expr(i) for i in e.items) + "]", ATOM

    def x_ListComp(self, e):
        return f"[{self.expr(e.element)}{self.loops(e.loops)}]", ATOM

    def item(self, i) -> str:
        return f"{self.expr(i.key)}: {self.expr(i.value)}"

    def x_DictDisplay(self, e):
        return "{" + ", ".join(self.item(i) for i in e.items) + "}", ATOM

    def x_DictComp(self, e):
        return "{" + self.item(e.item) + self.loops(e.loops) + "}", ATOM

    def x_Conditional(self, e):
        # always bracketed: the grammar has no unbracketed form
        return f"({self.expr(e.then)} if {self.expr(e.condition)} else {self.expr(e.otherwise)})", ATOM

    def x_BinaryOp(self, e):
        prec = _BINARY_PREC[e.op]  # left-associative: the right operand must bind tighter
        return f"{self.expr(e.left, prec)} {e.op} {self.expr(e.right, prec + 1)}", prec

    def x_Compare(self, e):
        # a plain comparison's sides are sums: a nested one is bracketed, never read as a chain
        return f"{self.expr(e.left, SUM)} {e.op} {self.expr(e.right, SUM)}", CMP

    def x_ChainedCompare(self, e):
        text = self.expr(e.operands[0], SUM)
        for op, operand in zip(e.ops, e.operands[1:]):
            text += f" {op} {self.expr(operand, SUM)}"
        return text, CMP

    def x_IsCheck(self, e):
        return f"{self.expr(e.value, SUM)} is {'not ' if e.negated else ''}{_tag(e.kind.name) if e.kind.name != 'none' else 'none'}", CMP

    def x_BoolOp(self, e):
        prec = _BOOL_PREC[e.op]
        return f"{self.expr(e.left, prec)} {e.op} {self.expr(e.right, prec + 1)}", prec

    def x_Not(self, e):
        return f"not {self.expr(e.operand, NOT)}", NOT

    def x_Negate(self, e):
        return f"-{self.expr(e.operand, UNARY)}", UNARY


# ---------------------------------------------------------------- comments

def _render(lines: list[Line], comments: list[Comment], source: str) -> str:
    tail = _attach(lines, comments, source)
    detached = _detached(comments, source)
    out: list[str] = []
    for line in _merge_empty_blocks(lines):
        out.extend(_physical(line, detached))
    if tail and out:
        out.append("")  # comments after the last declaration belong to none: set them apart
    out.extend(c.text for c in tail)
    return "\n".join(out) + "\n" if out else ""


def _detached(comments: list[Comment], source: str) -> set[Comment]:
    """Own-line comments with a blank line after them: a file header or a section title, not a note on a node."""
    source_lines = source.split("\n") + [""]
    return {c for c in comments
            if not source_lines[c.line - 1][:c.column - 1].strip() and not source_lines[c.line].strip()}


def _attach(lines: list[Line], comments: list[Comment], source: str) -> list[Comment]:
    """Give each comment to a line as leading or trailing; return those that go at the end of the file."""
    source_lines = source.split("\n")
    anchored = sorted((line.start, i) for i, line in enumerate(lines) if line.start is not None)
    starts = [a[0] for a in anchored]
    multi_line = [line for line in lines if line.start and line.end and line.end[0] > line.start[0]]
    tail = []
    for c in comments:
        pos = (c.line, c.column)
        if source_lines[c.line - 1][:c.column - 1].strip():
            k = bisect.bisect_left(starts, pos)
            # the line whose node the comment follows; there is always one, as code precedes it
            target = lines[anchored[k - 1][1]] if k else lines[0]
            target.trailing.append(c)
        else:
            target = _own_line_target(lines, anchored, starts, multi_line, pos)
            if target is None:
                tail.append(c)
            else:
                target.leading.append(c)
    return tail


def _own_line_target(lines, anchored, starts, multi_line, pos: Pos) -> Line | None:
    """The line an own-line comment goes before: the node around it, else the next one after it."""
    for line in multi_line:
        if line.start < pos < line.end:
            return line
    k = bisect.bisect_right(starts, pos)
    if k == len(anchored):
        return None
    # comments before the first declaration stay at the top, even if it is printed later
    return lines[0] if k == 0 else lines[anchored[k][1]]


def _merge_empty_blocks(lines: list[Line]) -> list[Line]:
    """`if c {` straight before its `}` becomes `if c {}`, unless a comment sits between them."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and prev.opens and line.closes and not line.leading:
            prev.text += line.text
            prev.trailing += line.trailing
        else:
            out.append(line)
    return out


def _physical(line: Line, detached: set[Comment]) -> list[str]:
    """The text of a line with its comments. Two trailing comments cannot share a line: both go above it."""
    above = sorted(line.leading + (line.trailing if len(line.trailing) > 1 else []), key=lambda c: (c.line, c.column))
    pad = INDENT * (line.indent + (1 if line.closes else 0))  # a comment before `}` is inside the block
    out = [""] if line.blank_before else []
    for c in above:
        out.append(pad + c.text)
        if c in detached and line.indent == 0 and not line.closes:
            out.append("")
    text = INDENT * line.indent + line.text
    if len(line.trailing) == 1:
        text += "  " + line.trailing[0].text
    return out + [text]
