"""Validate a domain's JSON data against its checked schema.

Each problem gets the JSON path of the offending value (`orders["#W1"].items[0].price`)
and, where it can be found cheaply, its line and column in the data file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import ir
from ..diagnostics import Diagnostic, Span, did_you_mean
from ..types_fit import FitBuilder, Mismatch, TypeTable
from .mismatch import describe
from ..strict_json import StrictJSONError, json_path, line_column, loads_strict, offset_of_path

MAX_DATA_BYTES = 256 * 1024 * 1024
MAX_REPORTED = 50


class DataValidator:
    """Checks data against the schema. `partial` is for task overlays: rows may
    give only some fields (they are merged into existing rows), and references
    may point at rows of the full data, which the checker does not see."""

    def __init__(self, definitions: dict[str, list] | TypeTable, file: str, text: str, partial: bool = False):
        self.types = TypeTable.of(definitions)
        self.file = file
        self.text = text
        self.partial = partial
        self.problems: list[tuple[list, str, str]] = []  # (json path, message, help)
        self.stopped = False  # MAX_REPORTED problems were found and the rest of the data was not checked

    def validate(self, data: Any) -> list[Diagnostic]:
        if not isinstance(data, dict):
            self._problem([], "the data must be an object of collections", 'write {"collection": {key: row}}')
            return self._diagnostics()
        by_collection = {e.collection: e for e in self.types.entities}
        # every mismatch in a row is reported, and a reference must name a row (overlays see only some rows)
        fits = FitBuilder(self.types, collect=True, partial=self.partial,
                          rows=None if self.partial else self._rows_by_entity(data))
        for collection, rows in data.items():
            entity = by_collection.get(collection)
            if entity is None:
                self._problem([collection], f"there is no collection `{collection}`",
                              did_you_mean(collection, by_collection)
                              or "its entities' collections are " + ", ".join(by_collection))
            elif not isinstance(rows, dict):
                self._problem([collection], "a collection is an object from key to row",
                              f'write "{collection}": {{"key": {{…row…}}}}')
            else:
                self._rows(entity, collection, rows, fits.build(ir.TypeRef(kind="entity", name=entity.name)))
        return self._diagnostics()

    def _rows_by_entity(self, data: dict) -> dict[str, dict | None]:
        collections = {e.name: data.get(e.collection, {}) for e in self.types.entities}
        return {name: rows if isinstance(rows, dict) else None for name, rows in collections.items()}

    def _rows(self, entity: ir.EntityDef, collection: str, rows: dict, fit) -> None:
        for key, row in rows.items():
            if len(self.problems) >= MAX_REPORTED:
                self.stopped = True
                return
            path = [collection, key]
            if entity.key_from_map:
                self._keyless_row(entity, key, row, path, fit)
                continue
            self._fit(fit, row, path)
            if isinstance(row, dict) and row.get(entity.key) != key and not (self.partial and entity.key not in row):
                self._problem(path + [entity.key], f"the row is stored under `{key}` but its `{entity.key}` is "
                              f"{json.dumps(row.get(entity.key))}", f"make `{entity.key}` equal the key it is stored under")

    def _keyless_row(self, entity: ir.EntityDef, key: str, row: Any, path: list, fit) -> None:
        """A row of `key … from map`: its key is the one it is stored under, so it must not store one
        itself. A row that did would dump back without it, so the data would not round-trip."""
        if isinstance(row, dict) and entity.key in row:
            self._problem(path + [entity.key], f"the row stores `{entity.key}`, but `{entity.name}` takes its key "
                          f"from the map (`key {entity.key} from map`)",
                          f"leave `{entity.key}` out of the row: it is `{key}`, the key the row is stored under")
            row = {f: v for f, v in row.items() if f != entity.key}
        self._fit(fit, ir.keyed_row(entity.key, key, row), path)

    def _fit(self, fit, row: Any, path: list) -> None:
        try:
            fit(row)
        except Mismatch as err:
            for m in err.each():
                steps, message, help = describe(m, self.types)
                self._problem(path + list(steps), message, help)
        except RecursionError:
            self._problem(path, "the data nests too deeply", "flatten it")

    # ------------------------------------------------------------ reporting
    def _problem(self, path: list, message: str, help: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append((path, message, help))
        else:
            self.stopped = True

    def _diagnostics(self) -> list[Diagnostic]:
        found = [Diagnostic("invalid-data", f"{json_path(path)}: {message}", self._locate(path), help)
                 for path, message, help in self.problems]
        if self.stopped:  # say so, or a writer fixes 50 problems and believes the data is clean
            found.append(Diagnostic("invalid-data", f"the data check stopped after {MAX_REPORTED} problems: "
                                    "the rest of the data was not checked", found[-1].span,
                                    "fix these and check again"))
        return found

    def problems_with_help(self) -> list[tuple[str, str]]:
        """(message with its JSON path, help) for each problem, for callers that locate them
        themselves (a task's `initial`, which is spec text, not a data file)."""
        found = [(f"{json_path(path)}: {message}", help) for path, message, help in self.problems]
        if self.stopped:
            found.append((f"the check stopped after {MAX_REPORTED} problems", "fix these and check again"))
        return found

    def _locate(self, path: list) -> Span:
        return locate(self.file, self.text, path)


def locate(file: str, text: str, path: list) -> Span:
    """The position of the value at `path` in the data's text (of its key, for a field or a row)."""
    line, column = line_column(text, offset_of_path(text, path) if text else 0)
    return Span(file, line, column, line, column + 1)


def definitions_of(domain: ir.Domain) -> dict[str, list]:
    return {"records": domain.records, "entities": domain.entities, "unions": domain.unions, "enums": domain.enums}


def validate_data(domain: ir.Domain, data: Any, file: str = "<data>", text: str = "") -> list[Diagnostic]:
    """Check data (already parsed JSON) against a checked domain's schema."""
    return DataValidator(definitions_of(domain), file, text).validate(data)


def validate_data_file(domain: ir.Domain, path: str, display: str) -> tuple[list[Diagnostic], str, Any]:
    """The data file's diagnostics, its text (for rendering them with excerpts) and the parsed
    data, None when it could not be read or parsed."""
    span = Span(display, 1, 1, 1, 2)
    try:
        if Path(path).stat().st_size > MAX_DATA_BYTES:
            return [Diagnostic("invalid-data", "the data file is too large", span, "keep it under 256 MiB")], "", None
        text = Path(path).read_text(encoding="utf-8")
        data = loads_strict(text)
    except (OSError, UnicodeDecodeError) as err:
        return [Diagnostic("file-not-found", f"cannot read the data file: {err}", span, "check the path")], "", None
    except StrictJSONError as err:
        at = Span(display, err.line, err.column, err.line, err.column + 1)
        if err.not_json:
            return [Diagnostic("invalid-json", err.message, at, err.help)], text, None
        return [Diagnostic("invalid-data", err.message, at, err.help)], text, None
    return validate_data(domain, data, display, text), text, data
