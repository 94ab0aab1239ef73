"""Validate a domain's JSON data against its checked schema.

Each problem gets the JSON path of the offending value (`orders["#W1"].items[0].price`)
and, where it can be found cheaply, its line and column in the data file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from .. import ir
from ..diagnostics import Diagnostic, Span

MAX_DATA_BYTES = 256 * 1024 * 1024
MAX_REPORTED = 50
MAX_DEPTH = 100


class DataValidator:
    """Checks data against the schema. `partial` is for task overlays: rows may
    give only some fields (they are merged into existing rows), and references
    may point at rows of the full data, which the checker does not see."""

    def __init__(self, definitions: dict[str, list], file: str, text: str, partial: bool = False):
        self.entities: list[ir.EntityDef] = definitions["entities"]
        self.file = file
        self.text = text
        self.partial = partial
        self.problems: list[tuple[list, str, str]] = []  # (json path, message, help)
        self.types = {d.name: d for kind in ("records", "entities", "unions", "enums") for d in definitions[kind]}
        self.refs: list[tuple[list, str, str]] = []      # (path, entity, key) to resolve at the end

    def validate(self, data: Any) -> list[Diagnostic]:
        if not isinstance(data, dict):
            self._problem([], "the data must be an object of collections", 'write {"collection": {key: row}}')
            return self._diagnostics()
        by_collection = {e.collection: e for e in self.entities}
        for collection, rows in data.items():
            entity = by_collection.get(collection)
            if entity is None:
                self._problem([collection], f"there is no collection `{collection}`",
                              "its entities' collections are " + ", ".join(by_collection))
            elif not isinstance(rows, dict):
                self._problem([collection], "a collection is an object from key to row", "")
            else:
                self._rows(entity, collection, rows)
        if not self.partial:
            self._dangling_refs(data)
        return self._diagnostics()

    def _rows(self, entity: ir.EntityDef, collection: str, rows: dict) -> None:
        for key, row in rows.items():
            path = [collection, key]
            self._value(row, ir.TypeRef(kind="entity", name=entity.name), path)
            if isinstance(row, dict) and row.get(entity.key) != key and not (self.partial and entity.key not in row):
                self._problem(path + [entity.key], f"the row is stored under `{key}` but its `{entity.key}` is "
                              f"{json.dumps(row.get(entity.key))}", f"make `{entity.key}` equal the key it is stored under")

    def _value(self, value: Any, t: ir.TypeRef, path: list) -> None:
        if len(self.problems) >= MAX_REPORTED:
            return
        if len(path) > MAX_DEPTH:
            self._problem(path, "the data nests too deeply", f"keep it under {MAX_DEPTH} levels")
            return
        kind = t.kind
        if kind == "optional":
            if value is not None:
                self._value(value, t.args[0], path)
        elif kind in ("record", "entity"):
            self._fields(value, self.types[t.name].fields, path, t.name)
        elif kind == "union":
            self._union(value, self.types[t.name], path)
        elif kind in ("list", "map"):
            self._container(value, t, path)
        else:
            self._scalar(value, t, path)

    def _fields(self, value: Any, fields: list[ir.FieldDef], path: list, what: str, tag: str | None = None) -> None:
        if not isinstance(value, dict):
            self._problem(path, f"expected a `{what}` object, found {_kind(value)}", "")
            return
        declared = {f.name for f in fields}
        for f in fields:
            if f.name not in value:
                if f.type.kind != "optional" and not self.partial:
                    self._problem(path, f"the `{what}` lacks the field `{f.name}`", f"add `\"{f.name}\"`")
            else:
                self._value(value[f.name], f.type, path + [f.name])
        for extra in value:
            if extra not in declared and extra != tag:
                self._problem(path + [extra], f"`{what}` has no field `{extra}`",
                              "declare it in the spec, or remove it from the data")

    def _union(self, value: Any, union: ir.UnionDef, path: list) -> None:
        if not isinstance(value, dict):
            self._problem(path, f"expected a `{union.name}` object, found {_kind(value)}", "")
            return
        variants = {v.name: v for v in union.variants}
        variant = variants.get(value.get(union.tag))
        if variant is None and self.partial and union.tag not in value:
            self._partial_union(value, union, path)  # merged into a stored value whose variant is known then
            return
        if variant is None:
            self._problem(path + [union.tag], f"`{union.tag}` must name a variant of `{union.name}`, found "
                          f"{json.dumps(value.get(union.tag))}", "its variants are " + ", ".join(variants))
            return
        self._fields(value, variant.fields, path, f"{union.name}.{variant.name}", tag=union.tag)

    def _partial_union(self, value: dict, union: ir.UnionDef, path: list) -> None:
        fits = [v for v in union.variants if set(value) <= {f.name for f in v.fields}]
        if not fits:
            self._problem(path, f"no variant of `{union.name}` has all of " + ", ".join(f"`{k}`" for k in value),
                          f"name the variant with `{union.tag}`, or give fields of one variant")
            return
        self._fields(value, fits[0].fields, path, f"{union.name}.{fits[0].name}")

    def _container(self, value: Any, t: ir.TypeRef, path: list) -> None:
        if t.kind == "list":
            if not isinstance(value, list):
                self._problem(path, f"expected a list, found {_kind(value)}", "")
                return
            for i, item in enumerate(value):
                self._value(item, t.args[0], path + [i])
        else:
            if not isinstance(value, dict):
                self._problem(path, f"expected an object, found {_kind(value)}", "")
                return
            for key, item in value.items():
                self._value(item, t.args[0], path + [key])

    def _scalar(self, value: Any, t: ir.TypeRef, path: list) -> None:
        kind = t.kind
        ok = {
            "str": isinstance(value, str), "ref": isinstance(value, str), "enum": isinstance(value, str),
            "bool": isinstance(value, bool), "any": True,
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        }.get(kind, True)
        if not ok:
            self._problem(path, f"expected `{t}`, found {_kind(value)}", "")
        elif kind == "enum" and value not in self.types[t.name].values:
            self._problem(path, f"{json.dumps(value)} is not a value of `{t.name}`",
                          "its values are " + ", ".join(json.dumps(v) for v in self.types[t.name].values[:8]))
        elif kind == "ref" and not t.path:  # a key into a row's map names no row: nothing dangles
            self.refs.append((path, t.name, value))

    def _dangling_refs(self, data: dict) -> None:
        collections = {e.name: data.get(e.collection, {}) for e in self.entities}
        for path, entity, key in self.refs:
            rows = collections.get(entity)
            if not isinstance(rows, dict):
                continue  # the collection itself is reported: it is not an object of rows
            if key not in rows:
                self._problem(path, f"{json.dumps(key)} refers to no `{entity}`",
                              "add that row, or fix the reference")
                if len(self.problems) >= MAX_REPORTED:
                    return

    # ------------------------------------------------------------ reporting
    def _problem(self, path: list, message: str, help: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append((path, message, help))

    def _diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic("invalid-data", f"{json_path(path)}: {message}", self._locate(path), help)
                for path, message, help in self.problems]

    def messages(self) -> list[str]:
        return [f"{json_path(path)}: {message}" for path, message, _ in self.problems]

    def _locate(self, path: list) -> Span:
        """The position of the path's last key, found by searching for each key in turn."""
        offset = 0
        for part in path:
            if isinstance(part, str):
                found = self.text.find(json.dumps(part), offset)
                if found >= 0:
                    offset = found
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return Span(self.file, line, column, line, column + 1)


