"""Each rule fails a broken inline ledger at the right file and line.

The same ledger is checked by the library, `sunledger check` and bean-check:
all must name the same line and code.
"""

from __future__ import annotations

import pytest

from conftest import PROJECT

INCOME = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov
"""

BROKEN = {
    # code: (ledger body, text on the line the problem must name, extra opens)
    "SL101": (INCOME + """
2024-01-09 * "某单位" "不明收入"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Unknown
""", 'Income:Test:Unknown\n', "2024-01-01 open Income:Test:Unknown CNY\n"),
    "SL102": (INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Elderly    300', ""),
    "SL103": (INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-99"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Elderly    300', ""),
    "SL104": (INCOME + """
2024-01-09 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Elderly    300', ""),
    "SL105": (INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    900.00 CNY
  Assets:Test:Bank

2024-01-21 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    200.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Elderly    200', ""),
    "SL106": (INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  source: "天上掉"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Elderly    300', ""),
    "SL107": (INCOME + """
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  source: "企业捐"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Elderly    300', ""),
    "SL108": (INCOME + """
2024-01-09 * "爱心企业" "定向捐赠老年食堂"
  purpose: "T-01"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise

2024-01-20 * "施工队" "路灯维修"
  project: "T-02"
  source: "企业捐"
  Expenses:Test:Infrastructure    300.00 CNY
  Assets:Test:Bank
""", 'Expenses:Test:Infrastructure', ""),
    "SL109": (INCOME + """
2024-01-09 * "爱心企业" "定向捐赠"
  purpose: "T-77"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise
""", 'Income:Test:Enterprise\n', ""),
    "SL110": (INCOME + """
2024-01-09 * "某单位" "不属于基金的科目"
  Assets:Test:Bank        10.00 CNY
  Income:Other:Gov
""", 'Income:Other:Gov\n', "2024-01-01 open Income:Other:Gov CNY\n"),
    "SL201": (INCOME + """
2024-02-05 * "便民超市" "1月营业额分成"
  merchant: "T-M01"
  revenue: 12345.67
  period: "2024-01"
  Assets:Test:Bank        617.00 CNY
  Income:Test:Merchant
""", 'Income:Test:Merchant', ""),
    "SL202": (INCOME + """
2024-02-05 * "便民超市" "1月营业额分成"
  merchant: "T-M01"
  Assets:Test:Bank        617.28 CNY
  Income:Test:Merchant
""", 'Income:Test:Merchant', ""),
    "SL301": ("""
2024-01-20 * "幸福食堂" "餐费"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
""", '2024-01-20 *', ""),
    "SL303": (INCOME + """
2024-01-15 pad Assets:Test:Bank Equity:Test:Opening
2024-02-01 balance Assets:Test:Bank 2100.00 CNY
""", 'pad', ""),
    "SL304": (INCOME + """
2024-02-01 balance Assets:Test:Bank 2000.01 CNY
""", "balance", ""),
    "SL403": (INCOME + """
2024-01-20 * "测试街道办事处" "更正：把本月当成了以前的月份"
  corrects: "2024-01"
  reason: "示例"
  Assets:Test:Bank        -10.00 CNY
  Income:Test:Gov
""", "2024-01-20 *", ""),
    "SL501": (INCOME + """
2024-01-09 * "社区志愿者" "联系电话 13812345678"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", '13812345678', ""),
    "SL502": (INCOME + """
2024-01-09 * "社区志愿者" "义卖"
  note: "身份证 11010519491231002X"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", '2024-01-09 *', ""),
    "SL503": (INCOME + """
2024-01-09 * "社区志愿者" "义卖 转入卡号 6222020200112233446"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", '6222', ""),
    "SL504": (INCOME + """
2024-01-09 * "张三丰" "爱心捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident
""", '张三丰', ""),
    "SL601": (INCOME + """
2024-01-09 * "外资企业" "捐赠"
  Assets:Test:Bank        10.00 USD
  Income:Test:Enterprise
""", 'USD', "2024-01-01 open Assets:Test:Bank2\n"),
    "SL602": (INCOME + """
2024-01-09 * "社区志愿者" "义卖"
  Assets:Test:Bank        10.005 CNY
  Income:Test:Community
""", '10.005', ""),
}


def _opens(extra: str) -> str:
    from conftest import OPENS

    if "USD" in BROKEN["SL601"][0] and extra.startswith("2024-01-01 open Assets:Test:Bank2"):
        return OPENS.replace("open Assets:Test:Bank CNY", "open Assets:Test:Bank") + extra
    return OPENS + extra


@pytest.fixture
def second_project(district):
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": {"企业捐": "1000.00"}})
    return district


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_rule_names_file_line_and_code(second_project, code):
    district = second_project
    body, marker, extra = BROKEN[code]
    path = district.ledger(body, opens=_opens(extra))
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), 1) if marker in text)
    rel = path.relative_to(district.root)
    expected = f"{rel}:{line}: {code} "
    problems = district.problems()
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)

    out = district.check("--jobs", "1")
    assert out.returncode == 1
    assert expected in out.stdout

    bc = district.bean_check()
    assert bc.returncode == 1
    ours = next(p for p in problems if p.startswith(expected))
    assert ours.split(": ", 1)[1] in bc.stdout + bc.stderr


def test_warnings_do_not_fail(district):
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
    assert "W302" in out.stdout  # January to March have no balance assertion
    assert district.bean_check().returncode == 0


def test_fava_shows_the_same_errors(second_project):
    """Every rule's error, all in one ledger: Fava's error list holds each line sunledger prints."""
    from fava.core import FavaLedger

    district = second_project
    body = INCOME + "".join(b.removeprefix(INCOME) for code, (b, _, extra) in BROKEN.items() if not extra)
    district.ledger(body)
    ours = {p.split(": ", 1)[1] for p in district.problems() if " SL" in p and " SL00" not in p}
    assert len({m.split(" ", 1)[0] for m in ours}) >= 12
    fava = {str(e.message) for e in FavaLedger(str(district.root / "ledger" / "main.beancount")).errors}
    assert ours <= fava, ours - fava
