"""The domain header, type definitions with their invariants, and tasks -> IR."""

from __future__ import annotations

from pathlib import Path

from .. import ast, ir
from ..diagnostics import Label, did_you_mean
from ..types_fit import FitBuilder, TypeTable
from .exprs import ExprChecker, Mode
from .data import DataValidator
from .loader import resolve_inside
from .mismatch import detail
from .options import NotLiteral, literal_value
from .scope import Scope, VarInfo
from .symbols import Symbols, loc

TEXT_ENTRIES = ("description", "policy", "data")
LIMIT_ENTRIES = ("step_limit", "size_limit")  # each tool call's budget: runtime/limits.py
DOMAIN_ENTRIES = TEXT_ENTRIES + LIMIT_ENTRIES
REWARD_BASES = ("state", "goal", "actions", "communicate")


def domain_header(symbols: Symbols, root_dir: Path | None) -> dict:
    decl = symbols.domain
    if decl is None:
        return {"name": "unnamed"}
    header: dict = {"name": decl.name.name}
    seen: dict[str, ast.DomainEntry] = {}
    for entry in decl.entries:
        key = entry.key.name
        if key not in DOMAIN_ENTRIES:
            symbols.error("unknown-domain-entry", f"`{key}` is not a domain entry", entry.key.span,
                          did_you_mean(key, DOMAIN_ENTRIES)
                          or "the entries are description, policy, data, step_limit and size_limit")
            continue
        if key in seen:
            symbols.error("duplicate-option", f"`{key}` is given twice", entry.key.span, "keep one",
                          [Label(seen[key].key.span, "first given here")])
            continue
        seen[key] = entry
        if _entry_fits(symbols, key, entry):
            header[key] = entry.value.value
    if "data" in header:
        header["data_path"] = _data_path(symbols, seen["data"], root_dir)
        del header["data"]
    return header


def _entry_fits(symbols: Symbols, key: str, entry: ast.DomainEntry) -> bool:
    """Text for description, policy and data; a whole number from 1 to MAX_LIMIT for a budget."""
    value = entry.value
    if key in TEXT_ENTRIES:
        if isinstance(value, ast.Str):
            return True
        symbols.error("invalid-domain-entry", f"`{key}` takes a string, not a number", value.span,
                      f'write it in quotes: {key} "…"')
        return False
    if isinstance(value, ast.Number) and type(value.value) is int and 1 <= value.value <= ir.MAX_LIMIT:
        return True
    shown = value.text[:24] if isinstance(value, ast.Number) else "a string"
    symbols.error("invalid-domain-entry", f"`{key}` must be a whole number from 1 to {ir.MAX_LIMIT:_}, not {shown}",
                  value.span, f"the default is {_LIMIT_DEFAULTS[key]:_}; a call that goes past it fails "
                  "with a `limit` error")
    return False


_LIMIT_DEFAULTS = {"step_limit": ir.DEFAULT_STEP_LIMIT, "size_limit": ir.DEFAULT_SIZE_LIMIT}


def _data_path(symbols: Symbols, entry: ast.DomainEntry, root_dir: Path | None) -> str | None:
    if root_dir is None:
        return None  # a spec checked from text has no folder; its data is supplied at run time
    spec_file = Path(entry.value.span.file).resolve()
    target = resolve_inside(root_dir, spec_file, entry.value.value)
    if target is None:
        symbols.error("data-outside-root", f"`{entry.value.value}` is outside the spec's folder", entry.value.span,
                      "keep the data file in the spec's folder or below it")
        return None
    if not target.is_file():
        symbols.error("file-not-found", f"the data file `{entry.value.value}` does not exist", entry.value.span,
                      "check the path, relative to this spec file")
        return None
    return str(target)


# ---------------------------------------------------------------- types

def type_definitions(symbols: Symbols) -> dict[str, list]:
    checker = ExprChecker(symbols, mode=Mode(lookups_may_fail=True))
    for name, decl in symbols.entities.items():
        _check_not_found(checker, symbols, name, decl)
    enums = [ir.EnumDef(name=n, values=[v.value for v in d.values], loc=loc(d.name.span))
             for n, d in symbols.enums.items()]
    records = [ir.RecordDef(name=n, doc=_doc(d), fields=list(symbols.fields[n].values()),
                            invariants=_invariants(checker, d.invariants, ir.TypeRef(kind="record", name=n)),
                            loc=loc(d.name.span)) for n, d in symbols.records.items()]
    entities = [ir.EntityDef(name=n, collection=d.collection.name, key=d.key.name,
                             not_found=_not_found_text(d, symbols.not_found_messages.get(n)),
                             not_found_message=symbols.not_found_messages.get(n),
                             doc=_doc(d), fields=list(symbols.fields[n].values()),
                             invariants=_invariants(checker, d.invariants, ir.TypeRef(kind="entity", name=n)),
                             key_from_map=d.key_from_map,
                             loc=loc(d.name.span)) for n, d in symbols.entities.items()]
    unions = [_union(checker, symbols, n, d) for n, d in symbols.unions.items()]
    return {"enums": enums, "records": records, "entities": entities, "unions": unions}


