"""SL601/SL602 (rules/currency.py): money is CNY, to the fen."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named
from conftest import OPENS

CASES = {
    "SL601": Broken(INCOME + """
2024-01-09 * "外资企业" "捐赠"
  Assets:Test:Bank        10.00 USD
  Income:Test:Enterprise
""", "USD", OPENS.replace("open Assets:Test:Bank CNY", "open Assets:Test:Bank")),
    "SL602": Broken(INCOME + """
2024-01-09 * "社区志愿者" "义卖"
  Assets:Test:Bank        10.005 CNY
  Income:Test:Community
""", "10.005"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])
