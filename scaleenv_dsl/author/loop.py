"""The repair loop's decision, free of I/O: given the conversation so far and a
review function, what does the next user turn say (or are we done)?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .prompt import diagnostics_turn, missing_block_turn
from .review import Review


def _fence(tag: str) -> re.Pattern:
    """A block opened by 3+ backticks and `tag`, closed by the same run on its own line."""
    return re.compile(rf"^[ \t]*(`{{3,}})[ \t]*{tag}[ \t]*\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)


# Tagged blocks are searched on their own so that the closing fence of some
# other block is never taken for the opening of an untagged one.
_SEDL_FENCE = _fence("sedl")
_BARE_FENCE = _fence("")


@dataclass(frozen=True)
class Decision:
    draft: str | None          # the spec found in the reply, if any
    review: Review | None      # what the checker and later stages said about it
    feedback: str | None       # the next user turn; None when the draft is clean

    @property
    def done(self) -> bool:
        return self.feedback is None


def extract_spec(reply: str) -> str | None:
    """The spec in a reply: a ```sedl block, else an untagged ``` block.

    When there are several, the longest wins: models tend to quote a short
    fragment next to the full file.
    """
    bodies = [m.group(2) for m in _SEDL_FENCE.finditer(reply)] or \
             [m.group(2) for m in _BARE_FENCE.finditer(reply)]
    return max(bodies, key=len).rstrip() + "\n" if bodies else None


def decide(messages: Sequence[dict], review: Callable[[str], Review], *, truncated: bool = False) -> Decision:
    """Judge the last assistant turn of `messages`."""
    draft = extract_spec(last_assistant_text(messages))
    if draft is None:
        return Decision(None, None, missing_block_turn(truncated))
    verdict = review(draft)
    if verdict.ok:
        return Decision(draft, verdict, None)
    return Decision(draft, verdict, diagnostics_turn(verdict.stage, verdict.diagnostics, verdict.sources))


def last_assistant_text(messages: Sequence[dict]) -> str:
    for message in reversed(messages):
        if message["role"] == "assistant":
            return _text_of(message["content"])
    return ""


def _text_of(content: str | list) -> str:
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if block.get("type") == "text")
