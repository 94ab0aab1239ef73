"""`scaleenv author`: have Claude write a .sedl spec, check it, feed the
diagnostics back, and repeat until it is clean.

The loop's decision (`decide`) is pure; `author_domain` drives it over the
Messages API with the `anthropic` SDK; `author_many` runs many in parallel.
Names are loaded on first use, so importing the package (as every `scaleenv`
command does, for the CLI) does not import the slow SDK.
"""

import importlib

_HOMES = {
    "Decision": "loop", "decide": "loop", "extract_spec": "loop",
    "OPTIONAL_STAGES": "review", "Review": "review", "StageHook": "review", "review_draft": "review",
    "DEFAULT_MAX_ROUNDS": "settings", "DEFAULT_MODEL": "settings",
    "AuthorResult": "session", "TokenUsage": "session", "author_domain": "session", "author_many": "session",
    "make_client": "session",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
