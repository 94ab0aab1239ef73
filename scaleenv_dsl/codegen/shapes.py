"""Per-type helpers: copiers for returned values, and invariant checkers.

A copier knows which fields of a type hold containers, so copying a row
copies exactly those and shares the immutable scalars: several times faster
than a generic deep copy, which matters because every tool result is copied
so that the caller cannot reach into live state.
"""

from __future__ import annotations

from .. import ir
from .exprs import DomainInfo, ExprCompiler, FunctionContext, strip_optional, walk_expr
from .names import identifier, literal, local, spec_comment, type_function

INDENT = "    "
_SCALARS = ("str", "int", "float", "bool", "enum", "ref", "none")


class Shapes:
    def __init__(self, info: DomainInfo):
        self.info = info
        self._needs_check = self._types_needing_checks()

    # ------------------------------------------------------------ copying
    def copy_source(self, t: ir.TypeRef, source: str) -> str:
        """Python source that copies the value `source` of type `t`."""
        t = strip_optional(t)
        if t.kind in _SCALARS:
            return source
        if t.kind in ("list", "map"):
            inner = self.copier(t.args[0])
            if inner is None:
                return f"_copy_flat({source})"
            return f"{'_copy_list' if t.kind == 'list' else '_copy_map'}({source}, {inner})"
        return f"{self.copier(t)}({source})"

    def copier(self, t: ir.TypeRef) -> str | None:
        """A function (name or lambda) copying a value of type `t`; None if no copy is needed."""
        t = strip_optional(t)
        if t.kind in _SCALARS:
            return None
        if t.kind in ("list", "map"):
            return f"(lambda v: {self.copy_source(t, 'v')})"
        if t.kind in ("record", "entity", "union") and t.name:
            return type_function("copy", t.name)
        return "_jcopy"

    def copier_functions(self) -> list[dict]:
        out = []
        for decl in [*self.info.domain.records, *self.info.domain.entities]:
            out.append(self._record_copier(decl.name, decl.fields, decl.loc))
        for union in self.info.domain.unions:
            out.append(self._union_copier(union))
        return out

    def _container_fields(self, fields: list[ir.FieldDef]) -> list[tuple[str, ir.TypeRef]]:
        return [(f.name, f.type) for f in fields if self.copier(f.type) is not None]

    def _record_copier(self, name: str, fields: list[ir.FieldDef], loc) -> dict:
        fn = type_function("copy", name)
        containers = self._container_fields(fields)
        if not containers:
            return {"alias": fn, "target": "_copy_flat"}
        body = [f"if type(v) is not dict:", f"{INDENT}return _jcopy(v)", "c = v.copy()"]
        body += self._copy_fields(containers)
        return {"name": fn, "params": "v", "comment": spec_comment(loc), "body": body + ["return c"]}

    def _copy_fields(self, containers: list[tuple[str, ir.TypeRef]]) -> list[str]:
        lines = []
        for field, t in containers:
            key = literal(field)
            lines += [f"x = v.get({key})", "if x is not None:", f"{INDENT}c[{key}] = {self.inline_copy(t, 'x', 1)}"]
        return lines

    def inline_copy(self, t: ir.TypeRef, name: str, depth: int) -> str:
        """Like copy_source, for a value held in the local `name`, with nested containers copied
        inline rather than through helper calls (copies of rows are the hot path of reads)."""
        t = strip_optional(t)
        if t.kind in _SCALARS:
            return name
        if self._is_flat(t):
            container = "list" if t.kind == "list" else "dict"
            return f"({name}.copy() if type({name}) is {container} else _jcopy({name}))"
        if t.kind == "list":
            item = f"_e{depth}"
            return (f"([{self.inline_copy(t.args[0], item, depth + 1)} for {item} in {name}] "
                    f"if type({name}) is list else _jcopy({name}))")
        if t.kind == "map":
            key, item = f"_k{depth}", f"_e{depth}"
            return (f"({{{key}: {self.inline_copy(t.args[0], item, depth + 1)} for {key}, {item} in {name}.items()}} "
                    f"if type({name}) is dict else _jcopy({name}))")
        return self.copy_source(t, name)

    def _is_flat(self, t: ir.TypeRef) -> bool:
        """A list or map of scalars, or a record or union whose fields are all scalars."""
        if t.kind in ("list", "map"):
            return strip_optional(t.args[0]).kind in _SCALARS
        if t.kind in ("record", "entity"):
            decl = self.info.records.get(t.name) or self.info.entities.get(t.name)
            return decl is not None and not self._container_fields(decl.fields)
        if t.kind == "union" and t.name in self.info.unions:
            return not any(self._container_fields(v.fields) for v in self.info.unions[t.name].variants)
        return False

    def _union_copier(self, union: ir.UnionDef) -> dict:
        fn = type_function("copy", union.name)
        branches = [(v.name, self._container_fields(v.fields)) for v in union.variants]
        branches = [(n, c) for n, c in branches if c]
        if not branches:
            return {"alias": fn, "target": "_copy_flat"}
        body = [f"if type(v) is not dict:", f"{INDENT}return _jcopy(v)", "c = v.copy()",
                f"tag = v.get({literal(union.tag)})"]
        keyword = "if"
        for variant, containers in branches:
            body.append(f"{keyword} tag == {literal(variant)}:")
            body += [INDENT + line for line in self._copy_fields(containers)]
            keyword = "elif"
        return {"name": fn, "params": "v", "comment": spec_comment(union.loc), "body": body + ["return c"]}

    # ------------------------------------------------------------ invariants
    def _types_needing_checks(self) -> set[str]:
        """Types with invariants, and types whose fields (transitively) hold one."""
        own = {d.name for d in [*self.info.domain.records, *self.info.domain.entities] if d.invariants}
        own |= {u.name for u in self.info.domain.unions if any(v.invariants for v in u.variants)}
        needed = set(own)
        changed = True
        while changed:
            changed = False
            for name, fields in self._all_fields():
                if name not in needed and any(self._mentions(f.type, needed) for f in fields):
                    needed.add(name)
                    changed = True
        return needed

    def _all_fields(self):
        for d in [*self.info.domain.records, *self.info.domain.entities]:
            yield d.name, d.fields
        for u in self.info.domain.unions:
            yield u.name, [f for v in u.variants for f in v.fields]

    def _mentions(self, t: ir.TypeRef, names: set[str]) -> bool:
        return any(name in names for name in _named_types(t))

    def checked_entities(self) -> list[ir.EntityDef]:
        return [e for e in self.info.domain.entities if e.name in self._needs_check]

    def invariant_reads(self) -> list[tuple[str, list[str]]]:
        """(collection, collections read) for each entity whose checks read whole collections
        (`self.user_id in users`): a change to those can break rows the call never reached."""
        domain = self.info.domain
        own = {d.name: self._collections_read(d.invariants) for d in [*domain.records, *domain.entities]}
        own.update({u.name: self._collections_read([i for v in u.variants for i in v.invariants])
                    for u in domain.unions})
        fields = dict(self._all_fields())
        out = []
        for entity in self.checked_entities():
            reads, seen, pending = set(), set(), [entity.name]
            while pending:  # the entity and every type its fields hold, transitively
                name = pending.pop()
                if name not in seen:
                    seen.add(name)
                    reads |= own.get(name, set())
                    pending += [n for f in fields.get(name, []) for n in _named_types(f.type)]
            if reads:
                out.append((entity.collection, sorted(reads)))
        return out

    def _collections_read(self, invariants: list[ir.Invariant]) -> set[str]:
        return {self.info.collection(node.entity) for inv in invariants
                for root in (inv.condition, inv.message) for node in walk_expr(root)
                if isinstance(node, (ir.CollectionRef, ir.Lookup))}

    def checker_functions(self) -> list[dict]:
        out = []
        for d in [*self.info.domain.records, *self.info.domain.entities]:
            if d.name in self._needs_check:
                body = self._invariant_lines(d.invariants) + self._walk_fields(d.fields)
                out.append(self._checker(d.name, d.loc, body))
        for u in self.info.domain.unions:
            if u.name in self._needs_check:
                out.append(self._checker(u.name, u.loc, self._union_checks(u)))
        return out

    def _checker(self, name: str, loc, body: list[str]) -> dict:
        return {"name": type_function("check", name), "params": f"{local('self')}, _D",
                "comment": spec_comment(loc), "body": body or ["pass"]}

    def _invariant_lines(self, invariants: list[ir.Invariant]) -> list[str]:
        compiler = ExprCompiler(FunctionContext(self.info))
        lines = []
        for inv in invariants:
            lines += [spec_comment(inv.loc),
                      f"if not {compiler.expr(inv.condition)}:",
                      f"{INDENT}raise _invariant_failed({compiler.expr(inv.message)})"]
        return lines

    def _walk_fields(self, fields: list[ir.FieldDef]) -> list[str]:
        lines = []
        for f in fields:
            if self._mentions(f.type, self._needs_check):
                lines += [f"_x0 = {local('self')}.get({literal(f.name)})"] + self._walk("_x0", f.type, 1)
        return lines

    def _walk(self, source: str, t: ir.TypeRef, depth: int) -> list[str]:
        """Lines that run the checkers of every value of type `t` inside `source` (a name)."""
        t = strip_optional(t)
        if t.kind in ("record", "entity", "union"):
            return [f"if {source} is not None:", f"{INDENT}{type_function('check', t.name)}({source}, _D)"]
        if t.kind in ("list", "map"):
            var = f"_x{depth}"
            items = f"({source} or ())" if t.kind == "list" else f"({source} or {{}}).values()"
            inner = self._walk(var, t.args[0], depth + 1)
            return [f"for {var} in {items}:"] + [INDENT + line for line in inner]
        return []

    def _union_checks(self, u: ir.UnionDef) -> list[str]:
        lines = [f"tag = {local('self')}.get({literal(u.tag)})"]
        keyword = "if"
        for v in u.variants:
            body = self._invariant_lines(v.invariants) + self._walk_fields(v.fields)
            if body:
                lines.append(f"{keyword} tag == {literal(v.name)}:")
                lines += [INDENT + line for line in body]
                keyword = "elif"
        return lines


def _named_types(t: ir.TypeRef) -> list[str]:
    """The records, entities and unions a type holds directly (through lists, maps, optionals)."""
    if t.kind in ("record", "entity", "union"):
        return [t.name]
    return [n for a in t.args for n in _named_types(a)]


def check_identifiers(domain: ir.Domain) -> None:
    """Validate every declared name that becomes part of a Python name."""
    for group in (domain.records, domain.entities, domain.unions, domain.enums, domain.tools, domain.helpers):
        for decl in group:
            identifier(decl.name, "declared name")
