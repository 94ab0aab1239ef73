"""What an agent knows at a point of a plan: the task's `knows` facts and every earlier output.

Each output is walked by its declared type, so that a value found in it is both a *source*
(`step 2: $.payment_history[0].payment_method_id`) and, when the types say so, a typed
candidate for a parameter: an order's `user_id: ref User` is a key of `User`, the keys of a
product's `variants` map are what `ref Product.variants` takes, and so on. Arguments are bound
only to such candidates, never to values read off the database directly.

Knowledge is layered: a search node adds what it learned to its parent's knowledge without
copying it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

from .. import ir
from .model import DomainModel, kind_of

Kind = tuple[str, tuple[str, ...]]   # (entity, path): where a keyed value comes from
MAX_DEPTH = 40                       # outputs nest far less; a bound keeps the walk iterative-safe
MAX_JSON_TEXT = 1_000_000


class JsonText:
    """A path step into a string result holding JSON text (such as `to_json(...)`)."""

    def __repr__(self) -> str:
        return "json"


JSON_TEXT = JsonText()


@dataclass(frozen=True, slots=True)
class Knows:
    """The origin of a `knows` fact."""
    name: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A value the agent has seen: where (origin and path), and whether it is a map key there."""
    value: Any
    origin: Any            # Knows, a step number (1-based), or an exploration's call
    path: tuple = ()
    is_key: bool = False
    kinds: tuple = ()      # the keyed kinds the types give it there

    @property
    def field(self) -> str | None:
        """The name of the field holding the value, for preferring `…payment_method_id` for `payment_method_id`."""
        names = [p for p in self.path if isinstance(p, str)]
        return names[-1] if names else None


