"""`scaleenv graph DOMAIN [--format json|dot|svg|html] [-o FILE]`: the tool dependency graph.

DOMAIN is a spec path or a stdlib domain name. The graph goes to stdout, or to FILE with `-o`.
Exit codes: 0 written, 1 the spec has errors (diagnostics on stderr), 2 usage or I/O problems.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("json", "dot", "svg", "html")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "graph", help="the tool dependency graph: data, state, enabling and disabling edges",
        description="Compute the dependency graph of a spec's tools (data flow, shared state, and which "
                    "tools' effects can make which guards true or false) and write it as JSON, DOT, SVG "
                    "or a self-contained HTML page. Exit codes: 0 written, 1 spec errors, 2 usage or I/O.")
    parser.add_argument("domain", metavar="DOMAIN", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--format", choices=FORMATS, default="json",
                        help="node-link JSON (default), Graphviz DOT, an SVG picture, or an HTML page")
    parser.add_argument("-o", "--out", metavar="FILE", help="write here instead of stdout")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from ..api import check_for_command

    domain, code = check_for_command(args.domain, "graph")
    if domain is None:
        return code
    text = graph_text(domain, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as err:
        return _usage_error(f"cannot write {args.out}: {err.strerror or err}")
    return EXIT_OK


def graph_text(domain, fmt: str) -> str:
    """The domain's graph in one of FORMATS."""
    from . import build, render as pictures

    graph = build.build_graph(domain)
    if fmt == "json":
        return build.graph_to_json(graph) + "\n"
    return {"dot": pictures.to_dot, "svg": pictures.to_svg, "html": pictures.to_html}[fmt](graph)


def _usage_error(message: str) -> int:
    print(f"scaleenv graph: {message}", file=sys.stderr)
    return EXIT_USAGE