def _not_found_text(decl: ast.EntityDecl, message: ir.Expr | None) -> str:
    """The constant message, or the template of a computed one: `Room {n} not found`."""
    if isinstance(decl.not_found, ast.Str):
        return decl.not_found.value
    if message is None:  # reported
        return f"{decl.name.name} not found"
    return _template(message)


def _template(e: ir.Expr) -> str:
    if isinstance(e, ir.Binary) and e.op == "+":
        return _template(e.left) + _template(e.right)
    if isinstance(e, ir.Const):
        return str(e.value)
    if isinstance(e, ir.Builtin) and e.name == "str" and len(e.args) == 1:
        return _template(e.args[0])
    if isinstance(e, ir.Var):
        return "{" + e.name + "}"
    return "{…}"


def _check_not_found(checker: ExprChecker, symbols: Symbols, name: str, decl: ast.EntityDecl) -> None:
    """The not-found message of an entity when it is built from the key, `"Room " + n + " not found"`:
    a string expression whose only name is the key, and that reads no collection (the row is missing)."""
    if isinstance(decl.not_found, ast.Str):
        return
    key = symbols.fields.get(name, {}).get(decl.key.name)
    scope = Scope()
    scope.vars[decl.key.name] = VarInfo(key.type if key is not None else ir.STR, frozenset(), "param", decl.key.span)
    message = checker.string(decl.not_found, scope, "the not-found message")
    if any(isinstance(e, (ir.CollectionRef, ir.Lookup)) for e in ir.walk(message)):
        symbols.error("invalid-not-found", "the not-found message reads a collection", decl.not_found.span,
                      f"build it from the key `{decl.key.name}` and literals only: "
                      f"`\"{name} \" + {decl.key.name} + \" not found\"`")
        return
    symbols.not_found_messages[name] = message


def _union(checker: ExprChecker, symbols: Symbols, name: str, decl: ast.UnionDecl) -> ir.UnionDef:
    variants = []
    fields = symbols.variant_fields.get(name, {})
    for v in decl.variants:
        if v.name.name not in fields:
            continue
        invariants = _invariants(checker, v.invariants, ir.TypeRef(kind="union", name=name), variant=v.name.name)
        variants.append(ir.VariantDef(name=v.name.name, fields=list(fields[v.name.name].values()),
                                      invariants=invariants, loc=loc(v.name.span)))
    return ir.UnionDef(name=name, tag=decl.tag.name, doc=_doc(decl), variants=variants,
                       common_fields=list(symbols.common_fields.get(name, {})), loc=loc(decl.name.span))


def _invariants(checker: ExprChecker, decls, self_type: ir.TypeRef, variant: str | None = None) -> list[ir.Invariant]:
    out = []
    for inv in decls:
        scope = Scope()
        scope.vars["self"] = _self_var(self_type, inv)
        if variant is not None:
            scope.facts.variants[("self",)] = variant
        condition = checker.condition(inv.condition, scope)
        message = checker.string(inv.message, scope, "the invariant's message")
        out.append(ir.Invariant(condition=condition, message=message, loc=loc(inv.span)))
    return out


def _self_var(t: ir.TypeRef, inv: ast.InvariantDecl) -> VarInfo:
    return VarInfo(t, frozenset(), "self", inv.span)


def _doc(decl) -> str:
    return decl.doc.value if decl.doc is not None else ""


# ---------------------------------------------------------------- tasks

def task_definition(symbols: Symbols, decl: ast.TaskDecl, tools: dict[str, ir.ToolDef],
                    fits: FitBuilder) -> ir.TaskDef:
    fields: dict = {"name": decl.name.name, "doc": _doc(decl), "loc": loc(decl.name.span)}
    knows, actions, goals, communicate = {}, [], [], []
    checker = ExprChecker(symbols, mode=Mode(lookups_may_fail=True))
    for entry in decl.entries:
        if isinstance(entry, ast.Instruction):
            _once(symbols, fields, "instruction", entry, entry.text.value)
        elif isinstance(entry, ast.Knows):
            if entry.name.name in knows:
                symbols.error("duplicate-option", f"the user already knows `{entry.name.name}`", entry.name.span,
                              "keep one `knows` line per fact")
            knows[entry.name.name] = _literal(symbols, entry.value, "a fact the user knows")
        elif isinstance(entry, ast.Initial):
            _once(symbols, fields, "initial", entry, _overlay(symbols, entry, fits.table))
        elif isinstance(entry, ast.Action):
            action = _action(symbols, entry, tools, fits)
            if action is not None:
                actions.append(action)
        elif isinstance(entry, ast.Goal):
            goals.append(checker.condition(entry.condition, Scope()))
        elif isinstance(entry, ast.Communicate):
            communicate.append(entry.text.value)
        elif isinstance(entry, ast.RewardEntry):
            _once(symbols, fields, "reward", entry, _reward(symbols, entry))
    fields.update(knows=knows, actions=actions, goals=goals, communicate=communicate)
    _check_task_basis(symbols, decl)
    return ir.TaskDef(**{k: v for k, v in fields.items() if v is not None})


