"""A spec that checks clean but that the compiler refuses (a checker defect) exits 1 from every command.

No spec is known to do this: the checker is meant to refuse all the compiler would. So the
defect is injected, as `compile_domain` raising the compiler's own GenerationError, and each
command is asked to load a fresh copy of a spec (load_domain caches by path).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scaleenv_dsl import api
from scaleenv_dsl.cli import main
from scaleenv_dsl.codegen import GenerationError

SHOP = Path(__file__).parent / "runtime" / "specs"


@pytest.fixture
def refused_spec(tmp_path, monkeypatch) -> Path:
    for name in ("shop.sedl", "shop.json"):
        shutil.copy(SHOP / name, tmp_path / name)

    def refuse(domain):
        raise GenerationError("an unsafe name")

    monkeypatch.setattr(api, "compile_domain", refuse)
    return tmp_path / "shop.sedl"


def _cases(tmp_path: Path) -> str:
    (tmp_path / "cases.json").write_text(json.dumps({"cases": []}))
    return str(tmp_path / "cases.json")


def _more_tasks(tmp_path: Path) -> str:
    (tmp_path / "more.sedl").write_text('task ask {\n  action get_order(order_id="o1")\n  reward state\n}\n')
    return str(tmp_path / "more.sedl")


@pytest.mark.parametrize("command", [
    lambda spec: ["prove", str(spec)],
    lambda spec: ["prove", str(spec), "--tasks", _more_tasks(spec.parent)],
    lambda spec: ["synth", str(spec), "--n", "1"],
    lambda spec: ["test", str(spec)],
    lambda spec: ["replay", str(spec), "--cases", _cases(spec.parent), "--out", str(spec.parent / "out.json")],
], ids=["prove", "prove --tasks", "synth", "test", "replay"])
def test_a_spec_the_compiler_refuses_exits_1_saying_so(refused_spec, capsys, command):
    assert main(command(refused_spec)) == 1
    err = capsys.readouterr().err
    assert "the spec cannot be compiled: an unsafe name" in err and "Traceback" not in err
