"""`scaleenv author`: the command-line face of `author_domain`.

Exit codes: 0 a clean spec was written to --out; 1 no clean spec within
--max-rounds (the last draft is left in <out>.draft); 2 usage or setup error
(no API key, bad flags, unwritable paths); 3 the API failed after the SDK's
retries (rate limit, overload, server or connection error, bad key).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..diagnostics import render_text
from .settings import DEFAULT_MAX_ROUNDS, DEFAULT_MODEL

EXIT_OK, EXIT_NOT_CLEAN, EXIT_USAGE, EXIT_API = 0, 1, 2, 3
MODEL_ENV = "SCALEENV_AUTHOR_MODEL"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "author", help="write a .sedl spec from a description with Claude, repairing it until it checks",
        description="Ask Claude for a .sedl spec, check it, feed the diagnostics back, and repeat "
                    "until it is clean. Exit codes: 0 written, 1 never clean (see <out>.draft), "
                    "2 usage or no API key, 3 API failure.")
    parser.add_argument("description", metavar="DESCRIPTION", help="what the domain is about; `-` reads it from stdin")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="where the clean spec goes")
    parser.add_argument("--model", metavar="NAME", help=f"model name (default: ${MODEL_ENV} or {DEFAULT_MODEL})")
    parser.add_argument("--max-rounds", type=positive_int, default=DEFAULT_MAX_ROUNDS, metavar="N",
                        help=f"model requests at most (default: {DEFAULT_MAX_ROUNDS})")
    parser.add_argument("--transcript", type=Path, metavar="FILE", help="write every request, reply and check here (JSONL)")
    parser.add_argument("--api-key", metavar="KEY", help="API key (default: $ANTHROPIC_API_KEY)")
    parser.add_argument("--base-url", metavar="URL", help="API base URL (default: $ANTHROPIC_BASE_URL or Anthropic's)")
    parser.set_defaults(run=run)  # how scaleenv_dsl/cli.py dispatches
    return parser


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    problem = api_flags_problem(args) or unwritable(out, "--out")
    if problem:
        return _fail(problem, EXIT_USAGE)
    key = api_key(args)
    try:
        description = sys.stdin.read() if args.description == "-" else args.description
    except UnicodeDecodeError:
        return _fail("the description on stdin is not UTF-8 text.", EXIT_USAGE)
    if not description.strip():
        return _fail("the description is empty.", EXIT_USAGE)
    # Imported here: the SDK takes seconds to import, and every `scaleenv` command loads this module.
    from .session import author_domain, make_client
    try:
        result = author_domain(description, client=make_client(key, args.base_url),
                               model=args.model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL,
                               max_rounds=args.max_rounds, transcript=args.transcript, file=out.name,
                               progress=lambda line: print(line, file=sys.stderr))
        return _report(result, out)
    except OSError as err:  # the transcript, --out or the draft could not be written
        return _fail(f"cannot write {err.filename or 'a file'}: {err.strerror or err}.", EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)


def api_key(args: argparse.Namespace) -> str | None:
    return args.api_key or os.environ.get("ANTHROPIC_API_KEY")


def api_flags_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with --api-key and --base-url (a key missing everywhere), or None."""
    if not api_key(args):
        return "no API key: set ANTHROPIC_API_KEY or pass --api-key."
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        return f"--base-url must start with http:// or https://: {args.base_url}"
    return None


def unwritable(path: Path, flag: str) -> str | None:
    """Why `path` cannot be written, or None: found now, not after the tokens are spent."""
    if not path.parent.is_dir() or path.is_dir():
        return f"{flag} must be a file in an existing folder: {path}"
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{flag} cannot be written: {path}"
    return None


def _report(result, out: Path) -> int:
    tokens = f"{result.rounds} round{'s' if result.rounds != 1 else ''}, {_token_counts(result.usage)}"
    if result.ok:
        out.write_text(result.spec, encoding="utf-8")
        if result.diagnostics:
            print(render_text(result.diagnostics, result.sources), file=sys.stderr)
        print(f"wrote {out}: clean after {tokens}")
        return EXIT_OK
    kept = _save_draft(result, out)
    if result.error:
        return _fail(f"{result.error} ({tokens}){kept}", EXIT_API)
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        print(render_text(errors, result.sources), file=sys.stderr)
    return _fail(f"no clean spec after {tokens}; {out} was not written{kept}", EXIT_NOT_CLEAN)


def _save_draft(result, out: Path) -> str:
    """Beside --out, so the user can fix the rest by hand; the raw reply when there was no block.

    Returns the clause that tells the user where it went. A draft that cannot
    be written must not hide why the session failed, so that is only noted.
    """
    text = result.spec or result.last_reply
    if not text.strip():
        return ""
    draft = out.with_name(out.name + ".draft")
    try:
        draft.write_text(text, encoding="utf-8")
    except OSError as err:
        return f"; the last draft could not be saved to {draft} ({err.strerror or err})"
    return f"; the last draft is in {draft}"


def _token_counts(usage) -> str:
    """The API counts cached prompt tokens apart from `input_tokens`; the total input includes them."""
    cached = usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    if not cached:
        return f"{usage.input_tokens} input and {usage.output_tokens} output tokens"
    return (f"{usage.input_tokens + cached} input ({usage.cache_read_input_tokens} read from the cache, "
            f"{usage.cache_creation_input_tokens} written to it) and {usage.output_tokens} output tokens")


def _fail(message: str, code: int) -> int:
    print(f"scaleenv author: {message}", file=sys.stderr)
    return code


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
