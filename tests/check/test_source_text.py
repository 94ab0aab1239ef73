"""Source text as files hold it: byte order marks, escapes for any character."""

from __future__ import annotations

from pathlib import Path

from scaleenv_dsl.check import check_paths, check_source

SPEC = 'domain text {\n  description "Text."\n}\n\ntool smile() -> str {\n  return "LITERAL"\n}\n'


def returned(literal: str):
    result = check_source(SPEC.replace("LITERAL", literal), "spec.sedl")
    value = result.domain.tool("smile").body[0].value.value if result.ok else None
    return value, [d.code for d in result.diagnostics]


def test_a_byte_order_mark_is_not_part_of_the_spec(tmp_path: Path) -> None:
    (tmp_path / "spec.sedl").write_bytes(b"\xef\xbb\xbf" + SPEC.replace("LITERAL", "ok").encode())
    result = check_paths([str(tmp_path / "spec.sedl")])
    assert result.diagnostics == []


def test_a_surrogate_pair_escape_is_one_character() -> None:
    assert returned(r"\ud83d\ude00") == ("\U0001F600", [])


def test_a_checked_string_can_be_serialised() -> None:
    from scaleenv_dsl.ir import Domain

    result = check_source(SPEC.replace("LITERAL", r"\ud83d\ude00 \u00e9"), "spec.sedl")
    loaded = Domain.model_validate_json(result.domain.model_dump_json())
    assert loaded.tool("smile").body[0].value.value == "\U0001F600 \u00e9"


def test_half_a_surrogate_pair_is_an_invalid_escape() -> None:
    for literal in (r"\ud83d", r"\ude00", r"\ud83d\u0041", r"\ud83dx"):
        assert returned(literal) == (None, ["invalid-escape"]), literal
