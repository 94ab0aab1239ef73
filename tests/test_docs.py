"""The README and the authoring guide, checked against the code so they cannot rot.

Every snippet is taken from the documents themselves: the `.sedl` spec must
check clean and be in canonical form, the `scaleenv check` sample must be the
real output, the Python snippet must run and return what its comments say,
and every command, flag and file the README names must exist.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest

from scaleenv_dsl.check import check_source
from scaleenv_dsl.cli import build_parser, main
from scaleenv_dsl.fmt import format_source

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
AUTHORING = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")

# The README opens with these two commands, exactly: they are how the project is run and tested.
FIRST_COMMANDS = [
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/scaleenv demo",
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/python -m pytest",
]


def code_blocks(text: str, tag: str | None = None) -> list[str]:
    """The bodies of the fenced blocks of `text`, only those tagged `tag` when it is given."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    return [body for block_tag, body in blocks if tag is None or block_tag == tag]


def readme_spec() -> str:
    [spec] = code_blocks(README, "sedl")
    return spec


def subcommands() -> dict[str, object]:
    action = next(a for a in build_parser()._actions if a.dest == "command")
    return action.choices


def test_the_first_two_commands_are_unchanged():
    assert code_blocks(README)[:2] == [command + "\n" for command in FIRST_COMMANDS]


def test_the_spec_checks_clean_and_is_in_canonical_form():
    spec = readme_spec()
    result = check_source(spec, "notes.sedl")
    assert result.ok and result.diagnostics == []
    assert format_source(spec, "notes.sedl") == spec