def _once(symbols: Symbols, fields: dict, key: str, entry, value) -> None:
    if key in fields:
        symbols.error("duplicate-option", f"`{key}` is given twice in this task", entry.span, "keep one")
        return
    fields[key] = value


def _literal(symbols: Symbols, node, what: str):
    try:
        return literal_value(node)
    except NotLiteral as err:
        symbols.error("not-a-literal", f"{what} is a literal value", err.node.span,
                      "write a string, number, true/false, none, or a list or map of them")
        return None


def _overlay(symbols: Symbols, entry: ast.Initial, types: TypeTable) -> dict | None:
    value = _literal(symbols, entry.value, "an initial overlay")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(rows, dict) for rows in value.values()):
        symbols.error("invalid-overlay", "an overlay maps collections to rows", entry.value.span,
                      'write `initial {"orders": {"#W1": {"status": "pending"}}}`')
        return None
    validator = DataValidator(types, entry.value.span.file, "", partial=True)
    validator.validate(value)
    for message, help in validator.problems_with_help():
        symbols.error("invalid-overlay", message, entry.value.span,
                      help or "overlay rows give fields of the entity, with values of their declared types")
    return value


def _action(symbols: Symbols, entry: ast.Action, tools: dict[str, ir.ToolDef],
            fits: FitBuilder) -> ir.ActionCall | None:
    tool = tools.get(entry.tool.name)
    if tool is None:
        symbols.error("unknown-tool", f"there is no tool `{entry.tool.name}`", entry.tool.span,
                      did_you_mean(entry.tool.name, tools) or ("its tools are " + ", ".join(list(tools)[:10]) if tools else "declare the tool with `tool name(…) { … }`"))
        return None
    params = {p.name: p for p in tool.params}
    arguments = {}
    for arg in entry.args:
        if not isinstance(arg, ast.KeywordArg):
            symbols.error("wrong-arguments", "action arguments are named", arg.span, "write `tool(name=value)`")
            continue
        name = arg.name.name
        if name not in params:
            symbols.error("unknown-argument", f"`{tool.name}` has no parameter `{name}`", arg.name.span,
                          did_you_mean(name, params) or ("its parameters are " + ", ".join(params) if params else f"`{tool.name}` takes no arguments"))
            continue
        if name in arguments:
            symbols.error("duplicate-option", f"the argument `{name}` is given twice", arg.name.span, "keep one")
            continue
        try:
            value = literal_value(arg.value)
        except NotLiteral as err:
            symbols.error("not-a-literal", "an action argument is a literal value", err.node.span,
                          "write a string, number, true/false, none, or a list or map of them")
            arguments[name] = None  # reported; keep it so it is not also reported missing
            continue
        mismatch = fits.first_mismatch(value, params[name].type)
        if mismatch is not None:
            symbols.error("type-mismatch", f"`{name}` expects `{params[name].type}`"
                          + detail(mismatch, fits.table), arg.value.span,
                          f"give a value of type `{params[name].type}`")
        arguments[name] = value
    missing = [p for p in params if p not in arguments and params[p].type.kind != "optional"]
    if missing:
        symbols.error("missing-argument", f"`{tool.name}` also needs " + ", ".join(f"`{m}`" for m in missing),
                      entry.span, "give every parameter that is not optional")
    return ir.ActionCall(tool=tool.name, arguments=arguments, loc=loc(entry.span))


def _reward(symbols: Symbols, entry: ast.RewardEntry) -> list[str]:
    bases = []
    for basis in entry.bases:
        if basis.name not in REWARD_BASES:
            symbols.error("unknown-reward-basis", f"`{basis.name}` is not a reward basis", basis.span,
                          did_you_mean(basis.name, REWARD_BASES) or "use state, goal, actions or communicate")
        elif basis.name not in bases:
            bases.append(basis.name)
    return bases or ["state"]


# the entry a task states each reward basis with, and its keyword; `state` needs none (no gold
# actions then means the agent must change nothing)
_STATED_BY = {"goal": (ast.Goal, "goal"), "actions": (ast.Action, "action"),
              "communicate": (ast.Communicate, "communicate")}


def _check_task_basis(symbols: Symbols, decl: ast.TaskDecl) -> None:
    """Warn on a basis the task never states: with nothing to check it holds whatever the agent does."""
    entry = next((e for e in decl.entries if isinstance(e, ast.RewardEntry)), None)
    warned = set()
    for basis in entry.bases if entry is not None else ():
        kind, keyword = _STATED_BY.get(basis.name, (None, ""))
        if kind is None or basis.name in warned or any(isinstance(e, kind) for e in decl.entries):
            continue
        warned.add(basis.name)
        symbols.warn("unstated-reward-basis", f"the reward checks `{basis.name}`, but the task has no `{keyword}` line",
                     basis.span, f"add `{keyword} …` to the task, or take `{basis.name}` off the `reward` line")
