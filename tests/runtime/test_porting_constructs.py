"""Constructs for porting real domains, compiled and called: `fail "message"`."""

from __future__ import annotations

FAILING = '''
entity User in users key user_id else "User not found" {
  user_id: str
  nickname: str?
  age: int
}

tool greet(user_id: ref User) -> str {
  let user = users[user_id]
  user.age += 1
  if user.nickname is none {
    fail "User " + user_id + " has no nickname"
  }
  return "Hello " + user.nickname
}
'''

USERS = {"users": {"u1": {"user_id": "u1", "nickname": None, "age": 30},
                   "u2": {"user_id": "u2", "nickname": "Bo", "age": 40}}}


def test_fail_ends_the_call_with_its_message_and_undoes_its_changes(make_domain):
    env = make_domain(FAILING, USERS).env()
    result = env.call("greet", {"user_id": "u1"})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("require", "User u1 has no nickname")
    assert env.state()["users"]["u1"]["age"] == 30


def test_a_path_past_fail_runs_on(make_domain):
    env = make_domain(FAILING, USERS).env()
    result = env.call("greet", {"user_id": "u2"})
    assert result.ok, result.error
    assert result.value == "Hello Bo"
    assert env.state()["users"]["u2"]["age"] == 41
