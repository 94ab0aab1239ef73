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
    wrapped: bool = False  # broken by `layout`: its first line, not its last, takes a trailing comment
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

    def wrap(self, pieces: list, node=None, start: Pos | None = None, end: Pos | None = None) -> None:
        """A statement or entry, broken over several lines if it does not fit (see `layout`)."""
        lines = layout(pieces, self.depth)
        text = lines[0][1] + "".join("\n" + INDENT * depth + part for depth, part in lines[1:])
        self.line(text, node, start, end)
        self.lines[-1].wrapped = len(lines) > 1

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
            for run in _runs(d.variants, self.variant_line):
                self.variants(run)

    def variant_line(self, v) -> str | None:
        """A variant on one line, `card { id: str  brand: str }`, or None when it will not do:
        it has invariants, field options or comments, or it is too long."""
        if v.invariants or any(f.options for f in v.fields) or self.commented(_start(v.span), _end(v.span)):
            return None
        body = "  ".join(self.field(f) for f in v.fields)  # no commas between fields: two spaces part them
        text = _tag(v.name.name) + (" { " + body + " }" if body else " {}")
        return text if _fits(self.depth, text) else None

    def variants(self, run: list) -> None:
        """Variants in a row that each fit on a line get a line each, their `{` in one column."""
        one_line = [self.variant_line(v) for v in run]
        if None not in one_line:
            width = max(len(_tag(v.name.name)) for v in run) + 1
            for v, text in zip(run, one_line):
                tag = _tag(v.name.name)
                self.line(tag.ljust(width) + text[len(tag) + 1:], v)
            return
        for v in run:
            with self.braces(_tag(v.name.name), v.span):
                self.members(v)

    def decl_EntityDecl(self, d) -> None:
        source = " from map" if d.key_from_map else ""
        header = (f"entity {d.name.name} in {d.collection.name} key {d.key.name}{source} "
                  f"else {self.flat(d.not_found)}")
        with self.braces(header, d.span):
            self.doc(d.doc)
            self.members(d)

    def members(self, d) -> None:
        """Fields, then invariants: the AST keeps them apart, so their interleaving is not kept."""
        for f, text in zip(d.fields, self.aligned(d.fields)):
            self.line(text, f)
        for inv in d.invariants:
            self.wrap(_cat("invariant ", self.expr(inv.condition), self.otherwise(inv.message)), inv)

    def field(self, f) -> str:
        return " ".join(cell for cell in self.cells(f) if cell)

    def cells(self, f) -> list[str]:
        """A field or parameter in three columns: `name: type`, its doc string, its other options."""
        default = getattr(f, "default", None)  # a tool parameter's `= VALUE`
        local = getattr(f, "local", None)  # a tool parameter's `as NAME`
        name = f.name.name + (f" as {local.name}" if local is not None else "")
        head = f"{name}: {self.type(f.type)}" + (f" = {self.flat(default.value)}" if default else "")
        options = list(f.options)
        doc = self.option(options.pop(0)) if options and type(options[0]).__name__ == "DocOption" else ""
        return [head, doc, " ".join(self.option(o) for o in options)]

    def aligned(self, fields, suffix: str = "") -> list[str]:
        """Fields (or broken parameters, `suffix` ","), one per line, their columns aligned (see `_align`)."""
        return _align([self.cells(f) for f in fields], self.depth, suffix)

    def option(self, o) -> str:
        return self.dispatch("option", o)

    def option_DocOption(self, o) -> str:
        return self.text(o.text)

    def option_ExampleOption(self, o) -> str:
        return f"example {self.flat(o.value)}"

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
    def decl_ToolDecl(self, d, keyword: str = "tool") -> None:
        self.tool_header(d, keyword)
        self.depth += 1
        self.doc(d.doc)
        for stmt in d.body:
            self.dispatch("stmt", stmt)
        self.depth -= 1
        self.line("}", start=_closing(d.span))

    def decl_HelperDecl(self, d) -> None:
        self.decl_ToolDecl(d, keyword="def")   # a helper is laid out as a tool is

    def decl_ConstDecl(self, d) -> None:
        self.line(f"const {d.name.name} = {self.flat(d.value)}", d)

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
        # a comma after each, the last too, as in any broken list
        texts = (self.aligned(d.params, ",") if keyword == "tool"
                 else [field(p) + "," for p in d.params])  # a helper's parameters have no docs to align
        for p, text in zip(d.params, texts):
            self.line(text, p)
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

    def otherwise(self, e) -> list:
        return [Soft(ELSE, "else"), *self.expr(e)] if e is not None else []

    def stmt_Let(self, s) -> None:
        self.wrap(_cat(f"let {s.name.name} = ", self.expr(s.value), self.otherwise(s.otherwise)), s)

    def stmt_Require(self, s) -> None:
        self.wrap(_cat("require ", self.expr(s.condition), self.otherwise(s.message)), s)

    def stmt_Fail(self, s) -> None:
        self.wrap(_cat("fail ", self.expr(s.message)), s)

    def stmt_If(self, s) -> None:
        self.wrap(_cat("if ", self.expr(s.condition), " {"), start=_start(s.span), end=_start(s.then.span))
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
            self.wrap(_cat("} else if ", self.expr(other.condition), " {"), start=close, end=_start(other.then.span))
            self.if_rest(other)

    def stmt_For(self, s) -> None:
        names = ", ".join(n.name for n in s.names)
        self.wrap(_cat(f"for {names} in ", self.expr(s.iterable), " {"), start=_start(s.span), end=_start(s.body.span))
        self.body(s.body.body)
        self.line("}", start=_closing(s.body.span))

    def stmt_Break(self, s) -> None:
        self.line("break", s)

    def stmt_Continue(self, s) -> None:
        self.line("continue", s)

    def stmt_Return(self, s) -> None:
        self.wrap(_cat("return ", self.expr(s.value)), s)

    def stmt_Ensures(self, s) -> None:
        self.wrap(_cat("ensures ", self.expr(s.condition), self.otherwise(s.message)), s)

    def stmt_Insert(self, s) -> None:
        self.wrap(_cat("insert ", self.expr(s.row), self.otherwise(s.otherwise)), s)

    def stmt_Delete(self, s) -> None:
        self.wrap(_cat("delete ", self.expr(s.target), self.otherwise(s.otherwise)), s)

    def stmt_Assign(self, s) -> None:
        self.wrap(_cat(self.expr(s.target), f" {s.op} ", self.expr(s.value)), s)

    def stmt_ExprStmt(self, s) -> None:
        self.wrap(self.expr(s.expr), s)

    # -- tasks
    def decl_TaskDecl(self, d) -> None:
        with self.braces(f"task {d.name.name}", d.span):
            self.doc(d.doc)
            for entry in d.entries:
                self.wrap(_cat(self.dispatch("entry", entry)), entry)

    def entry_Instruction(self, e) -> str:
        return f"instruction {self.text(e.text)}"

    def entry_Knows(self, e) -> str:
        return _cat(f"knows {e.name.name} = ", self.expr(e.value))

    def entry_Initial(self, e) -> str:
        return _cat("initial ", self.expr(e.value))

    def entry_Action(self, e) -> str:
        return [f"action {e.tool.name}", self.args(e.args)]

    def entry_Goal(self, e) -> str:
        return _cat("goal ", self.expr(e.condition))

    def entry_Communicate(self, e) -> str:
        return f"communicate {self.text(e.text)}"

    def entry_ClockEntry(self, e) -> str:
        return f"clock {self.text(e.time)}"

    def entry_RewardEntry(self, e) -> str:
        return "reward " + ", ".join(b.name for b in e.bases)

    # -- expressions: each `x_` method gives its pieces (see `layout`) and its precedence
    def expr(self, e, prec: int = 0) -> list:
        pieces, own = self.dispatch("x", e)
        # a bracketed `and`/`or` breaks no more: a line split inside brackets would read badly
        return ["(", *_no_soft(pieces), ")"] if own < prec else pieces

    def flat(self, e, prec: int = 0) -> str:
        return flat(self.expr(e, prec))

    def arg(self, a) -> list:
        kind = type(a).__name__
        if kind == "KeywordArg":
            return _cat(f"{a.name.name}=", self.expr(a.value))
        return self.expr(a)

    def args(self, args) -> Group:
        """A call's arguments: a generator argument breaks as a comprehension does."""
        if len(args) == 1 and type(args[0]).__name__ == "Generator":
            return Group("(", self.comprehension(args[0].element, args[0].loops), ")", comp=True)
        return Group("(", [self.arg(a) for a in args], ")")

    def comprehension(self, element, loops, first: list | None = None) -> list[list]:
        """The clauses of a comprehension, one item each: the element, each `for` and each `if`."""
        items = [first if first is not None else self.expr(element)]
        for loop in loops:
            names = ", ".join(n.name for n in loop.names)
            items.append(_cat(f"for {names} in ", self.expr(loop.iterable)))
            if loop.condition is not None:
                items.append(_cat("if ", self.expr(loop.condition)))
        return items

    def x_Name(self, e):
        return [e.id], ATOM

    def x_Number(self, e):
        return [e.text], ATOM

    def x_Str(self, e):
        return [quote(e.value)], ATOM

    def x_FString(self, e):
        text = "".join("".join(_escape_char(c) for c in p).replace("{", "{{").replace("}", "}}")
                       if isinstance(p, str) else _field(self.flat(p)) for p in e.parts)
        return [f'f"{text}"'], ATOM

    def x_Bool(self, e):
        return ["true" if e.value else "false"], ATOM

    def x_NoneLit(self, e):
        return ["none"], ATOM

    def x_Attribute(self, e):
        return _cat(self.expr(e.obj, POSTFIX), f".{e.attr.name}"), POSTFIX

    def x_Index(self, e):
        return _cat(self.expr(e.obj, POSTFIX), "[", self.expr(e.key), "]"), POSTFIX

    def x_Slice(self, e):
        start = self.expr(e.start) if e.start is not None else []
        stop = self.expr(e.stop) if e.stop is not None else []
        return _cat(self.expr(e.obj, POSTFIX), "[", start, ":", stop, "]"), POSTFIX

    def x_Call(self, e):
        return _cat(self.expr(e.func, POSTFIX), self.args((*e.args, *e.kwargs))), POSTFIX

    def x_ListDisplay(self, e):
        return [Group("[", [self.expr(i) for i in e.items], "]")], ATOM

    def x_ListComp(self, e):
        return [Group("[", self.comprehension(e.element, e.loops), "]", comp=True)], ATOM

    def item(self, i) -> list:
        return _cat(self.expr(i.key), ": ", self.expr(i.value))

    def x_DictDisplay(self, e):
        return [Group("{", [self.item(i) for i in e.items], "}")], ATOM

    def x_DictComp(self, e):
        return [Group("{", self.comprehension(None, e.loops, self.item(e.item)), "}", comp=True)], ATOM

    def x_Conditional(self, e):
        # always bracketed: the grammar has no unbracketed form
        # broken, it reads as a comprehension does: the value, `if ...`, `else ...`, a line each
        clauses = [self.expr(e.then), _cat("if ", self.expr(e.condition)), _cat("else ", self.expr(e.otherwise))]
        return [Group("(", clauses, ")", comp=True)], ATOM

    def x_BinaryOp(self, e):
        prec = _BINARY_PREC[e.op]  # left-associative: the right operand must bind tighter
        return _cat(self.expr(e.left, prec), f" {e.op} ", self.expr(e.right, prec + 1)), prec

    def x_Compare(self, e):
        # a plain comparison's sides are sums: a nested one is bracketed, never read as a chain
        return _cat(self.expr(e.left, SUM), f" {e.op} ", self.expr(e.right, SUM)), CMP

    def x_ChainedCompare(self, e):
        pieces = self.expr(e.operands[0], SUM)
        for op, operand in zip(e.ops, e.operands[1:]):
            pieces = _cat(pieces, f" {op} ", self.expr(operand, SUM))
        return pieces, CMP

    def x_IsCheck(self, e):
        kind = _tag(e.kind.name) if e.kind.name != "none" else "none"
        return _cat(self.expr(e.value, SUM), f" is {'not ' if e.negated else ''}{kind}"), CMP

    def x_BoolOp(self, e):
        prec = _BOOL_PREC[e.op]
        return _cat(self.expr(e.left, prec), Soft(prec, e.op), self.expr(e.right, prec + 1)), prec

    def x_Not(self, e):
        return _cat("not ", self.expr(e.operand, NOT)), NOT

    def x_Negate(self, e):
        return _cat("-", self.expr(e.operand, UNARY)), UNARY


