"""Syntax errors in the language's own words, and recovery after them.

Lark reports terminals by name (RBRACE, NAME); a user, or an LLM repairing
its spec, needs `}` and "a name" and a hint about the usual mistake.
"""

from __future__ import annotations

import re
from itertools import pairwise

from lark import Token, Tree, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..diagnostics import Diagnostic, Label, Span, did_you_mean, shorten
from .habits import CHARACTER_HABITS, habit

MAX_NESTING = 150
# What `check` accepts, `compile` must compile: the parser refuses specs past these, which the
# generated Python could not hold (Python allows 20 statically nested blocks; a tool body adds none,
# but headroom keeps later codegen wrappers safe; codegen refuses names past its MAX_IDENTIFIER).
MAX_NAME_LENGTH = 200            # characters in a declared or local name
MAX_BLOCK_DEPTH = 16             # `if` and `for` blocks nested inside one another
DECL_KEYWORDS = ("domain", "include", "enum", "record", "union", "entity", "tool", "def", "const", "task")
# never names: the grammar's NAME terminal excludes them
RESERVED_WORDS = ("let", "require", "if", "else", "for", "break", "continue", "return", "ensures", "insert", "delete",
                  "and", "or", "not", "in", "is", "true", "false", "none")
_DECL_START = re.compile(r"^(?:%s)\b" % "|".join(DECL_KEYWORDS), re.MULTILINE)
_BRACES = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}]')

_PATTERN_WORDS = {
    "NAME": "a name",
    "STRING": "a string",
    "LONG_STRING": "a string",
    "NUMBER": "a number",
    "COMP_OP": "a comparison",
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*`, `/`, `//` or `%`",
    "ASSIGN_OP": "`=`, `+=` or `-=`",
    "$END": "the end of the file",
}


def recover(err: UnexpectedInput, text: str, file: str) -> tuple[Diagnostic, tuple[int, int] | None]:
    """The diagnostic for `err`, and the span of text (start, end) of the broken declaration
    to blank out; None when blanking would change nothing, so recovery must stop.

    Keywords are contextual, so a declaration whose `{` is never closed swallows
    the declarations after it and the parser fails somewhere later. Top-level
    declarations start at column 1, so an unbalanced declaration before the
    error is the real culprit.
    """
    pos = _error_offset(text, err)
    starts = (m.start() for m in _DECL_START.finditer(text))
    for start, end in pairwise(starts):
        if pos is not None and end > pos:
            break
        brace = _unclosed_brace(text, start, end)
        if brace is not None:
            following = _offset_span(text, end, file)
            word = _DECL_START.match(text, end).group()
            diagnostic = Diagnostic(
                "unclosed-brace", "this `{` is never closed", _offset_span(text, brace, file),
                f"add the missing `}}` before the `{word}` on line {following.line}",
                labels=(Label(Span(file, following.line, 1, following.line, 1 + len(word)),
                              f"`{word}` starts a new declaration here"),))
            return diagnostic, _region(text, start, end)
    return syntax_diagnostic(err, text, file), broken_declaration(text, err)


def syntax_diagnostic(err: UnexpectedInput, text: str, file: str) -> Diagnostic:
    if isinstance(err, UnexpectedCharacters):
        return _bad_character(err, text, file)
    token = getattr(err, "token", None)
    expected = sorted(_words(_expected_terminals(err)))
    if isinstance(err, UnexpectedEOF) or (token is not None and token.type == "$END"):
        return _unexpected_end(text, file, expected)
    assert isinstance(err, UnexpectedToken)
    span = Span(file, token.line, token.column, token.end_line or token.line,
                token.end_column or token.column + 1)
    at_decl = _is_decl_start(text, token)
    if at_decl and "`}`" in expected:
        return _unclosed_before(text, file, token, span)
    shown = _printable(str(token))[:40]
    if _after_colon(text, token) and "a name" in expected:
        return Diagnostic("missing-type", f"a type is missing before `{shown}`", span, _TYPE_HELP)
    if str(token) == ":" and re.search(r":\s*\w+\s*$", re.sub(r"#[^\n]*", "", text[max(0, token.start_pos - 400):token.start_pos])):
        # `a:` with no type, then `b: str`: the parser took `b` for a's type
        return Diagnostic("missing-type", "a field or parameter before this one has no type", span, _TYPE_HELP)
    missing_else = _missing_else(text, file, token, expected)
    if missing_else is not None:
        return missing_else
    if str(token) == "none" and _code_before(text, token).endswith("->"):
        arrow = text.rfind("->", 0, token.start_pos)
        return Diagnostic("syntax-error", "`none` is not a return type", _offset_span(text, arrow, file).to(span),
                          "a tool that returns nothing has no `->`: leave out `-> none`")
    line = _line_around(text, token.start_pos) if token.start_pos is not None else ""
    if re.search(r"\belif\b", line):
        return Diagnostic("syntax-error", "`elif` is not a keyword", span, "write `else if`")
    known = habit(token, line, expected)
    if known is not None and known.dropped_value:
        return Diagnostic("unused-value", known.message, span, known.help)
    if known is not None:
        return Diagnostic("syntax-error", known.message, span, known.help)
    message = f"unexpected `{shown}`" + (f", expected {_join(expected)}" if expected else "")
    starts_line = not line[:max(0, token.column - 1)].strip()
    return Diagnostic("syntax-error", message, span, _hint(token, expected, starts_line))


