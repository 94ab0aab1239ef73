"""Properties over the three untrusted inputs: spec text, JSON data, and tool-call arguments.

For every generated input:
- no traceback: `check` returns diagnostics (never an `internal-error`), `env(data)` loads or raises
  the documented DomainLoadError, `env.call` returns a result;
- bounded time: each example runs under a hang guard far above any honest run (not a timing test);
- a failed call leaves the state unchanged, byte for byte;
- `dump()` is always JSON that a strict reader accepts (no NaN, no Infinity).

The CI profile runs a dozen to a few hundred examples per property, derandomized so CI is
repeatable; `SCALEENV_HYPOTHESIS_PROFILE=long` runs hundreds to thousands with fresh randomness
(benchmarks/properties_bench.py does, and records the counts and the time).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaleenv_dsl import DomainLoadError, load_domain
from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.strict_json import loads_strict

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "stdlib_domains" / "library"
SPEC_TEXT = (LIBRARY / "library.sedl").read_text()
DATA = json.loads((LIBRARY / "library.json").read_text())
HANG_GUARD_SECONDS = 30

PROFILE = os.environ.get("SCALEENV_HYPOTHESIS_PROFILE", "ci")
# examples per property: (spec text, data, tool calls). A spec or data example checks a whole
# domain (tenths of a second); a call example is a few calls (milliseconds).
EXAMPLES = {"ci": (20, 12, 150), "long": (500, 300, 3_000)}[PROFILE]
settings.register_profile("ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(PROFILE)


# ---------------------------------------------------------------- strategies

HOSTILE_FRAGMENTS = ['"""', '"', "{", "}", "(", ")", "[", "]", "\\", "\x00", "__import__('os')", "{{ x }}",
                     "{% if %}", "9" * 400, "1e999", "-", "tool", "entity", "let", "for x in", "require",
                     "f\"{", "\n", "é", "\u202e", "ensures", "insert", "delete", "return", "x" * 300]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@st.composite
def mutated_spec(draw) -> str:
    """The library spec with a few edits: hostile fragments or random text inserted, spans deleted."""
    text = SPEC_TEXT
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        cut = draw(st.integers(min_value=0, max_value=40))
        insert = draw(st.sampled_from(HOSTILE_FRAGMENTS) | st.text(max_size=20))
        text = text[:at] + insert + text[at + cut:]
    return text


def _paths(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, path + (key,))


ALL_PATHS = [p for p in _paths(DATA) if p]


@st.composite
def mutated_data(draw):
    """The library data with a few values replaced by arbitrary JSON-ish values (NaN and huge ints too)."""
    data = copy.deepcopy(DATA)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced a container on this path
    return data


# ---------------------------------------------------------------- properties

@settings(max_examples=EXAMPLES[0])
@given(mutated_spec())
def test_spec_text_gets_diagnostics_never_a_crash(hang_guard, text):
    with hang_guard(HANG_GUARD_SECONDS, "an example"):
        result = check_source(text, "library.sedl")
    assert all(d.code != "internal-error" for d in result.diagnostics), \
        [d.message for d in result.diagnostics if d.code == "internal-error"]
    assert all(d.span.line >= 1 and d.span.column >= 1 and d.help for d in result.diagnostics)


@settings(max_examples=EXAMPLES[1])
@given(mutated_data())
def test_data_gets_diagnostics_in_check_and_loads_or_refuses_in_env(hang_guard, data):
    text = json.dumps(data, allow_nan=True)  # may hold NaN and Infinity: the checker must refuse them
    folder = Path(tempfile.mkdtemp(prefix="prop-data-"))
    try:
        for name in ("library.sedl", "types.sedl"):
            shutil.copy(LIBRARY / name, folder / name)
        (folder / "library.json").write_text(text)
        with hang_guard(HANG_GUARD_SECONDS, "an example"):
            result = check_paths([str(folder / "library.sedl")])
    finally:
        shutil.rmtree(folder)
    assert all(d.code != "internal-error" for d in result.diagnostics)
    domain = load_domain("library")
    with hang_guard(HANG_GUARD_SECONDS, "an example"):
        try:
            env = domain.env(data)
        except DomainLoadError:
            assert not result.ok, "env(data) refused data that check accepted"
            return
    assert result.ok, "env(data) accepted data that check refused"
    loads_strict(env.dump())


@st.composite
def tool_call(draw):
    domain = load_domain("library")
    tool = draw(st.sampled_from(sorted(domain.tool_names)))
    ids = [key for rows in DATA.values() for key in rows]
    params = [p.name for p in domain.ir.tool(tool).params]
    names = st.sampled_from(params + ["extra", "", "__class__"]) if params else st.just("extra")
    value = json_values | st.sampled_from(ids)
    arguments = draw(st.dictionaries(names, value, max_size=len(params) + 1))
    return tool, arguments


@settings(max_examples=EXAMPLES[2])
@given(st.lists(tool_call(), min_size=1, max_size=4))
def test_calls_fail_cleanly_and_leave_no_trace(hang_guard, calls):
    env = load_domain("library").env()
    for tool, arguments in calls:
        before = env.dump()
        with hang_guard(HANG_GUARD_SECONDS, "an example"):
            result = env.call(tool, arguments)
        after = env.dump()
        loads_strict(after)
        if not result.ok:
            assert after == before, f"{tool}({arguments}) failed but changed the state"
            assert result.error and result.error.kind
