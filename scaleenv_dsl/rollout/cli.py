"""`scaleenv rollout`: an agent model against a simulated user on a domain's tasks, K trials each.

Exit codes: 0 every trial ran to its end or its turn limit, whatever it earned; 1 the domain's
spec has errors; 2 a usage or setup problem (no API key, an unknown task, bad flags, --out not
writable); 3 some trial ended with an API failure that outlasted the SDK's retries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..author.cli import api_flags_problem, api_key, positive_int, unwritable
from ..author.settings import DEFAULT_MODEL
from .settings import AGENT_MODEL_ENV, DEFAULT_MAX_TURNS, DEFAULT_TRIALS, DEFAULT_WORKERS, USER_MODEL_ENV

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_API = 0, 1, 2, 3


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "rollout", help="run an agent model against a simulated user on a domain's tasks",
        description="Run a Claude agent, with the domain's tools and policy, against a Claude user simulator "
                    "prompted with each task; write one JSON line per trial and print pass rate and pass^k. "
                    "Exit codes: 0 all trials ran, 1 the spec has errors, 2 usage or no API key, "
                    "3 an API failure ended some trial.")
    parser.add_argument("domain", metavar="DOMAIN", help="a stdlib domain name, a spec file or its folder")
    parser.add_argument("--tasks", required=True, metavar="FILE|NAMES",
                        help="task names, comma-separated, or a file of them (one a line, or a JSON list)")
    parser.add_argument("--trials", type=positive_int, default=DEFAULT_TRIALS, metavar="K",
                        help=f"trials of each task (default: {DEFAULT_TRIALS})")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS, metavar="W",
                        help=f"trials run at once, each on its own env (default: {DEFAULT_WORKERS})")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="where the trials go (JSONL)")
    parser.add_argument("--summary", type=Path, metavar="FILE", help="also write the summary here (JSON)")
    parser.add_argument("--max-turns", type=positive_int, default=DEFAULT_MAX_TURNS, metavar="N",
                        help=f"agent actions (tool calls and messages) per trial (default: {DEFAULT_MAX_TURNS})")
    parser.add_argument("--agent-model", metavar="NAME", help=f"default: ${AGENT_MODEL_ENV} or {DEFAULT_MODEL}")
    parser.add_argument("--user-model", metavar="NAME", help=f"default: ${USER_MODEL_ENV} or {DEFAULT_MODEL}")
    parser.add_argument("--api-key", metavar="KEY", help="API key (default: $ANTHROPIC_API_KEY)")
    parser.add_argument("--base-url", metavar="URL", help="API base URL (default: $ANTHROPIC_BASE_URL or Anthropic's)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    problem = (api_flags_problem(args) or unwritable(args.out, "--out")
               or (args.summary and unwritable(args.summary, "--summary")))
    if problem:
        return _fail(problem, EXIT_USAGE)
    try:
        names = task_names(args.tasks)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return _fail(f"--tasks: {err}", EXIT_USAGE)
    # Imported here: the compiler and the SDK take seconds, and every `scaleenv` command loads this module.
    from ..api import DomainLoadError, load_domain

    try:
        domain = load_domain(args.domain)
    except DomainLoadError as err:
        print(err.render(), file=sys.stderr)
        return _fail(f"cannot load {args.domain}", EXIT_ERRORS if err.in_the_spec else EXIT_USAGE)
    unknown = [name for name in names if name not in {task.name for task in domain.tasks}]
    if unknown:
        known = ", ".join(task.name for task in domain.tasks[:5]) + (", ..." if len(domain.tasks) > 5 else "")
        return _fail(f"domain {domain.name} has no task {unknown[0]!r} (it has: {known or 'none'})", EXIT_USAGE)
    return _roll_out(args, api_key(args), domain, [domain.task(name) for name in names])


def _roll_out(args, key: str, domain, tasks) -> int:
    from ..author.session import make_client
    from .metrics import summarize
    from .runner import run_rollout

    try:
        with open(args.out, "w", encoding="utf-8") as out:
            records = run_rollout(domain, tasks, client=make_client(key, args.base_url),
                                  agent_model=args.agent_model or os.environ.get(AGENT_MODEL_ENV) or DEFAULT_MODEL,
                                  user_model=args.user_model or os.environ.get(USER_MODEL_ENV) or DEFAULT_MODEL,
                                  trials=args.trials, workers=args.workers, max_turns=args.max_turns, out=out,
                                  progress=_progress)
        summary = summarize(records)
        if args.summary:
            args.summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        return _fail(f"cannot write {err.filename or 'a file'}: {err.strerror or err}.", EXIT_USAGE)
    print(summary_text(summary))
    if summary["errors"]:
        return _fail(f"{summary['errors']} trial(s) ended with an API failure; see `error` in {args.out}", EXIT_API)
    return EXIT_OK


def task_names(spec: str) -> list[str]:
    """The names in --tasks: a file (a JSON list, or names one a line with `#` comments), else a comma list."""
    path = Path(spec)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("["):
            names = json.loads(text)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ValueError(f"{spec} must hold a JSON list of task names")
        else:
            names = [line.split("#", 1)[0] for line in text.splitlines()]
    else:
        names = spec.split(",")
    names = list(dict.fromkeys(name.strip() for name in names if name.strip()))  # in order, once each
    if not names:
        raise ValueError(f"no task names in {spec!r}")
    return names


def summary_text(summary: dict) -> str:
    if not summary["trials"]:
        return "no trials"
    pass_k = "  ".join(f"pass^{k} {value:.3f}" for k, value in summary["pass^k"].items())
    endings = ", ".join(f"{name} {count}" for name, count in summary["endings"].items())
    tokens = summary["tokens"]
    cached = tokens.get("cache_read_input_tokens", 0) + tokens.get("cache_creation_input_tokens", 0)
    return "\n".join([
        f"{summary['trials']} trial(s) of {summary['tasks']} task(s): {summary['passed']} passed, "
        f"pass rate {summary['pass_rate']:.3f}, average reward {summary['average_reward']:.3f}",
        pass_k, f"endings: {endings}",
        # the API counts cached prompt tokens apart from `input_tokens`; the total input includes them
        f"tokens: {tokens.get('input_tokens', 0) + cached} input ({cached} cached), "
        f"{tokens.get('output_tokens', 0)} output"])


def _progress(record: dict) -> None:
    failure = f"; {record['error']}" if record["error"] else ""
    print(f"{record['task']} trial {record['trial']}: reward {record['reward']} ({record['ending']}, "
          f"{record['turns']} turns, {record['seconds']} s{failure})", file=sys.stderr)


def _fail(message: str, code: int) -> int:
    print(f"scaleenv rollout: {message}", file=sys.stderr)
    return code
