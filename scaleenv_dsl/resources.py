"""Where the files that ship with the package live, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def grammar_path() -> Path:
    return _find("grammar") / "sedl.lark"


@cache
def stdlib_root() -> Path:
    return _find("stdlib_domains")


def conformance_cases(domain: str) -> Path:
    """A stdlib domain's reference outcomes in the cases format (see its conformance/README.md)."""
    return stdlib_root() / domain / "conformance" / "cases.json"


@cache
def docs_root() -> Path:
    return _find("docs")


def _find(folder: str) -> Path:
    """The top-level folder in a checkout, or its copy inside an installed wheel."""
    for candidate in (_PACKAGE.parent / folder, _PACKAGE / "_data" / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"scaleenv_dsl is installed without its {folder}/ folder")
