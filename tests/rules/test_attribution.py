"""SL106–SL109 (rules/attribution.py): every yuan spent is attributed to a source that has it;
restricted (定向) money goes to its purpose."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named, second_project  # noqa: F401 - fixture

CASES = {
    "SL106": Broken(INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  source: "天上掉"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Elderly    300"),
    "SL107": Broken(INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  source: "企业捐"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Elderly    300"),
    "SL108": Broken(INCOME + """
2024-01-09 * "爱心企业" "定向捐赠老年食堂"
  purpose: "T-01"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise

2024-01-20 * "施工队" "路灯维修"
  project: "T-02"
  source: "企业捐"
  Expenses:Test:Infrastructure    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Infrastructure"),
    "SL109": Broken(INCOME + """
2024-01-09 * "爱心企业" "定向捐赠"
  purpose: "T-77"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise
""", "Income:Test:Enterprise\n"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(second_project, code):  # noqa: F811 - the fixture
    assert_named(second_project, code, CASES[code])
