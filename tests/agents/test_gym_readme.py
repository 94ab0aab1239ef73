"""The README's rollout command and Gymnasium snippet, run so they cannot rot."""

from __future__ import annotations

import ast
import re
import shlex
import warnings
from pathlib import Path

from scaleenv_dsl.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Run an agent against a simulated user"):README.index("## Speed")]


def blocks(tag: str) -> list[str]:
    return [body for block_tag, body in re.findall(r"^```(\w*)\n(.*?)^```$", SECTION, re.M | re.S) if block_tag == tag]


def test_the_rollout_command_parses_with_a_key_from_the_environment():
    [command] = blocks("")
    words = shlex.split(command)
    assert words[0] == "ANTHROPIC_API_KEY=sk-..."
    args = build_parser().parse_args(words[words.index(".venv/bin/scaleenv") + 1:])
    assert (args.command, args.domain, args.tasks, args.trials, args.workers, args.out.name) == (
        "rollout", "retail", "task_0,task_1,task_2", 4, 8, "runs.jsonl")


def test_the_gym_snippet_runs_and_ends_as_its_last_comment_says():
    [snippet] = blocks("py")
    *body, last = ast.parse(snippet).body
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # gymnasium.make's passive checker warns on any contract slip
        exec(compile(ast.Module(body, []), "README.md", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "README.md", "eval"), namespace)
    claim = snippet.splitlines()[last.lineno - 1].partition("#")[2].split(":")[0]
    assert value == ast.literal_eval(claim.strip()) == (1.0, True, False)
    assert namespace["info"]["reward_info"]["checked"] == ["state", "communicate"]
