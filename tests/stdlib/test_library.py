"""The library domain, the one that uses every construct, runs as well as it checks."""

import pytest

from scaleenv_dsl import load_domain


@pytest.fixture(scope="module")
def library():
    return load_domain("library")


def test_every_task_is_solved_by_its_gold_actions(library):
    env = library.env()
    with_gold = [t for t in library.tasks if t.actions]   # a goal-only task is proved by search (tests/prove)
    assert len(with_gold) == len(library.tasks) - 1
    for task in with_gold:
        env.reset(task)
        for action in task.actions:
            env.call(action.tool, action.arguments)
        # the gold trajectory also tells the user what the task says to communicate
        said = [f"Done: {text}." for text in task.communicate]
        assert env.reward(task, trajectory={"messages": said}).ok, task.name


def test_search_matches_authors_through_a_nested_generator(library):
    # the author test is an `any(…)` nested inside an `all(…)`: its loop variable must not be
    # evaluated before its own loop binds it
    env = library.env()
    by_author = env.call("search_books", {"query": "herbert"})
    assert by_author.ok and by_author.value == ["b_001"]
    assert env.call("search_books", {"query": "no such words here"}).value == []
    assert env.changes() == {"changed": {}, "removed": {}}