_TYPE_HELP = "write a type after `:`, such as `str`, `float?`, `list[Item]` or `ref User`"


def _code_before(text: str, token: Token) -> str:
    """Up to 400 characters of code before the token, comments and trailing space removed."""
    if token.start_pos is None:
        return ""
    return re.sub(r"#[^\n]*", "", text[max(0, token.start_pos - 400):token.start_pos]).rstrip()


def _after_colon(text: str, token: Token) -> bool:
    return _code_before(text, token).endswith(":")


_NEEDS_ELSE = re.compile(r"\b(require|invariant|key)\b[^\n]*")
_ELSE_EXAMPLE = {"require": "require COND else \"message\"", "invariant": "invariant COND else \"message\"",
                 "key": "key field else \"Row not found\""}


def _expected_terminals(err: UnexpectedInput):
    """The terminals the parser could take where it stopped. When the lexer stopped it (a word the
    state's lexer cannot match, such as `let` in a task), lark reports the lexer's terminals, in
    which every keyword a name can spell has been folded into `NAME`; the parse table still
    lists them one by one."""
    state = getattr(err, "state", None)
    try:
        return list(state.parse_conf.parse_table.states[state.position])
    except (AttributeError, KeyError, IndexError, TypeError):
        return getattr(err, "expected", None) or getattr(err, "accepts", None) or ()


def _missing_else(text: str, file: str, token: Token, expected: list[str]) -> Diagnostic | None:
    """`require x` with no `else`: the parser only notices on the next line; report it at the `require`."""
    if expected != ["`else`"] or token.start_pos is None:
        return None
    start = max(0, token.start_pos - 2000)
    found = [m for m in _NEEDS_ELSE.finditer(text, start, token.start_pos)]
    if not found:
        return None
    m = found[-1]
    word = m[1]
    statement = m.group().split("#", 1)[0].rstrip()
    at = _offset_span(text, m.start(), file)
    span = Span(file, at.line, at.column, at.line, at.column + len(statement))
    article = "an" if word == "invariant" else "a"
    return Diagnostic("syntax-error", f'{article} `{word}` needs `else "message"`', span,
                      f"add the message the failure reports: `{_ELSE_EXAMPLE[word]}`")


def _bad_character(err: UnexpectedCharacters, text: str, file: str) -> Diagnostic:
    char = err.char
    span = Span(file, err.line, err.column, err.line, err.column + 1)
    hints = {
        "'": 'strings use double quotes: "like this"',
        "/": "comments start with `#`",
        "&": "write `and`",
        "|": "write `or`",
        "!": "write `not`, or `!=` to compare",
        ";": "statements need no `;`: start the next one on a new line",
        "@": "the language has no decorators or annotations: write `compare …` after a field's type",
        "$": "names are letters, digits and `_`",
        "`": 'strings use double quotes: "like this"',
    }
    if char == '"':
        return Diagnostic("unterminated-string", "this string is never closed", span,
                          'close it with `"` on the same line, or use """triple quotes""" for text over several lines')
    if char in CHARACTER_HABITS:
        message, help = CHARACTER_HABITS[char]
        doubled = text[err.pos_in_stream:err.pos_in_stream + 2] == char * 2
        if not doubled:  # `&`, not `&&`
            message = message.replace(char * 2, char)
        return Diagnostic("syntax-error", message, Span(file, err.line, err.column, err.line,
                                                        err.column + (2 if doubled else 1)), help)
    help = hints.get(char, "remove it; names are letters, digits and `_`")
    expected = sorted(_words(err.allowed or ()))
    message = f"unexpected character `{_printable(char)}`"
    if expected and len(expected) <= 6:
        message += f", expected {_join(expected)}"
    return Diagnostic("syntax-error", message, span, help)


def _unexpected_end(text: str, file: str, expected: list[str]) -> Diagnostic:
    last_line, last_length = text.count("\n") + 1, len(text) - (text.rfind("\n") + 1)
    end = Span(file, last_line, last_length + 1, last_line, last_length + 2)
    brace = _unclosed_brace(text, 0, len(text))
    if brace is not None:
        opened = _offset_span(text, brace, file)
        return Diagnostic("unclosed-brace", "the file ends inside a block: this `{` is never closed",
                          opened, "add the missing `}`", labels=(Label(end, "the file ends here"),))
    message = "the file ends too soon" + (f", expected {_join(expected)}" if expected else "")
    return Diagnostic("syntax-error", message, end, "finish the declaration")


