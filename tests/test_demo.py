"""The README's first command runs `scaleenv demo`: it must work on a fresh checkout."""

import subprocess
import sys


def test_demo_runs_the_whole_pipeline(tmp_path):
    run = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "demo", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "retail     3 entities, 16 tools" in out
    assert "gold actions earn reward 1: 114/114" in out
    assert "doing nothing earns 0: 103/103" in out
    assert "Non-pending order cannot be cancelled" in out
    assert {p.name for p in (tmp_path / "retail").iterdir()} >= {"retail_env.py", "tools.mcp.json", "graph.json"}
    assert "Traceback" not in run.stderr
