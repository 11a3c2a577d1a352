"""`sunledger balances`: per source, free and restricted money, so a treasurer sees SL107/SL108 coming."""

from __future__ import annotations

import json
import subprocess

from conftest import BIN, PROJECT

LEDGER = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-01-09 * "爱心企业" "定向捐赠老年食堂"
  purpose: "T-01"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise

2024-01-20 * "幸福食堂" "老年食堂一月餐费"
  project: "T-01"
  source: "企业捐"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
"""


def balances(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sunledger"), "balances", "Test", "--root", str(district.root), *args],
                          capture_output=True, text=True, timeout=120)


def test_free_and_restricted_by_source(district):
    district.ledger(LEDGER)
    out = balances(district, "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["source"]: r for r in json.loads(out.stdout)}
    assert rows["政府拨"] == {"source": "政府拨", "free": "2000.00", "restricted": {}, "total": "2000.00"}
    assert rows["企业捐"]["restricted"] == {"T-01": "200.00"} and rows["企业捐"]["free"] == "0.00"
    before = {r["source"]: r for r in json.loads(balances(district, "--json", "--as-of", "2024-01-10").stdout)}
    assert before["企业捐"]["restricted"] == {"T-01": "500.00"}
    text = balances(district).stdout
    assert "定向给 T-01：200.00" in text and "截至 2024-01-20" in text


def test_sl108_names_the_project_whose_money_was_used(district):
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": {"企业捐": "1000.00"}})
    district.ledger(LEDGER + """
2024-01-21 * "施工队" "路灯维修"
  project: "T-02"
  source: "企业捐"
  Expenses:Test:Infrastructure    150.00 CNY
  Assets:Test:Bank
""")
    sl108 = [p for p in district.problems() if " SL108 " in p]
    assert sl108 and "指定给项目 T-01（200.00 元）" in sl108[0] and "sunledger balances Test" in sl108[0], sl108
    rows = {r["source"]: r for r in json.loads(balances(district, "--json").stdout)}
    assert rows["企业捐"]["free"] == "-150.00"
    assert "非定向余额为负" in balances(district).stderr


def test_unknown_fund(district):
    district.ledger(LEDGER)
    out = subprocess.run([str(BIN / "sunledger"), "balances", "Nope", "--root", str(district.root)], capture_output=True, text=True)
    assert out.returncode == 2 and "没有基金 Nope" in out.stderr
