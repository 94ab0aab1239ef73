"""The procedural tests `scaleenv compile` writes: a cases file and a pytest file that runs it.

    DIR/proctest_cases.json            the cases, in the format `scaleenv replay` reads
    DIR/test_<domain>_env_proctest.py  pytest: each case against DIR/<domain>_env.py and DIR/domain.ir.json

The pytest file loads the module and the IR as they were written (not the spec), so it tests the
compiled artifact itself: `python -m pytest DIR`. Nothing from the spec is written into it but the
module's file name, which is made of safe characters. The search is smaller than `scaleenv test`'s
so that compiling stays quick; `scaleenv test --cases FILE` writes a larger set.
"""

from __future__ import annotations

from pathlib import Path

CASES_FILE = "proctest_cases.json"
BUDGET = 150
WALKS = 4

_TEST_FILE = '''"""Procedural tests of a compiled domain, written by `scaleenv compile` from the spec's contracts.

Each case in {cases} is a sequence of calls and the outcome the compiled spec gave: a guard's
failure (its id; for the cases marked atomic, the state left as it was) or a success (its result
and its changes). The cases run against the module and the IR in this folder, as they were
written: python -m pytest {this_file}
"""

import pathlib

import pytest

from scaleenv_dsl.proctest.cases import check_case, load_compiled, read_cases

HERE = pathlib.Path(__file__).resolve().parent
CASES = read_cases(HERE / {cases!r})


@pytest.fixture(scope="module")
def env():
    return load_compiled(HERE / "domain.ir.json", HERE / {module!r}).env()


@pytest.fixture(scope="module")
def initial_dump(env):
    return env.reset().dump(indent=None)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(env, initial_dump, case):
    problems = check_case(env, case, initial_dump=initial_dump)
    assert problems == [], "\\n".join(problems)
'''


def write_procedural_tests(compiled, out: Path) -> list[Path]:
    from ..api import module_file_stem
    from .cases import record, write_cases
    from .runner import Options, run_procedural_tests

    report = run_procedural_tests(compiled, Options(budget=BUDGET, walks=WALKS))
    env = compiled.env()
    failures = [record(env, case) for case in report.failure_cases()]  # they fail, as they should
    cases = write_cases(out / CASES_FILE, report.domain, report.cases + failures, "scaleenv compile: procedural tests")
    stem = module_file_stem(compiled.name)
    test_file = out / f"test_{stem}_proctest.py"
    test_file.write_text(_TEST_FILE.format(cases=CASES_FILE, module=f"{stem}.py", this_file=test_file.name),
                         encoding="utf-8")
    return [cases, test_file]
