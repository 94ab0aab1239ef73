"""Agents against simulated users: episodes, user simulators, and `scaleenv rollout`.

`Episode` (episode.py) is one conversation over one env, shared by the Gymnasium env
(scaleenv_dsl.gym) and the rollout harness; `ScriptedUser` (users.py) answers from a task's facts;
`LLMUser`, `LLMAgent` and `run_trial` (llm.py) put models on the Messages API; `run_rollout`
(runner.py) runs many trials at once; `summarize` (metrics.py) reports pass rate and pass^k.
Names are loaded on first use, so the CLI's import of this package does not import the SDK.
"""

import importlib

_HOMES = {
    "Episode": "episode", "Score": "episode",
    "GREETING": "users", "STOP_TOKEN": "users", "ScriptedUser": "users", "UserReply": "users",
    "UserSimulator": "users", "user_system_prompt": "users",
    "LLMAgent": "llm", "LLMUser": "llm", "agent_system_prompt": "llm", "run_trial": "llm",
    "run_rollout": "runner", "pass_hat_k": "metrics", "summarize": "metrics",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
