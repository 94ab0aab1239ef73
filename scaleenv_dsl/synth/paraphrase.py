"""`--paraphrase`: each template instruction rewritten by a model through the `anthropic` SDK
(the client, retries and error lines of `scaleenv author`), with the facts checked to survive.

A rewrite is kept only when every `knows` value (each element of a list) appears in it verbatim;
otherwise, and when the API fails after the SDK's retries, the template text stays and the
summary counts why. The template's `user_scenario` parts are left as they are: they are the
facts, by part, that the tau2 export carries.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import anthropic

from ..author.session import api_error_line, make_client

MAX_TOKENS = 1_024
THREADS = 8   # requests in flight: the API, not this machine, is the bottleneck
SYSTEM = ("You rewrite the instructions of a simulated customer who calls a support agent. Keep the second "
          "person and every fact, and copy each value (names, emails, ids, addresses, amounts, reasons) "
          "character for character. Change only the wording. Reply with the rewritten instructions alone.")

KEPT_FACTS_LOST, KEPT_API_ERROR, KEPT_NO_TEXT = "facts lost", "api error", "no text in the reply"


def paraphrase_document(document: dict, *, client: anthropic.Anthropic | None = None, model: str,
                        progress: Callable[[str], None] | None = None) -> dict:
    """Rewrite the instructions of `document`'s tasks in place; returns the counts that go into
    `summary.paraphrase`. Tasks are sent in parallel and written back in order."""
    client = client or make_client()
    tasks = document["tasks"]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(lambda task: _rewrite(client, model, task), tasks))
    kept: dict[str, int] = {}
    errors = []
    for task, (text, why) in zip(tasks, outcomes):
        if text is not None:
            task["instruction"] = text
            task["paraphrased"] = True
            continue
        task["paraphrased"] = False
        reason = why if why in (KEPT_FACTS_LOST, KEPT_NO_TEXT) else KEPT_API_ERROR
        kept[reason] = kept.get(reason, 0) + 1
        if reason == KEPT_API_ERROR:
            errors.append(why)
    if errors and progress:
        progress(f"{len(errors)} paraphrase request(s) failed; the first: {errors[0]}")
    counts = {"model": model, "rewritten": sum(1 for t in tasks if t["paraphrased"]),
              "kept_template": dict(sorted(kept.items()))}
    document["summary"]["paraphrase"] = counts
    return counts


def _rewrite(client, model: str, task: dict) -> tuple[str | None, str | None]:
    """(the rewrite, None) when the facts survive; (None, why) when the template stays."""
    try:
        reply = client.messages.create(model=model, max_tokens=MAX_TOKENS, system=SYSTEM,
                                       messages=[{"role": "user", "content": request_text(task)}])
    except anthropic.AnthropicError as err:
        return None, api_error_line(err)
    text = reply_text(reply)
    if not text:
        return None, KEPT_NO_TEXT
    return (text, None) if facts_survive(text, task["knows"]) else (None, KEPT_FACTS_LOST)


def request_text(task: dict) -> str:
    values = "\n".join(f"- {v}" for v in fact_texts(task["knows"]))
    return ("Rewrite these instructions. These values must appear exactly as written:\n" + values
            + "\n\n<instructions>\n" + task["instruction"] + "\n</instructions>")


def reply_text(reply) -> str:
    """The text blocks of a reply, joined and trimmed; "" for anything that is not a message."""
    content = getattr(reply, "content", None)
    if not isinstance(content, list):
        return ""
    parts = [b.text for b in content if getattr(b, "type", None) == "text" and isinstance(getattr(b, "text", None), str)]
    return "\n".join(parts).strip()


def fact_texts(knows: dict[str, Any]) -> list[str]:
    """Each knows value as the template writes it: a string as it is, a number as JSON, and a
    description (`{"with": ["Desk Lamp"]}`, an item's name and options) by the texts inside it,
    since the template says it in words ("the one with the Desk Lamp")."""
    out: list[str] = []
    for value in knows.values():
        _leaves(value, out)
    return out


def _leaves(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _leaves(item, out)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, out)
    elif isinstance(value, str):
        out.append(value)
    else:
        out.append(json.dumps(value))


def facts_survive(text: str, knows: dict[str, Any]) -> bool:
    return all(fact in text for fact in fact_texts(knows))
