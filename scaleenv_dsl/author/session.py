"""The write -> check -> repair loop against the Messages API, and its batch form."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

import anthropic

from ..diagnostics import Diagnostic
from .loop import Decision, decide
from .prompt import example_domains, first_turn, language_reference, system_prompt
from .review import review_draft
from .settings import DEFAULT_MAX_ROUNDS, DEFAULT_MODEL, MAX_OUTPUT_TOKENS, MAX_RETRIES


@dataclass
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    def add(self, usage) -> None:
        for name in list(vars(self)):
            setattr(self, name, getattr(self, name) + (getattr(usage, name, 0) or 0))


@dataclass
class AuthorResult:
    spec: str                      # the last draft (clean when `ok`); "" when the model never sent one
    ok: bool
    rounds: int                    # model requests made
    usage: TokenUsage
    diagnostics: list[Diagnostic]  # the last review's findings (warnings only when `ok`)
    sources: dict[str, str]        # for rendering `diagnostics`
    messages: list[dict]           # the whole conversation, user and assistant turns
    error: str | None = None       # an API failure that ended the loop early
    last_reply: str = ""           # the model's last text, kept for when no block was found


class UnexpectedReply(anthropic.AnthropicError):
    """A 200 answer that is not a Messages API message: a base URL that points at some other server."""


class Transcript:
    """JSONL, one object per line with a `type`; flushed per line so a crash keeps the story."""

    def __init__(self, path: str | Path | None):
        self._file = open(path, "w", encoding="utf-8") if path else None

    def write(self, type_: str, **fields) -> None:
        if self._file:
            record = {"type": type_, "time": round(time.time(), 3), **fields}
            self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file:
            self._file.close()


def make_client(api_key: str | None = None, base_url: str | None = None) -> anthropic.Anthropic:
    """A client that retries overloads itself; `base_url=None` lets the SDK read ANTHROPIC_BASE_URL."""
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=MAX_RETRIES)


def author_domain(description: str, *, client: anthropic.Anthropic | None = None, model: str = DEFAULT_MODEL,
                  max_rounds: int = DEFAULT_MAX_ROUNDS, transcript: str | Path | None = None,
                  file: str = "domain.sedl", progress: Callable[[str], None] | None = None) -> AuthorResult:
    """Ask the model for a spec of `description` and repair it until it checks clean.

    `file` is only the name diagnostics use. API failures (after the SDK's
    retries) end the loop and are returned in `error`, not raised.
    """
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    log = Transcript(transcript)
    try:
        return _Session(client or make_client(), model, file, log, progress or (lambda _: None)).run(
            description, max_rounds)
    finally:
        log.close()


def author_many(descriptions: Sequence[str], *, max_workers: int = 4, client: anthropic.Anthropic | None = None,
                transcript_dir: str | Path | None = None, **options) -> list[AuthorResult]:
    """`author_domain` over many descriptions in parallel, results in input order.

    Each job is a pure function of its description and options; the only thing
    the jobs share is the client, which is thread-safe. So the map can move to a
    distributed engine (Ray, Dask, Spark) as it stands, one client per worker.
    With `transcript_dir`, job i writes `transcript_dir/0000i.jsonl`.
    """
    client = client or make_client()
    folder = Path(transcript_dir) if transcript_dir else None

    def job(index: int, description: str) -> AuthorResult:
        log = folder / f"{index:05d}.jsonl" if folder else None
        return author_domain(description, client=client, transcript=log, **options)

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(job, range(len(descriptions)), descriptions))


@dataclass
class _Session:
    client: anthropic.Anthropic
    model: str
    file: str
    log: Transcript
    progress: Callable[[str], None]
    usage: TokenUsage = field(default_factory=TokenUsage)
    messages: list[dict] = field(default_factory=list)

    def run(self, description: str, max_rounds: int) -> AuthorResult:
        system = system_prompt(language_reference(), example_domains())
        self.messages.append({"role": "user", "content": first_turn(description)})
        # `latest` is the last round that had a draft: a final reply without a
        # block must not throw away the draft and diagnostics before it.
        latest, reply_text = Decision(None, None, None), ""
        for round_ in range(1, max_rounds + 1):
            try:
                reply = self._request(round_, system)
            except anthropic.AnthropicError as err:
                message = api_error_line(err)
                self.log.write("error", round=round_, message=message)
                return self._result(latest, round_, reply_text, error=message)
            reply_text = "".join(b.text for b in reply.content if b.type == "text")
            # The API refuses an empty or blank text turn, and a reply may hold no text at all.
            self.messages.append({"role": "assistant", "content": reply_text if reply_text.strip() else "(empty reply)"})
            decision = decide(self.messages, partial(review_draft, file=self.file),
                              truncated=getattr(reply, "stop_reason", None) == "max_tokens")
            self._log_decision(round_, decision)
            latest = decision if decision.draft is not None else latest
            if decision.done:
                return self._result(decision, round_, reply_text)
            self.messages.append({"role": "user", "content": decision.feedback})
        self.messages.pop()  # the last feedback was never sent
        return self._result(latest, max_rounds, reply_text)

    def _request(self, round_: int, system: str):
        params = {"model": self.model, "max_tokens": MAX_OUTPUT_TOKENS, "messages": list(self.messages),
                  # The system prompt is the same every round: cache it.
                  "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]}
        self.log.write("request", round=round_, params=params)
        try:
            reply = self.client.messages.create(**params)
        except ValueError as err:  # the SDK could not decode the body of a 200
            raise UnexpectedReply(f"the server at {self.client.base_url} did not answer like the Messages API "
                                  f"(a body that is not JSON: {err})") from None
        if not _is_message(reply):
            raise UnexpectedReply(f"the server at {self.client.base_url} did not answer like the Messages API "
                                  f"(got {_preview(reply)})")
        self.usage.add(reply.usage)
        self.log.write("reply", round=round_, id=getattr(reply, "id", None), model=getattr(reply, "model", None),
                       content=[b.model_dump(mode="json") for b in reply.content],
                       stop_reason=getattr(reply, "stop_reason", None),
                       usage=reply.usage.model_dump(mode="json", exclude_none=True))
        return reply

    def _log_decision(self, round_: int, decision: Decision) -> None:
        review = decision.review
        diagnostics = review.diagnostics if review else []
        self.log.write("check", round=round_, ok=decision.done, found_block=decision.draft is not None,
                       stage=review.stage if review else None, diagnostics=[d.to_json() for d in diagnostics])
        self.progress(f"round {round_}: {_summary(decision)}")

    def _result(self, decision: Decision, rounds: int, reply_text: str, error: str | None = None) -> AuthorResult:
        review = decision.review
        ok = error is None and decision.draft is not None and decision.done
        result = AuthorResult(decision.draft or "", ok, rounds, self.usage,
                              review.diagnostics if review else [], review.sources if review else {},
                              self.messages, error, reply_text)
        self.log.write("outcome", ok=ok, rounds=rounds, error=error, usage=vars(self.usage))
        return result


def api_error_line(err: anthropic.AnthropicError) -> str:
    """One line for any SDK failure: status and the API's own message when there is one."""
    if isinstance(err, anthropic.APIStatusError):
        body = err.body if isinstance(err.body, dict) else {}
        detail = body.get("error", {}) if isinstance(body.get("error"), dict) else {}
        what = f"{detail.get('type', 'error')}: {detail.get('message', err.message)}"
        retried = " after retrying" if err.status_code in (408, 409, 429) or err.status_code >= 500 else ""
        hint = "; check the API key" if err.status_code == 401 else ""
        return _one_line(f"the API answered {err.status_code} ({what}){retried}{hint}")
    if isinstance(err, anthropic.APIConnectionError):
        return _one_line(f"could not reach the API at {err.request.url} ({err}) after retrying")
    if isinstance(err, UnexpectedReply):
        return _one_line(str(err))
    return _one_line(f"the API client failed: {err}")


def _is_message(reply) -> bool:
    """Whether `reply` has the shape the loop reads: the SDK builds whatever a 200 holds, unvalidated."""
    content, usage = getattr(reply, "content", None), getattr(reply, "usage", None)
    return (isinstance(content, list) and all(isinstance(b, anthropic.BaseModel) for b in content)
            and all(isinstance(b.text, str) for b in content if getattr(b, "type", None) == "text")
            and isinstance(getattr(usage, "input_tokens", None), int))


def _preview(value) -> str:
    if isinstance(value, anthropic.BaseModel):
        return "a JSON object without the message's content and usage"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _summary(decision: Decision) -> str:
    if decision.draft is None:
        return "no ```sedl block in the reply"
    findings = decision.review.diagnostics
    errors = [d.code for d in findings if d.is_error]
    if not errors:
        return f"clean ({len(findings)} warning{'s' if len(findings) != 1 else ''})"
    codes = ", ".join(sorted(set(errors)))
    return f"{len(errors)} error{'s' if len(errors) != 1 else ''} from the {decision.review.stage} ({codes})"


def _one_line(text: str, limit: int = 400) -> str:
    """Collapsed to one line and cut short: an error page can be any size."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 3] + "..."
