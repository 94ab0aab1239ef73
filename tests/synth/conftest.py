"""The local Messages API stand-in for `--paraphrase` is the author tests' (tests/author/author_fakes.py),
so its folder goes on the path."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "author"))

from author_fakes import api  # noqa: E402,F401 - a fixture
