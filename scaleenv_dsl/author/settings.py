"""Defaults of the author loop, kept apart so the CLI can show them without importing the SDK."""

DEFAULT_MODEL = "claude-sonnet-5-5"  # the newest Sonnet the installed SDK knows; sonnet-4-5 is deprecated
DEFAULT_MAX_ROUNDS = 5
# Under the SDK's limit for non-streaming requests, and far above any sane spec.
MAX_OUTPUT_TOKENS = 16_000
# The SDK retries 408/409/429/5xx itself, honouring `retry-after`.
MAX_RETRIES = 4
