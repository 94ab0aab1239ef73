#!/usr/bin/env python3
"""Convert tau2-bench's retail tasks (tasks.json) into the spec language's `task` form.

    python scripts/convert_tau2_retail_tasks.py TASKS_JSON OUT_SEDL [DB_JSON]

The output is `stdlib_domains/retail/tasks.sedl`, included from `retail.sedl`. Mapping:

- name `task_<id>` (characters that may not appear in a name become `_`);
- doc: the task's `description.purpose`, if any;
- instruction: tau2's structured user instructions (reason for call, known info, unknown
  info, task instructions; the persona first if there is one), laid out as tau2's user
  simulator shows them;
- `knows`: facts that can be read off reliably: the arguments of the `find_user_id_*`
  actions (the last call of each kind wins: earlier ones are the user's mistakes), else an
  name ("You are First Last", "Your name is First Last"), zip code, email addresses
  or user id written in the known info; and the order ids (`#W…`) the
  reason for call or known info mentions;
- one `action` per gold action, keyword arguments as literals. Given tau2's DB_JSON, an action
  whose order, product or user id names no row of it (tau2's own gold actions do, and fail)
  carries a `# lint: allow missing-row` comment saying so, as `scaleenv lint` would report it;
- one `communicate` per `communicate_info` entry;
- `reward` from `reward_basis`: DB -> state, COMMUNICATE -> communicate, ACTION -> actions;
  NL_ASSERTION has no equivalent and is dropped; `state` when nothing remains;
- `initial {...}` from `initial_state.initialization_data.agent_data` when present.
  tau2's `initialization_actions` and `message_history` have no equivalent: the converter
  reports them on stderr and leaves them out.

The file is written as `scaleenv fmt` lays it out (long actions one argument per line), so
`scaleenv fmt --check` passes on it.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

REWARD_BASIS = {"DB": "state", "COMMUNICATE": "communicate", "ACTION": "actions"}
NAME_OK = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
USER_ID = re.compile(r"\b(?!credit_card_|gift_card_)[a-z]+_[a-z]+_\d+\b")
FULL_NAME = re.compile(r"\b(?:[Yy]our? name is|[Yy]ou are|[Yy]ou're)\s+([A-Z][a-z]+)\s+([A-Z][a-z]+)\b")
ZIP = re.compile(r"(?<![\d.])\d{5}(?!\d|\.\d)")
ORDER_ID = re.compile(r"#W\d+")
# tau2's id arguments and the collections of its db whose keys they are
ID_COLLECTIONS = {"order_id": "orders", "product_id": "products", "user_id": "users"}
MISSING_ROW = "  # lint: allow missing-row: tau2's gold action names an id its data lacks; tau2 fails the call too"
KEYWORDS = {"true", "false", "none", "and", "or", "not", "in", "is", "if", "else", "for", "let",
            "require", "return", "ensures", "insert", "delete", "ref"}


def string_literal(text: str) -> str:
    """A double-quoted literal of the language: escapes \\ " \\n \\t \\r, other controls as \\uXXXX."""
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def literal(value: Any) -> str:
    """A JSON value as an expression of the language."""
    if value is None:
        return "none"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError(f"integer {value} is outside ±2^53")
        return str(value) if value >= 0 else f"-{-value}"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"number {value} has no JSON form")
        text = repr(abs(value))
        return text if value >= 0 and not text.startswith("-") else f"-{text}"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string_literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def task_name(task_id: Any) -> str:
    name = "task_" + re.sub(r"[^A-Za-z0-9_]", "_", str(task_id))
    assert NAME_OK.match(name)
    return name


def instruction_text(scenario: dict) -> str:
    """tau2's StructuredUserInstructions rendering, without its `Domain:` line."""
    instructions = scenario.get("instructions")
    if isinstance(instructions, str):
        body = instructions
    else:
        instructions = instructions or {}
        parts = []
        for key, label in (("reason_for_call", "Reason for call"), ("known_info", "Known info"),
                           ("unknown_info", "Unknown info"), ("task_instructions", "Task instructions")):
            text = instructions.get(key)
            if text is not None:
                parts.append(f"{label}:\n" + _indent(text))
        body = "\n".join(parts)
    persona = scenario.get("persona")
    if persona:
        body = "Persona:\n" + _indent(persona) + ("\n" + body if body else "")
    return body


def _indent(text: str) -> str:
    # textwrap.indent(text, "\t"): every line that is not blank
    return "".join("\t" + line if line.strip() else line for line in text.splitlines(True))


