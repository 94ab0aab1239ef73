"""`scaleenv lint` as a user and a script meet it: the stdlib domains, the rule runner, the
selection of codes, the allowances, and the command line's output and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.cli import main
from scaleenv_dsl.diagnostics import Diagnostic, Span
from scaleenv_dsl.lint import RULES, Selection, lint_domain, lint_paths, lint_source, parse_codes
from scaleenv_dsl.resources import stdlib_root

CASES = Path(__file__).parent / "cases"
ALLOW = re.compile(r"#\s*lint:\s*allow\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")


def _spec(name: str) -> str:
    return str(stdlib_root() / name / f"{name}.sedl")


# ---------------------------------------------------------------- the stdlib domains

@pytest.mark.parametrize("name", ["retail", "library"])
def test_the_stdlib_domains_lint_clean(name):
    result = lint_paths([_spec(name)])
    assert result.checked and result.diagnostics == [], [d.message for d in result.diagnostics]


@pytest.mark.parametrize("name", ["retail", "library"])
def test_each_allowance_in_the_stdlib_silences_a_real_finding(name):
    """A `# lint: allow` comment must justify a finding lint makes there, not stand stale."""
    checked = check_paths([_spec(name)])
    raw = {(d.span.file, d.span.line, d.code) for d in lint_domain(checked.domain, sources=checked.sources)}
    allowances = [(file, number, code) for file, text in checked.sources.items()
                  for number, line in enumerate(text.split("\n"), 1) for m in ALLOW.finditer(line)
                  for code in re.split(r"\s*,\s*", m[1])]
    assert allowances, "the stdlib specs justify some findings"
    stale = [a for a in allowances if not {(a[0], a[1], a[2]), (a[0], a[1] + 1, a[2])} & raw]
    assert stale == []


def test_retail_keeps_tau2s_gold_actions_on_missing_rows_and_says_so():
    checked = check_paths([_spec("retail")])
    missing = [d for d in lint_domain(checked.domain) if d.code == "missing-row"]
    assert len(missing) == 7
    assert {m.group(0) for d in missing for m in [re.search(r"`get_\w+_details`", d.message)]} == \
        {"`get_product_details`", "`get_order_details`"}


@pytest.mark.parametrize("name", ["retail", "library"])
def test_reachability_follows_exactly_the_graphs_data_edges(name):
    from scaleenv_dsl.graph import build_graph
    from scaleenv_dsl.lint.reach import producers

    domain = check_paths([_spec(name)], validate_data=False).domain
    edges = {(u, v, attrs["param"]) for u, v, attrs in build_graph(domain).edges(data=True)
             if attrs["kind"] == "data"}
    assert edges and edges == {(p, tool, param) for (tool, param), ps in producers(domain).items() for p in ps}


# ---------------------------------------------------------------- the runner

LIBRARY_LIKE = '''domain d {
  description "D."
  policy "P."
}

entity Item in items key item_id else "Item not found" {
  "An item."
  item_id: str "The id."
}

tool get(item_id: ref Item "The id.") -> Item "The item." {
  "Get an item."
  return items[item_id]
}
'''


def test_a_rule_that_crashes_is_reported_and_the_others_still_run():
    domain = check_source(LIBRARY_LIKE, "d.sedl").domain

    def broken(domain):
        raise RuntimeError("boom")

    def one(domain):
        return [Diagnostic("missing-doc", "a finding", Span.point("d.sedl", 3, 1))]

    found = lint_domain(domain, rules=(broken, one))
    assert [d.code for d in found] == ["rule-crashed", "missing-doc"] and found[0].is_error
    assert "`broken` failed: RuntimeError: boom" in found[0].message


def test_a_rule_gets_what_it_names_and_the_data_only_when_asked(tmp_path):
    (tmp_path / "d.json").write_text('{"items": {"i1": {"item_id": "i1"}}}', encoding="utf-8")
    spec = LIBRARY_LIKE.replace('policy "P."', 'policy "P."\n  data "d.json"')
    (tmp_path / "d.sedl").write_text(spec, encoding="utf-8")
    checked = check_paths([str(tmp_path / "d.sedl")])
    seen = {}

    def wants_data(data, domain):
        seen["data"] = data
        return []

    def wants_sources(sources):
        seen["sources"] = sorted(sources)
        return []

    assert lint_domain(checked.domain, sources=checked.sources, rules=(wants_data, wants_sources)) == []
    assert seen == {"data": {"items": {"i1": {"item_id": "i1"}}}, "sources": [str(tmp_path / "d.sedl")]}
    (tmp_path / "d.json").unlink()   # a rule that never asks for the data never needs the file
    assert lint_domain(checked.domain, rules=(wants_sources,)) == []
    lint_domain(checked.domain, rules=(wants_data,))
    assert seen["data"] is None      # unreadable: the rule is told, and says nothing


def test_no_rule_crashes_on_any_spec_of_the_repository():
    # fixtures of the checker, the formatter and the runtime: broken, odd and clean specs alike
    specs = sorted(Path(__file__).parents[1].rglob("*.sedl")) + [Path(_spec("retail")), Path(_spec("library"))]
    assert len(specs) > 50
    crashed = [(str(path), d.message) for path in specs for d in lint_paths([str(path)]).diagnostics
               if d.code in ("rule-crashed", "internal-error")]
    assert crashed == []


def test_every_rule_in_the_tuple_is_a_plain_function_of_what_it_names():
    import inspect

    for rule in RULES:
        assert set(inspect.signature(rule).parameters) <= {"domain", "data", "sources"}, rule.__name__


def test_a_spec_that_does_not_check_is_not_linted():
    result = lint_source('domain d {\n}\ntool t() -> int {\n  return nope\n}\n', "d.sedl")
    assert not result.checked and not result.ok
    assert [d.code for d in result.diagnostics] == ["unknown-name"]


# ---------------------------------------------------------------- choosing codes

def test_codes_are_selected_and_ignored_by_name_or_prefix():
    path = [str(CASES / "guards_decided.sedl")]
    every = {d.code for d in lint_paths(path).diagnostics}
    assert {"guard-never-fails", "guard-never-passes", "write-before-guard"} <= every
    assert {d.code for d in lint_paths(path, Selection(select=("guard",))).diagnostics} == \
        {"guard-never-fails", "guard-never-passes"}
    assert {d.code for d in lint_paths(path, Selection(("guard",), ("guard-never-fails",))).diagnostics} == \
        {"guard-never-passes"}
    assert "guard-never-fails" in every - {d.code for d in lint_paths(path, Selection(ignore=("guard-never",)))
                                                 .diagnostics}


def test_a_prefix_matches_at_a_hyphen_only():
    assert parse_codes("guard, missing-row") == ("guard", "missing-row")
    with pytest.raises(ValueError, match="starts with `gua`"):
        parse_codes("gua")
    with pytest.raises(ValueError, match="did you mean `missing-row`"):
        parse_codes("missing-rows")


# ---------------------------------------------------------------- the command line

def test_the_command_exits_0_on_warnings_only_and_prints_check_json(capsys):
    assert main(["lint", str(CASES / "docs.sedl"), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {d["code"] for d in found} == {"unconfirmed-write", "missing-doc"}
    keys = {"code", "severity", "message", "file", "line", "column", "end_line", "end_column", "help"}
    assert all(d.keys() == keys and d["severity"] == "warning" for d in found)


def test_the_command_exits_1_on_an_error_and_summarises(capsys):
    assert main(["lint", str(CASES / "missing_row.sedl"), "library"]) == 1
    out, err = capsys.readouterr()
    assert "error[missing-row]: task `on_missing_rows`: `get_order` gets order_id=\"o9\"" in out
    assert err.strip() == "6 error(s), 0 warning(s)"


def test_the_command_exits_0_with_no_findings(capsys):
    assert main(["lint", "retail", "library"]) == 0
    out, err = capsys.readouterr()
    assert (out, err.strip()) == ("", "no findings")


@pytest.mark.parametrize("args, message", [
    (["no/such/spec.sedl"], "no such"),
    (["library", "--select", "no-such-code"], "no diagnostic code is or starts with `no-such-code`"),
    (["library", "--ignore", "missing-dok"], "did you mean `missing-doc`"),
])
def test_usage_problems_exit_2_with_one_line(capsys, args, message):
    assert main(["lint", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and err.count("\n") == 1
