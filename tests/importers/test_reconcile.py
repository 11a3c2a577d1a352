"""Reconciliation: a clean ledger agrees with its statement; a planted missing
entry and a planted extra one are both reported, with the months they upset."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from beancount import loader

from sunledger.importers import read_statement
from sunledger.importers.cli import reconcile_main
from sunledger.importers.reconcile import reconcile, render

from importkit import DATA, FULL, KNOWN, fund, run, statement

BANK = "Assets:Test:Bank"
OPENS = """\
2024-01-01 open Assets:Test:Bank
2024-01-01 open Assets:Test:Alipay
2024-01-01 open Income:Test:Gov
2024-01-01 open Income:Test:Resident
2024-01-01 open Income:Test:Merchant
2024-01-01 open Income:Test:Interest
2024-01-01 open Expenses:Test:Elderly
"""
MISSING = """
2024-01-15 * "某餐饮服务部" "老年食堂食材"
  project: "T-01"
  Expenses:Test:Elderly    800.00 CNY
  Assets:Test:Bank        -800.00 CNY
"""
EXTRA = """
2024-02-12 * "某文具店" "办公用品（未见于对账单）"
  project: "T-01"
  Expenses:Test:Elderly     66.60 CNY
  Assets:Test:Bank         -66.60 CNY
"""


def entries(text: str) -> list:
    """The ledger alone, without the district's rules: the reconciliation needs only entries."""
    got, errors, _ = loader.load_string(OPENS + text)
    assert all("Balance failed" in e.message for e in errors), errors  # planted differences break the assertions
    return got


def planted() -> str:
    assert MISSING in FULL
    return FULL.replace(MISSING, "\n") + EXTRA


def test_clean_ledger_agrees():
    rec = reconcile(read_statement(DATA / "bank_utf8.csv"), entries(FULL), BANK)
    assert rec.ok, render(rec)
    assert len(rec.matched) == 9
    assert [(m.month, m.statement_close, m.ledger_close) for m in rec.months] == [
        ("2024-01", Decimal("5450.00"), Decimal("5450.00")),
        ("2024-02", Decimal("5483.21"), Decimal("5483.21")),
    ]
    assert [m.asserted for m in rec.months] == [Decimal("5450.00"), Decimal("5483.21")]
    assert "结论：相符" in render(rec)


def test_planted_missing_and_extra_are_both_found():
    rec = reconcile(read_statement(DATA / "bank_utf8.csv"), entries(planted()), BANK)
    assert not rec.ok
    assert [(ln.line, ln.date.isoformat(), ln.amount) for ln in rec.missing] == [(12, "2024-01-15", Decimal("-800.00"))]
    assert [(p.date.isoformat(), p.amount, p.payee) for p in rec.extra] == [("2024-02-12", Decimal("-66.60"), "某文具店")]
    jan, feb = rec.months
    # January: the ledger lacks the 800.00 payment, so it holds 800.00 more than the bank
    assert (jan.statement_close, jan.ledger_close, jan.difference) == (Decimal("5450.00"), Decimal("6250.00"), Decimal("-800.00"))
    assert (jan.statement_out, jan.ledger_out) == (Decimal("800.00"), Decimal("0"))
    # February: the extra 66.60 narrows the gap but does not close it
    assert (feb.statement_close, feb.ledger_close, feb.difference) == (Decimal("5483.21"), Decimal("6216.61"), Decimal("-733.40"))
    assert not jan.agrees and not feb.agrees
    text = render(rec)
    assert "对账单有、账本没有（1 笔）" in text and "对账单第 12 行" in text and "某餐饮服务部" in text
    assert "账本有、对账单没有（1 笔）" in text and "某文具店" in text and "-66.60" in text
    assert "结论：不符" in text


def test_one_month_only():
    stmt = read_statement(DATA / "bank_utf8.csv")
    jan = reconcile(stmt, entries(planted()), BANK, month="2024-01")
    assert [m.month for m in jan.months] == ["2024-01"]
    assert len(jan.missing) == 1 and jan.extra == []
    feb = reconcile(stmt, entries(planted()), BANK, month="2024-02")
    assert feb.missing == [] and len(feb.extra) == 1
    with pytest.raises(ValueError, match="不含 2024-05"):
        reconcile(stmt, entries(FULL), BANK, month="2024-05")


def test_a_day_late_still_matches_and_wrong_amount_does_not():
    late = FULL.replace('2024-01-25 * "测试区民政局"', '2024-01-27 * "测试区民政局"')
    assert reconcile(read_statement(DATA / "bank_utf8.csv"), entries(late), BANK).ok
    wrong = FULL.replace("1000.00 CNY\n  Income:Test:Gov        -1000.00", "1000.01 CNY\n  Income:Test:Gov        -1000.01")
    rec = reconcile(read_statement(DATA / "bank_utf8.csv"), entries(wrong), BANK)
    assert len(rec.missing) == 1 and len(rec.extra) == 1


def test_broken_balance_chain_on_the_statement(tmp_path):
    text = (DATA / "bank_utf8.csv").read_text(encoding="utf-8-sig").replace(",4450.00,", ",4440.00,")
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    rec = reconcile(read_statement(path), entries(FULL), BANK)
    assert [b.line for b in rec.breaks] == [12, 13]
    assert not rec.ok and "余额不连续" in render(rec)


def test_wallet_statement_compares_flows():
    ledger = KNOWN + """
2024-02-10 * "创意市集" "义卖收入"
  Assets:Test:Alipay       120.00 CNY
  Income:Test:Resident    -120.00 CNY

2024-02-10 * "测试社区" "支付宝余额提现"
  Assets:Test:Bank         120.00 CNY
  Assets:Test:Alipay      -120.00 CNY
"""
    rec = reconcile(read_statement(DATA / "alipay.csv"), entries(ledger), "Assets:Test:Alipay")
    # three sales on the statement, one total in the ledger
    assert len(rec.missing) == 3 and len(rec.extra) == 1
    (feb,) = rec.months
    assert feb.statement_close is None and feb.difference == 0 and feb.agrees


def test_cli_exit_codes_and_json(district):
    fund(district, FULL)
    path = statement(district, "bank_utf8.csv")
    code, out, err = run(reconcile_main, "Test", str(path), "--root", str(district.root))
    assert code == 0, err + out
    assert "测试社区基金（Test）" in out and "结论：相符" in out

    fund(district, planted())
    code, out, err = run(reconcile_main, "Test", str(path), "--root", str(district.root))
    assert code == 1
    assert "对账单第 12 行" in out and "ledger/funds/Test/txns/all.beancount:" in out

    code, out, err = run(reconcile_main, "Test", str(path), "--root", str(district.root), "--json", "--month", "2024-02")
    assert code == 1
    (report,) = json.loads(out)
    assert report["missing"] == [] and report["extra"][0]["amount"] == "-66.60"
    assert report["months"][0]["statement_close"] == "5483.21"

    code, _out, err = run(reconcile_main, "Test", str(path), "--root", str(district.root), "--month", "2024-13x")
    assert code == 2 and "YYYY-MM" in err
