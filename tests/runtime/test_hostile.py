"""Hostile specs: nothing in a spec's text is ever executed, and its strings round-trip exactly."""

from __future__ import annotations

import argparse
import json

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.compile_cmd import add_compile_parser, add_replay_parser, run_compile, run_replay

QUOTES = '"' * 3
SINGLE_QUOTES = "'" * 3
BACKSLASH = chr(92)
PAYLOADS = [QUOTES, SINGLE_QUOTES, "{{ 7 * 7 }}", "{% for x in range(3) %}x{% endfor %}", "{# c #}",
            BACKSLASH, BACKSLASH + "n", "#", "# spec: evil", "\n", "\t\x07\x1b[31m"]

SPEC = """
domain hostile {
  description %(description)s
  policy %(policy)s
  data "hostile.json"
}

enum Mood { %(enum)s, "calm" }

entity Thing in things key thing_id else %(message)s {
  %(entity_doc)s
  thing_id: str %(field_doc)s example %(attack)s
  mood: Mood
  label: str
}

tool poke(thing_id: ref Thing %(param_doc)s, mood: Mood) -> str %(returns_doc)s {
  %(tool_doc)s
  let thing = things[thing_id]
  require mood != "calm" else %(message)s
  thing.mood = mood
  thing.label = thing.label + %(attack)s
  return thing.label + %(message)s
}

task evil {
  %(attack)s
  instruction %(attack)s
  knows secret = %(attack)s
  action poke(thing_id="t1", mood=%(enum)s)
  goal things["t1"].label != %(attack)s
  communicate %(attack)s
}
"""


def _escape(text: str) -> str:
    """A .sedl string literal holding `text` exactly."""
    out = []
    for ch in text:
        if ch in ('"', BACKSLASH):
            out.append(BACKSLASH + ch)
        elif ch == "\n":
            out.append(BACKSLASH + "n")
        elif ch == "\t":
            out.append(BACKSLASH + "t")
        elif ord(ch) < 32:
            out.append(BACKSLASH + f"u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@pytest.fixture
def hostile(tmp_path):
    marker = tmp_path / "MARKER"
    attack = f"__import__('os').system('touch {marker}')"
    message = "'; " + attack + " #" + QUOTES + "{{ x }}{% if 1 %}" + BACKSLASH + "\n\t" + "".join(PAYLOADS)
    enum_value = '"); ' + attack + " # {{ }}"
    parts = {
        "description": _escape(QUOTES + " " + attack + " " + QUOTES),
        "policy": _escape("{{ " + attack + " }} {% raw %}\n" + attack),
        "enum": _escape(enum_value),
        "message": _escape(message),
        "entity_doc": _escape("doc " + attack),
        "field_doc": _escape(SINGLE_QUOTES + attack),
        "attack": _escape(attack),
        "param_doc": _escape(QUOTES + attack),
        "returns_doc": _escape("{{ returns }}"),
        "tool_doc": _escape("Doc {{ jinja }} {% raw %} " + QUOTES + " " + BACKSLASH * 2 + " " + attack),
    }
    spec = tmp_path / "hostile.sedl"
    spec.write_text(SPEC % parts, encoding="utf-8")
    data = {"things": {"t1": {"thing_id": "t1", "mood": "calm", "label": attack}}}
    (tmp_path / "hostile.json").write_text(json.dumps(data), encoding="utf-8")
    return spec, marker, attack, message, enum_value


def test_compiling_and_running_a_hostile_spec_executes_nothing(hostile):
    spec, marker, attack, message, enum_value = hostile
    domain = load_domain(spec)
    env = domain.env()
    refused = env.call("poke", {"thing_id": "t1", "mood": "calm"})
    assert refused.error.message == message  # error texts round-trip exactly
    missing = env.call("poke", {"thing_id": "nope", "mood": "calm"})
    assert missing.error.message == message
    done = env.call("poke", {"thing_id": "t1", "mood": enum_value})
    assert done.ok and done.value == attack + attack + message
    assert env.changes()["changed"]["things"]["t1"]["mood"] == enum_value
    env.reset("evil")
    assert env.reward("evil").reward == 0.0
    for schema in (domain.openai_tools(), domain.anthropic_tools(), domain.mcp_tools()):
        assert attack in json.dumps(schema)
    assert not marker.exists()


def test_hostile_strings_survive_into_schemas_exactly(hostile):
    spec, marker, attack, message, enum_value = hostile
    tool = load_domain(spec).anthropic_tools()[0]
    assert tool["description"].startswith("Doc {{ jinja }} {% raw %} " + QUOTES + " " + BACKSLASH * 2 + " ")
    assert tool["input_schema"]["properties"]["mood"]["enum"] == [enum_value, "calm"]
    assert tool["input_schema"]["properties"]["thing_id"]["description"] == QUOTES + attack
    assert not marker.exists()


def test_the_cli_on_a_hostile_spec_executes_nothing(hostile, tmp_path):
    spec, marker, attack, message, enum_value = hostile
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_compile_parser(sub)
    add_replay_parser(sub)
    assert run_compile(parser.parse_args(["compile", str(spec), "-o", str(tmp_path / "out")])) == 0
    source = (tmp_path / "out" / "hostile_env.py").read_text()
    assert all(attack not in line for line in source.splitlines() if line.lstrip().startswith("#"))
    cases = {"cases": [{"id": "1", "actions": [{"name": "poke", "arguments": {"thing_id": "t1", "mood": enum_value}}]}]}
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    args = parser.parse_args(["replay", str(spec), "--cases", str(tmp_path / "cases.json"),
                              "--out", str(tmp_path / "out.json")])
    assert run_replay(args) == 0
    replayed = json.loads((tmp_path / "out.json").read_text())
    assert replayed["cases"][0]["expect"]["steps"][0]["result"] == attack + attack + message
    assert not marker.exists()