# ---------------------------------------------------------------- columns

def _runs(items: list, one_line) -> list[list]:
    """`items` cut into runs of those `one_line` can print on one line, and single others."""
    runs: list[list] = []
    for item in items:
        fits = one_line(item) is not None
        if fits and runs and runs[-1][-1][1]:
            runs[-1].append((item, fits))
        else:
            runs.append([(item, fits)])
    return [[item for item, _ in run] for run in runs]


def _align(rows: list[list[str]], depth: int, suffix: str = "") -> list[str]:
    """Lines of cells, each column after the first starting in one place, as in

        member_id: str  "The member id."  example "m_001"
        name: str       "Full name."      compare normalized

    A column is aligned where at least two lines have a cell in it, one space after the widest
    text before it. A line that would not fit in MAX_LINE so aligned keeps a single space there,
    and so does a multi-line cell (a `\"\"\"` string).
    """
    texts = [row[0] for row in rows]
    for k in (1, 2):
        has = [i for i, row in enumerate(rows) if row[k] and "\n" not in row[k] + texts[i]]
        column = max((len(texts[i]) for i in has), default=0) + 1

        def line(i: int, at: int) -> str:
            return " ".join(c for c in [texts[i].ljust(at - 1), *rows[i][k:]] if c) + suffix

        for i, row in enumerate(rows):
            if row[k]:
                at = column if len(has) > 1 and i in has and _fits(depth, line(i, column)) else 0
                texts[i] = texts[i].ljust(at - 1) + " " + row[k] if at else texts[i] + " " + row[k]
    return [text + suffix for text in texts]


