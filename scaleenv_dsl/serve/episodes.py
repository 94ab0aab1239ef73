"""Live episodes: one env each, under an id the server minted, bounded in number and idle time.

    store = EpisodeStore(domain, max_live=1024, idle_timeout=900)
    episode = store.start("some_task")        # a fresh env, reset to the task
    store.get(episode.id).env.call(...)       # EpisodeError if the id is unknown, ended or evicted
    store.end(episode.id)

An id is a random token: it is minted by `start` and nothing else is accepted (create, then
validate), so one agent cannot guess another's episode. The store is not thread-safe: the server
uses it from its one event loop.

Limits. An episode idle for longer than `idle_timeout` seconds is evicted the next time the store
is used; starting an episode when `max_live` are live evicts the least recently used one. The
next call naming an evicted (or ended) episode is told so and why, for as long as the store
remembers it (a bounded record of the last ids it let go).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .. import ir
    from ..api import CompiledDomain
    from ..runtime.env import Env

DEFAULT_MAX_LIVE = 1024          # AWM runs 1,024 environment instances per RL step
DEFAULT_IDLE_TIMEOUT = 900.0     # seconds
MIN_REMEMBERED = 10_000          # ids let go that the store still recognises, at least

# Error kinds of episode handling, beside the env's own (scaleenv_dsl.runtime.errors).
UNKNOWN_EPISODE = "unknown_episode"
EPISODE_ENDED = "episode_ended"
EPISODE_EVICTED = "episode_evicted"
UNKNOWN_TASK = "unknown_task"


class EpisodeError(Exception):
    def __init__(self, kind: str, message: str):
        self.kind = kind
        self.message = message
        super().__init__(message)

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message}


@dataclass(eq=False)
class Episode:
    id: str
    env: Env
    task: ir.TaskDef | None
    started: float
    last_used: float = 0.0
    calls: int = 0       # tool calls the agent made in it, failed ones included


class EpisodeStore:
    def __init__(self, domain: CompiledDomain, *, max_live: int = DEFAULT_MAX_LIVE,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT, clock: Callable[[], float] = time.monotonic):
        if max_live < 1:
            raise ValueError("max_live must be at least 1")
        if not idle_timeout > 0:
            raise ValueError("idle_timeout must be a positive number of seconds")
        self.domain = domain
        self.max_live = max_live
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._live: OrderedDict[str, Episode] = OrderedDict()  # least recently used first
        self._gone: OrderedDict[str, EpisodeError] = OrderedDict()  # what the next call naming it is told
        self._remembered = max(MIN_REMEMBERED, 4 * max_live)

    @property
    def live(self) -> int:
        return len(self._live)

    def start(self, task: str | None = None) -> Episode:
        """A new episode on a fresh env, reset to `task` (a task name) if given."""
        if task is not None and not isinstance(task, str):
            raise EpisodeError(UNKNOWN_TASK, "the task must be a task name (a string)")
        try:
            task_def = self.domain.task(task) if task is not None else None
        except KeyError:
            raise EpisodeError(UNKNOWN_TASK, f"domain {self.domain.name!r} has no task {task[:100]!r}") from None
        self.sweep()
        while len(self._live) >= self.max_live:
            oldest = next(iter(self._live))
            self._let_go(oldest, EpisodeError(EPISODE_EVICTED, (
                f"episode {oldest} was evicted: the server holds at most {self.max_live} live episodes "
                f"and this one was the least recently used")))
        now = self.clock()
        episode = Episode(secrets.token_urlsafe(16), self.domain.env().reset(task_def), task_def, now, now)
        self._live[episode.id] = episode
        return episode

    def get(self, episode_id) -> Episode:
        """The live episode `episode_id`, marked as just used; EpisodeError saying why not."""
        self.sweep()
        episode = self._live.get(episode_id) if isinstance(episode_id, str) else None
        if episode is None:
            raise self._why_not_live(episode_id)
        episode.last_used = self.clock()
        self._live.move_to_end(episode_id)
        return episode

    def end(self, episode_id) -> Episode:
        episode = self.get(episode_id)
        self._let_go(episode_id, EpisodeError(EPISODE_ENDED, f"episode {episode_id} has ended"))
        return episode

    def sweep(self) -> None:
        """Evict every episode idle for longer than the timeout: O(evicted), oldest first."""
        deadline = self.clock() - self.idle_timeout
        while self._live:
            oldest = next(iter(self._live.values()))
            if oldest.last_used >= deadline:
                return
            self._let_go(oldest.id, EpisodeError(EPISODE_EVICTED, (
                f"episode {oldest.id} was evicted: it was idle for more than {self.idle_timeout:g} s")))

    def _let_go(self, episode_id: str, reason: EpisodeError) -> None:
        del self._live[episode_id]
        self._gone[episode_id] = reason
        while len(self._gone) > self._remembered:
            self._gone.popitem(last=False)

    def _why_not_live(self, episode_id) -> EpisodeError:
        if not isinstance(episode_id, str):
            return EpisodeError(UNKNOWN_EPISODE, "the episode_id must be a string given by start_episode")
        gone = self._gone.get(episode_id)
        if gone is not None:
            return gone
        return EpisodeError(UNKNOWN_EPISODE, f"no episode {episode_id[:100]!r}: an episode_id comes from "
                                             f"start_episode, which the harness calls")
