"""Where a data problem points, and what it says when there are many (issue 11, "Locations", "--db").

The data is walked by its structure, so a row key that also occurs as a value earlier in the file
(a user's list of order ids), or a collection name that is also a field name, cannot pull the
location to the wrong row. Each case pins the message, the line and column, and the help.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl import DomainLoadError, load_domain
from scaleenv_dsl.check import check_paths, check_source

ROOT = Path(__file__).resolve().parents[2]

SPEC = """domain shop {
  description "Users and their orders."
  data "db.json"
}

union Tag by kind {
  "A tag."
  plain { }
  note {
    text: str "The note."
  }
}

entity User in users key user_id else "User not found" {
  "A user."
  user_id: str "The id."
  orders: list[ref Order] "The user's orders."
}

entity Order in orders key order_id else "Order not found" {
  "An order."
  order_id: str "The id."
  user_id: ref User "Who ordered."
  tags: list[Tag] "Tags."
}
"""

# `orders` is a field of the user before it is the collection; "o2" occurs in the user's list
# before it is a row key. A text search for each key in turn lands on the user's row.
DATA = """{
  "users": {
    "u1": {"user_id": "u1", "orders": ["o1", "o2"]}
  },
  "orders": {
    "o1": {"order_id": "o1", "user_id": "u1", "tags": []},
    "o2": {"order_id": "o2",
           "user_id": "u9", "tags": []},
    "o3": {"order_id": "o4", "user_id": "u1", "tags": []},
    "o5": {"order_id": "o5", "user_id": "u1",
           "tags": [{"kind": "plain"}, {"kind": "emoji"}]}
  }
}
"""


def _check(tmp_path: Path, data: str = DATA):
    (tmp_path / "shop.sedl").write_text(SPEC)
    (tmp_path / "db.json").write_text(data)
    return check_paths([str(tmp_path / "shop.sedl")]).diagnostics


def _where(diagnostic) -> tuple[str, int, int, str]:
    return diagnostic.message, diagnostic.span.line, diagnostic.span.column, diagnostic.help


def test_each_problem_is_located_at_its_own_row(tmp_path):
    found = [_where(d) for d in _check(tmp_path) if d.code == "invalid-data"]
    assert found == [
        ('orders["o2"].user_id: "u9" refers to no `User`', 8, 12,
         "add that row, or fix the reference"),
        ('orders["o3"].order_id: the row is stored under `o3` but its `order_id` is "o4"', 9, 12,
         "make `order_id` equal the key it is stored under"),
        ('orders["o5"].tags[1].kind: `kind` must name a variant of `Tag`, found "emoji"', 11, 41,
         "its variants are plain, note"),
    ]


def test_a_check_stopped_by_the_cap_says_so(tmp_path):
    rows = {f"o{i}": {"order_id": f"o{i}", "user_id": "nobody", "tags": []} for i in range(60)}
    diagnostics = _check(tmp_path, json.dumps({"users": {}, "orders": rows}, indent=1))
    assert len(diagnostics) == 51
    last = diagnostics[-1]
    assert (last.code, last.message, last.help) == (
        "invalid-data", "the data check stopped after 50 problems: the rest of the data was not checked",
        "fix these and check again")


def test_an_overlay_naming_a_collection_wrongly_gets_a_suggestion():
    spec = SPEC.replace('  data "db.json"\n', "") + (
        'task t {\n  initial {"order": {"o1": {"order_id": "o1", "user_id": "u1", "tags": []}}}\n'
        '  reward state\n}\n')
    [overlay] = [d for d in check_source(spec, "spec.sedl").diagnostics if d.code == "invalid-overlay"]
    assert (overlay.message, overlay.help) == ("order: there is no collection `order`", "did you mean `orders`?")
    assert (overlay.span.line, overlay.span.column) == (spec.splitlines().index(
        next(line for line in spec.splitlines() if "initial" in line)) + 1, 11)


def test_env_data_says_how_many_problems_it_did_not_show(tmp_path):
    (tmp_path / "shop.sedl").write_text(SPEC)
    (tmp_path / "db.json").write_text('{"users": {}, "orders": {}}')
    domain = load_domain(str(tmp_path / "shop.sedl"))
    rows = {f"o{i}": {"order_id": f"o{i}", "user_id": "nobody", "tags": []} for i in range(5)}
    with pytest.raises(DomainLoadError) as caught:
        domain.env({"users": {}, "orders": rows})
    assert "(and 2 more: see .diagnostics)" in str(caught.value)
    assert [d.code for d in caught.value.diagnostics] == ["invalid-data"] * 5


def test_replay_db_problems_are_rendered_as_check_renders_them(tmp_path):
    (tmp_path / "shop.sedl").write_text(SPEC)
    (tmp_path / "db.json").write_text('{"users": {}, "orders": {}}')
    (tmp_path / "bad.json").write_text(DATA)
    (tmp_path / "cases.json").write_text(json.dumps({"cases": []}))
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "replay", str(tmp_path / "shop.sedl"),
                           "--cases", str(tmp_path / "cases.json"), "--out", str(tmp_path / "out.json"),
                           "--db", str(tmp_path / "bad.json")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stderr  # errors in an input, each located, as for a cases file
    assert 'error[invalid-data]: orders["o2"].user_id: "u9" refers to no `User`' in done.stderr
    assert f"--> {tmp_path / 'bad.json'}:8:12" in done.stderr
    assert "= help: make `order_id` equal the key it is stored under" in done.stderr
    assert not (tmp_path / "out.json").exists()
