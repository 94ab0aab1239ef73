"""Checked IR -> one Python module per domain, through a Jinja2 template.

The Python for expressions and statements comes from `exprs`/`stmts`; the
template lays out the module: runtime bindings, copiers, invariant checkers,
tools, goals and the tables the environment reads. `load_module` compiles the
source into a fresh namespace whose built-ins are a short allow-list, caching
by a hash of the IR.
"""

from __future__ import annotations

import builtins
import hashlib
import linecache
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import jinja2

from .. import ir
from ..diagnostics import Diagnostic, Span
from .exprs import PYTHON_BUILTINS, DomainInfo, ExprCompiler, FunctionContext, guards_by_place
from .names import GenerationError, identifier, literal, local, spec_comment, tool_function
from .shapes import Shapes, check_identifiers
from .stmts import StmtCompiler

# name in generated code -> name in scaleenv_dsl.runtime
RUNTIME_NAMES = (
    ("_Fail", "ToolError"), ("_invariant_failed", "invariant_failed"),
    ("_postcondition_failed", "postcondition_failed"),
    ("_lookup", "lookup"), ("_lookup_touch", "lookup_touch"), ("_map_get", "map_get"),
    ("_get_touch", "get_touch"), ("_values_touch", "values_touch"), ("_items_touch", "items_touch"),
    ("_touch_all", "touch_all"), ("_require_present", "require_present"), ("_is_variant", "is_variant"),
    ("_set", "set_key"), ("_set_index", "set_index"), ("_append", "append"), ("_extend", "extend"),
    ("_remove", "remove"), ("_sort", "sort"), ("_insert", "insert"), ("_delete", "delete"),
    ("_value_at", "value_at"), ("_jcopy", "jcopy"), ("_copy_flat", "copy_flat"),
    ("_copy_list", "copy_list"), ("_copy_map", "copy_map"), ("_to_json", "to_json"),
    ("_arithmetic", "arithmetic"), ("_round", "round_number"), ("_bounded", "bounded"),
    ("_steps", "steps"), ("_sized", "sized"), ("_concat", "concat"), ("_replace", "replace"), ("_join", "join"),
    ("_number", "number"), ("_arithmetic_any", "arithmetic_any"), ("_measured", "measured"),
    ("_to_json_charged", "to_json_charged"),
)

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass
class GeneratedModule:
    """The generated source of a domain and, once loaded, its tables."""
    domain: str
    source: str
    digest: str
    tools: dict = field(default_factory=dict)        # tool name -> function(state, *args)
    invariants: dict = field(default_factory=dict)   # collection -> function(row, data)
    copiers: dict = field(default_factory=dict)      # collection -> function(row) -> copy
    goals: dict = field(default_factory=dict)        # task name -> tuple of function(data)
    invariant_reads: dict = field(default_factory=dict)  # collection -> collections its invariants read

    @property
    def filename(self) -> str:
        return f"<scaleenv:{_safe(self.domain)}:{self.digest[:12]}>"


def digest_of(domain: ir.Domain) -> str:
    """A content hash of the IR. The dataclass repr covers every field and is much
    cheaper than a JSON dump, whose pydantic schema is built on first use."""
    return hashlib.sha256(repr(domain).encode("utf-8", "surrogatepass")).hexdigest()


def generate_source(domain: ir.Domain) -> str:
    """The Python module for `domain`. Raises GenerationError if the IR is unsafe or malformed."""
    check_identifiers(domain)
    info = DomainInfo(domain)
    shapes = Shapes(info)
    tools = [_tool(t, info, shapes) for t in domain.tools]
    helpers = _helpers(info, shapes)
    goals, goal_table = _goals(domain, info)
    return _TEMPLATES.get_template("module.py.j2").render(
        runtime_names=RUNTIME_NAMES,
        domain_literal=literal(domain.name),
        copiers=shapes.copier_functions(),
        checkers=shapes.checker_functions(),
        tools=tools,
        helpers=helpers,
        guard_tables=info.guard_tables,
        goals=goals,
        tool_table=[(literal(t.name), tool_function(t.name)) for t in domain.tools],
        copier_table=[(literal(e.collection), f"copy_{identifier(e.name, 'entity name')}")
                      for e in domain.entities],
        invariant_table=[(literal(e.collection), f"check_{identifier(e.name, 'entity name')}")
                         for e in shapes.checked_entities()],
        invariant_reads_table=[(literal(c), [literal(r) for r in reads]) for c, reads in shapes.invariant_reads()],
        goal_table=goal_table,
    )


