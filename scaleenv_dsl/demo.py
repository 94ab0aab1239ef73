"""`scaleenv demo`: the whole pipeline on the bundled domains, with no key and no server.

1. check every stdlib domain and say what the checker inferred;
2. compile tau2's retail domain into a folder (module, schemas, IR, graph);
3. replay every retail task: its gold actions must earn reward 1, doing nothing 0;
4. show a tool call, a rejected call and the state change, as an agent would see them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .resources import stdlib_root


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "demo", help="check, compile and replay the bundled domains",
        description="Check the bundled domains, compile tau2's retail domain, replay its tasks and show a few "
                    "tool calls. Needs no API key and no server.")
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="where to write the compiled retail domain (default: out)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from .api import DomainLoadError

    try:
        if not _check_stdlib():
            return 1
        domain = _compile_retail(Path(args.out))
        ok = _replay_tasks(domain)
        _show_calls(domain)
    except DomainLoadError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except OSError as err:
        print(f"scaleenv demo: cannot write to {args.out}: {err.strerror or err}", file=sys.stderr)
        return 2
    return 0 if ok else 1


def _check_stdlib() -> bool:
    from .check import check_paths
    from .diagnostics import render_text

    print("1. Check the bundled domains")
    clean = True
    for folder in sorted(p for p in stdlib_root().iterdir() if p.is_dir()):
        spec = folder / f"{folder.name}.sedl"
        started = time.perf_counter()
        result = check_paths([str(spec)])
        elapsed = time.perf_counter() - started
        if not result.ok:
            print(render_text(result.diagnostics, result.sources))
            clean = False
            continue
        d = result.domain
        writers = sum(1 for t in d.tools if t.is_write)
        print(f"   {d.name:10} {len(d.entities)} entities, {len(d.tools)} tools ({writers} write, "
              f"inferred), {len(d.tasks)} tasks: clean in {elapsed * 1000:.0f} ms")
    return clean


def _compile_retail(out: Path):
    from .api import load_domain
    from .compile_cmd import ARTIFACT_WRITERS

    print("\n2. Compile tau2's retail domain")
    domain = load_domain("retail")
    target = out / "retail"
    target.mkdir(parents=True, exist_ok=True)
    for writer in ARTIFACT_WRITERS:
        for path in writer(domain, target):
            print(f"   wrote {path}")
    return domain


def _replay_tasks(domain) -> bool:
    print(f"\n3. Replay the {len(domain.tasks)} retail tasks (gold actions, then the reward)")
    env = domain.env()
    started = time.perf_counter()
    solved = changing = idle_zero = calls = rewards = 0
    for task in domain.tasks:
        env.reset(task)
        for action in task.actions:
            env.call(action.tool, action.arguments)
            calls += 1
        solved += env.reward(task).ok
        changes = env.changes()
        env.reset(task)
        rewards += 1
        # Doing nothing can only be told apart from the gold actions when they change the state.
        if changes["changed"] or changes["removed"]:
            changing += 1
            idle_zero += not env.reward(task).ok
            rewards += 1
    elapsed = time.perf_counter() - started
    print(f"   gold actions earn reward 1: {solved}/{len(domain.tasks)}")
    print(f"   doing nothing earns 0: {idle_zero}/{changing} (the tasks whose gold actions change the state)")
    print(f"   {calls} tool calls, {2 * len(domain.tasks)} resets and {rewards} rewards in {elapsed * 1000:.0f} ms "
          f"(tau2's own code takes 21-30 s for the replay alone)")
    return solved == len(domain.tasks) and idle_zero == changing


def _show_calls(domain) -> None:
    print("\n4. An agent's view")
    env = domain.env()
    user = env.call("find_user_id_by_name_zip", {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"})
    print(f"   find_user_id_by_name_zip(Yusuf, Rossi, 19122) -> {user.value!r}")
    wrong = env.call("cancel_pending_order", {"order_id": "#W2378156", "reason": "changed my mind"})
    print(f"   cancel_pending_order(#W2378156, 'changed my mind') -> error: {wrong.error.message!r}")
    bad = env.call("cancel_pending_order", {"order_id": 42})
    print(f"   cancel_pending_order(order_id=42) -> {bad.error.kind}: {bad.error.message}")
    done = env.call("return_delivered_order_items", {"order_id": "#W2378156", "item_ids": ["4602305039"],
                                                     "payment_method_id": "credit_card_9513926"})
    print(f"   return_delivered_order_items(#W2378156, [4602305039]) -> status {done.value['status']!r}")
    changed = env.changes()["changed"]
    print(f"   changed rows: {sorted((c, k) for c, rows in changed.items() for k in rows)}")
