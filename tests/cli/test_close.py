"""`sunledger close` and `sunledger seal` end to end, the CLI run as a subprocess
on a temporary district whose bank statement is tests/importers/data/bank_utf8.csv
(January and February 2024, account ending 0042)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from conftest import BIN  # noqa: E402
from importkit import KNOWN, fund, statement  # noqa: E402

# January booked as it happened: agrees with the statement line for line.
JANUARY = KNOWN + """
2024-01-05 * "张*" "爱心捐款"
  Assets:Test:Bank         200.00 CNY
  Income:Test:Resident    -200.00 CNY

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
"""

# February, also as the statement shows it (the ledger after January closes at 5450.00).
FEBRUARY = """
2024-02-05 * "便民超市" "社区活动赞助"
  Assets:Test:Bank          60.00 CNY
  Income:Test:Community    -60.00 CNY

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
"""


def sunledger(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sunledger"), *args, "--root", str(district.root)], capture_output=True, text=True, timeout=120)


def files(district) -> dict[str, str]:
    base = district.root / "ledger"
    return {p.relative_to(base).as_posix(): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*.beancount"))}


def errors(district) -> list[str]:
    return [p for p in district.problems() if " SL" in p]


def test_close_in_one_step(district):
    fund(district, JANUARY)
    bank = statement(district, "bank_utf8.csv")
    out = sunledger(district, "close", "Test", "2024-01", "--statement", str(bank), "--date", "2024-02-05")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "结论：相符" in out.stdout and "已写入 ledger/funds/Test/txns/2024-02.beancount" in out.stdout
    ledger = files(district)
    assert ledger["funds/Test/txns/2024-02.beancount"].startswith("2024-02-01 balance Assets:Test:Bank  5450.00 CNY")
    assert 'custom "sunledger-seal" "Test" "2024-01"' in ledger["funds/Test/seals.beancount"]
    assert "funds/Test/txns/2024-01.beancount" not in ledger  # nothing was missing, nothing imported
    assert errors(district) == []
    again = sunledger(district, "close", "Test", "2024-01", "--statement", str(bank), "--date", "2024-02-06")
    assert again.returncode == 1 and "已经封存" in again.stderr
    assert files(district) == ledger


def test_close_imports_what_is_missing_then_seals_once_reviewed(district):
    txns = fund(district, JANUARY.replace('2024-01-05 * "张*" "爱心捐款"\n  Assets:Test:Bank         200.00 CNY\n  Income:Test:Resident    -200.00 CNY\n', ""))
    bank = statement(district, "bank_utf8.csv")
    first = sunledger(district, "close", "Test", "2024-01", "--statement", str(bank), "--date", "2024-02-05")
    assert first.returncode == 1 and "导入了 1 笔" in first.stderr, first.stderr
    imported = district.root / "ledger/funds/Test/txns/2024-01.beancount"
    text = imported.read_text(encoding="utf-8")
    assert '2024-01-05 ! "张*"' in text and "2024-02-" not in text  # only January is imported
    assert (district.root / "ledger/funds/Test/seals.beancount").read_text(encoding="utf-8") == ""  # not sealed yet

    # the treasurer reviews the line, then closes again: nothing twice, and the month is sealed
    imported.write_text(text.replace(" ! ", " * ").replace("Income:Test:Unclassified", "Income:Test:Resident"), encoding="utf-8")
    second = sunledger(district, "close", "Test", "2024-01", "--statement", str(bank), "--date", "2024-02-05")
    assert second.returncode == 0, second.stdout + second.stderr
    assert imported.read_text(encoding="utf-8").count("2024-01-05") == 1
    balance = district.root / "ledger/funds/Test/txns/2024-02.beancount"
    assert balance.read_text(encoding="utf-8").count("balance") == 1
    assert errors(district) == []
    assert txns.exists()


def test_close_refuses_a_statement_that_does_not_reconcile_and_writes_nothing(district):
    txns = fund(district, JANUARY.replace("800.00", "810.00"))
    bank = statement(district, "bank_utf8.csv")
    before = files(district)
    out = sunledger(district, "close", "Test", "2024-01", "--statement", str(bank), "--date", "2024-02-05")
    assert out.returncode == 1
    assert "结论：不符" in out.stdout
    # both sides of the wrong amount, the ledger's at its file:line
    assert "账本有、对账单没有（1 笔）" in out.stdout and f"-810.00  某餐饮服务部  老年食堂食材  （{txns.relative_to(district.root).as_posix()}:13）" in out.stdout
    assert "对账单有、账本没有（1 笔）" in out.stdout and "-800.00" in out.stdout
    assert "没有写入任何内容、没有封存" in out.stderr
    assert files(district) == before


def test_close_refuses_a_statement_of_another_period(district):
    fund(district, JANUARY)
    out = sunledger(district, "close", "Test", "2024-03", "--statement", str(statement(district, "bank_utf8.csv")), "--date", "2024-04-05")
    assert out.returncode == 2 and "不含 2024-03 的全月" in out.stderr


def test_seal_and_close_without_statement_need_the_closing_balance(district):
    fund(district, JANUARY)
    for command in (["seal", "Test", "2024-01"], ["close", "Test", "2024-01"]):
        out = sunledger(district, *command, "--date", "2024-02-05")
        assert out.returncode == 2, out.stderr
        assert "没有月末余额断言，不能封存" in out.stderr and "2024-02-01 balance Assets:Test:Bank" in out.stderr
    assert (district.root / "ledger/funds/Test/seals.beancount").read_text(encoding="utf-8") == ""
    district.write("ledger/funds/Test/txns/2024-02.beancount", "2024-02-01 balance Assets:Test:Bank 5450.00 CNY\n")
    out = sunledger(district, "close", "Test", "2024-01", "--date", "2024-02-05")
    assert out.returncode == 0, out.stderr
    assert 'custom "sunledger-seal" "Test" "2024-01"' in out.stdout


# January sealed with its closing balance written from the books (5460.00):
# the meal was booked as 790.00, the bank paid 800.00. February's statement shows it.
WRONG_JANUARY = JANUARY.replace("800.00", "790.00")
CORRECTION = """
{day} * "某餐饮服务部" "冲正：1月15日老年食堂食材金额记错"
  corrects: "2024-01"
  reason: "银行实付 800.00 元，1月误记为 790.00 元"
  project: "T-01"
  Expenses:Test:Elderly     10.00 CNY
  Assets:Test:Bank         -10.00 CNY
