"""A clean inline ledger passes every rule in all faces."""

CLEAN = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank

2024-02-01 balance Assets:Test:Bank 1700.00 CNY
"""


def test_clean_ledger_has_no_problems(district):
    district.ledger(CLEAN)
    assert district.problems() == []
    out = district.check()
    assert out.returncode == 0, out.stdout + out.stderr
    bc = district.bean_check()
    assert bc.returncode == 0, bc.stdout + bc.stderr
