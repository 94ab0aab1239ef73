"""Golden files: the Python the compiler generates for each stdlib domain, byte for byte.

A codegen change shows here as a diff of tests/golden/<domain>_env.py.golden. When the change
is meant, regenerate the files and review their diff with the change:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

The files end in `.golden`, not `.py`, so that pytest, linters and duplicate finders pass them over.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.resources import stdlib_root

GOLDEN = Path(__file__).parent / "golden"
DOMAINS = ("retail", "library")
UPDATE_COMMAND = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py"
DIFF_LINES = 60


def golden_path(domain: str) -> Path:
    return GOLDEN / f"{domain}_env.py.golden"


def golden_text(domain: str) -> str:
    path = golden_path(domain)
    assert path.exists(), f"{path} is missing: create it with\n    {UPDATE_COMMAND}"
    return path.read_bytes().decode("utf-8")


def mismatch(domain: str, golden: str, generated: str, how: str) -> str:
    diff = list(difflib.unified_diff(golden.splitlines(), generated.splitlines(), f"golden/{domain}",
                                     f"generated ({how})", lineterm=""))
    shown = "\n".join(diff[:DIFF_LINES]) + (f"\n… {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else "")
    return (f"the generated Python of `{domain}` ({how}) differs from {golden_path(domain).name}.\n"
            f"If the codegen change is meant, regenerate the golden files with\n    {UPDATE_COMMAND}\n"
            f"and commit them.\n{shown}")


@pytest.mark.parametrize("domain", DOMAINS)
def test_generated_source_matches_its_golden_file(domain: str) -> None:
    generated = load_domain(domain).source
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden_path(domain).write_bytes(generated.encode("utf-8"))
    golden = golden_text(domain)
    assert generated == golden, mismatch(domain, golden, generated, "in this process")


GENERATE = """
import json, sys
from scaleenv_dsl.api import load_domain
json.dump({name: load_domain(name).source for name in sys.argv[1:]}, sys.stdout)
"""


def test_generated_source_does_not_depend_on_the_hash_seed() -> None:
    # set and dict order of strings changes with PYTHONHASHSEED: any that reaches the output shows here
    runs = {seed: subprocess.Popen([sys.executable, "-c", GENERATE, *DOMAINS], stdout=subprocess.PIPE,
                                   env={**os.environ, "PYTHONHASHSEED": seed})
            for seed in ("1", "2")}
    for seed, run in runs.items():
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0, f"generating under PYTHONHASHSEED={seed} failed"
        for domain, generated in json.loads(out).items():
            golden = golden_text(domain)
            assert generated == golden, mismatch(domain, golden, generated, f"PYTHONHASHSEED={seed}")


def test_generated_source_does_not_depend_on_where_the_spec_is(tmp_path: Path) -> None:
    # the same spec compiled from another folder must give the same bytes: no absolute path is embedded
    copy = tmp_path / "elsewhere" / "library"
    shutil.copytree(stdlib_root() / "library", copy)
    generated = load_domain(copy).source
    assert str(tmp_path) not in generated
    golden = golden_text("library")
    assert generated == golden, mismatch("library", golden, generated, f"compiled from {copy}")