def value_key(value) -> Any:
    """A dictionary key telling JSON scalars apart as JSON does (True is not 1; 1 is 1.0); None for the rest."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return ("bool", value)
    if kind is int or kind is float:
        return ("number", value)
    return None


def path_text(path: tuple) -> str:
    """`$.payment_history[0].payment_method_id`, `$.variants["7706410293"]`, `json($)["T-Shirt"]`."""
    out = "$"
    for step in path:
        if step is JSON_TEXT:
            out = f"json({out})"
        elif isinstance(step, int):
            out += f"[{step}]"
        elif step.isidentifier():
            out += "." + step
        else:
            out += "[" + json.dumps(step, ensure_ascii=False) + "]"
    return out


@dataclass(frozen=True, slots=True)
class Seen:
    """One output's (or one `knows` fact's) scalars, indexed once (`index_walk`): a memo keeps
    it, so that a look-up many proofs make again is not indexed again."""
    by_key: dict[Any, list]          # value key -> (path, scalar, kinds, is_key), in walk order
    typed: dict[Kind, dict[Any, Any]]   # kind -> value key -> value, in walk order


def index_walk(found: list) -> Seen:
    """Index what `walk_output` found."""
    by_key: dict[Any, list] = {}
    typed: dict[Kind, dict[Any, Any]] = {}
    for entry in found:
        key = value_key(entry[1])
        if key is None:
            continue
        by_key.setdefault(key, []).append(entry)
        for kind in entry[2]:
            typed.setdefault(kind, {}).setdefault(key, entry[1])
    return Seen(by_key, typed)


class Knowledge:
    def __init__(self, model: DomainModel, parent: "Knowledge | None" = None):
        self.model = model
        self.parent = parent
        self.blocks: list[tuple[Any, Seen]] = []   # (origin, what it showed), oldest first
        self.known: dict[str, Any] = {}

    def child(self) -> "Knowledge":
        return Knowledge(self.model, self)

    def layers(self) -> Iterator["Knowledge"]:
        """Oldest first, so that earlier facts come first."""
        chain = []
        layer: Knowledge | None = self
        while layer is not None:
            chain.append(layer)
            layer = layer.parent
        return reversed(chain)

    # ------------------------------------------------------------ learning
    def add_knows(self, knows: dict[str, Any]) -> None:
        for name, value in knows.items():
            self.known[name] = value
            self.blocks.append((Knows(name), index_walk(list(_untyped(value, ())))))

    def add_output(self, origin, returns: ir.TypeRef | None, value) -> None:
        self.add_seen(origin, index_walk(walk_output(self.model, returns, value)))

    def add_seen(self, origin, seen: Seen) -> None:
        """What an output showed, already indexed (`index_walk`)."""
        self.blocks.append((origin, seen))

    # ------------------------------------------------------------ asking
    def facts(self, value) -> list[Fact]:
        """Every place the value was seen, oldest first."""
        key = value_key(value)
        if key is None:
            return []
        return [fact for layer in self.layers() for fact in layer.own_facts(key)]

    def own_facts(self, key) -> list[Fact]:
        """The places this layer alone saw a value (by its `value_key`), oldest first."""
        return [Fact(scalar, origin, path, is_key, kinds) for origin, seen in self.blocks
                for path, scalar, kinds, is_key in seen.by_key.get(key, ())]

    def knows(self, value) -> bool:
        return bool(self.facts(value))

    def values_of(self, kind: Kind) -> list:
        """The values seen that the types say are of `kind`, oldest first, without repeats."""
        merged: dict[Any, Any] = {}
        for layer in self.layers():
            for _, seen in layer.blocks:
                typed = seen.typed.get(kind)
                if typed:
                    for key, value in typed.items():
                        merged.setdefault(key, value)
        return list(merged.values())

    def named(self, param: str) -> list:
        """The `knows` facts named after a parameter: `email`, and `email_2` as the converter numbers them."""
        found = []
        for layer in self.layers():
            for name, value in layer.known.items():
                suffix = name[len(param) + 1:] if name.startswith(param + "_") else None
                if name == param or (suffix is not None and suffix.isdigit()):
                    found.append(value)
        return found

    def candidates(self, tool: ir.ToolDef, param: ir.ParamDef, any_knows: bool = False,
                   guesses: bool = True) -> list:
        """The values `param` may be bound to, best first: named `knows` facts, then typed values
        (a keyed domain's keys seen so far, or an enum's or choice's values). A free parameter no
        fact is named after takes, with `any_knows`, each `knows` fact of its JSON type: a search
        box takes the title the user knows. Without `guesses` it takes only the facts no tool's
        parameter is named after: a `zip` is a zip code, not a guess at a first name. A list
        parameter gets one-element lists."""
        domain = self.model.param_domain(tool.name, param.name)
        values = self.named(param.name)
        kind = kind_of(domain)
        if kind is not None:
            values += self.values_of(kind)
        elif domain.source in ("enum", "choices"):
            values += list(domain.values)
        elif not values and any_knows:
            values = [v for layer in self.layers() for name, v in layer.known.items()
                      if _fits(v, param.type) and (guesses or not self.model.names_a_param(name))]
        # a text is its own key (most values are); JSON text tells the rest apart as JSON does
        unique = list({v if type(v) is str else (json.dumps(v, sort_keys=True),): v for v in values}.values())
        return [[v] for v in unique] if domain.element else unique


def _fits(value, t: ir.TypeRef) -> bool:
    """Whether a JSON scalar has the JSON type of a scalar parameter type."""
    t = t.args[0] if t.kind == "optional" else t
    if t.kind == "str":
        return isinstance(value, str)
    if t.kind == "bool":
        return isinstance(value, bool)
    if t.kind in ("int", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and (
            t.kind == "float" or float(value).is_integer())
    return False


# ---------------------------------------------------------------- walking outputs

def walk_output(model: DomainModel, returns: ir.TypeRef | None, value) -> list:
    """(path, scalar, kinds, is_key) of every scalar in an output, found by its declared type."""
    walker = _Walker(model)
    walker.walk(value, returns, None, (), 0)
    return walker.found


class _Walker:
    """Collects (path, scalar, kinds, is_key) from a value walked by its declared type.

    `owner` is (entity, field path from the entity's row) while inside a row, skipping list
    indexes and map keys: the same path a `ref Order.items.item_id` names.
    """

    def __init__(self, model: DomainModel):
        self.model = model
        self.found: list[tuple[tuple, Any, tuple[Kind, ...], bool]] = []

    def walk(self, value, t: ir.TypeRef | None, owner: Kind | None, path: tuple, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        while t is not None and t.kind == "optional":
            t = t.args[0]
        if isinstance(value, dict):
            self._mapping(value, t, owner, path, depth)
        elif isinstance(value, list):
            item = t.args[0] if t is not None and t.kind == "list" else None
            for index, element in enumerate(value):
                self.walk(element, item, owner, path + (index,), depth + 1)
        elif value is not None:
            self._scalar(value, t, owner, path, depth)

    def _mapping(self, value: dict, t, owner, path, depth) -> None:
        kind = t.kind if t is not None else "any"
        if kind == "map":
            key_kinds = (owner,) if owner is not None and owner[1] else ()
            for key, element in value.items():
                self.found.append((path, key, key_kinds, True))
                self.walk(element, t.args[0], owner, path + (key,), depth + 1)
            return
        if kind not in ("entity", "record", "union"):
            for key, element in value.items():
                self.found.append((path, key, (), True))
                self.walk(element, None, None, path + (key,), depth + 1)
            return
        if kind == "entity":
            owner = (t.name, ())
        fields = self.model.fields_of(t, value)
        key_field = self.model.key_field(t.name) if kind == "entity" else None
        for name, element in value.items():
            inner = (owner[0], owner[1] + (name,)) if owner is not None else None
            if name == key_field:
                self.found.append((path + (name,), element, ((t.name, ()),), False))
            else:
                self.walk(element, fields.get(name), inner, path + (name,), depth + 1)

    def _scalar(self, value, t, owner, path, depth) -> None:
        kinds: list[Kind] = []
        if t is not None and t.kind == "ref":
            kinds.append((t.name, t.path))
        if owner is not None and owner[1]:
            kinds.append(owner)
        self.found.append((path, value, tuple(kinds), False))
        if isinstance(value, str) and value[:1] in ("{", "[") and len(value) <= MAX_JSON_TEXT:
            try:
                parsed = json.loads(value)
            except ValueError:
                return
            self.walk(parsed, None, None, path + (JSON_TEXT,), depth + 1)


def _untyped(value, path: tuple) -> Iterator[tuple[tuple, Any, tuple, bool]]:
    """The scalars of a `knows` value (usually one scalar; a list or object is searched through)."""
    if isinstance(value, dict):
        for key, element in value.items():
            yield path, key, (), True
            yield from _untyped(element, path + (key,))
    elif isinstance(value, list):
        for index, element in enumerate(value):
            yield from _untyped(element, path + (index,))
    elif value is not None:
        yield path, value, (), False


# ---------------------------------------------------------------- sources

def describe(fact: Fact) -> str:
    """A fact's source as the report gives it: `knows email`, `step 2: $.user_id`."""
    if isinstance(fact.origin, Knows):
        return f"knows {fact.origin.name}"
    if fact.is_key:
        return f"step {fact.origin}: a key of {path_text(fact.path)}"
    return f"step {fact.origin}: {path_text(fact.path)}"


def best_fact(facts: list[Fact], param: str) -> Fact | None:
    """The source to report: a `knows` fact, else a field named like the parameter, else the earliest."""
    def rank(fact: Fact) -> tuple:
        if isinstance(fact.origin, Knows):
            return (0, 0, 0)
        named = _names_alike(fact.field, param)
        return (1 + fact.is_key * 2 + (not named), fact.origin if isinstance(fact.origin, int) else 0,
                len(fact.path))
    return min(facts, key=rank, default=None)


def _names_alike(field: str | None, param: str) -> bool:
    """`payment_method_id` for `payment_method_id`, `item_id` for `item_ids` and `new_item_ids`."""
    if not field:
        return False
    singular = param[:-1] if param.endswith("s") else param
    return param.endswith(field) or singular.endswith(field)