def _unclosed_before(text: str, file: str, token: Token, span: Span) -> Diagnostic:
    start = _previous_decl_start(text, token.start_pos)
    brace = _unclosed_brace(text, start, token.start_pos)
    labels = (Label(span, f"`{token}` starts a new declaration here"),)
    if brace is None:
        return Diagnostic("syntax-error", f"expected `}}` before `{token}`", span,
                          "close the previous declaration with `}`")
    return Diagnostic("unclosed-brace", "this `{` is never closed", _offset_span(text, brace, file),
                      f"add the missing `}}` before the `{token}` on line {token.line}", labels=labels)


def _hint(token: Token, expected: list[str], starts_line: bool) -> str:
    value = str(token)
    if value == "elif":
        return "write `else if`"
    if value in ("True", "False", "None", "null"):
        return f"write `{ {'True': 'true', 'False': 'false'}.get(value, 'none') }`"
    if value == "else" and "`{`" in expected:
        return "a conditional expression goes in parentheses: `(a if condition else b)`"
    if value == "=" and any("comparison" in e for e in expected):
        return "compare with `==`"
    if value == "def" or value == "fn" or value == "function":
        return "declare a tool with `tool name(param: type) -> type { … }`"
    if value in ("while", "loop"):
        return "the language has no unbounded loops: iterate a collection with `for x in xs { … }`"
    if value == ":" and "`{`" in expected:
        return "blocks use braces, not a colon: `if condition { … }`"
    if "`instruction`" in expected and "`reward`" in expected:  # inside a task, where no statement goes
        entries = ("instruction", "knows", "initial", "action", "goal", "communicate", "reward")
        return (did_you_mean(value, entries) or "a task's entries are "
                + ", ".join(f"`{e}`" for e in entries) + ": see docs/language.md, Tasks")
    if expected == ["`}`"] or "`}`" in expected and token.type == "NAME":
        return "a statement starts with `let`, `require`, `fail`, `if`, `for`, `return`, `ensures`, `insert`, `delete`, or a name"
    if value == "," and "`}`" in expected:
        return "fields need no separator: put each on its own line, or separate them with spaces"
    if "a number" in expected:  # where a value can start
        if starts_line:
            return "an expression is expected here: the one on the line before is unfinished"
        return "an expression is expected here"
    closers = [c for c in ("`)`", "`]`") if c in expected]
    if starts_line and len(closers) == 1:
        return f"add the missing {closers[0]} at the end of the line before"
    if value in RESERVED_WORDS and "a name" in expected:
        return f"`{value}` is a reserved word: choose another name"
    if "a name" in expected and token.type not in ("NAME",):
        return "a name is expected here: letters, digits and `_`, not starting with a digit"
    return "check the syntax against docs/language.md"


# ---------------------------------------------------------------- recovery

def broken_declaration(text: str, err: UnexpectedInput) -> tuple[int, int] | None:
    """Where the declaration holding the error starts and ends, to blank it out."""
    pos = _error_offset(text, err)
    if pos is None:
        return None
    start = _previous_decl_start(text, pos + 1)
    token = getattr(err, "token", None)
    if token is not None and getattr(token, "type", "") != "$END" and _is_decl_start(text, token) and start == pos:
        start = _previous_decl_start(text, pos)
    line_start = text.rfind("\n", 0, pos) + 1
    if pos == line_start and start < pos and _unclosed_brace(text, start, pos) is None \
            and _DECL_START.match(text, pos) is None:
        start = pos  # junk at the start of a line after a complete declaration: only the junk goes
    following = _DECL_START.search(text, pos + 1)
    return _region(text, start, following.start() if following else len(text))


_HEADER_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[()\[\]{}]')


def tool_header_end(text: str, start: int, end: int) -> int | None:
    """The offset just past the `{` that opens the body of the tool declared at `start`,
    None if no tool starts there or its body never opens before `end`."""
    if not text.startswith("tool", start) or _DECL_START.match(text, start) is None:
        return None
    depth = 0  # of brackets: a parameter's default may be a map `{}`
    for m in _HEADER_TOKENS.finditer(text, start, end):
        bracket = m.group()
        if bracket in "([{" and not (bracket == "{" and depth == 0):
            depth += 1
        elif bracket in ")]}":
            depth -= 1
        elif bracket == "{":
            return m.end()
    return None


