"""The words sent to the model: the system prompt and every user turn.

Everything here is a pure function of its inputs, so a prompt can be rebuilt
from a transcript and tested without a network.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from ..diagnostics import Diagnostic, render_json, render_text
from ..resources import docs_root, grammar_path, stdlib_root

# Big enough for two small domains; a prompt that is mostly examples leaves
# the model too little room to think about the user's domain.
EXAMPLES_BUDGET_BYTES = 40_000
MAX_EXAMPLES = 2
# A flood of follow-on errors teaches the model nothing the first ones did not.
MAX_FED_BACK_DIAGNOSTICS = 30
_INCLUDE = re.compile(r'^\s*include\s+"([^"]*)"\s*$')

OUTPUT_RULES = """\
How to answer:
- Reply with the whole spec in ONE fenced code block that opens with ```sedl on its own line and closes with ``` on its own line.
- Always send the complete file, never a fragment or a diff.
- Write one self-contained file: do not use `include`.
- Text outside the code block is ignored."""


def system_prompt(reference: str, examples: Sequence[tuple[str, str]]) -> str:
    parts = [
        "You write domain specs in the .sedl language: declarative descriptions of "
        "tool-use agent environments (entities, tools, tasks). A checker reads what "
        "you write and reports errors, which you will be asked to fix.",
        f"# Language reference\n\n{reference}",
    ]
    for name, text in examples:
        parts.append(f"# Example domain: {name}\n\n```sedl\n{text}\n```")
    parts.append(OUTPUT_RULES)
    return "\n\n".join(parts)


def first_turn(description: str) -> str:
    return (f"Write a .sedl spec for this domain:\n\n<description>\n{description.strip()}\n"
            f"</description>\n\n{OUTPUT_RULES}")


def missing_block_turn(truncated: bool) -> str:
    why = " It was cut off at the output limit, so make the spec more compact." if truncated else ""
    return (f"Your reply had no ```sedl code block.{why} Reply with the whole spec in one "
            "fenced code block tagged ```sedl.")


def diagnostics_turn(stage: str, diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> str:
    """Both forms: carets show where, JSON states codes and positions exactly."""
    errors = [d for d in diagnostics if d.is_error]
    shown = errors[:MAX_FED_BACK_DIAGNOSTICS]
    more = f" (the first {len(shown)} are shown)" if len(errors) > len(shown) else ""
    return (f"The {stage} found {len(errors)} error{'s' if len(errors) != 1 else ''} in your spec{more}.\n\n"
            f"Text form:\n\n```text\n{render_text(shown, sources).rstrip()}\n```\n\n"
            f"JSON form:\n\n```json\n{render_json(shown)}\n```\n\n"
            "Fix every error and reply with the whole corrected spec in one fenced code block tagged ```sedl.")


def language_reference() -> str:
    """docs/language.md; the grammar itself when the reference is not there."""
    for path, preface in ((_docs_file("language.md"), ""),
                          (grammar_path(), "The reference manual is missing; this is the grammar (Lark EBNF).\n\n")):
        if path is not None and path.is_file():
            return preface + path.read_text(encoding="utf-8")
    return "(no language reference is available; follow the examples)"


def example_domains(budget: int = EXAMPLES_BUDGET_BYTES, limit: int = MAX_EXAMPLES) -> list[tuple[str, str]]:
    """The smallest stdlib domains that fit the budget, as (name, text) pairs."""
    chosen: list[tuple[str, str]] = []
    for size, name, text in sorted(_stdlib_domains()):
        if len(chosen) == limit or size > budget:
            break
        chosen.append((name, text))
        budget -= size
    return chosen


def _stdlib_domains() -> list[tuple[int, str, str]]:
    try:
        root = stdlib_root()
    except FileNotFoundError:
        return []
    domains = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.sedl"))
        if files:
            text = "\n\n".join(_inline(f.read_text(encoding="utf-8"), {f.name for f in files}) for f in files)
            domains.append((len(text.encode()), folder.name, text))
    return domains


def _inline(text: str, siblings: set[str]) -> str:
    """Drop `include`s of files shown alongside: the model is told to write one file."""
    return "\n".join(line for line in text.split("\n")
                     if not (m := _INCLUDE.match(line)) or m.group(1) not in siblings)


def _docs_file(name: str) -> Path | None:
    try:
        return docs_root() / name
    except FileNotFoundError:
        return None
