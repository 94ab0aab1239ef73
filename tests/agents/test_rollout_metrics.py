"""pass^k and the summary, against values worked out by hand from tau-bench's formula."""

import pytest

from scaleenv_dsl.rollout.metrics import pass_hat_k, summarize


def record(task: str, trial: int, reward: float, ending: str = "user_stop", error: str | None = None) -> dict:
    return {"task": task, "trial": trial, "reward": reward, "ending": ending, "error": error,
            "usage": {"agent": {"input_tokens": 10, "output_tokens": 2}, "user": {"input_tokens": 5, "output_tokens": 1}}}


# task a passes 2 of 3 trials, task b 1 of 3
RECORDS = [record("a", 0, 1.0), record("a", 1, 1.0), record("a", 2, 0.0, "max_turns"),
           record("b", 0, 0.0), record("b", 1, 1.0), record("b", 2, 0.0, "error", "the API answered 500")]


def test_pass_hat_k_is_the_mean_over_tasks_of_c_choose_k_over_n_choose_k():
    got = pass_hat_k(RECORDS)
    assert got.keys() == {1, 2, 3}
    assert got[1] == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert got[2] == pytest.approx((1 / 3 + 0) / 2)   # C(2,2)/C(3,2) for a; C(1,2) = 0 for b
    assert got[3] == 0.0


def test_a_reward_counts_as_passed_only_within_1e_6_of_1():
    assert pass_hat_k([record("a", 0, 1 - 1e-7), record("b", 0, 0.999)]) == {1: 0.5}


def test_the_summary_counts_trials_endings_errors_and_tokens():
    summary = summarize(RECORDS)
    assert (summary["trials"], summary["tasks"], summary["passed"], summary["errors"]) == (6, 2, 3, 1)
    assert summary["pass_rate"] == 0.5 and summary["average_reward"] == 0.5
    assert summary["endings"] == {"error": 1, "max_turns": 1, "user_stop": 4}
    assert summary["tokens"] == {"input_tokens": 90, "output_tokens": 18}
    assert summary["pass^k"]["1"] == pytest.approx(0.5)


def test_an_empty_rollout_has_no_rates():
    assert summarize([])["pass_rate"] is None and summarize([])["pass^k"] == {}
