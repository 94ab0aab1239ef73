"""Bad input never crashes, hangs or misplaces a diagnostic.

Every stdlib spec (`stdlib_domains/*/*.sedl`, found at test time) is broken in
many seeded ways: lines deleted and duplicated, the text truncated, stray
punctuation, renamed identifiers, swapped tokens, huge numbers, hostile
strings, random bytes. Then come hand-made adversarial files: deep nesting, an
empty file, random bytes, a 5 MB file.

For every variant, `check_*` must return (never raise, never recurse out of
the stack, never take more than a few seconds) and every diagnostic must point
inside the file. A variant that is certainly invalid (say, an unbalanced
brace) must produce an error; one that may still be valid (a duplicated blank
line) is only required not to crash. A sample also goes through the CLI in a
subprocess: exit 1, no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.errorcodes import CODES

ROOT = Path(__file__).resolve().parents[2]
STDLIB = ROOT / "stdlib_domains"
SPECS = sorted(STDLIB.glob("*/*.sedl"))

SEED = 20240601
VARIANTS_PER_KIND = 2        # per spec file and mutation kind, for specs of normal size
LARGE_SPEC_BYTES = 64_000    # a spec (with its includes) this large gets one variant per kind
SECONDS_PER_CHECK = 10       # far above any honest check: only a hang reaches it
CLI_SAMPLE = 4               # variants also run through `python -m scaleenv_dsl check`


# ---------------------------------------------------------------- running a check safely

# `check_*` turns a crash of its passes into a diagnostic (`internal-error`, or
# `nesting-too-deep` for a RecursionError), so the user never sees a traceback.
# For these tests such a crash is still a bug: a spy records it at the source.
CRASHES: list[BaseException] = []


@pytest.fixture(autouse=True)
def record_crashes(monkeypatch):
    import scaleenv_dsl.check as check_module

    original = getattr(check_module, "_passes", None)
    if original is None:
        return  # the internals moved: fall back to the diagnostics alone

    def spy(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        except BaseException as err:
            CRASHES.append(err)
            raise
    monkeypatch.setattr(check_module, "_passes", spy)


def run_check(call: Callable[[], object], what: str, hang_guard):
    CRASHES.clear()
    with hang_guard(SECONDS_PER_CHECK, f"checking {what}"):
        try:
            result = call()
        except RecursionError:
            pytest.fail(f"RecursionError checking {what}")
        except TimeoutError:
            raise
        except Exception as err:  # any exception is a bug: bad input must become diagnostics
            pytest.fail(f"{type(err).__name__} checking {what}: {err}")
    if CRASHES:
        err = CRASHES[0]
        pytest.fail(f"the checker crashed on {what} ({type(err).__name__}: {err}), reported as a diagnostic")
    return result


def line_count(text: str) -> int:
    return text.count("\n") + 1


def assert_well_located(result, what: str, extra_sources: dict[str, str] | None = None) -> None:
    """Every diagnostic points at a real line (or the one just past the end) and a real column."""
    sources = {**(extra_sources or {}), **result.sources}
    for d in result.diagnostics:
        where = f"{what}: {d.code} at {d.span.file}:{d.span.line}:{d.span.column}"
        assert d.span.line >= 1 and d.span.column >= 1, where
        assert (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column), where
        assert d.code != "internal-error", f"{where}: {d.message}"
        assert d.severity is CODES[d.code].severity, f"{where}: not at its registered severity"
        text = sources.get(d.span.file)
        if text is None and Path(d.span.file).is_file():
            text = Path(d.span.file).read_text(encoding="utf-8", errors="replace")
        if text is not None:
            assert d.span.line <= line_count(text) + 1, f"{where}: past the end ({line_count(text)} lines)"


def assert_has_error(result, what: str) -> None:
    assert any(d.is_error for d in result.diagnostics), f"{what}: an invalid spec checked clean"


# ---------------------------------------------------------------- a tokenizer good enough to mutate with

_TOKEN = re.compile(r'''
    (?P<long>"""(?:.|\n)*?""")
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<comment>\#[^\n]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9][0-9_]*(?:\.[0-9_]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<op>==|!=|<=|>=|\+=|-=|->|//|[-+*/%<>=.,:;?()\[\]{}])
  | (?P<ws>\s+)
  | (?P<other>.)
''', re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str
    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.lastgroup, m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def significant(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind not in ("ws", "comment")]


def brace_depth(tokens: list[Token], offset: int) -> int:
    """How many `{` are open at `offset`, counting only braces outside strings and comments."""
    depth = 0
    for t in tokens:
        if t.start >= offset:
            break
        if t.kind == "op" and t.text in "{}":
            depth += 1 if t.text == "{" else -1
    return depth


# ---------------------------------------------------------------- mutations
# Each returns (description, new text, certainly_invalid).

Mutation = tuple[str, str, bool]

HOSTILE_STRINGS = [
    r'\"\"\" triple inside',
    "{{ self.__init__.__globals__ }}",
    "{% import os %}{{ os.system('id') }}",
    "__import__('os').system('echo pwned')",
    "\x00NUL\x00",
    "\x1b[2J\x1b[31mred\x07",
    "'; DROP TABLE members; --",
    "A" * 100_000,
    r"\u0000\u001b",
    "ends with a backslash \\",
    '"unescaped quote in the middle"',
]
STRAY = ["@", "$", ";", "'", "`", "{", "}", "(", ")", "[", "]"]


def delete_line(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    return f"delete line {i + 1}", "\n".join(lines[:i] + lines[i + 1:]), False


def duplicate_line(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    return f"duplicate line {i + 1}", "\n".join(lines[:i + 1] + lines[i:]), False


def truncate(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    cut = rng.randrange(len(text))
    # Cut inside a declaration's braces, the file cannot parse.
    return f"truncate at offset {cut}", text[:cut], brace_depth(tokens, cut) > 0


def insert_stray(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    at = rng.choice(significant(tokens)).start
    char = rng.choice(STRAY)
    # Outside strings and comments, none of these can appear unpaired in a valid spec.
    return f"insert {char!r} at offset {at}", text[:at] + char + text[at:], True


def rename_identifier(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    names = [t for t in tokens if t.kind == "name"]
    t = rng.choice(names)
    return f"rename {t.text!r} at offset {t.start}", text[:t.start] + "zz_renamed" + text[t.end:], False


def swap_tokens(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    sig = significant(tokens)
    i = rng.randrange(len(sig) - 1)
    a, b = sig[i], sig[i + 1]
    swapped = text[:a.start] + b.text + text[a.end:b.start] + a.text + text[b.end:]
    return f"swap {a.text[:20]!r} and {b.text[:20]!r} at offset {a.start}", swapped, False


def huge_number(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    numbers = [t for t in tokens if t.kind == "number"]
    value = rng.choice(["1" + "0" * 30, "9007199254740993", "1e999", "9" * 5000])
    if not numbers:
        return "append a tool returning a huge number", text + f"\ntool zz_huge() -> float {{\n  return {value}\n}}\n", True
    t = rng.choice(numbers)
    return f"number {t.text} -> {value[:20]}", text[:t.start] + value + text[t.end:], True


def hostile_string(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    strings = [t for t in tokens if t.kind == "string"]
    t = rng.choice(strings)
    payload = rng.choice(HOSTILE_STRINGS)
    return f"string at offset {t.start} -> {payload[:30]!r}", text[:t.start] + f'"{payload}"' + text[t.end:], False


def random_bytes(text: str, tokens: list[Token], rng: random.Random) -> Mutation:
    at = rng.randrange(len(text))
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))).decode("utf-8", errors="replace")
    return f"random bytes at offset {at}", text[:at] + junk + text[at + rng.randint(0, 10):], False


MUTATIONS = [delete_line, duplicate_line, truncate, insert_stray, rename_identifier,
             swap_tokens, huge_number, hostile_string, random_bytes]


# ---------------------------------------------------------------- the stdlib specs, broken

def root_of(spec: Path) -> Path:
    """The file to check for `spec`: itself, or the spec in its folder that includes it."""
    for other in spec.parent.glob("*.sedl"):
        if other != spec and re.search(rf'^include\s+"{re.escape(spec.name)}"', other.read_text(), re.MULTILINE):
            return other
    return spec


def variant_count(spec: Path, mutation) -> int:
    """Fewer variants for large specs: the whole module should stay well under 30 s.
    Truncation gets more: a file cut anywhere is the commonest broken input (an LLM out of tokens)."""
    size = sum(p.stat().st_size for p in spec.parent.glob("*.sedl"))
    count = 1 if size > LARGE_SPEC_BYTES else VARIANTS_PER_KIND
    return count * 3 if mutation is truncate else count


def variants(spec: Path, mutation) -> list[Mutation]:
    text = spec.read_text(encoding="utf-8")
    tokens = tokenize(text)
    rng = random.Random(f"{SEED}:{spec.parent.name}/{spec.name}:{mutation.__name__}")
    return [mutation(text, tokens, rng) for _ in range(variant_count(spec, mutation))]


@pytest.fixture(scope="module")
def domain_copy(tmp_path_factory):
    """A writable copy of a stdlib domain folder, so includes and data files resolve as usual."""
    base = tmp_path_factory.mktemp("domains")

    def copy(spec: Path) -> Path:
        target = base / spec.parent.name
        if not target.exists():
            shutil.copytree(spec.parent, target)
        return target
    return copy


@contextlib.contextmanager
def mutated(spec: Path, folder: Path, new_text: str) -> Iterator[Path]:
    """Write the variant into the copy, yield the root spec to check, then restore the file."""
    target = folder / spec.name
    target.write_text(new_text, encoding="utf-8")
    try:
        yield folder / root_of(spec).name
    finally:
        shutil.copyfile(spec, target)


def check_variant(spec: Path, folder: Path, new_text: str):
    with mutated(spec, folder, new_text) as root:
        if root.name == spec.name:
            return check_source(new_text, str(root))
        return check_paths([str(root)])


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_broken_stdlib_spec(spec: Path, mutation, domain_copy, hang_guard) -> None:
    folder = domain_copy(spec)
    for description, new_text, certainly_invalid in variants(spec, mutation):
        what = f"{spec.parent.name}/{spec.name} with {description}"
        result = run_check(lambda: check_variant(spec, folder, new_text), what, hang_guard)
        assert_well_located(result, what)
        if certainly_invalid:
            assert_has_error(result, what)


def test_there_are_stdlib_specs() -> None:
    assert any(p.parent.name == "library" for p in SPECS)


def test_library_domain_checks_clean() -> None:
    # The baseline: every error in the variants above comes from the mutation.
    result = check_paths([str(STDLIB / "library" / "library.sedl")])
    assert [d for d in result.diagnostics if d.is_error] == []


# ---------------------------------------------------------------- hand-made adversarial files

HEADER = 'domain hostile {\n  description "Adversarial input."\n}\n\n'


def tool_returning(expr: str) -> str:
    return HEADER + f"tool t() -> int {{\n  return {expr}\n}}\n"


ADVERSARIAL: dict[str, Callable[[], str]] = {
    "empty file": lambda: "",
    "only whitespace": lambda: " \n\t\n   \n",
    "only a comment": lambda: "# nothing here",
    "10k open brackets": lambda: tool_returning("[" * 10_000),
    "10k balanced brackets": lambda: tool_returning("[" * 10_000 + "1" + "]" * 10_000),
    "10k parentheses": lambda: tool_returning("(" * 10_000 + "1" + ")" * 10_000),
    "10k braces": lambda: HEADER + "{" * 10_000,
    "10k not": lambda: HEADER + "tool t() -> bool {\n  return " + "not " * 10_000 + "true\n}\n",
    "10k negations": lambda: tool_returning("-" * 10_000 + "1"),
    "20k-term sum": lambda: tool_returning(" + ".join(["1"] * 20_000)),
    "10k nested ifs": lambda: HEADER + "tool t() {\n" + "if true {\n" * 10_000 + "}\n" * 10_000 + "}\n",
    "10k attribute chain": lambda: tool_returning("x" + ".y" * 10_000),
    "10k-statement line": lambda: HEADER + "tool t() {\n" + " ".join(["a"] * 10_000) + "\n}\n",
    "random bytes": lambda: bytes(random.Random(SEED).randrange(256) for _ in range(20_000)).decode(
        "utf-8", errors="replace"),
    "NUL bytes": lambda: HEADER + "\0" * 1000,
    "unterminated triple string": lambda: HEADER + 'domain x {\n  policy """never closed\n',
    "huge number literal": lambda: tool_returning("9" * 100_000),
    # the trailing `task` with no name makes the file certainly invalid
    "100k-character string": lambda: tool_returning('"' + "x" * 100_000 + '"') + "\ntask",
    "many syntax errors": lambda: HEADER + "tool t() { @ }\n" * 500,
    "5 MB file": lambda: HEADER + ("# padding " + "x" * 90 + "\n") * 52_000,
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_input(name: str, hang_guard) -> None:
    text = ADVERSARIAL[name]()
    result = run_check(lambda: check_source(text, "hostile.sedl"), name, hang_guard)
    assert_well_located(result, name, {"hostile.sedl": text})
    assert_has_error(result, name)


