"""SL103/SL104/SL105 (rules/projects.py): spending is for an existing, approved project within its budget."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL103": Broken(INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-99"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Elderly    300"),
    "SL104": Broken(INCOME + """
2024-01-09 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Elderly    300"),
    "SL105": Broken(INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    900.00 CNY
  Assets:Test:Bank

2024-01-21 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    200.00 CNY
  Assets:Test:Bank
""", "Expenses:Test:Elderly    200"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])
