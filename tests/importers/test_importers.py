"""Importers: statements of every dialect give the golden entries, and a
statement imported twice adds nothing the second time."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import openpyxl
import pytest
from beancount import loader
from beancount.core import data

from sunledger.importers import ALIPAY, BANK, WECHAT, read_statement
from sunledger.importers.cli import import_main
from sunledger.importers.names import public_name, redact
from sunledger.importers.table import read_rows

from importkit import DATA, FULL, fund, golden, run, statement

STATEMENTS = ["bank_utf8.csv", "bank_gbk.csv", "alipay.csv", "wechat.csv"]


def write_xlsx(src, dest) -> None:
    """The CSV as a bank's XLSX export would hold it: dates as dates, amounts as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in read_rows(src):
        cells = []
        for c in row:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", c):
                cells.append(dt.datetime.fromisoformat(c))
            elif re.fullmatch(r"[\d,]+\.\d{2}", c):
                cells.append(float(c.replace(",", "")))
            else:
                cells.append(c or None)
        sheet.append(cells)
    book.save(dest)


@pytest.mark.parametrize("name", STATEMENTS)
def test_golden(district, name):
    fund(district)
    path = statement(district, name)
    code, out, err = run(import_main, "Test", str(path), "--root", str(district.root))
    assert code == 0, err
    golden(name.rsplit(".", 1)[0] + ".beancount", out)


def test_xlsx_gives_the_same_entries_as_the_csv(district):
    fund(district)
    csv_path = statement(district, "bank_utf8.csv")
    xlsx_path = csv_path.with_suffix(".xlsx")
    write_xlsx(csv_path, xlsx_path)
    entries = []
    for path in (csv_path, xlsx_path):
        code, out, err = run(import_main, "Test", str(path), "--root", str(district.root))
        assert code == 0, err
        entries.append([ln for ln in out.splitlines() if not ln.startswith(";")])
    assert entries[0] == entries[1]
    assert len([ln for ln in entries[0] if re.match(r"\d{4}-\d\d-\d\d ! ", ln)]) == 8


@pytest.mark.parametrize("name", STATEMENTS)
def test_reimport_adds_nothing(district, name):
    txns = fund(district)
    path = statement(district, name)
    code, first, err = run(import_main, "Test", str(path), "--root", str(district.root), "--output", str(txns))
    assert code == 0 and first == "", err
    assert "新增 0 笔" not in err
    code, again, err = run(import_main, "Test", str(path), "--root", str(district.root))
    assert code == 0, err
    assert again == ""
    assert "新增 0 笔" in err


def test_statement_already_in_the_ledger_adds_nothing(district):
    fund(district, FULL)
    for name in ("bank_utf8.csv", "bank_gbk.csv"):
        code, out, err = run(import_main, "Test", str(statement(district, name)), "--root", str(district.root))
        assert (code, out) == (0, ""), err


def test_same_amount_twice_needs_two_entries(district):
    """Duplicates pair one to one: a second 200.00 on the statement is new even if one is in the ledger."""
    fund(district, FULL.replace('2024-01-05 * "张*"', '2024-01-04 * "张*"'))
    text = (DATA / "bank_utf8.csv").read_text(encoding="utf-8-sig")
    text = text.replace(
        "2024-01-08,14:02:45",
        "2024-01-06,08:00:00,转账存入,200.00,,5450.00,李四,6222020000000000000,B20240106000001,捐款\n2024-01-08,14:02:45",
    )
    path = district.write("ledger/funds/Test/statements/twice.csv", text)
    code, out, err = run(import_main, "Test", str(path), "--root", str(district.root))
    assert code == 0, err
    assert '2024-01-06 ! "李*" "转账存入 捐款"' in out
    assert len(re.findall(r"^\d{4}-\d\d-\d\d ! ", out, re.M)) == 1


def test_nothing_private_reaches_the_ledger(district):
    fund(district)
    outputs = []
    for name in STATEMENTS:
        _code, out, _err = run(import_main, "Test", str(statement(district, name)), "--root", str(district.root))
        outputs.append(out)
    text = "\n".join(outputs)
    for secret in ("张三", "欧阳小明", "王小红", "赵六", "孙悟空", "13800000000", "6222020000001234567", "9558800012345678901", "zhao@example.com"):
        assert secret not in text
    assert '"张*"' in text and '"欧阳**"' in text and '"测试区民政局"' in text


def test_imported_entries_load_and_are_flagged_for_the_treasurer(district):
    txns = fund(district)
    run(import_main, "Test", str(statement(district, "bank_utf8.csv")), "--root", str(district.root), "--output", str(txns))
    entries, errors, _ = loader.load_file(str(district.root / "ledger" / "funds" / "Test" / "fund.beancount"))
    imported = [e for e in entries if isinstance(e, data.Transaction) and e.flag == "!"]
    assert len(imported) == 8
    # the unclassified ones cannot pass the checker unnoticed
    assert any("Unclassified" in str(e.message) for e in errors)
    codes = {p.split(" ")[1] for p in district.problems() if "txns/all.beancount" in p}
    assert {"SL102", "SL202"} <= codes  # expense without project; merchant share without revenue


def test_wrong_account_tail_is_not_identified(district):
    fund(district)
    text = (DATA / "bank_utf8.csv").read_text(encoding="utf-8-sig").replace("0042", "9999")
    path = district.write("ledger/funds/Test/statements/other.csv", text)
    code, out, err = run(import_main, "Test", str(path), "--root", str(district.root))
    assert code == 2 and out == ""
    assert "账号尾号" in err


def test_unknown_fund_and_unreadable_file(district, tmp_path):
    fund(district)
    code, _out, err = run(import_main, "Nope", str(DATA / "bank_utf8.csv"), "--root", str(district.root))
    assert code == 2 and "没有基金 Nope" in err
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\xff\xfe\x00garbage")
    code, _out, err = run(import_main, "Test", str(junk), "--root", str(district.root))
    assert code == 2


def test_dialects_and_order():
    kinds = {name: read_statement(DATA / name).kind for name in STATEMENTS}
    assert kinds == {"bank_utf8.csv": BANK, "bank_gbk.csv": BANK, "alipay.csv": ALIPAY, "wechat.csv": WECHAT}
    gbk = read_statement(DATA / "bank_gbk.csv")  # newest first in the file,借方 = money out
    assert [ln.date.day for ln in gbk.lines] == [5, 10, 21, 26]
    assert gbk.lines[-1].amount == Decimal("-150.00")
    assert gbk.account_tail == "0042"
    alipay = read_statement(DATA / "alipay.csv")
    assert sum(ln.amount for ln in alipay.lines) == 0  # three sales, then the withdrawal to the bank
    assert len(alipay.notes) == 3  # bank-card payment, 余额宝, closed order


def test_names():
    assert public_name("张三") == "张*"
    assert public_name("欧阳小明") == "欧阳**"
    assert public_name("高唐县某建筑工程有限公司") == "高唐县某建筑工程有限公司"
    assert public_name("鱼邱湖街道办事处") == "鱼邱湖街道办事处"
    assert public_name("康宁理疗馆") == "康宁理疗馆"
    assert public_name("三号楼全体业主", ("业主",)) == "三号楼全体业主"
    assert public_name("/") == ""
    assert redact("张三 电话 13800000000", "张三") == "张* 电话 （号码已删除）"