"""


def test_an_amount_corrected_on_the_first_day_of_the_open_month(district):
    txns = fund(district, WRONG_JANUARY)
    feb = district.write("ledger/funds/Test/txns/2024-02.beancount", "2024-02-01 balance Assets:Test:Bank 5460.00 CNY\n")
    assert sunledger(district, "seal", "Test", "2024-01", "--date", "2024-02-05").returncode == 0
    bank = statement(district, "bank_utf8.csv")

    feb.write_text("2024-02-01 balance Assets:Test:Bank 5460.00 CNY\n" + CORRECTION.format(day="2024-02-01") + FEBRUARY, encoding="utf-8")
    rec = sunledger(district, "reconcile", "Test", str(bank), "--month", "2024-02")
    assert rec.returncode == 0, rec.stdout
    assert "冲正已封账月份、不在对账单上（1 笔" in rec.stdout and "更正 2024-01" in rec.stdout
    out = sunledger(district, "close", "Test", "2024-02", "--statement", str(bank), "--date", "2024-03-05")
    assert out.returncode == 0, out.stdout + out.stderr
    assert (district.root / "ledger/funds/Test/txns/2024-03.beancount").read_text(encoding="utf-8").startswith(
        "2024-03-01 balance Assets:Test:Bank  5483.21 CNY"
    )
    assert errors(district) == []  # January's seal holds, both closing balances pass

    # the other dates do not work: the 1st's balance is checked before that day's entries,
    # so the true January balance (5450.00) on 2024-02-01 fails; a correction in January breaks its seal
    feb.write_text(feb.read_text(encoding="utf-8").replace("5460.00", "5450.00"), encoding="utf-8")
    assert any(":1: SL002 " in p for p in errors(district)), errors(district)
    feb.write_text(feb.read_text(encoding="utf-8").replace("5450.00", "5460.00").replace('2024-02-01 * "某餐饮', '2024-01-31 * "某餐饮'), encoding="utf-8")
    assert any("txns/2024-02.beancount:3: SL401 " in p for p in errors(district)), errors(district)
    assert txns.exists()
