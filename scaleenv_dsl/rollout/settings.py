"""Defaults of `scaleenv rollout`, kept apart so the CLI can show them without importing the SDK."""

DEFAULT_MAX_TURNS = 30    # agent actions (tool calls and messages) per episode, as tau-bench's max_num_steps
DEFAULT_TRIALS = 1
DEFAULT_WORKERS = 4
AGENT_MAX_TOKENS = 4096   # one agent turn: a message or a few tool calls
USER_MAX_TOKENS = 1024    # one short customer message
AGENT_MODEL_ENV = "SCALEENV_AGENT_MODEL"
USER_MODEL_ENV = "SCALEENV_USER_MODEL"
