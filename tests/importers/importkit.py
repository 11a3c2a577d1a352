"""A one-fund district whose bank statements live in tests/importers/data/.

Golden files: `data/<statement>.beancount` is what `sunledger import` prints
for `data/<statement>`. Regenerate after a deliberate change with
`SUNLEDGER_UPDATE_GOLDEN=1 pytest tests/importers` and review the diff.
"""

from __future__ import annotations

import io
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from conftest import OPENS, District

DATA = Path(__file__).parent / "data"
UPDATE = os.environ.get("SUNLEDGER_UPDATE_GOLDEN") == "1"

EXTRA_OPENS = """\
2024-01-01 open Assets:Test:Alipay CNY
2024-01-01 open Assets:Test:WeChat CNY
2024-01-01 open Income:Test:Interest CNY
"""

# What the treasurer had already written before the statement came: the
# government's start-up money, so its second payment is recognised.
KNOWN = """\
2024-01-02 * "测试区民政局" "社区基金启动资金"
  Assets:Test:Bank        5000.00 CNY
  Income:Test:Gov        -5000.00 CNY
"""

# The whole bank statement of January and February, classified as a treasurer
# would: reconciles exactly with data/bank_utf8.csv.
FULL = KNOWN + """
2024-01-05 * "张*" "爱心捐款"
  Assets:Test:Bank         200.00 CNY
  Income:Test:Resident    -200.00 CNY

2024-01-08 * "便民超市" "2023年12月营业收入分成"
  Assets:Test:Bank          50.00 CNY
  Income:Test:Merchant     -50.00 CNY

2024-01-15 * "某餐饮服务部" "老年食堂食材"
  project: "T-01"
  Expenses:Test:Elderly    800.00 CNY
  Assets:Test:Bank        -800.00 CNY

2024-01-25 * "测试区民政局" "民生微实事补助"
  Assets:Test:Bank        1000.00 CNY
  Income:Test:Gov        -1000.00 CNY

2024-02-01 balance Assets:Test:Bank 5450.00 CNY

2024-02-05 * "便民超市" "2024年1月营业收入分成"
  Assets:Test:Bank          60.00 CNY
  Income:Test:Merchant     -60.00 CNY

2024-02-10 * "测试社区" "支付宝余额提现"
  Assets:Test:Bank         120.00 CNY
  Assets:Test:Alipay      -120.00 CNY

2024-02-21 * "测试农村商业银行" "存款结息"
  Assets:Test:Bank           3.21 CNY
  Income:Test:Interest      -3.21 CNY

2024-02-26 * "欧阳**" "困难帮扶慰问金"
  project: "T-01"
  Expenses:Test:Elderly    150.00 CNY
  Assets:Test:Bank        -150.00 CNY

2024-03-01 balance Assets:Test:Bank 5483.21 CNY
"""


def fund(district: District, body: str = KNOWN) -> Path:
    """The test fund with a bank account ending 0042 and the ledger `body`; returns the txns file."""
    district.write_yaml(
        "content/funds/Test/fund.yml",
        {
            "code": "Test",
            "name": "测试社区基金",
            "level": "community",
            "parent": "street",
            "opened": "2024-01-01",
            "bank": {"name": "测试农村商业银行城关支行", "account": "****0042"},
        },
    )
    return district.ledger(body, OPENS + EXTRA_OPENS)


def statement(district: District, name: str) -> Path:
    """Copy data/<name> into the district's statements folder."""
    dest = district.root / "ledger" / "funds" / "Test" / "statements" / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA / name, dest)
    return dest


def run(main, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def golden(name: str, text: str) -> None:
    path = DATA / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; if intended, rerun with SUNLEDGER_UPDATE_GOLDEN=1"
