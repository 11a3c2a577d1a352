"""SL201/SL202/W203 (rules/merchants.py): a merchant's share is the contract rate × revenue, to the fen,
and every contract month is paid."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL201": Broken(INCOME + """
2024-02-05 * "便民超市" "1月营业额分成"
  merchant: "T-M01"
  revenue: 12345.67
  period: "2024-01"
  Assets:Test:Bank        617.00 CNY
  Income:Test:Merchant
""", "Income:Test:Merchant"),
    "SL202": Broken(INCOME + """
2024-02-05 * "便民超市" "1月营业额分成"
  merchant: "T-M01"
  Assets:Test:Bank        617.28 CNY
  Income:Test:Merchant
""", "Income:Test:Merchant"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


def test_a_contract_month_without_payment_is_a_warning(district):
    district.ledger(INCOME + """
2024-03-05 * "便民超市" "2月营业额分成"
  merchant: "T-M01"
  revenue: 1000.00
  period: "2024-02"
  Assets:Test:Bank        50.00 CNY
  Income:Test:Merchant

2024-05-02 balance Assets:Test:Bank 2050.00 CNY
""")
    out = district.check()
    assert out.returncode == 0, out.stdout
    assert "W203" in out.stdout and "2024-01" in out.stdout  # January's share never came
    assert district.bean_check().returncode == 0
