"""What `check` accepts, `compile` compiles (issue 12, finding 9).

Python refuses more than 20 statically nested blocks, and the code generator refuses names over
200 characters. The checker now stops a spec at both limits, so a spec that checks clean at the
limit loads and runs, and one past it gets a located diagnostic instead of a compile failure.
"""

from __future__ import annotations

import json

from scaleenv_dsl import load_domain
from scaleenv_dsl.check import check_source
from scaleenv_dsl.codegen.names import MAX_IDENTIFIER
from scaleenv_dsl.parse.recovery import MAX_BLOCK_DEPTH, MAX_NAME_LENGTH


def _spec(depth: int, name: str) -> str:
    opens = "\n".join("  " * (i + 1) + f"for t{i} in item.tags {{" for i in range(depth))
    closes = "\n".join("  " * (i + 1) + "}" for i in reversed(range(depth)))
    return f'''domain limits {{
  description "Specs at the compile limits."
}}

entity Item in items key item_id else "Item not found" {{
  "An item."
  item_id: str "The id."
  tags: list[str] "Its tags."
}}

tool count(item_id: ref Item "The id.") -> int "A count." {{
  "Count tag tuples."
  let item = items[item_id]
  let {name} = 0
{opens}
{"  " * (depth + 1)}{name} = {name} + 1
{closes}
  return {name}
}}
'''


def test_the_parser_stops_names_before_codegen_would():
    assert MAX_NAME_LENGTH <= MAX_IDENTIFIER


def test_a_spec_at_both_limits_checks_loads_and_runs(tmp_path):
    name = "n" * MAX_NAME_LENGTH
    (tmp_path / "limits.sedl").write_text(_spec(MAX_BLOCK_DEPTH, name))
    assert check_source(_spec(MAX_BLOCK_DEPTH, name), "limits.sedl").ok
    env = load_domain(tmp_path / "limits.sedl").env({"items": {"a": {"item_id": "a", "tags": ["x", "y"]}}})
    result = env.call("count", {"item_id": "a"})
    assert result.ok and result.value == 2 ** MAX_BLOCK_DEPTH


def test_one_past_either_limit_is_a_located_diagnostic_with_a_bounded_message():
    deep = check_source(_spec(MAX_BLOCK_DEPTH + 1, "total"), "deep.sedl")
    assert [d.code for d in deep.diagnostics] == ["nesting-too-deep"]
    assert deep.diagnostics[0].span.line == 15 + MAX_BLOCK_DEPTH
    name = "n" * 50_000
    long = check_source(_spec(1, name), "long.sedl")
    assert {d.code for d in long.diagnostics} == {"name-too-long"}
    assert all(len(d.message) < 200 and d.help for d in long.diagnostics)
    assert len(json.dumps([d.message for d in long.diagnostics])) < 2_000
