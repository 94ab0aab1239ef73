"""The Gymnasium env with the LLM user simulator, on the real SDK against the local Messages API."""

from __future__ import annotations

import json

import anthropic
import pytest
from gymnasium.error import ResetNeeded

from author_fakes import api_error
from rollout_fakes import OPENING, THANKS, Conversation, user_requests

from scaleenv_dsl.author import make_client
from scaleenv_dsl.gym import AgentEnv
from scaleenv_dsl.rollout.llm import LLMUser
from scaleenv_dsl.rollout.users import GREETING


def test_the_llm_user_plays_the_customer_inside_step(api):
    api.respond = Conversation([], [OPENING, THANKS])
    user = LLMUser(make_client("test-key", api.url), "user-test")
    env = AgentEnv("library", task="return_late_senior", user=user)

    observation, _ = env.reset(seed=0)
    assert observation == f"user: {OPENING}"
    for name, arguments in [("find_member_by_email", {"email": "grace@example.org"}),
                            ("return_book", {"loan_id": "l_002", "today": 112})]:
        env.step(json.dumps({"name": name, "arguments": arguments}))
    observation, reward, terminated, truncated, _ = env.step("It is returned; you owe 0.2.")

    assert (observation, reward, terminated, truncated) == ("user: Thanks, that's all.", 1.0, True, False)
    first, second = user_requests(api)  # tool calls never reach the user
    assert first["messages"] == [{"role": "user", "content": GREETING}]
    assert second["messages"][1:] == [{"role": "assistant", "content": OPENING},
                                      {"role": "user", "content": "It is returned; you owe 0.2."}]
    assert user.usage.input_tokens == 100 and user.usage.output_tokens == 10


def test_a_user_that_fails_ends_the_episode_and_the_error_reaches_the_caller(api):
    api.respond = Conversation([], [OPENING])
    env = AgentEnv("library", task="return_late_senior", user=LLMUser(make_client("test-key", api.url), "user-test"))
    env.reset(seed=0)
    api.respond = lambda body: api_error(400, "invalid_request_error", "bad request")
    with pytest.raises(anthropic.BadRequestError):
        env.step("Which book is it?")
    assert env.episode.ending == "error"
    with pytest.raises(ResetNeeded):
        env.step("Hello?")
