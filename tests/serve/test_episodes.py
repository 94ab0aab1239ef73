"""The episode store behind `scaleenv serve`: minted ids, and the limits on live and idle episodes."""

from __future__ import annotations

import pytest

from scaleenv_dsl.serve.episodes import EpisodeError, EpisodeStore


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def kind_of(store: EpisodeStore, episode_id) -> str:
    with pytest.raises(EpisodeError) as refused:
        store.get(episode_id)
    return refused.value.kind


def test_only_minted_ids_are_accepted_and_each_episode_has_its_own_env(retail):
    store = EpisodeStore(retail)
    first, second = store.start(), store.start(retail.tasks[0].name)
    assert first.id != second.id and len(first.id) >= 20
    assert first.env is not second.env and second.task is retail.tasks[0]
    assert store.get(first.id) is first
    assert kind_of(store, "not-minted") == "unknown_episode"
    assert kind_of(store, 42) == "unknown_episode"
    assert kind_of(store, first.id[:-1]) == "unknown_episode"
    with pytest.raises(EpisodeError) as refused:
        store.start("no_such_task")
    assert refused.value.kind == "unknown_task" and store.live == 2


def test_an_ended_episode_is_refused_and_says_so(retail):
    store = EpisodeStore(retail)
    episode = store.start()
    store.end(episode.id)
    assert store.live == 0
    assert kind_of(store, episode.id) == "episode_ended"
    with pytest.raises(EpisodeError):
        store.end(episode.id)


def test_idle_episodes_are_evicted_and_a_call_keeps_one_alive(retail):
    clock = Clock()
    store = EpisodeStore(retail, idle_timeout=10, clock=clock)
    used, idle = store.start(), store.start()
    clock.now += 6
    store.get(used.id)
    clock.now += 6  # idle has waited 12 s, used 6 s
    assert store.get(used.id) is used
    assert kind_of(store, idle.id) == "episode_evicted"
    assert store.live == 1
    clock.now += 10.5
    store.sweep()
    assert store.live == 0 and kind_of(store, used.id) == "episode_evicted"


def test_starting_one_too_many_evicts_the_least_recently_used(retail):
    store = EpisodeStore(retail, max_live=3)
    a, b, c = store.start(), store.start(), store.start()
    store.get(a.id)  # b is now the least recently used
    d = store.start()
    assert store.live == 3
    with pytest.raises(EpisodeError) as refused:
        store.get(b.id)
    assert refused.value.kind == "episode_evicted" and "at most 3 live episodes" in refused.value.message
    assert all(store.get(e.id) is e for e in (a, c, d))


def test_the_record_of_episodes_let_go_is_bounded(retail):
    store = EpisodeStore(retail, max_live=1)
    first = store.start()
    store.end(first.id)
    for _ in range(10_000):
        store.end(store.start().id)
    assert kind_of(store, first.id) == "unknown_episode", "the oldest record was dropped"
    assert store.live == 0


def test_limits_must_make_sense(retail):
    with pytest.raises(ValueError):
        EpisodeStore(retail, max_live=0)
    with pytest.raises(ValueError):
        EpisodeStore(retail, idle_timeout=0)
