"""User simulators: who answers the agent's messages in an episode.

A simulator plays the customer of a task. `start(task)` returns its opening message (its answer to
the agent's greeting) and forgets any earlier episode; `reply(message)` answers one message from
the agent. A reply with `stop` set ends the conversation, as tau2-bench's `###STOP###` does.

`ScriptedUser` answers from the task's `knows` facts by rule, with no model and no randomness.
The LLM simulator (`scaleenv_dsl.rollout.llm.LLMUser`) is prompted by `user_system_prompt`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Protocol

from .. import ir

STOP_TOKEN = "###STOP###"
# What the agent says before the user's first message, as tau2-bench's orchestrator does. The
# simulator answers it; the agent's own conversation starts with that answer.
GREETING = "Hi! How can I help you today?"


@dataclass(frozen=True)
class UserReply:
    text: str           # what the user said, without the stop token
    stop: bool = False  # the user ended the conversation


class UserSimulator(Protocol):
    def start(self, task: ir.TaskDef) -> UserReply: ...

    def reply(self, message: str) -> UserReply: ...


def split_stop(text: str) -> UserReply:
    """A simulator's raw text as a reply: the stop token anywhere in it ends the conversation."""
    if STOP_TOKEN not in text:
        return UserReply(text.strip())
    return UserReply(text.replace(STOP_TOKEN, "").strip(), stop=True)


class ScriptedUser:
    """A deterministic customer who knows only the task's `knows` facts.

    It opens with the task's instruction. Then, to each message of the agent:
    - it states every fact the message asks for, as "Zip: 19122." A message asks for `knows zip`
      by saying "zip", for `first_name` by "first name" or "name", for `member_id` by "member id"
      or "member";
    - else, to a question, it agrees ("Yes, please go ahead."), as a customer confirming an action;
    - else it thanks the agent and ends the conversation.
    """

    AGREE = "Yes, please go ahead."
    THANKS = "Thank you, that is all I needed."

    def __init__(self):
        self._facts: list[tuple[re.Pattern, str]] = []

    def start(self, task: ir.TaskDef) -> UserReply:
        self._facts = [(_fact_pattern(name), _fact_sentence(name, value)) for name, value in task.knows.items()]
        opening = task.instruction.strip() or task.doc.strip() or "Hello, I need some help."
        return UserReply(opening)

    def reply(self, message: str) -> UserReply:
        told = [sentence for pattern, sentence in self._facts if pattern.search(message)]
        if told:
            return UserReply(" ".join(told))
        if "?" in message:
            return UserReply(self.AGREE)
        return UserReply(self.THANKS, stop=True)


def _fact_pattern(name: str) -> re.Pattern:
    """The words that ask for a fact: its whole name, or the name without a generic last word."""
    words = [w for w in name.lower().split("_") if w]
    phrases = {" ".join(words)}
    if len(words) > 1:
        # "member_id" is asked for as "member"; "first_name" as "name", which also asks for last_name
        phrases.add(" ".join(words[:-1]) if words[-1] in ("id", "ids", "number") else words[-1])
    alternatives = "|".join(r"[\s_-]*".join(map(re.escape, p.split())) for p in sorted(phrases))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _fact_sentence(name: str, value) -> str:
    return f"{name.replace('_', ' ').capitalize()}: {_fact_value(value)}."


def user_system_prompt(task: ir.TaskDef) -> str:
    """The LLM simulator's instructions: play the customer of `task`, invent nothing, end with the token."""
    facts = "\n".join(f"- {name.replace('_', ' ')}: {_fact_value(value)}" for name, value in task.knows.items())
    return f"""You are playing a customer who contacts a customer service agent. You are the customer, never the agent.

<instruction>
{task.instruction.strip() or task.doc.strip() or "You need help from the agent."}
</instruction>

<facts>
{facts or "(none beyond the instruction)"}
</facts>

Rules:
- Pursue the request in the instruction, one short message at a time, as a person would write it.
- Never invent facts. Give only what the instruction and the facts above say, and only when the
  agent needs it. If the agent asks for anything else, say that you do not know it.
- Do not make up requests the instruction does not give you.
- When your request is done, or the agent cannot help you any further, end the conversation:
  write {STOP_TOKEN} at the end of your last message.
- Your messages go to the agent exactly as you write them: no notes, no role labels."""


def _fact_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
