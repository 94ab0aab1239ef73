"""A Gymnasium environment for a compiled domain: the policy plays the agent, a simulator the user.

    import gymnasium
    import scaleenv_dsl.gym                  # registers "scaleenv/Agent-v0"
    env = gymnasium.make("scaleenv/Agent-v0", domain="library", task="return_late_senior")

Needs the `gym` extra (`pip install 'scaleenv_dsl[gym]'`). See scaleenv_dsl.gym.env.
"""

try:
    import gymnasium
except ImportError as err:  # the optional extra is missing: say how to get it, not just the module name
    raise ImportError("scaleenv_dsl.gym needs gymnasium: pip install 'scaleenv_dsl[gym]'") from err

from .env import DEFAULT_MAX_TURNS, ENV_ID, AgentEnv, AnyText, parse_action

__all__ = ["AgentEnv", "AnyText", "DEFAULT_MAX_TURNS", "ENV_ID", "parse_action"]

if ENV_ID not in gymnasium.registry:
    gymnasium.register(ENV_ID, entry_point="scaleenv_dsl.gym.env:AgentEnv")
