"""Every diagnostic code, in one registry, as mypy's `errorcodes.py` keeps its own.

A code is kebab-case and stable: editors, scripts and the authoring loop match on
it. Each has a one-line description, the severity it is reported at, and the
heading of the docs that explains it (`docs/FILE#anchor`); the docs' table row
under that heading is the description, checked by the tests. `Diagnostic`
refuses a code that is not here, so a new one is registered, and documented,
before it can be reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    """How bad a diagnostic is; `diagnostics` re-exports it, where every stage finds it."""
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


WARNING = Severity.WARNING

SYNTAX = "docs/language.md#syntax"
FILES = "docs/language.md#files"
DECLARATIONS = "docs/language.md#declarations"
EXPRESSIONS = "docs/language.md#names-types-and-expressions"
STATEMENTS = "docs/language.md#statements-and-tools"
TASKS = "docs/language.md#tasks-and-rewards"
PROOFS = "docs/language.md#proofs"
INTERNAL = "docs/language.md#internal"
LINT = "docs/lint.md#rules"


@dataclass(frozen=True, slots=True)
class ErrorCode:
    name: str
    doc: str           # where the docs explain it: a file and the anchor of a heading in it
    description: str   # one line, as the docs' table gives it
    severity: Severity = Severity.ERROR


ALL_CODES: tuple[ErrorCode, ...] = (
    # Syntax
    ErrorCode("syntax-error", SYNTAX, "the text does not follow the grammar; the message names what was expected"),
    ErrorCode("unclosed-brace", SYNTAX,
              "a `{` is never closed; reported at the `{`, with the declaration that follows"),
    ErrorCode("unterminated-string", SYNTAX, "a string does not close on its line"),
    ErrorCode("invalid-escape", SYNTAX, "a backslash sequence that is not an escape"),
    ErrorCode("invalid-fstring", SYNTAX,
              "an f-string field that is empty, unclosed, or uses Python's format specs or conversions"),
    ErrorCode("number-too-large", SYNTAX, "a number outside ±(2^53 − 1), which JSON cannot hold exactly"),
    ErrorCode("missing-type", SYNTAX, "a field or parameter has no type after its `:`"),
    ErrorCode("nesting-too-deep", SYNTAX,
              "brackets or operators nested more than 150 levels, or `if` and `for` blocks more than 16"),
    ErrorCode("name-too-long", SYNTAX, "a name of more than 200 characters"),
    ErrorCode("file-too-large", SYNTAX, "a spec file over 4 MiB"),
    # Files
    ErrorCode("file-not-found", FILES, "a spec, include or data file cannot be read"),
    ErrorCode("include-outside-root", FILES, "an include leaves the spec's folder"),
    ErrorCode("include-cycle", FILES,
              "an include leads back to a file that is being read (the file is read once)", WARNING),
    ErrorCode("spec-outside-root", FILES, "a root spec file is a link to a file outside its folder"),
    ErrorCode("include-not-sedl", FILES, "an include names a file that is not `.sedl`"),
    ErrorCode("include-unavailable", FILES, "`include` in a spec checked as text, with no folder"),
    ErrorCode("too-many-files", FILES, "a spec spans more than 200 files"),
    ErrorCode("data-outside-root", FILES, "the `data` file is outside the spec's folder"),
    ErrorCode("invalid-json", FILES, "the data file is not valid JSON"),
    ErrorCode("invalid-data", FILES,
              "the data does not fit the schema: types, enum values, keys, references, fields, tags; "
              "a row that stores a key taken from the map"),
    ErrorCode("data-breaks-invariant", FILES,
              "a row of the data, or of a task's `initial`, breaks an invariant of its entity, record or variant"),
    # Declarations
    ErrorCode("missing-domain", DECLARATIONS, "the spec has no `domain` header"),
    ErrorCode("duplicate-domain", DECLARATIONS, "a second `domain` header"),
    ErrorCode("unknown-domain-entry", DECLARATIONS,
              "a header entry other than description, policy, data, step_limit, size_limit"),
    ErrorCode("invalid-domain-entry", DECLARATIONS,
              "a header entry's value of the wrong kind: a number for description, policy or data, "
              "or a budget that is not a whole number from 1 to 1,000,000,000"),
    ErrorCode("duplicate-option", DECLARATIONS,
              "an entry or option given twice: a header entry, a field's doc/example/compare, "
              "a task's instruction/initial/reward, a constructor field"),
    ErrorCode("duplicate-definition", DECLARATIONS,
              "a name declared twice: type, tool, helper, constant, task, field, variant, enum value, collection"),
    ErrorCode("empty-enum", DECLARATIONS, "an enum with no values"),
    ErrorCode("empty-union", DECLARATIONS, "a union with no variants"),
    ErrorCode("invalid-tag", DECLARATIONS, "a variant declares the union's tag as a field"),
    ErrorCode("unknown-type", DECLARATIONS, "a type name that is not declared (with a hint for Python's names)"),
    ErrorCode("invalid-type", DECLARATIONS,
              "a malformed type: `list`/`map` without arguments, non-string map keys, `T??`"),
    ErrorCode("unknown-entity", DECLARATIONS, "`ref` names no entity"),
    ErrorCode("invalid-key", DECLARATIONS, "an entity's key field is not a `str`, whether stored or taken from the map"),
    ErrorCode("invalid-default", DECLARATIONS, "a parameter's default value does not fit its type"),
    ErrorCode("invalid-example", DECLARATIONS, "an `example` does not fit the field's type"),
    ErrorCode("not-a-literal", DECLARATIONS,
              "an example, fact, overlay or action argument is an expression, not a literal"),
    ErrorCode("invalid-compare", DECLARATIONS,
              "an unknown policy, `tolerance` without a number, or a policy that does not fit the type"),
    ErrorCode("invalid-option", DECLARATIONS, "`compare` on a tool parameter"),
    ErrorCode("invalid-not-found", DECLARATIONS, "an entity's not-found message that reads a collection"),
    ErrorCode("invalid-constant", DECLARATIONS, "a `const` whose value is not a literal"),
    ErrorCode("helper-recursion", DECLARATIONS,
              "a helper that calls itself, directly or through other helpers; the message gives the cycle"),
    ErrorCode("helper-too-large", DECLARATIONS,
              "a helper over 5,000 expressions and statements or 32 calls deep, the helpers it calls counted in"),
    ErrorCode("helper-effect", DECLARATIONS,
              "a helper that changes a row or an argument, or holds `insert`, `delete` or `ensures`"),
    ErrorCode("helper-outside-code", DECLARATIONS,
              "a helper called outside a tool or helper body: in an invariant, a goal or a message"),
    # Names, types and expressions
    ErrorCode("unknown-name", EXPRESSIONS, "a name that is not a parameter, local or collection"),
    ErrorCode("unknown-field", EXPRESSIONS, "a field that the record, entity or union does not have"),
    ErrorCode("unknown-function", EXPRESSIONS, "a call of a function that is not built in"),
    ErrorCode("unknown-method", EXPRESSIONS, "a method the value's type does not have"),
    ErrorCode("unknown-variant", EXPRESSIONS, "a union variant that does not exist, in `is` or a constructor"),
    ErrorCode("unnarrowed-variant", EXPRESSIONS, "a variant's own field read before narrowing with `is`"),
    ErrorCode("optional-unchecked", EXPRESSIONS, "an optional value used as if present"),
    ErrorCode("unhandled-lookup", EXPRESSIONS, "a map lookup that can fail, outside `let … else`"),
    ErrorCode("type-mismatch", EXPRESSIONS,
              "a value of the wrong type: condition, argument, field, return value, message"),
    ErrorCode("bad-operand", EXPRESSIONS, "an operator that does not apply to its operands"),
    ErrorCode("invalid-enum-value", EXPRESSIONS, "a string literal that is not a value of the enum it meets"),
    ErrorCode("not-indexable", EXPRESSIONS, "`[…]` on a value that is not a collection, map or list"),
    ErrorCode("not-iterable", EXPRESSIONS, "`for` over a value that is not a list (or the wrong number of names)"),
    ErrorCode("not-callable", EXPRESSIONS, "a call of something that is not a function, method or type"),
    ErrorCode("wrong-arguments", EXPRESSIONS, "the wrong number or kind of arguments"),
    ErrorCode("missing-field", EXPRESSIONS, "a constructor or `insert` leaves out a required field"),
    ErrorCode("invalid-expression", EXPRESSIONS, "something used as a value that has none"),
    ErrorCode("old-outside-ensures", EXPRESSIONS, "`old(…)` outside an `ensures`"),
    ErrorCode("always-present", EXPRESSIONS, "`is none` on a value that cannot be none", WARNING),
    # Statements and tools
    ErrorCode("duplicate-name", STATEMENTS, "a name bound again while still in scope, or named like a collection"),
    ErrorCode("invalid-assignment", STATEMENTS,
              "an assignment to something that cannot change: a parameter, a loop variable, a row, a union's tag"),
    ErrorCode("assign-to-key", STATEMENTS, "an assignment to an entity's key field"),
    ErrorCode("assign-to-param", STATEMENTS, "a change to a value passed as a parameter"),
    ErrorCode("invalid-insert", STATEMENTS, "`insert` of something that is not an entity row"),
    ErrorCode("invalid-delete", STATEMENTS, "`delete` of something that is not `collection[key]`"),
    ErrorCode("return-in-loop", STATEMENTS, "`return` inside `for`"),
    ErrorCode("jump-outside-loop", STATEMENTS, "`break` or `continue` outside any `for`"),
    ErrorCode("missing-return", STATEMENTS, "a tool with a (non-optional) return type can end without `return` or `fail`"),
    ErrorCode("unreachable-code", STATEMENTS, "a statement after `return`, `fail`, `break` or `continue`"),
    ErrorCode("unused-value", STATEMENTS, "an expression statement whose value is dropped"),
    ErrorCode("unnecessary-else", STATEMENTS, "`let … else` on a value that can neither fail nor be none", WARNING),
    # Tasks and rewards
    ErrorCode("unknown-tool", TASKS, "an action names no tool"),
    ErrorCode("unknown-argument", TASKS, "an action argument the tool does not take"),
    ErrorCode("missing-argument", TASKS, "an action leaves out a required parameter"),
    ErrorCode("invalid-overlay", TASKS, "`initial` is not a map from collections to rows, or names no collection"),
    ErrorCode("unknown-reward-basis", TASKS, "a reward basis other than state, goal, actions, communicate"),
    ErrorCode("unstated-reward-basis", TASKS,
              "the reward checks `goal`, `actions` or `communicate`, but the task has no `goal`, `action` or "
              "`communicate` line, so the basis holds whatever the agent does", WARNING),
    # Proofs (scaleenv prove, and the authoring loop's prover stage)
    ErrorCode("goal-true-at-start", PROOFS, "the untouched start already earns reward > 0: an agent that does nothing is paid"),
    ErrorCode("step-fails", PROOFS, "a gold action fails a guard when replayed from the task's start"),
    ErrorCode("goal-not-reached", PROOFS, "the witness runs, but its final state does not earn reward 1"),
    ErrorCode("argument-unknown", PROOFS, "an argument of the witness has no source: no known fact, earlier output or finite choice gives it"),
    ErrorCode("no-relaxed-solution", PROOFS, "no plan can reach the goal: even ignoring every delete, a goal atom has no supporter"),
    ErrorCode("search-exhausted", PROOFS, "the search tried every plan its knowledge allows and none reaches the goal"),
    ErrorCode("budget-exhausted", PROOFS, "the search ran out of its depth or node budget before finding a plan", WARNING),
    ErrorCode("redundant-step", PROOFS, "the goal already holds before the last writes of the witness", WARNING),
    ErrorCode("dropped-reads", PROOFS, "gold reads the witness does not need, or cannot make, were left out", WARNING),
    ErrorCode("task-proved", PROOFS, "the task is proved: its witness replays, reaches the goal from a start that does not, with every argument known", WARNING),
    # Internal
    ErrorCode("internal-error", INTERNAL, "a defect in the checker itself, reported instead of a traceback"),
    ErrorCode("compile-failed", INTERNAL,
              "the compiler rejected a spec that checks clean: a defect in the code generator"),
    ErrorCode("stage-crashed", INTERNAL,
              "a later stage of `scaleenv author` crashed on a clean spec; the spec is still written", WARNING),
    # Lint: `scaleenv lint`, over specs that check clean
    ErrorCode("missing-row", LINT,
              "a task's gold action or goal names a row that does not exist at that point of the task"),
    ErrorCode("guard-never-fails", LINT, "a `require` or `let … else` check that always passes where it stands",
              WARNING),
    ErrorCode("guard-never-passes", LINT, "a check that always fails where it stands: the code after it never runs",
              WARNING),
    ErrorCode("write-before-guard", LINT,
              "a tool changes the state before a check that can still fail (legal, as the call is a transaction)",
              WARNING),
    ErrorCode("unreachable-tool", LINT,
              "a parameter no tool's result gives and no task `knows`, so no task or chain of calls reaches the tool",
              WARNING),
    ErrorCode("unread-entity", LINT, "an entity no tool reads", WARNING),
    ErrorCode("unused-field", LINT, "an entity's field no tool reads or writes", WARNING),
    ErrorCode("unused-enum-value", LINT,
              "an enum value no literal names, no parameter can pass and no row of the data holds", WARNING),
    ErrorCode("duplicate-tool", LINT, "two tools with the same parameter types and the same body", WARNING),
    ErrorCode("empty-error-message", LINT, "a check of a tool fails with an empty message", WARNING),
    ErrorCode("duplicate-error-message", LINT,
              "two checks of one tool fail with the same message, ignoring case and punctuation", WARNING),
    ErrorCode("unconfirmed-write", LINT,
              "the policy asks for confirmation, but a tool that changes the state never says so in its doc",
              WARNING),
    ErrorCode("missing-doc", LINT, "a tool or a parameter without a doc string", WARNING),
    ErrorCode("missing-description", LINT, "the domain header has no `description`", WARNING),
    ErrorCode("missing-policy", LINT, "the domain header has no `policy`", WARNING),
    ErrorCode("rule-crashed", LINT, "a lint rule failed: a defect in `scaleenv lint`, reported instead of a traceback"),
)

CODES: dict[str, ErrorCode] = {code.name: code for code in ALL_CODES}
