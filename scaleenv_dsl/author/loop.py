"""The repair loop's decision, free of I/O: given the conversation so far and a
review function, what does the next user turn say (or are we done)?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .prompt import diagnostics_turn, missing_block_turn
from .review import Review


# A fence line: 3+ backticks, then an info string whose first word is the tag.
# A closing fence is backticks alone, at least as many as opened the block.
_OPENING = re.compile(r"[ \t]*(`{3,})([^`]*)")
_CLOSING = re.compile(r"[ \t]*(`{3,})[ \t]*")


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
    blocks = fenced_blocks(reply)
    bodies = [body for tag, body in blocks if tag == "sedl"] or [body for tag, body in blocks if tag == ""]
    return max(bodies, key=len).rstrip() + "\n" if bodies else None


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, body) of every closed fenced block, in order, the tag lower-cased.

    One pass over the lines, so a reply of any size costs linear time, and
    each closing fence ends only its own block: it is never taken for the
    opening of the next one. A block still open at the end (a reply cut off at
    the output limit) is dropped.
    """
    blocks: list[tuple[str, str]] = []
    fence, tag, body = "", "", []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not fence:
            if opening := _OPENING.fullmatch(line):
                fence, tag, body = opening.group(1), _first_word(opening.group(2)).lower(), []
        elif (closing := _CLOSING.fullmatch(line)) and len(closing.group(1)) >= len(fence):
            blocks.append((tag, "\n".join(body)))
            fence = ""
        else:
            body.append(line)
    return blocks


def _first_word(info: str) -> str:
    words = info.split()
    return words[0] if words else ""


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