# ---------------------------------------------------------------- line breaking

@dataclass
class Group:
    """A bracketed list (arguments, a list or map display, a comprehension) that may break.

    Flat, it is `open` + items + `close`. Broken, `open` ends its line, each item gets a line
    of its own one level deeper, and `close` starts the next line. Broken items all end in a
    comma, the last too; a comprehension's clauses (`comp`) have none, as it allows none.
    """

    open: str
    items: list[list]
    close: str
    comp: bool = False

    def flat(self) -> str:
        return self.open + (" " if self.comp else ", ").join(flat(i) for i in self.items) + self.close


@dataclass
class Soft:
    """A place a line may break before a keyword: ` else `, ` or `, ` and `.

    `level` orders them: a line breaks at its loosest ones (`else` before `or` before `and`).
    Broken, the keyword starts a continuation line two levels deeper (`CONTINUE`), so that an
    `if` header's continuation never lines up with the block's body.
    """

    level: int
    word: str

    def flat(self) -> str:
        return f" {self.word} "


ELSE = 0  # looser than `or` (OR == 1): a statement's `else` clause
CONTINUE = 2  # how many levels deeper a line broken at a soft break goes on


def _cat(*parts) -> list:
    out: list = []
    for part in parts:
        if isinstance(part, list):
            out.extend(part)
        else:
            out.append(part)
    return out


