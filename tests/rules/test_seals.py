"""SL401/SL402/SL403/W404 (rules/seals.py): a published month is sealed and stays as it was;
corrections go into a later month, say why, and reverse an entry of the month they name."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import CLEAN

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL402": Broken(INCOME + """
2024-02-05 custom "sunledger-seal" "Nowhere" "2024-01" "abc"
""", 'custom "sunledger-seal"'),
    "SL403": Broken(INCOME + """
2024-01-20 * "测试街道办事处" "更正：把本月当成了以前的月份"
  corrects: "2024-01"
  reason: "示例"
  Assets:Test:Bank        -10.00 CNY
  Income:Test:Gov
""", "2024-01-20 *"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


@pytest.mark.parametrize("seal", [
    'custom "sunledger-seal" "Test" "2024-1" "abc"',  # month not YYYY-MM
    'custom "sunledger-seal" "Test" "2024-01"',  # no digest
    'custom "sunledger-seal" 12 TRUE "x"',  # not strings
])
def test_malformed_seals(district, seal):
    district.ledger(CLEAN + f"2024-02-05 {seal}\n")
    assert any(" SL402 " in p for p in district.problems()), district.problems()


def test_sealing_a_month_before_it_ends(district):
    district.ledger(CLEAN + '2024-01-31 custom "sunledger-seal" "Test" "2024-01" "abc"\n')
    assert any(" SL402 " in p and "尚未结束" in p for p in district.problems())


def test_an_edit_of_a_sealed_month(district):
    from sunledger.sealing import seal_month

    path = district.ledger(CLEAN)
    seal_month(district.root, "Test", "2024-01", "2024-02-05")
    assert district.problems() == []
    path.write_text(path.read_text(encoding="utf-8").replace("300.00 CNY", "301.00 CNY").replace("1700.00", "1699.00"), encoding="utf-8")
    sl401 = [p for p in district.problems() if " SL401 " in p]
    assert sl401 and sl401[0].startswith("ledger/funds/Test/seals.beancount:1: SL401"), district.problems()


def test_a_correction_must_reverse_something_of_its_month(district):
    district.ledger(CLEAN + """
2024-02-03 * "测试街道办事处" "更正一月拨款"
  corrects: "2024-01"
  reason: "拨款金额更正"
  Assets:Test:Bank        -100.00 CNY
  Income:Test:Gov

2024-02-04 * "幸福食堂" "更正一月找不到的东西"
  corrects: "2024-01"
  reason: "示例"
  Expenses:Test:Infrastructure    -1.00 CNY
  Assets:Test:Bank
""")
    w404 = [p for p in district.problems(dt.date(2024, 2, 5)) if " W404 " in p]
    assert len(w404) == 1 and "2024-01" in w404[0]  # the Gov refund reverses the January grant; the other reverses nothing
