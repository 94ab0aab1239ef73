"""`--workers W`: the same bytes as one process, whatever the start method of the workers."""

from __future__ import annotations

import subprocess
import sys

from scaleenv_dsl import load_domain
from scaleenv_dsl.api import resolve_spec
from scaleenv_dsl.synth import SynthOptions, synthesize
from scaleenv_dsl.synth.run import Maker, candidates
from scaleenv_dsl.synth.workers import CHUNK, parallel_candidates


def _synth(tmp_path, workers: int, *extra: str) -> bytes:
    out = tmp_path / f"w{workers}.json"
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "retail", "--n", str(CHUNK + 17),
                           "--seed", "2", "--workers", str(workers), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_two_workers_give_the_bytes_of_one(tmp_path):
    # n is past one chunk, so the merge crosses a chunk boundary and the duplicate rule spans chunks
    one, two = _synth(tmp_path, 1), _synth(tmp_path, 2)
    assert one == two
    assert b'"name": "synth_66"' in two


def test_spawned_workers_load_the_domain_and_agree_with_one_process():
    retail = load_domain("retail")
    options = SynthOptions(n=20, seed=4, workers=2, domain=str(resolve_spec("retail")))
    spawned = [(c.index, c.task, c.reason, c.key) for c in parallel_candidates(retail, options, 40, "spawn")]
    alone = [(c.index, c.task, c.reason, c.key) for c in candidates(Maker(retail), 4, 0, 40)]
    assert spawned == alone
    assert [i for i, *_ in spawned] == list(range(40))


def test_workers_stop_at_n_and_count_the_candidates_as_one_process():
    retail = load_domain("retail")
    one = synthesize(retail, SynthOptions(n=9, seed=6))
    two = synthesize(retail, SynthOptions(n=9, seed=6, workers=2))
    assert one == two
    assert two["summary"]["candidates"] < CHUNK   # the merge stopped inside the first chunk


def test_workers_flag_must_be_positive():
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "retail", "--workers", "0"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--workers" in done.stderr
