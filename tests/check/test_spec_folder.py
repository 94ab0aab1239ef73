"""Every file a spec reads stays in the spec's folder, each is read once, and nothing writes through a link.

The rule, for `check`, `fmt` and `load_domain` alike: the spec's folder is the one holding
its root file as named; every file read (the root file, includes, the data file) must
resolve, links followed, inside it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scaleenv_dsl.api import DomainLoadError, load_domain
from scaleenv_dsl.check import check_paths
from scaleenv_dsl.cli import main

SECRET = "outside_secret_first_line"
# Not in canonical layout, so `fmt` would rewrite it if it could reach it.
OUTSIDE_SPEC = f'domain {SECRET} {{\n  description    "A file outside the spec folder."\n}}\n'
VALID_SPEC = 'domain inside {\n  description "A spec inside its folder."\n}\n'


@pytest.fixture
def linked_out(tmp_path: Path) -> tuple[Path, Path]:
    """A spec folder whose only root file is a link to a spec outside it."""
    outside = tmp_path / "elsewhere" / "secret.sedl"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_SPEC)
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "spec.sedl").symlink_to(outside)
    return folder, outside


def check_json(capsys, *paths: str) -> tuple[int, list[dict], str]:
    code = main(["check", "--format", "json", *paths])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


# ---------------------------------------------------------------- finding 1: a root file linked to outside

@pytest.mark.parametrize("named", ["folder", "file"])
def test_check_refuses_a_root_file_linked_to_outside(linked_out, capsys, named):
    folder, _ = linked_out
    code, diagnostics, err = check_json(capsys, str(folder if named == "folder" else folder / "spec.sedl"))
    assert code == 1
    assert [d["code"] for d in diagnostics] == ["spec-outside-root"]
    assert diagnostics[0]["file"].endswith("spec.sedl") and diagnostics[0]["line"] == 1
    assert "internal error" not in err


def test_the_text_report_does_not_echo_the_outside_file(linked_out, capsys):
    folder, _ = linked_out
    assert main(["check", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "spec-outside-root" in out
    assert SECRET not in out + err


@pytest.mark.parametrize("flags", [[], ["--check"], ["--diff"]])
def test_fmt_neither_reads_nor_rewrites_a_file_linked_to_outside(linked_out, capsys, flags):
    folder, outside = linked_out
    for target in (folder, folder / "spec.sedl"):
        assert main(["fmt", *flags, str(target)]) == 2
        out, err = capsys.readouterr()
        assert "outside" in err and SECRET not in out + err
    assert outside.read_text() == OUTSIDE_SPEC


def test_load_domain_refuses_a_root_file_linked_to_outside(linked_out):
    folder, _ = linked_out
    for target in (folder, folder / "spec.sedl"):
        with pytest.raises(DomainLoadError, match="outside its folder"):
            load_domain(target)


def test_a_link_that_stays_inside_the_folder_is_followed(tmp_path, capsys):
    (tmp_path / "real.sedl").write_text(VALID_SPEC)
    (tmp_path / f"{tmp_path.name}.sedl").symlink_to("real.sedl")
    assert load_domain(tmp_path).name == "inside"
    code, diagnostics, _ = check_json(capsys, str(tmp_path))
    assert (code, diagnostics) == (0, [])  # the link and its target are one file, read once


def test_fmt_never_writes_through_a_link_even_inside_the_folder(tmp_path, capsys):
    target, link = tmp_path / "real.sedl", tmp_path / "link.sedl"
    target.write_text(OUTSIDE_SPEC)
    link.symlink_to("real.sedl")
    assert main(["fmt", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == OUTSIDE_SPEC and link.is_symlink()
    assert main(["fmt", "--check", str(link)]) == 1  # reading a link that stays inside is fine
    assert main(["fmt", str(target)]) == 0
    assert target.read_text() != OUTSIDE_SPEC and link.is_symlink()


def test_fmt_never_writes_through_a_hard_link(tmp_path, capsys):
    outside, inside = tmp_path / "outside.sedl", tmp_path / "spec" / "spec.sedl"
    outside.write_text(OUTSIDE_SPEC)
    inside.parent.mkdir()
    os.link(outside, inside)
    assert main(["fmt", str(inside.parent)]) == 2
    assert "hard links" in capsys.readouterr().err
    assert outside.read_text() == OUTSIDE_SPEC


def test_a_data_file_linked_to_outside_is_refused(tmp_path):
    outside = tmp_path / "db.json"
    outside.write_text("{}")
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "data.json").symlink_to(outside)
    (folder / "spec.sedl").write_text('domain d {\n  description "D."\n  data "data.json"\n}\n')
    result = check_paths([str(folder / "spec.sedl")])
    assert [d.code for d in result.diagnostics] == ["data-outside-root"]


# ---------------------------------------------------------------- finding 2: a spec that includes itself

def self_including_spec(folder: Path) -> Path:
    (folder / "x").mkdir()
    spec = folder / "p.sedl"
    spec.write_text('domain p {\n  description "Includes itself."\n}\n'
                    'include "x/../p.sedl"\nenum Color { "red" }\n')
    return spec


def test_a_spec_that_includes_itself_under_another_name_is_read_once(tmp_path):
    result = check_paths([str(self_including_spec(tmp_path))])
    assert list(result.sources) == [str(tmp_path / "p.sedl")]
    assert [(d.code, d.severity.value, d.span.line) for d in result.diagnostics] == [("include-cycle", "warning", 4)]
    assert result.ok and [e.name for e in result.domain.enums] == ["Color"]


def test_checking_the_folder_of_a_self_including_spec_checks_it(tmp_path, capsys):
    self_including_spec(tmp_path)
    (tmp_path / "p.sedl").write_text((tmp_path / "p.sedl").read_text() + "tool t() -> int { return \"x\" }\n")
    code, diagnostics, _ = check_json(capsys, str(tmp_path))
    assert code == 1  # the spec is checked, not skipped for being included by itself
    assert sorted(d["code"] for d in diagnostics) == ["include-cycle", "type-mismatch"]


def test_files_that_include_each_other_are_each_read_once(tmp_path):
    (tmp_path / "a.sedl").write_text('domain a {\n  description "A."\n}\ninclude "b.sedl"\n')
    (tmp_path / "b.sedl").write_text('include "./a.sedl"\nenum E { "x" }\n')
    result = check_paths([str(tmp_path / "a.sedl")])
    assert len(result.sources) == 2
    assert [(d.code, Path(d.span.file).name) for d in result.diagnostics] == [("include-cycle", "b.sedl")]


# ---------------------------------------------------------------- finding 8: a NUL byte in an include

def test_a_nul_in_an_include_gets_the_same_diagnostic_through_a_folder(tmp_path, capsys):
    spec = tmp_path / "n.sedl"
    spec.write_text('domain n {\n  description "N."\n}\ninclude "a\\u0000b.sedl"\n')
    by_file = check_json(capsys, str(spec))
    by_folder = check_json(capsys, str(tmp_path))
    assert by_file[0] == by_folder[0] == 1
    assert [d["code"] for d in by_folder[1]] == [d["code"] for d in by_file[1]] == ["include-outside-root"]
    assert "internal error" not in by_folder[2]


def test_a_file_named_with_the_spec_that_includes_it_is_checked_as_part_of_it(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.sedl").write_text('domain a {\n  description "A."\n}\ninclude "b.sedl"\n'
                                     'tool t(x: Kind) -> Kind {\n  return x\n}\n')
    (tmp_path / "b.sedl").write_text('enum Kind { "x", "y" }\n')
    # b alone is headless (no `domain`); named after a, which includes it, it is part of a
    assert main(["check", "--format", "json", str(tmp_path / "a.sedl"), str(tmp_path / "b.sedl")]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["check", "--format", "json", str(tmp_path / "b.sedl"), str(tmp_path / "a.sedl")]) == 0
    capsys.readouterr()
    assert main(["check", "--format", "json", str(tmp_path / "b.sedl")]) == 1  # alone it still is headless