def _region(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end), unless blanking it would change nothing (it holds only spaces and newlines)."""
    return (start, end) if text[start:end].strip(" \n") else None


def blank(text: str, start: int, end: int) -> str:
    """`text` with [start, end) turned to spaces, newlines kept, so every offset and span stays true."""
    hidden = "\n".join(" " * len(line) for line in text[start:end].split("\n"))
    return text[:start] + hidden + text[end:]


def _line_around(text: str, offset: int) -> str:
    """The line holding `offset`, found without splitting a file that may be megabytes long."""
    end = text.find("\n", offset)
    return text[text.rfind("\n", 0, offset) + 1:end if end >= 0 else len(text)]


def _error_offset(text: str, err: UnexpectedInput) -> int | None:
    token = getattr(err, "token", None)
    if isinstance(err, UnexpectedEOF) or (token is not None and token.type == "$END"):
        return None if not text.strip() else max(0, len(text.rstrip()) - 1)
    if getattr(err, "pos_in_stream", None) is not None:
        return err.pos_in_stream
    if token is not None and token.start_pos is not None:
        return token.start_pos
    return None


def _previous_decl_start(text: str, pos: int) -> int:
    starts = [m.start() for m in _DECL_START.finditer(text, 0, pos)]
    return starts[-1] if starts else 0


def _is_decl_start(text: str, token: Token) -> bool:
    pos = token.start_pos
    return (pos is not None and str(token) in DECL_KEYWORDS and token.column == 1
            and _DECL_START.match(text, pos) is not None)


def _unclosed_brace(text: str, start: int, end: int) -> int | None:
    stack: list[int] = []
    for m in _BRACES.finditer(text, start, end):
        if m.group() == "{":
            stack.append(m.start())
        elif m.group() == "}" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _offset_span(text: str, offset: int, file: str) -> Span:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(file, line, column, line, column + 1)


# ---------------------------------------------------------------- limits

_BRACKETS = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[\[\](){}]')


def brackets_too_deep(text: str, file: str) -> Diagnostic | None:
    """Bracket nesting, measured before parsing: the parse tree elides parentheses."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        bracket = m.group()
        if bracket in "([{":
            depth += 1
            if depth > MAX_NESTING:
                return Diagnostic("nesting-too-deep", f"brackets nest more than {MAX_NESTING} levels deep",
                                  _offset_span(text, m.start(), file), "split the expression with `let` bindings")
        elif bracket in ")]}":
            depth = max(0, depth - 1)
    return None


def _tree_span(node: Tree, file: str) -> Span:
    meta = node.meta
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column) if not meta.empty \
        else Span(file, 1, 1, 1, 2)


def past_compile_limits(tree: Tree, file: str) -> list[Diagnostic]:
    """Blocks nested deeper, and names longer, than the generated Python can hold (ir.MAX_*)."""
    found = []
    stack = [(tree, 0)]
    while stack:
        node, blocks = stack.pop()
        if node.data == "block":
            blocks += 1
            if blocks == MAX_BLOCK_DEPTH + 1:  # reported once, at the first block past the limit
                found.append(Diagnostic("nesting-too-deep", f"blocks nest more than {MAX_BLOCK_DEPTH} levels deep",
                                        _tree_span(node, file),
                                        "move the inner loop into a comprehension, or split the work across tools"))
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, blocks))
            elif isinstance(child, Token) and child.type == "NAME" and len(child) > MAX_NAME_LENGTH:
                found.append(Diagnostic("name-too-long", f"the name `{shorten(str(child))}` has {len(child)} "
                                        f"characters, more than {MAX_NAME_LENGTH}",
                                        Span(file, child.line, child.column, child.end_line, child.end_column),
                                        "choose a shorter name"))
    return found


def nesting_too_deep(tree: Tree, file: str) -> Diagnostic | None:
    """Measured without recursion: hostile input may nest far deeper than Python's stack."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            meta = node.meta
            span = Span(file, meta.line, meta.column, meta.end_line, meta.end_column) if not meta.empty \
                else Span(file, 1, 1, 1, 2)
            return Diagnostic("nesting-too-deep", f"this is nested more than {MAX_NESTING} levels deep", span,
                              "split the expression with `let` bindings")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


# ---------------------------------------------------------------- words

def _words(terminals) -> set[str]:
    from . import parser  # the terminal table lives on the built parser

    table = {t.name: t for t in parser().terminals}
    words = set()
    for name in terminals:
        if name in _PATTERN_WORDS:
            words.add(_PATTERN_WORDS[name])
        elif name in table and table[name].pattern.type == "str":
            words.add(f"`{table[name].pattern.value}`")
        elif name == "_ELSE":
            words.add("`else`")
        elif not name.startswith("_") and name not in ("COMMENT", "WS"):
            words.add(name.lower())
    return words


def _join(words: list[str]) -> str:
    if len(words) > 8:
        return ", ".join(words[:8]) + ", …"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
