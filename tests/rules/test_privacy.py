"""SL501–SL504 (rules/privacy.py): no phone, ID-card or bank-card number in the books; a resident
donor's name is masked unless the donor agreed to be named."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL501": Broken(INCOME + """
2024-01-09 * "社区志愿者" "联系电话 13812345678"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", "13812345678"),
    "SL502": Broken(INCOME + """
2024-01-09 * "社区志愿者" "义卖"
  note: "身份证 11010519491231002X"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", "2024-01-09 *"),
    "SL503": Broken(INCOME + """
2024-01-09 * "社区志愿者" "义卖 转入卡号 6222020200112233446"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", "6222"),
    "SL504": Broken(INCOME + """
2024-01-09 * "张三丰" "爱心捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident
""", "张三丰"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


def test_masked_or_consenting_donors_pass(district):
    district.ledger(INCOME + """
2024-01-09 * "张*" "爱心捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident

2024-01-10 * "李四" "爱心捐款"
  consent: "2024-01-10 书面同意"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident
""")
    assert not [p for p in district.problems() if " SL50" in p]
