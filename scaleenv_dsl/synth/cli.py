"""`scaleenv synth DOMAIN --n N --seed S [--out FILE] [--format json|sedl] [--tau2 FILE] [--workers W]
[--paraphrase [--model NAME] [--api-key KEY] [--base-url URL]]`.

Exit codes: 0 `n` proved tasks were emitted, 1 fewer were (the summary says why), 2 a usage or
I/O problem. The compiler is imported inside `run`, so registering costs `scaleenv check` nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..author.cli import api_flags_problem, api_key
from ..author.settings import DEFAULT_MODEL
from ..prove.cli import positive_int

EXIT_OK, EXIT_SHORT, EXIT_USAGE = 0, 1, 2
MODEL_ENV = "SCALEENV_SYNTH_MODEL"


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "synth", help="synthesize proved tasks from the domain's dependency graph and data",
        description="Sample write chains, ground them in the data, prove each candidate with the prover's "
                    "checks and emit the proved ones with a summary of what was rejected and why. "
                    "Exit codes: 0 N tasks were emitted, 1 fewer were, 2 a usage or I/O problem.")
    parser.add_argument("domain", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--n", type=positive_int, default=10, metavar="N", help="how many tasks (default 10)")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="the random seed (default 1)")
    parser.add_argument("--out", metavar="FILE", help="write the tasks here instead of to stdout")
    parser.add_argument("--format", choices=("json", "sedl"), default="json",
                        help="JSON (default), or a .sedl tasks file that includes the domain's spec "
                             "(needs --out in the spec's folder or one above it)")
    parser.add_argument("--tau2", metavar="FILE", help="also write the tasks as a JSON list in tau2-bench's Task format")
    parser.add_argument("--workers", type=positive_int, default=1, metavar="W",
                        help="processes that make candidates (default 1); the output is the same bytes for any W")
    parser.add_argument("--paraphrase", action="store_true",
                        help="rewrite each instruction with Claude, kept only if every known fact survives verbatim")
    parser.add_argument("--model", metavar="NAME", help=f"--paraphrase's model (default: ${MODEL_ENV} or {DEFAULT_MODEL})")
    parser.add_argument("--api-key", metavar="KEY", help="API key for --paraphrase (default: $ANTHROPIC_API_KEY)")
    parser.add_argument("--base-url", metavar="URL",
                        help="API base URL for --paraphrase (default: $ANTHROPIC_BASE_URL or Anthropic's)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..api import DomainLoadError, load_domain, resolve_spec
    from . import emit_json, emit_sedl, emit_tau2
    from .run import SynthOptions, synthesize

    if args.format == "sedl" and not args.out:
        return _usage("--format sedl needs --out FILE: the tasks file includes the spec by a path relative to it")
    if args.paraphrase and api_flags_problem(args):
        return _usage("--paraphrase: " + api_flags_problem(args))
    try:
        compiled = load_domain(args.domain)
    except DomainLoadError as err:  # a spec the compiler refuses is one too: load_domain raises nothing else
        if not err.in_the_spec:
            return _usage(str(err))
        print(err.render(), file=sys.stderr, end="")
        return EXIT_SHORT
    document = synthesize(compiled, SynthOptions(n=args.n, seed=args.seed, workers=args.workers,
                                                    domain=str(resolve_spec(args.domain))))
    if args.paraphrase:
        _paraphrase(document, args)
    if args.format == "sedl":
        text = emit_sedl.render(document, resolve_spec(args.domain), Path(args.out))
    else:
        text = emit_json.render(document)
    summary = document["summary"]
    line = (f"{summary['tasks']} proved task(s) from {summary['candidates']} candidate(s); "
            f"{sum(summary['rejected'].values())} rejected")
    if args.tau2:
        try:
            Path(args.tau2).write_text(emit_tau2.render(document), encoding="utf-8")
        except OSError as err:
            return _usage(f"cannot write {args.tau2}: {err.strerror or err}")
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as err:
            return _usage(f"cannot write {args.out}: {err.strerror or err}")
        print(line)
    else:
        sys.stdout.write(text)
        print(line, file=sys.stderr)
    return EXIT_OK if summary["tasks"] == args.n else EXIT_SHORT


def _paraphrase(document: dict, args) -> None:
    # imported here: the SDK takes seconds to import, and only --paraphrase needs it
    from ..author.session import make_client
    from .paraphrase import paraphrase_document
    counts = paraphrase_document(document, client=make_client(api_key(args), args.base_url),
                                 model=args.model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL,
                                 progress=lambda line: print(f"scaleenv synth: {line}", file=sys.stderr))
    kept = sum(counts["kept_template"].values())
    print(f"paraphrased {counts['rewritten']} instruction(s); {kept} kept the template text"
          + (f" ({', '.join(f'{n} {why}' for why, n in counts['kept_template'].items())})" if kept else ""),
          file=sys.stderr)


def _usage(message: str) -> int:
    print(f"scaleenv synth: {message}", file=sys.stderr)
    return EXIT_USAGE
