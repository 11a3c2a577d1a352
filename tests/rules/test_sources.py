"""SL101/SL102/SL110/SL111/W112 (rules/sources.py): every posting belongs to a fund, income to a
source, spending to a category and a project; a `!` transaction is not reviewed yet."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named, with_opens

CASES = {
    "SL101": Broken(INCOME + """
2024-01-09 * "某单位" "不明收入"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Unknown
""", "Income:Test:Unknown\n", with_opens("2024-01-01 open Income:Test:Unknown CNY\n")),
    "SL102": Broken(INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Elderly    300"),
    "SL110": Broken(INCOME + """
2024-01-09 * "某单位" "不属于基金的科目"
  Assets:Test:Bank        10.00 CNY
  Income:Other:Gov
""", "Income:Other:Gov\n", with_opens("2024-01-01 open Income:Other:Gov CNY\n")),
    "SL111": Broken(INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Snacks    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Snacks    300", with_opens("2024-01-01 open Expenses:Test:Snacks CNY\n")),
    "W112": Broken(INCOME.replace("2024-01-08 *", "2024-01-08 !") + """
2024-02-01 balance Assets:Test:Bank 2000.00 CNY
""", "2024-01-08 !"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


def test_one_transaction_one_fund(district):
    other = with_opens("2024-01-01 open Assets:Other:Bank CNY\n")
    district.write_yaml("content/funds/Other/fund.yml", {"code": "Other", "name": "另一基金", "level": "community", "parent": "street", "opened": "2024-01-01"})
    path = district.ledger(INCOME + """
2024-01-09 * "测试街道办事处" "拨给另一基金"
  Assets:Test:Bank        -10.00 CNY
  Assets:Other:Bank
""", opens=other)
    line = Broken("", '"拨给另一基金"').line(path.read_text(encoding="utf-8"))
    assert any(p.startswith(f"ledger/funds/Test/txns/all.beancount:{line}: SL110 一笔交易涉及多个基金") for p in district.problems())
