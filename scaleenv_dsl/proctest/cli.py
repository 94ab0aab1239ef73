"""`scaleenv test DOMAIN [--seed S] [--walks N] [--format text|json] [--mutants [N]]`.

Exit codes: 0 everything holds, 1 a failure (or a spec with errors), 2 usage or I/O problems.
Nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "test", help="procedural tests from the tool contracts: guards, random walks, mutants",
        description="Find, for every guard of every tool, a call where it fails and one where it passes; "
                    "run random walks checking invariants, atomicity, determinism and reset; with --mutants, "
                    "measure how many mutants of the spec the tests tell apart. Failures come with the "
                    "shortest sequence of calls found that shows them. "
                    "Exit codes: 0 everything holds, 1 a failure, 2 a usage or I/O problem.")
    parser.add_argument("domain", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--seed", type=int, default=0, help="the random seed (default 0): the same seed, the same run")
    parser.add_argument("--walks", type=_count, default=None, metavar="N", help="random walks to make (default 20)")
    parser.add_argument("--budget", type=_positive, default=None, metavar="N",
                        help="calls tried per tool from the initial data (default 500)")
    parser.add_argument("--mutants", nargs="?", type=_positive, const=0, default=None, metavar="N",
                        help="also score the tests against mutants of the spec: all of them, or N chosen by the seed")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="a report for people, or JSON")
    parser.add_argument("--failures", metavar="FILE", help="write the failures as a cases file `scaleenv replay` runs")
    parser.add_argument("--cases", metavar="FILE", help="write the procedural tests themselves as a cases file")
    parser.set_defaults(run=run)
    return parser


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def run(args) -> int:
    from ..api import DomainLoadError, load_domain
    from .cases import write_cases
    from .report import render_text, to_json
    from .runner import Options, run_procedural_tests

    try:
        compiled = load_domain(args.domain)
    except DomainLoadError as err:  # a spec the compiler refuses is one too: load_domain raises nothing else
        if not err.in_the_spec:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
        print(err.render(), file=sys.stderr, end="")
        return EXIT_FAILED
    defaults = Options()
    options = Options(seed=args.seed, walks=defaults.walks if args.walks is None else args.walks,
                      budget=args.budget or defaults.budget, mutants=args.mutants is not None,
                      mutant_sample=args.mutants or None)
    report = run_procedural_tests(compiled, options)
    try:
        if args.failures:
            write_cases(args.failures, report.domain, report.failure_cases(), "scaleenv test: failures, shrunk")
        if args.cases:
            write_cases(args.cases, report.domain, report.cases, "scaleenv test: procedural tests")
    except OSError as err:
        print(f"error: cannot write {err.filename}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(to_json(report), indent=2, ensure_ascii=False))
    else:
        print(render_text(report))
    return EXIT_OK if report.ok else EXIT_FAILED
