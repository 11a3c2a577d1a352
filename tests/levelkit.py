"""A small district with a 小区 fund under a community fund, for the level views and pages."""

from __future__ import annotations

from sunledger.district import load_district

from conftest import HEADER, PROJECT

XIAO_OPENS = """\
2023-12-01 open Assets:Xiao:Bank CNY
2023-12-01 open Income:Xiao:Gov CNY
2023-12-01 open Income:Xiao:Resident CNY
2023-12-01 open Expenses:Xiao:Elderly CNY
"""

XIAO = """\
2023-12-05 * "测试街道办事处" "小区启动经费"
  Assets:Xiao:Bank        800.00 CNY
  Income:Xiao:Gov

2023-12-20 * "幸福食堂" "小区老人助餐"
  project: "X-01"
  Expenses:Xiao:Elderly    100.00 CNY
  Assets:Xiao:Bank

2024-01-01 balance Assets:Xiao:Bank 700.00 CNY

2024-01-12 * "王*" "爱心捐款"
  purpose: "X-01"
  Assets:Xiao:Bank        60.00 CNY
  Income:Xiao:Resident

2024-01-22 * "幸福食堂" "小区老人助餐"
  project: "X-01"
  Expenses:Xiao:Elderly    40.00 CNY
  Assets:Xiao:Bank

2024-02-01 balance Assets:Xiao:Bank 720.00 CNY
"""

TEST = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank

2024-02-01 balance Assets:Test:Bank 1700.00 CNY
"""


def compound_district(district):
    """区 → 街道 → Test (社区基金) → Xiao (小区基金, parent: the fund Test), and an empty 社区 node."""
    district.write_yaml("content/district.yml", {"name": "测试区", "nodes": [
        {"id": "qu", "name": "测试区", "level": "district"},
        {"id": "street", "name": "测试街道", "level": "street", "parent": "qu"},
        {"id": "empty", "name": "空社区", "level": "community", "parent": "street"},
    ]})
    district.write_yaml("content/funds/Xiao/fund.yml", {"code": "Xiao", "name": "幸福小区共享发展金", "level": "compound",
                                                        "kind": "小区共享发展金", "parent": "Test", "opened": "2023-12-01"})
    district.write_yaml("content/funds/Xiao/projects/X-01.yml", {
        **PROJECT, "id": "X-01", "title": "小区老人助餐", "requested": "2023-11-20",
        "approved": {"date": "2023-12-01", "by": "小区议事会", "ref": "议〔2023〕1号"},
        "funding": {"政府拨": "1000.00"}})
    district.ledger(TEST)
    district.write("ledger/funds/Xiao/fund.beancount", HEADER + XIAO_OPENS + 'include "txns/*.beancount"\ninclude "seals.beancount"\n')
    district.write("ledger/funds/Xiao/seals.beancount", "")
    district.write("ledger/funds/Xiao/txns/all.beancount", XIAO)
    d = load_district(district.root)
    assert d.errors == [], [p.line(district.root) for p in d.errors]
    return d
