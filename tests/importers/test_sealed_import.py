"""`sunledger import` and sealed months: a line the ledger lacks but dated in a
sealed month becomes a proposed correction (冲正) in the open month, an
account not yet opened is proposed with an `open` in the open month, and a
second import adds nothing. The CLI runs as a subprocess."""

from __future__ import annotations

import subprocess

from conftest import BIN, OPENS
from importkit import KNOWN, fund, statement

# January as the treasurer booked it: the donation of 2024-01-05 (200.00) was
# missed, and the closing balance written from the books, not the statement.
JANUARY = KNOWN + """
2024-01-08 * "便民超市" "社区活动赞助"
  Assets:Test:Bank          50.00 CNY
  Income:Test:Community    -50.00 CNY

2024-01-15 * "某餐饮服务部" "老年食堂食材"
  project: "T-01"
  Expenses:Test:Elderly    800.00 CNY
  Assets:Test:Bank        -800.00 CNY

2024-01-25 * "测试区民政局" "民生微实事补助"
  Assets:Test:Bank        1000.00 CNY
  Income:Test:Gov        -1000.00 CNY

2024-02-01 balance Assets:Test:Bank 5250.00 CNY
"""


def sunledger(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sunledger"), *args, "--root", str(district.root)], capture_output=True, text=True, timeout=120)


def sealed_january(district, body: str = JANUARY, opens: str | None = None):
    txns = fund(district, body)
    if opens is not None:
        district.ledger(body, opens)
    out = sunledger(district, "seal", "Test", "2024-01", "--date", "2024-02-05")
    assert out.returncode == 0, out.stderr
    return txns


def test_a_line_of_a_sealed_month_becomes_a_correction_in_the_open_month(district):
    sealed_january(district)
    path = statement(district, "bank_utf8.csv")
    out = sunledger(district, "import", "Test", str(path))
    assert out.returncode == 0, out.stderr
    assert "2024-01-05" not in [line[:10] for line in out.stdout.splitlines()]  # nothing dated in the sealed month
    correction = out.stdout.split('2024-02-01 ! "张*" "补记 2024-01-05：', 1)[1].split("\n\n", 1)[0]
    assert 'corrects: "2024-01"' in correction and "reason:" in correction
    assert "Assets:Test:Bank           200.00 CNY" in correction
    assert "属于已封存的 2024-01：改为 2024-02-01 的冲正分录" in out.stderr
    assert "2024-02-01 balance" not in out.stdout  # the ledger already closes January (with its own figure)

    target = district.root / "ledger/funds/Test/txns/2024-02.beancount"
    assert sunledger(district, "import", "Test", str(path), "-o", str(target)).returncode == 0
    problems = district.problems()
    assert not [p for p in problems if " SL401 " in p], problems  # January's seal holds
    again = sunledger(district, "import", "Test", str(path))
    assert again.returncode == 0 and again.stdout == "" and "新增 0 笔" in again.stderr  # nothing twice


def test_an_account_not_opened_is_opened_in_the_open_month(district):
    # January and February sealed; the Alipay statement's lines are of February
    body = JANUARY + "\n2024-03-01 balance Assets:Test:Bank 5250.00 CNY\n"
    sealed_january(district, body, OPENS)
    assert sunledger(district, "seal", "Test", "2024-02", "--date", "2024-03-05").returncode == 0
    out = sunledger(district, "import", "Test", str(statement(district, "alipay.csv")))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n\n")[1].startswith("2024-03-01 open Assets:Test:Alipay CNY")
    assert "账本尚未开立 Assets:Test:Alipay" in out.stderr and "2024-03-01 open" in out.stderr
    assert all(line[:7] >= "2024-03" for line in out.stdout.splitlines() if line[:2] == "20"), out.stdout
    assert out.stdout.count('corrects: "2024-02"') == 4
