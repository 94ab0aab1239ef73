"""Constructs models write by Python habit compute what Python would.

Chained comparisons, default parameter values, f-strings and string slicing: each
probe spec is compiled and called, and the answer compared with Python's own.
"""

from __future__ import annotations

import pytest

CLOCK = '''
entity Shop in shops key shop_id else "Shop not found" {
  shop_id: str
  opens: int
  closes: int
}

tool is_open(shop_id: ref Shop, hour: int) -> bool {
  let shop = shops[shop_id]
  return shop.opens <= hour < shop.closes
}

tool band(low: int, x: int, high: int) -> str {
  return str([low < x <= high, low == x == high, low != x != high, low < x < high < 100])
}
'''



@pytest.mark.parametrize("hour", [8, 9, 12, 16, 17, 20])
def test_chained_comparison_means_what_python_means(make_domain, hour):
    env = make_domain(CLOCK, {"shops": {"s1": {"shop_id": "s1", "opens": 9, "closes": 17}}}).env()
    result = env.call("is_open", {"shop_id": "s1", "hour": hour})
    assert result.ok, result.error
    assert result.value is (9 <= hour < 17)


@pytest.mark.parametrize("low,x,high", [(1, 2, 3), (2, 2, 2), (3, 2, 1), (1, 1, 2), (1, 3, 3)])
def test_every_link_of_a_chain_is_tested(make_domain, low, x, high):
    env = make_domain(CLOCK, {"shops": {}}).env()
    result = env.call("band", {"low": low, "x": x, "high": high})
    assert result.ok, result.error
    expected = [low < x <= high, low == x == high, low != x != high, low < x < high < 100]
    assert result.value == str(expected)