def knows_facts(task: dict) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    actions = (task.get("evaluation_criteria") or {}).get("actions") or []
    for action in actions:
        args = action.get("arguments") or {}
        if action.get("name") == "find_user_id_by_name_zip":
            for key in ("first_name", "last_name", "zip"):
                if isinstance(args.get(key), str):
                    facts[key] = args[key]
        elif action.get("name") == "find_user_id_by_email" and isinstance(args.get("email"), str):
            facts["email"] = args["email"]
    instructions = (task.get("user_scenario") or {}).get("instructions")
    if isinstance(instructions, dict):
        known = instructions.get("known_info") or ""
        reason = instructions.get("reason_for_call") or ""
        if "email" not in facts and "first_name" not in facts:
            # no authenticating action: read the name, zip code and emails off the known info
            name = FULL_NAME.search(known)
            if name:
                facts["first_name"], facts["last_name"] = name.groups()
            zips = sorted(set(ZIP.findall(known)))
            if len(zips) == 1:
                facts["zip"] = zips[0]
            emails: list[str] = []
            for email in EMAIL.findall(known):
                if email not in emails:
                    emails.append(email)
            for i, email in enumerate(emails):
                facts["email" if i == 0 else f"email_{i + 1}"] = email
        user_ids = USER_ID.findall(known)
        if len(set(user_ids)) == 1:
            facts["user_id"] = user_ids[0]
        order_ids: list[str] = []
        for text in (reason, known):
            for order_id in ORDER_ID.findall(text):
                if order_id not in order_ids:
                    order_ids.append(order_id)
        for i, order_id in enumerate(order_ids):
            facts["order_id" if i == 0 else f"order_id_{i + 1}"] = order_id
    return facts


def names_missing_row(arguments: dict, db: dict | None) -> bool:
    return db is not None and any(isinstance(arguments.get(name), str) and arguments[name] not in db.get(rows, {})
                                  for name, rows in ID_COLLECTIONS.items())


def convert_task(task: dict, warn, db: dict | None = None) -> str:
    name = task_name(task["id"])
    lines = [f"task {name} {{"]
    purpose = (task.get("description") or {}).get("purpose")
    if purpose:
        lines.append(f"  {string_literal(purpose)}")
    lines.append(f"  instruction {string_literal(instruction_text(task.get('user_scenario') or {}))}")
    for key, value in knows_facts(task).items():
        lines.append(f"  knows {key} = {literal(value)}")

    initial_state = task.get("initial_state") or {}
    if initial_state:
        data = (initial_state.get("initialization_data") or {}).get("agent_data")
        if data:
            lines.append(f"  initial {literal(data)}")
        for extra in ("initialization_actions", "message_history"):
            if initial_state.get(extra):
                warn(f"{name}: initial_state.{extra} has no equivalent in the language; left out")
        if (initial_state.get("initialization_data") or {}).get("user_data"):
            warn(f"{name}: initial_state.initialization_data.user_data has no equivalent; left out")

    criteria = task.get("evaluation_criteria") or {}
    for action in criteria.get("actions") or []:
        args = ", ".join(f"{key}={literal(value)}" for key, value in (action.get("arguments") or {}).items())
        if not NAME_OK.match(action["name"]):
            raise ValueError(f"{name}: tool name {action['name']!r} is not a valid name")
        for key in action.get("arguments") or {}:
            if not NAME_OK.match(key) or key in KEYWORDS:
                raise ValueError(f"{name}: argument name {key!r} is not a valid name")
        note = MISSING_ROW if names_missing_row(action.get("arguments") or {}, db) else ""
        lines.append(f"  action {action['name']}({args}){note}")
    for text in criteria.get("communicate_info") or []:
        lines.append(f"  communicate {string_literal(str(text))}")
    basis: list[str] = []
    for item in criteria.get("reward_basis") or []:
        mapped = REWARD_BASIS.get(item)
        if mapped is None:
            if item != "NL_ASSERTION":
                warn(f"{name}: reward basis {item!r} has no equivalent; dropped")
            continue
        if mapped not in basis:
            basis.append(mapped)
    lines.append(f"  reward {', '.join(basis or ['state'])}")
    lines.append("}")
    return "\n".join(lines)


def convert(tasks: list[dict], source_name: str = "tasks.json", warn=None, db: dict | None = None) -> str:
    warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
    header = (
        f"# tau2-bench's retail tasks (sierra-research/tau2-bench, MIT licence: see LICENSE),\n"
        f"# converted from {source_name} by scripts/convert_tau2_retail_tasks.py. Do not edit by hand.\n"
    )
    return header + "\n" + "\n\n".join(convert_task(task, warn, db) for task in tasks) + "\n"


def formatted(text: str, file: str = "tasks.sedl") -> str:
    """`text` as `scaleenv fmt` lays it out, so that `scaleenv fmt --check` passes on the output."""
    from scaleenv_dsl.fmt import format_source

    return format_source(text, file)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read {path}: {err}") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        print("usage: convert_tau2_retail_tasks.py TASKS_JSON OUT_SEDL [DB_JSON]", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    try:
        tasks = read_json(source)
        db = read_json(Path(argv[2])) if len(argv) == 3 else None
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not isinstance(tasks, list):
        print(f"error: {source} does not hold a list of tasks", file=sys.stderr)
        return 2
    text = formatted(convert(tasks, source.name, db=db), str(target))
    target.write_text(text, encoding="utf-8")
    print(f"wrote {len(tasks)} tasks to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