# ---------------------------------------------------------------- through the CLI

def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scaleenv_dsl", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def cli_sample() -> list:
    """A few certainly-invalid variants, spread over specs and mutation kinds."""
    rng = random.Random(SEED)
    pool = [(spec, d, t) for spec in SPECS for m in MUTATIONS for d, t, bad in variants(spec, m)[:1] if bad]
    return [pytest.param(spec, d, t, id=f"{spec.parent.name}/{spec.name}: {d}")
            for spec, d, t in rng.sample(pool, min(CLI_SAMPLE, len(pool)))]


@pytest.mark.parametrize("spec,description,new_text", cli_sample())
def test_cli_on_broken_spec(spec: Path, description: str, new_text: str, domain_copy) -> None:
    # JSON here; the text form's robustness is covered by test_cli_on_adversarial_file.
    with mutated(spec, domain_copy(spec), new_text) as root:
        proc = run_cli("check", str(root), "--format", "json")
    assert proc.returncode == 1, f"{description}: exit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stdout + proc.stderr
    assert any(d["severity"] == "error" for d in json.loads(proc.stdout))


@pytest.mark.parametrize("name", ["5 MB file", "10k not", "random bytes"])
def test_cli_on_adversarial_file(name: str, tmp_path: Path) -> None:
    spec = tmp_path / "hostile.sedl"
    spec.write_text(ADVERSARIAL[name](), encoding="utf-8")
    proc = run_cli("check", str(spec))
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr


