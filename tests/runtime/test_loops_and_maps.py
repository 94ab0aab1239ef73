"""Loops and maps, compiled and called (issue 11): `return` inside a loop."""

from __future__ import annotations

BANK = '''
record Account {
  number: str
  balance: float
}

entity Customer in customers key customer_id else "Customer not found" {
  customer_id: str
  accounts: list[Account]
  visits: int
}

tool first_overdrawn(customer_id: ref Customer) -> str {
  let c = customers[customer_id]
  c.visits += 1
  for a in c.accounts {
    for b in c.accounts {
      if b.balance < 0 and a.number == b.number {
        return a.number
      }
    }
  }
  fail "No account is overdrawn"
}
'''

CUSTOMERS = {"customers": {
    "c1": {"customer_id": "c1", "visits": 0, "accounts": [{"number": "A", "balance": 5.0},
                                                          {"number": "B", "balance": -1.0},
                                                          {"number": "C", "balance": -2.0}]},
    "c2": {"customer_id": "c2", "visits": 0, "accounts": []}}}


def test_a_return_inside_nested_loops_ends_the_call_with_the_first_match(make_domain):
    env = make_domain(BANK, CUSTOMERS).env()
    result = env.call("first_overdrawn", {"customer_id": "c1"})
    assert result.ok, result.error
    assert result.value == "B"
    assert env.state()["customers"]["c1"]["visits"] == 1  # the changes before the return are kept


def test_a_loop_that_runs_zero_times_reaches_what_follows_it(make_domain):
    env = make_domain(BANK, CUSTOMERS).env()
    result = env.call("first_overdrawn", {"customer_id": "c2"})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("require", "No account is overdrawn")
    assert env.state()["customers"]["c2"]["visits"] == 0
