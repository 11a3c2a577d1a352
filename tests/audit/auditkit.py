"""One inline district with something of every exception, served by a real Fava."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from conftest import HEADER, PROJECT, REPO, District

EXTRA = """\
2024-01-01 custom "fava-option" "language" "zh_CN"
2024-01-01 custom "fava-extension" "sunledger.audit"
include "queries.beancount"
"""

# January is sealed before the later months (and their planted errors) are added.
JANUARY = """\
2024-01-01 * "期初余额" "建账前社区义卖结余"
  Assets:Test:Bank        1000.00 CNY
  Equity:Test:Opening    -1000.00 CNY
    source: "社区筹"

2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        40000.00 CNY
  Income:Test:Gov

2024-01-09 * "爱心企业" "定向捐赠路灯维修"
  purpose: "T-02"
  Assets:Test:Bank        10000.00 CNY
  Income:Test:Enterprise

2024-01-15 * "居民募捐箱" "爱心募捐"
  Assets:Test:Bank        300.00 CNY
  Income:Test:Resident

2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    950.00 CNY
  Assets:Test:Bank

2024-01-25 * "施工队" "路灯维修工程款"
  project: "T-02"
  receipt: "receipts/2024-01-25.pdf"
  Expenses:Test:Infrastructure    12000.00 CNY
  Assets:Test:Bank

2024-02-01 balance Assets:Test:Bank 38350.00 CNY
"""

LATER = """
2024-02-10 * "五金店" "路灯灯具材料"
  project: "T-02"
  Expenses:Test:Infrastructure    1500.00 CNY
  Assets:Test:Bank

2024-02-11 * "五金店" "路灯线缆" ^rcpt-0211
  project: "T-02"
  Expenses:Test:Infrastructure    2000.00 CNY
  Assets:Test:Bank

2024-02-11 document Assets:Test:Bank "../receipts/2024-02-11.pdf" ^rcpt-0211

2024-02-12 * "便民超市" "1月营业额分成"
  merchant: "T-M01"
  revenue: 2000.00
  period: "2024-01"
  Assets:Test:Bank        90.00 CNY
  Income:Test:Merchant

2024-02-20 * "文体队" "邻里运动会奖品"
  project: "T-03"
  Expenses:Test:Elderly    600.00 CNY
  Assets:Test:Bank

2024-03-05 * "施工队" "路灯维修款多付退回"
  project: "T-02"
  corrects: "2024-01"
  reason: "1月路灯维修多付 200 元，施工队退回"
  Expenses:Test:Infrastructure    -200.00 CNY
  Assets:Test:Bank

2024-04-01 balance Assets:Test:Bank 34540.00 CNY

2024-04-20 * "光明社区创意市集" "4月慈善义卖"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Community
"""

PROJECTS = [
    {
        **PROJECT,
        "id": "T-02",
        "title": "路灯维修",
        "category": "基础设施",
        "budget": "30000.00",
        "funding": {"企业捐": "10000.00", "政府拨": "20000.00"},
    },
    {
        **PROJECT,
        "id": "T-03",
        "title": "邻里运动会",
        "category": "文体活动",
        "budget": "500.00",
        "funding": {"政府拨": "500.00"},
    },
]


class Served:
    """The district, its Fava app and test client, and the report's HTML."""

    def __init__(self, root: Path):
        from fava.application import create_app

        self.district = District(root)
        for p in PROJECTS:
            self.district.project(p)
        self.district.ledger(JANUARY)
        self.district.write("ledger/funds/Test/receipts/2024-01-25.pdf", "%PDF-1.4\n")
        self.district.write("ledger/funds/Test/receipts/2024-02-11.pdf", "%PDF-1.4\n")
        from sunledger.sealing import seal_month

        seal_month(root, "Test", "2024-01", on="2024-02-05")
        self.district.write("ledger/funds/Test/txns/all.beancount", JANUARY + LATER)
        self.main = self.district.write("ledger/main.beancount", HEADER + EXTRA + 'include "funds/*/fund.beancount"\n')
        shutil.copy(REPO / "ledger" / "queries.beancount", root / "ledger" / "queries.beancount")
        self.app = create_app([self.main], load=True)
        self.client = self.app.test_client()
        where = self.client.get("/").headers["Location"]
        self.slug = where.strip("/").split("/")[0]  # percent-encoded title

    def get(self, path: str, **args: str):
        query = "&".join(f"{k}={quote(v)}" for k, v in args.items())
        return self.client.get(f"/{self.slug}/{path}" + (f"?{query}" if query else ""))

    def report(self, **args: str) -> str:
        response = self.get("extension/AuditReport/", **args)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return response.get_data(as_text=True)

    def ledger(self):
        return self.app.config["LEDGERS"][self.app.config["LEDGERS"].first_slug()]


def table(html: str, ident: str) -> str:
    """The HTML of one table, by id or data-kind."""
    m = re.search(rf'<table[^>]*(?:id|data-kind)="{re.escape(ident)}".*?</table>', html, re.DOTALL)
    return m.group(0) if m else ""


def amounts_by_row(html: str) -> dict[str, Decimal]:
    """`<tr data-source="X">…<td class="num">1,234.00</td>` → {X: 1234.00} (the first number)."""
    return {
        name: Decimal(num.replace(",", ""))
        for name, num in re.findall(r'<tr data-source="([^"]+)"><td>[^<]*</td><td class="num">([-\d,.]+)</td>', html)
    }
