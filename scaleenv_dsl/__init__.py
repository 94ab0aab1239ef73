"""scaleenv_dsl: a spec language and compiler for tool-use agent environments.

The public contract:

    domain = load_domain("retail")            # a stdlib domain by name, or a spec path
    env = domain.env()                        # a fresh environment on the initial data
    env.reset(task=None)                      # back to the initial data, with a task's overlay
    result = env.call("get_order_details", {"order_id": "#W2378156"})
    result.ok, result.value, result.error
    env.changes()                             # {"changed": …, "removed": …} against the initial data
    env.state(), env.dump()                   # the whole state, as JSON-shaped data or text
    env.reward(task, trajectory={"messages": [...]})  # RewardResult: 1.0, 0.0, or None if incomplete

Checking without compiling: `scaleenv_dsl.check.check_paths` / `check_source`.
"""

__all__ = ["load_domain", "compile_domain", "CompiledDomain", "Env", "CallResult", "CallError",
           "RewardResult", "Trajectory", "DomainLoadError"]


def __getattr__(name: str):
    """Loaded on first use, so `scaleenv check` does not pay for the compiler and runtime."""
    if name in __all__:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'scaleenv_dsl' has no attribute {name!r}")
