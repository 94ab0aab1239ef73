"""Data that Python's json module reads but the language refuses (issue 12, findings 6 and 7).

`NaN`, `Infinity`, duplicate keys and ints past Python's conversion limit used to check clean or
crash the checker; each is now an `invalid-data` diagnostic at the value, with its JSON path, in
every place a data file is read: `check`, `load_domain`, and `replay --db`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl import DomainLoadError, load_domain
from scaleenv_dsl.check import check_paths
from scaleenv_dsl.strict_json import StrictJSONError, loads_strict

ROOT = Path(__file__).resolve().parents[2]

SPEC = """domain strict {
  description "Numbers, tags and keys in data."
  data "db.json"
}

union Tag by kind {
  "A tag."
  plain { }
  note {
    text: str "The note."
  }
}

entity Item in items key item_id else "Item not found" {
  "An item."
  item_id: str "The id."
  count: int "How many."
  weight: float "How heavy."
  tag: Tag "Its tag."
}

tool get_item(item_id: ref Item "The id.") -> Item "The item." {
  "Return an item."
  let item = items[item_id]
  return item
}
"""

ROW = '{"item_id": "a", "count": 1, "weight": 1.5, "tag": {"kind": "plain"}}'

REFUSED = {
    "nan": (ROW.replace("1.5", "NaN"), 'items["a"].weight: `NaN` is not a JSON number'),
    "infinity": (ROW.replace("1.5", "Infinity"), 'items["a"].weight: `Infinity` is not a JSON number'),
    "long int": (ROW.replace('"count": 1', '"count": 1' + "0" * 5000),
                 'items["a"].count: a number has over 4,300 digits'),
    "duplicate key": (ROW.replace('"count": 1', '"count": 1, "count": 2'),
                      'items["a"].count: the key appears twice in its object'),
    "list as a union tag": (ROW.replace('{"kind": "plain"}', '{"kind": ["plain"]}'),
                            'items["a"].tag.kind: `kind` must name a variant of `Tag`'),
    "1e999": (ROW.replace("1.5", "1e999"), 'items["a"].weight: expected a finite number'),
    "int past 2^53": (ROW.replace('"count": 1', '"count": 9007199254740993'),
                      'items["a"].count: expected an integer within'),
}


def _domain(tmp_path: Path, row: str) -> Path:
    (tmp_path / "strict.sedl").write_text(SPEC)
    (tmp_path / "db.json").write_text('{\n  "items": {\n    "a": ' + row + "\n  }\n}\n")
    return tmp_path


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_check_refuses_the_value_at_its_path(tmp_path, name):
    row, message = REFUSED[name]
    result = check_paths([str(_domain(tmp_path, row) / "strict.sedl")])
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["invalid-data"], [d.message for d in errors]
    assert errors[0].message.startswith(message), errors[0].message
    assert errors[0].span.file.endswith("db.json") and errors[0].span.line == 3
    assert errors[0].help


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_load_domain_raises_the_documented_error(tmp_path, name):
    row, _ = REFUSED[name]
    with pytest.raises(DomainLoadError):
        load_domain(_domain(tmp_path, row))


def test_the_located_column_is_the_refused_value():
    text = '{"s": "NaN inside a string", "items": {"a": {"weight": NaN}}}'
    with pytest.raises(StrictJSONError) as caught:
        loads_strict(text)
    assert (caught.value.line, caught.value.column) == (1, text.index("NaN}") + 1)
    assert caught.value.message == 'items["a"].weight: `NaN` is not a JSON number'


def test_the_second_of_two_duplicate_keys_is_located():
    text = '{"items": {"a": {"n": 1},\n "b": {"n": 1,\n "n": 2}}}'
    with pytest.raises(StrictJSONError) as caught:
        loads_strict(text)
    assert (caught.value.line, caught.value.column) == (3, 2)


def test_clean_json_parses_as_json_does():
    text = (ROOT / "stdlib_domains" / "library" / "library.json").read_text()
    assert loads_strict(text) == json.loads(text)


def test_replay_refuses_non_json_db(tmp_path):
    folder = _domain(tmp_path, ROW)
    (tmp_path / "bad_db.json").write_text('{"items": {"a": ' + ROW.replace("1.5", "NaN") + "}}")
    (tmp_path / "cases.json").write_text(json.dumps({"cases": []}))
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "replay", str(folder), "--cases",
                           str(tmp_path / "cases.json"), "--out", str(tmp_path / "out.json"),
                           "--db", str(tmp_path / "bad_db.json")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr  # a --db file that cannot be read is an I/O problem
    assert "`NaN` is not a JSON number" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_dump_refuses_to_write_non_json(tmp_path):
    env = load_domain(_domain(tmp_path, ROW)).env()
    env._state.data["items"]["a"]["weight"] = float("nan")  # only a bug could put it there: dump must not hide it
    with pytest.raises(ValueError):
        env.dump()


def test_messages_stay_bounded_however_deep_or_long_the_path():
    for text in ("[" * 900 + "NaN" + "]" * 900, '{"' + "k" * 100_000 + '": NaN}'):
        with pytest.raises(StrictJSONError) as caught:
            loads_strict(text)
        assert len(caught.value.message) < 200