def source_diagnostics(domain: ir.Domain) -> list[Diagnostic]:
    """Generate the module and compile it to bytecode, without running it: what the
    authoring loop asks of the compiler, since a model's spec must never execute."""
    file = domain.files[0] if domain.files else "<spec>"
    try:
        compile(generate_source(domain), f"<scaleenv:{_safe(domain.name)}>", "exec")
    except (GenerationError, SyntaxError, ValueError) as err:
        return [Diagnostic("compile-failed", f"the compiler rejected the spec: {err}", Span(file, 1, 1, 1, 2),
                           "this is a bug in scaleenv_dsl if the spec checks clean; please report it")]
    return []


def _tool(tool: ir.ToolDef, info: DomainInfo, shapes: Shapes) -> dict:
    ctx = FunctionContext(info, writes=frozenset(tool.writes), has_state=True, guards=guards_by_place(tool),
                          helper_guards=tool.contract.helper_guards if tool.contract is not None else {})
    body = StmtCompiler(ctx, shapes, tool.returns).block(tool.body, depth=0)
    prologue = ["_D = _S.data", "_J = _S.journal"]
    if ctx.uses_old:
        prologue.append("_mark = len(_J)")
    params = ", ".join(["_S"] + [local(p.body_name) for p in tool.params])
    return {"name": tool_function(tool.name), "params": params, "comment": spec_comment(tool.loc),
            "body": prologue + body}


def _helpers(info: DomainInfo, shapes: Shapes) -> list[dict]:
    """A function for each helper its callers need, one per set of entities a caller writes; a
    helper's own calls may ask for more of them, so the work list grows while it is worked."""
    functions, done = [], set()
    while len(done) < len(info.helper_variants):
        (name, writes), function = next((k, v) for k, v in info.helper_variants.items() if k not in done)
        done.add((name, writes))
        helper = info.helpers[name]
        ctx = FunctionContext(info, writes=writes, has_state=True, helper=name)
        # `returns` None: a helper hands its value to the caller as it is, rows included, so that
        # the tool's changes to a row it returns reach the row
        body = StmtCompiler(ctx, shapes, None).block(helper.body, depth=0)
        params = ", ".join(["_S", "_G"] + [local(p.name) for p in helper.params])
        functions.append({"name": function, "params": params, "comment": spec_comment(helper.loc),
                          "body": ["_D = _S.data", "_J = _S.journal"] + body})
    return functions


def _goals(domain: ir.Domain, info: DomainInfo) -> tuple[list[dict], list]:
    functions, table = [], []
    for t_index, task in enumerate(domain.tasks):
        names = []
        for g_index, goal in enumerate(task.goals):
            name = f"goal_{t_index}_{g_index}"
            source = ExprCompiler(FunctionContext(info)).expr(goal)
            functions.append({"name": name, "params": "_D", "comment": spec_comment(goal.loc),
                              "body": [f"return {source}"]})
            names.append(name)
        if names:
            table.append((literal(task.name), names))
    return functions, table


# ---------------------------------------------------------------- loading

_CACHE: dict[str, GeneratedModule] = {}


def load_module(domain: ir.Domain) -> GeneratedModule:
    """Generate and compile `domain`'s module, once per distinct IR."""
    digest = digest_of(domain)
    cached = _CACHE.get(digest)
    if cached is not None:
        return cached
    module = module_from_source(domain.name, generate_source(domain), digest)
    _CACHE[digest] = module
    return module


def module_from_source(domain_name: str, source: str, digest: str) -> GeneratedModule:
    """Run generated source (uncached) and read its tables: how a test loads a module it has altered."""
    module = GeneratedModule(domain_name, source, digest)
    namespace = execute(module.source, module.filename)
    module.tools = dict(namespace["TOOLS"])
    module.invariants = dict(namespace["INVARIANTS"])
    module.copiers = dict(namespace["COPIERS"])
    module.goals = dict(namespace["GOALS"])
    module.invariant_reads = dict(namespace["READS"])
    return module


def execute(source: str, filename: str) -> dict:
    """Run generated source in a fresh namespace with allow-listed built-ins."""
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as err:
        raise GenerationError(f"the generated module does not compile ({type(err).__name__}: {err}); "
                              "the spec nests too deeply") from None
    # tracebacks through generated code show its lines
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__builtins__": dict(_SAFE_BUILTINS), "__name__": f"scaleenv_generated_{_safe(filename)}"}
    exec(code, namespace)
    return namespace


def _import_runtime_only(name, globals=None, locals=None, fromlist=(), level=0):
    if name != "scaleenv_dsl.runtime" or level != 0:
        raise ImportError(f"generated code may import only scaleenv_dsl.runtime, not {name!r}")
    return builtins.__import__(name, globals, locals, fromlist, level)


_SAFE_BUILTINS = MappingProxyType({
    **{name: getattr(builtins, name) for name in PYTHON_BUILTINS},
    "__import__": _import_runtime_only,
})


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)[:60]