def json_path(path: list) -> str:
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
        elif i == 0:
            out += part
        elif i == 1:
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if part.isidentifier() else f"[{json.dumps(part)}]"
    return out or "(the top level)"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def definitions_of(domain: ir.Domain) -> dict[str, list]:
    return {"records": domain.records, "entities": domain.entities, "unions": domain.unions, "enums": domain.enums}


def validate_data(domain: ir.Domain, data: Any, file: str = "<data>", text: str = "") -> list[Diagnostic]:
    """Check data (already parsed JSON) against a checked domain's schema."""
    return DataValidator(definitions_of(domain), file, text).validate(data)


def validate_data_file(domain: ir.Domain, path: str, display: str) -> tuple[list[Diagnostic], str]:
    """The data file's diagnostics, and its text (for rendering them with excerpts)."""
    span = Span(display, 1, 1, 1, 2)
    try:
        if Path(path).stat().st_size > MAX_DATA_BYTES:
            return [Diagnostic("invalid-data", "the data file is too large", span, "keep it under 256 MiB")], ""
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        return [Diagnostic("file-not-found", f"cannot read the data file: {err}", span, "check the path")], ""
    except json.JSONDecodeError as err:
        return [Diagnostic("invalid-json", f"the data is not valid JSON: {err.msg}",
                           Span(display, err.lineno, err.colno, err.lineno, err.colno + 1), "fix the JSON syntax")], text
    except RecursionError:
        return [Diagnostic("invalid-json", "the data nests too deeply", span, "flatten it")], text
    return validate_data(domain, data, display, text), text