def test_the_check_sample_is_the_real_output(tmp_path, monkeypatch, capsys):
    sample = next(block for block in code_blocks(README) if block.startswith("$ scaleenv check"))
    command, *expected = sample.splitlines()
    typo = readme_spec().replace("note.text = text", "note.txt = text")
    assert typo != readme_spec()
    (tmp_path / "notes.sedl").write_text(typo, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    code = main(shlex.split(command)[2:])

    assert code == 1
    assert capsys.readouterr().out.strip("\n").splitlines() == expected


def test_the_spec_loads_as_a_domain(tmp_path):
    from scaleenv_dsl import load_domain

    (tmp_path / "notes.sedl").write_text(readme_spec(), encoding="utf-8")
    env = load_domain(str(tmp_path / "notes.sedl")).env()
    result = env.call("rename", {"note_id": "n1", "text": "hello"})
    assert not result.ok and result.error.message == "Note not found"


def _claims(snippet: str) -> dict[int, object]:
    """Line number -> the value a `# comment` says the expression on that line has.

    A comment counts as a claim when it starts with a Python literal, the
    longest one before the prose begins; `{...}` stands for any value.
    """
    claims = {}
    for number, line in enumerate(snippet.splitlines(), 1):
        code, _, comment = line.partition("#")
        if not comment or "=" in code.replace("==", ""):
            continue
        for end in [len(comment)] + [m.start() for m in re.finditer(r"[;:\s]", comment)][::-1]:
            try:
                claims[number] = ast.literal_eval(comment[:end].strip())
                break
            except (ValueError, SyntaxError):
                continue
    return claims


def _matches(value, claim) -> bool:
    if claim is ... or claim == {...}:
        return True
    if isinstance(claim, dict):
        return isinstance(value, dict) and value.keys() == claim.keys() and all(
            _matches(value[k], claim[k]) for k in claim)
    if isinstance(claim, tuple):
        return isinstance(value, tuple) and len(value) == len(claim) and all(map(_matches, value, claim))
    return value == claim


def test_the_python_snippet_runs_and_returns_what_its_comments_say():
    [snippet] = code_blocks(README, "python")
    claims = _claims(snippet)
    assert len(claims) >= 4   # the two calls, the changes and the reward
    tree = ast.parse(snippet)
    namespace: dict = {}
    checked = 0
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and statement.lineno in claims:
            value = eval(compile(ast.Expression(statement.value), "README.md", "eval"), namespace)
            claim = claims[statement.lineno]
            assert _matches(value, claim), f"README line {statement.lineno}: {value!r} is not {claim!r}"
            checked += 1
        else:
            exec(compile(ast.Module([statement], []), "README.md", "exec"), namespace)
    assert checked == len(claims)


def test_the_command_table_names_every_command_and_its_flags(capsys):
    rows = re.findall(r"^\| `scaleenv (\w+)([^`]*)` \|", README, re.MULTILINE)
    assert sorted(name for name, _ in rows) == sorted(subcommands())
    for name, usage in rows:
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0
        help_text = capsys.readouterr().out
        for flag in re.findall(r"(?<![\w-])--?[a-z][\w-]*", usage):
            assert flag in help_text, f"`scaleenv {name}` has no {flag}"


def test_the_author_command_line_parses():
    [command] = [b for b in code_blocks(README) if "scaleenv author" in b]
    words = shlex.split(command)
    args = build_parser().parse_args(words[words.index(".venv/bin/scaleenv") + 1:])
    assert (args.command, args.out.name, args.transcript.name) == ("author", "dental.sedl", "dental.jsonl")


def test_every_linked_and_listed_file_exists():
    links = re.findall(r"\]\(([^)#]+)\)", README)
    [layout] = [b for b in code_blocks(README) if b.startswith("grammar/")]
    listed = [line.split()[0] for line in layout.splitlines() if line and not line.startswith(" ")]
    named = ["stdlib_domains/retail", "tests/conformance", "stdlib_domains/retail/LICENSE",
             "tests/conformance/tau2_retail/LICENSE"]
    missing = [path for path in links + listed + named if not (ROOT / path).exists()]
    assert links and listed and missing == []


def test_the_authoring_guide_matches_the_author_command(capsys):
    from scaleenv_dsl.author import DEFAULT_MAX_ROUNDS, DEFAULT_MODEL
    from scaleenv_dsl.author import cli as author_cli

    with pytest.raises(SystemExit):
        main(["author", "--help"])
    help_text = capsys.readouterr().out
    flags = re.findall(r"^\| `(--[\w-]+(?: [A-Z]+)?)`", AUTHORING, re.MULTILINE)   # `--out FILE`, as in the usage
    assert flags and all(flag in help_text for flag in flags)
    assert f"then `{DEFAULT_MODEL}` | the model |" in AUTHORING
    assert f"| `--max-rounds N` | {DEFAULT_MAX_ROUNDS} |" in AUTHORING
    codes = {int(code) for code in re.findall(r"^\| (\d+) \|", AUTHORING, re.MULTILINE)}
    assert codes == {author_cli.EXIT_OK, author_cli.EXIT_NOT_CLEAN, author_cli.EXIT_USAGE, author_cli.EXIT_API, 130}
    session = (ROOT / "scaleenv_dsl" / "author" / "session.py").read_text(encoding="utf-8")
    written = set(re.findall(r'log\.write\("(\w+)"', session))
    documented = set(re.findall(r"^\| `(\w+)` \| `(?:round|ok)`", AUTHORING, re.MULTILINE))
    assert written == documented == {"request", "reply", "check", "error", "outcome"}


# ---------------------------------------------------------------- the exit-code contract, as a user sees it

def run_scaleenv(*args: str, **options):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "scaleenv_dsl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, **options)


def test_usage_problems_exit_2_without_a_traceback():
    for args in (["no-such-command"], [], ["check"], ["check", "no/such/file.sedl"], ["fmt", "--bogus", "x"]):
        done = run_scaleenv(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and done.stderr.strip()


def test_a_reader_that_leaves_early_is_an_io_problem_not_a_traceback(tmp_path):
    import subprocess
    import sys

    spec = tmp_path / "many.sedl"
    spec.write_text('domain x {\n  description "d"\n}\n' + "".join(
        f"tool t{i}() -> int {{\n  return nope{i}\n}}\n" for i in range(2000)), encoding="utf-8")
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE)
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "check", str(spec)], cwd=ROOT, timeout=120,
                          stdout=reader.stdin, stderr=subprocess.PIPE, text=True)
    reader.stdin.close()
    reader.wait()
    assert done.returncode == 2 and done.stderr == ""


def test_the_cli_starts_without_the_compiler_runtime_or_sdk():
    import subprocess
    import sys

    heavy = ("anthropic", "httpx", "jinja2", "networkx", "scaleenv_dsl.codegen", "scaleenv_dsl.runtime",
             "scaleenv_dsl.api")
    probe = ("import sys; from scaleenv_dsl.cli import build_parser; build_parser(); "
             f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_synthesized_task_is_the_real_output():
    # the README's synthesized retail task is generated, not written: after a change to synth,
    # regenerate it with scripts/readme_synth_example.py
    import importlib.util
    spec = importlib.util.spec_from_file_location("readme_synth_example", ROOT / "scripts" / "readme_synth_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    block = next(b for b in code_blocks(README) if b.startswith("$ scaleenv synth"))
    assert block == module.example()