# ---------------------------------------------------------------- hostile strings stay data

def test_hostile_strings_stay_data(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payloads = [
        f"__import__('os').system('touch {marker}')",
        f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
        f"{{% import os %}}{{{{ os.system('touch {marker}') }}}}",
        f"\"\"\"); open('{marker}', 'w'); (\"\"\"",
    ]
    escaped = [p.replace("\\", "\\\\").replace('"', '\\"') for p in payloads]
    spec = tmp_path / "hostile.sedl"
    spec.write_text(
        'domain hostile {\n  description "' + escaped[0] + '"\n  policy "' + escaped[1] + '"\n}\n\n'
        'enum Mode { "' + escaped[2] + '", "plain" }\n\n'
        'record Note {\n  "' + escaped[3] + '"\n  text: str example "' + escaped[0] + '"\n  mode: Mode\n}\n\n'
        # A bad include makes the checker quote one of the strings back in a diagnostic.
        'include "' + escaped[0] + '"\n'
        "\ntool t() -> bool {\n  return \"\x1b[31m\" == \"\\q\"\n}\n",
        encoding="utf-8")
    proc = run_cli("check", str(spec), "--format", "json")
    text_proc = run_cli("check", str(spec))
    assert not marker.exists(), "a string in the spec was executed"
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    diagnostics = json.loads(proc.stdout)
    # JSON escapes what it must: the raw output carries no control character,
    # and the payload quoted back in a message is the payload, intact.
    assert "\x1b" not in proc.stdout and "\x1b" not in text_proc.stdout
    assert any(payloads[0] in d["message"] for d in diagnostics), [d["message"] for d in diagnostics]
    assert not marker.exists()