def flat(pieces: list) -> str:
    return "".join(p if isinstance(p, str) else p.flat() for p in pieces)


def _no_soft(pieces: list) -> list:
    return [p.flat() if isinstance(p, Soft) else p for p in pieces]


def _fits(depth: int, text: str) -> bool:
    return "\n" not in text and len(INDENT) * depth + len(text) <= MAX_LINE


def layout(pieces: list, depth: int) -> list[tuple[int, str]]:
    """`pieces` as lines of (depth, text), none over MAX_LINE where a break can help.

    A line that does not fit first tries its loosest soft breaks (`else`, `or`, `and`), kept
    when every part then fits; then it breaks its last bracketed group whose opening line fits
    (the rest of the line follows the closing bracket, as in `) else "message"`); then its
    soft breaks whatever the parts' lengths. Each part is laid out again the same way.
    """
    text = flat(pieces)
    if _fits(depth, text):
        return [(depth, text)]
    parts = _split_soft(pieces)
    deeper = [depth] + [depth + CONTINUE] * (len(parts) - 1) if parts else []
    if parts and all(_fits(d, flat(p)) for d, p in zip(deeper, parts)):
        return [(d, flat(p)) for d, p in zip(deeper, parts)]
    groups = [i for i, p in enumerate(pieces) if isinstance(p, Group) and p.items]
    if groups:
        fitting = [i for i in groups if _fits(depth, flat(pieces[:i]) + pieces[i].open)]
        return _break_group(pieces, (fitting or groups)[-1], depth)
    if parts:
        return [line for d, p in zip(deeper, parts) for line in layout(p, d)]
    return [(depth, text)]


def _split_soft(pieces: list) -> list[list] | None:
    """`pieces` cut before each of its loosest soft breaks, the keyword leading the next part."""
    levels = [p.level for p in pieces if isinstance(p, Soft)]
    if not levels:
        return None
    parts: list[list] = [[]]
    for p in pieces:
        if isinstance(p, Soft) and p.level == min(levels):
            parts.append([p.word + " "])
        else:
            parts[-1].append(p)
    return parts


def _break_group(pieces: list, i: int, depth: int) -> list[tuple[int, str]]:
    group = pieces[i]
    lines = [(depth, flat(pieces[:i]) + group.open)]
    for item in group.items:
        lines += layout(item if group.comp else _cat(item, ","), depth + 1)
    return lines + layout(_cat(group.close, pieces[i + 1:]), depth)


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
        # on a broken statement, the comment stays on the line the statement starts on, where
        # `# lint: allow` looks for it; a `\"\"\"` string is never broken, so it cannot swallow it
        first, newline, rest = text.partition("\n") if line.wrapped else (text, "", "")
        text = first + "  " + line.trailing[0].text + newline + rest
    return out + [text]
