"""`scaleenv COMMAND` imports only COMMAND's module, and parses exactly as the full parser does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl.cli import _SUBCOMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]


def _subparsers(parser):
    return next(a for a in parser._actions if a.dest == "command").choices


def test_the_table_names_every_subcommand_in_help_order():
    assert list(_subparsers(build_parser())) == list(_SUBCOMMANDS)


@pytest.mark.parametrize("command", list(_SUBCOMMANDS))
def test_a_lone_subcommand_parser_is_the_full_parsers(command):
    alone, full = _subparsers(build_parser(command)), _subparsers(build_parser())
    assert list(alone) == [command]
    assert alone[command].format_help() == full[command].format_help()


def test_an_unknown_command_is_reported_with_every_choice(capsys):
    from scaleenv_dsl.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["chekc", "x.sedl"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'chekc'" in err and "'synth'" in err


def test_check_starts_without_the_other_subcommands_or_heavy_libraries(tmp_path):
    spec = tmp_path / "tiny.sedl"
    spec.write_text('domain tiny {\n  description "d"\n}\n', encoding="utf-8")
    unwanted = ("scaleenv_dsl.author", "scaleenv_dsl.lint", "scaleenv_dsl.fmt", "scaleenv_dsl.serve",
                "scaleenv_dsl.synth", "scaleenv_dsl.prove", "scaleenv_dsl.rollout", "scaleenv_dsl.proctest",
                "scaleenv_dsl.graph", "scaleenv_dsl.demo", "scaleenv_dsl.info", "scaleenv_dsl.compile_cmd",
                "pydantic", "jinja2", "networkx", "anthropic")
    probe = ("import sys; from scaleenv_dsl.cli import main; code = main(['check', sys.argv[1]]); "
             f"print(sorted(m for m in sys.modules if m.startswith({unwanted!r}))); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", probe, str(spec)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout
