"""SL301/W302/SL303/SL304 (rules/bank.py): the bank balance never goes below zero, is asserted
every month to the fen, and is never papered over with `pad`."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL301": Broken("""
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", "2024-01-20 *"),
    "SL303": Broken(INCOME + """
2024-01-15 pad Assets:Test:Bank Equity:Test:Opening
2024-02-01 balance Assets:Test:Bank 2100.00 CNY
""", "pad"),
    "SL304": Broken(INCOME + """
2024-02-01 balance Assets:Test:Bank 2000.01 CNY
""", "balance"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


def test_a_month_without_balance_assertion_is_a_warning(district):
    district.ledger(INCOME + """
2024-03-05 * "测试街道办事处" "三月经费"
  Assets:Test:Bank        50.00 CNY
  Income:Test:Gov

2024-04-01 balance Assets:Test:Bank 2050.00 CNY
""")
    out = district.check()
    assert out.returncode == 0, out.stdout
    w302 = [line for line in out.stdout.splitlines() if " W302 " in line]
    assert any("2024-01" in line for line in w302), out.stdout
    assert not any("2024-03" in line for line in w302), out.stdout  # March is asserted on April 1st
    assert district.bean_check().returncode == 0
