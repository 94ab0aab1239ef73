"""The reward: what an agent's episode earns under each basis a task's `reward` line names.

`state`        the final state equals the state the task's gold actions reach from the same
               start, field by field under the spec's comparison policies.
`goal`         every `goal` predicate holds in the final state.
`actions`      tau2-bench's ACTION rule: every gold action, read-only lookups included, is matched
               by some call the agent made, in any order (one call may match several equal gold
               actions). A call matches when it names the same tool with equal arguments. tau2
               compares the raw argument objects on the keys the agent passed (or on an action's
               `compare_args`; the language has none); here both sides are first bound to the
               tool's parameters, so every parameter is compared, an omitted optional argument
               equals an explicit null, and 3.0 equals 3 for an int parameter. A call that failed
               still counts as made, as in tau2. Calls undone by Env.rollback() do not.
`communicate`  tau2-bench's COMMUNICATE rule: each `communicate` string, lower-cased, occurs in
               some message to the user, lower-cased with its commas removed. Commas are removed
               from the string too, so that "1,000" can match (in tau2 it never can).

The reward is 0.0 if a checked basis failed; otherwise None ("incomplete") if a basis could not
be checked for lack of input (`communicate` with no messages given); otherwise 1.0. A basis with
nothing to check (no gold actions, no `communicate` lines) holds; the checker warns about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from .. import ir
from .compare import RowComparer, path_text, value_at_path
from .validate import json_kind
from .values import jcopy, json_equal


@dataclass
class RewardResult:
    """1.0 when every basis holds, 0.0 when one failed, None when one could not be checked."""
    reward: float | None
    # {"collection", "key", "field", "expected", "actual"} for each field that differs from the goal state
    differences: list[dict] = field(default_factory=list)
    failed_goals: list[int] = field(default_factory=list)     # indexes into the task's goal predicates
    # {"index", "tool", "arguments"} for each gold action no call matched; index into the task's actions
    missing_actions: list[dict] = field(default_factory=list)
    missing_communicate: list[str] = field(default_factory=list)  # `communicate` strings never said
    checked: list[str] = field(default_factory=list)          # the bases that were checked
    incomplete: list[str] = field(default_factory=list)       # the bases that lacked their input

    @property
    def ok(self) -> bool:
        return self.reward == 1.0


def judge(result: RewardResult) -> RewardResult:
    """Set the reward from what was found: a known failure wins over a basis left unchecked."""
    failed = result.differences or result.failed_goals or result.missing_actions or result.missing_communicate
    result.reward = 0.0 if failed else None if result.incomplete else 1.0
    return result


# ---------------------------------------------------------------- trajectories

@dataclass(frozen=True)
class Trajectory:
    """What the agent did: its tool calls and its messages to the user.

    `calls` holds `(tool, arguments)` pairs or `{"tool" | "name": …, "arguments": {…}}` objects;
    arguments may be JSON text, as function-calling APIs deliver them. `messages` holds strings;
    None means they were not recorded (so `communicate` cannot be checked), while an empty list
    means the agent said nothing.
    """
    calls: Sequence = ()
    messages: Sequence[str] | None = None


_CALL_KEYS = {"tool", "name", "arguments", "id"}  # "id": every tool-call format carries one


def as_trajectory(value) -> Trajectory:
    """`value` (a Trajectory, its JSON form, or None) checked, with calls as (tool, arguments) pairs.

    Raises ValueError saying what is malformed. A call to an unknown tool, or with arguments the
    tool refuses, is well-formed: it is what the agent did, and it matches no gold action.
    """
    if value is None:
        return Trajectory()
    if isinstance(value, Trajectory):
        calls, messages = value.calls, value.messages
    elif isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in ("calls", "messages"))
        if unknown:
            raise ValueError(f"a trajectory has `calls` and `messages`, not {unknown[0][:100]!r}")
        calls, messages = value.get("calls"), value.get("messages")
    else:
        raise ValueError(f'a trajectory is a Trajectory or {{"calls": [...], "messages": [...]}}, '
                         f"got {json_kind(value)}")
    return Trajectory(_calls(calls), _messages(messages))


def _calls(calls) -> tuple:
    if calls is None:
        return ()
    if not isinstance(calls, (list, tuple)):
        raise ValueError(f"trajectory calls must be a list, got {json_kind(calls)}")
    return tuple(_call(call, f"trajectory calls[{index}]") for index, call in enumerate(calls))


def _call(call, where: str) -> tuple:
    if isinstance(call, (list, tuple)) and len(call) == 2:
        tool, arguments = call
    elif isinstance(call, dict):
        unknown = sorted(str(k) for k in call if k not in _CALL_KEYS)
        if unknown:
            raise ValueError(f"{where} has an unknown key {unknown[0][:100]!r} "
                             f"(a call has `tool` or `name`, and `arguments`)")
        if ("tool" in call) == ("name" in call):
            raise ValueError(f"{where} needs exactly one of `tool` and `name`")
        tool, arguments = call.get("tool", call.get("name")), call.get("arguments")
    else:
        raise ValueError(f'{where} must be a (tool, arguments) pair or {{"tool": …, "arguments": {{…}}}}, '
                         f"got {json_kind(call)}")
    if not isinstance(tool, str):
        raise ValueError(f"{where}: the tool name must be a string, got {json_kind(tool)}")
    if arguments is not None and not isinstance(arguments, (dict, str)):
        raise ValueError(f"{where}: the arguments must be an object or JSON text, got {json_kind(arguments)}")
    return tool, arguments


def _messages(messages) -> tuple[str, ...] | None:
    if messages is None:
        return None
    if not isinstance(messages, (list, tuple)):
        raise ValueError(f"trajectory messages must be a list of strings, got {json_kind(messages)}")
    for index, message in enumerate(messages):
        if not isinstance(message, str):
            raise ValueError(f"trajectory messages[{index}] must be a string, got {json_kind(message)}")
    return tuple(messages)


# ---------------------------------------------------------------- the bases

def state_differences(comparer: RowComparer, expected: dict, reached, live: dict, base: dict) -> list[dict]:
    """Every field of a row that differs from the expected changes {"changed": …, "removed": …}.

    `reached` holds the (collection, key) pairs that may differ from `base`, the initial data;
    rows expected to change are compared too, so that a change the agent never made is seen.
    """
    expected_changed = expected.get("changed") or {}
    expected_removed = {c: set(keys) for c, keys in (expected.get("removed") or {}).items()}
    keys = set(reached)
    keys |= {(c, k) for c, rows in expected_changed.items() for k in rows}
    keys |= {(c, k) for c, ks in expected_removed.items() for k in ks}
    differences = []
    for collection, key in sorted(keys):
        if key in expected_changed.get(collection, {}):
            want = expected_changed[collection][key]
        elif key in expected_removed.get(collection, ()):
            want = None
        else:
            want = base.get(collection, {}).get(key)
        have = live.get(collection, {}).get(key)
        for path in comparer.diff_rows(collection, want, have):
            # copies: `want` and `have` are parts of the initial data, the cached goal state and the live state
            differences.append({"collection": collection, "key": key, "field": path_text(path),
                                "expected": jcopy(value_at_path(want, path)),
                                "actual": jcopy(value_at_path(have, path))})
    return differences


def failed_goals(goals: Sequence[Callable[[dict], object]], data: dict) -> list[int]:
    """Indexes of the compiled goal predicates that are false (or fail) on `data`."""
    failed = []
    for index, goal in enumerate(goals):
        try:
            holds = goal(data)
        except Exception:  # a lookup that fails means the goal does not hold
            holds = False
        if holds is not True:
            failed.append(index)
    return failed


Bind = Callable[[str, object], "list | None"]


def missing_actions(actions: Sequence[ir.ActionCall], calls: Sequence[tuple[str, list | None]],
                    bind: Bind) -> list[dict]:
    """The gold actions that no call matches. `calls` are (tool, bound arguments or None) pairs;
    `bind` binds a gold action's arguments the same way (None if they do not bind)."""
    made: dict[str, list[list]] = {}
    for tool, arguments in calls:
        if arguments is not None:
            made.setdefault(tool, []).append(arguments)
    missing = []
    for index, action in enumerate(actions):
        want = bind(action.tool, action.arguments)
        if want is None or not any(json_equal(want, have) for have in made.get(action.tool, ())):
            missing.append({"index": index, "tool": action.tool, "arguments": jcopy(action.arguments)})
    return missing


def missing_communicate(required: Sequence[str], messages: Sequence[str]) -> list[str]:
    """The `communicate` strings that occur in no message, compared as tau2-bench does."""
    said = [_comparable(message) for message in messages]
    return [text for text in required if not any(_comparable(text) in message for message in said)]


def _comparable(text: str) -> str:
    return text.lower().replace(",", "")
