"""Downloads on a small inline district: the numbers are the views' numbers,
years partition the history, XLSX holds the CSV's rows, the bytes never
change between builds, payees are masked, and the data package validates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from collections import defaultdict
from decimal import Decimal

import pytest

from conftest import OPENS, PROJECT

LEDGER = """\
2024-11-01 * "期初余额" "由原台账结转"
  Assets:Test:Bank        300.00 CNY
  Equity:Test:Opening    -300.00 CNY
    source: "社区筹"

2024-11-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-11-09 * "爱心企业" "定向捐赠路灯维修"
  purpose: "T-02"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise

2024-11-10 * "王小明" "爱心捐款"
  consent: "2024-11-10 书面同意"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident

2024-11-11 * "李*" "爱心捐款"
  Assets:Test:Bank        50.00 CNY
  Income:Test:Resident

2024-11-20 * "幸福食堂" "老年食堂十一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank

2024-12-02 * "" "备用金提现"
  Assets:Test:Cash         20.00 CNY
  Assets:Test:Bank

2024-12-25 * "施工队" "路灯维修, 含\\"材料\\"费"
  project: "T-02"
  Expenses:Test:Infrastructure    700.50 CNY
  Assets:Test:Bank

2025-01-01 balance Assets:Test:Bank 1929.50 CNY

2025-01-03 * "施工队" "路灯维修款多付退回"
  project: "T-02"
  corrects: "2024-12"
  reason: "12月路灯维修多付 50 元，施工队退回"
  Expenses:Test:Infrastructure    -50.00 CNY
  Assets:Test:Bank

2025-02-14 * "幸福食堂" "老年食堂二月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    120.25 CNY
  Assets:Test:Cash    -20.00 CNY
  Assets:Test:Bank
"""

OPENS_CASH = OPENS + "2024-01-01 open Assets:Test:Cash CNY\n"


def _load(district):
    from sunledger.district import load_district

    return load_district(district.root)


@pytest.fixture
def loaded(district):
    funding = {"企业捐": "500.00", "政府拨": "500.00"}
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": funding})
    district.ledger(LEDGER, opens=OPENS_CASH)
    d = _load(district)
    assert d.errors == [], d.errors
    return d


@pytest.fixture
def files(loaded):
    from sunledger.downloads import fund_downloads

    return fund_downloads(loaded, "Test")


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "BOM for Excel"
    text = body[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# Every table of a fund's pages besides the transactions (issue 10): as CSV and XLSX and in the data package.
TABLES = ("spending_sources", "projects", "project_outcomes", "partners", "merchant_dues")
HEADER = "日期,收支,金额,来源,类别,项目,对方,摘要,更正月份,更正原因,付款来源,行编号"


def test_paths(files):
    base = "downloads/Test"
    assert sorted(files) == sorted(
        [
            f"{base}/transactions.csv",
            f"{base}/transactions.xlsx",
            f"{base}/transactions-2024.csv",
            f"{base}/transactions-2024.xlsx",
            f"{base}/transactions-2025.csv",
            f"{base}/transactions-2025.xlsx",
            *(f"{base}/{t}.{ext}" for t in TABLES for ext in ("csv", "xlsx")),
            f"{base}/datapackage/datapackage.json",
            f"{base}/datapackage/transactions.csv",
            f"{base}/datapackage/budgets.csv",
            *(f"{base}/datapackage/{t}.csv" for t in TABLES),
        ]
    )


def test_csv_format(files):
    body = files["downloads/Test/transactions.csv"]
    text = body[3:].decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == HEADER
    assert lines[-1] == ""  # every row ends with CRLF
    assert "\n" not in text.replace("\r\n", "")
    assert '2024-12-25,支出,-700.50,,基础设施,T-02,施工队,"路灯维修, 含""材料""费",,,企业捐、政府拨,Test-202412-002-1' in lines
    rows = read_csv(body)
    assert [r["金额"] for r in rows][:3] == ["300.00", "2000.00", "500.00"]
    assert rows[0]["来源"] == "社区筹"  # opening balance: the source named on the equity posting
    transfer = next(r for r in rows if r["摘要"] == "备用金提现")
    assert (transfer["收支"], transfer["金额"]) == ("转账", "0.00")
    refund = next(r for r in rows if r["更正月份"])
    assert (refund["更正月份"], refund["更正原因"], refund["金额"]) == ("2024-12", "12月路灯维修多付 50 元，施工队退回", "50.00")


def test_totals_equal_views(loaded, files):
    from sunledger.views.fund import fund_summary
    from sunledger.views.notice import notice, notice_months

    rows = read_csv(files["downloads/Test/transactions.csv"])
    amounts = [Decimal(r["金额"]) for r in rows]
    s = fund_summary(loaded, "Test")
    assert sum(amounts) == s.balance == Decimal("1879.25")

    by_source, by_category, opening = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    for r, a in zip(rows, amounts):
        if r["来源"]:
            (opening if r["收支"] == "期初结转" else by_source)[r["来源"]] += a
        if r["类别"]:
            by_category[r["类别"]] -= a
    assert dict(opening) == s.opening_by_source == {"社区筹": Decimal("300.00")}  # an opening balance is not income
    assert dict(by_source) == s.income_by_source
    assert sum(by_source.values()) == s.income_total
    assert dict(by_category) == s.spending_by_category
    assert sum(by_category.values()) == s.spending_total

    for month in notice_months(loaded, "Test"):
        n = notice(loaded, "Test", month)
        in_month = [(r["收支"], a) for r, a in zip(rows, amounts) if r["日期"].startswith(month)]
        assert sum((a for k, a in in_month if k == "收入"), Decimal(0)) == n.income
        assert -sum((a for k, a in in_month if k == "支出"), Decimal(0)) == n.spending  # a refund lowers it
        assert sum((a for k, a in in_month if k == "期初结转"), Decimal(0)) == n.carried
        assert len(in_month) == len(n.lines)


def test_years_partition_the_history(files):
    whole = files["downloads/Test/transactions.csv"]
    header = whole.split(b"\r\n", 1)[0]
    parts = [files[f"downloads/Test/transactions-{y}.csv"] for y in (2024, 2025)]
    assert all(p.split(b"\r\n", 1)[0] == header for p in parts)
    assert header + b"\r\n" + b"".join(p.split(b"\r\n", 1)[1] for p in parts) == whole
    assert {r["日期"][:4] for r in read_csv(parts[0])} == {"2024"}
    assert {r["日期"][:4] for r in read_csv(parts[1])} == {"2025"}


def _xlsx_rows(body: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(body), read_only=True)
    ws = wb["收支明细"]
    out = []
    for values in ws.iter_rows(values_only=True):
        row = []
        for _i, v in enumerate(values):
            if isinstance(v, dt.datetime):
                v = v.date().isoformat()
            elif isinstance(v, (int, float)):
                v = f"{Decimal(repr(v)).quantize(Decimal('0.01')):f}"
                v = "0.00" if Decimal(v) == 0 else v
            row.append("" if v is None else str(v))
        out.append(row)
    wb.close()
    return out


@pytest.mark.parametrize("name", ["transactions", "transactions-2024", "transactions-2025"])
def test_xlsx_has_the_csv_rows(files, name):
    body = files[f"downloads/Test/{name}.xlsx"]
    want = list(csv.reader(io.StringIO(files[f"downloads/Test/{name}.csv"][3:].decode("utf-8"), newline="")))
    assert _xlsx_rows(body) == want
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    last = want[-1][0]
    assert f"<dcterms:created xsi:type=\"dcterms:W3CDTF\">{last}T00:00:00Z" in core


def test_deterministic(loaded, files):
    from sunledger.downloads import district_downloads, fund_downloads

    assert fund_downloads(loaded, "Test") == files
    assert district_downloads(loaded) == district_downloads(loaded)


def test_deterministic_across_processes(loaded, district):
    """Another process, another hash seed and time zone: the same bytes."""
    from sunledger.downloads import district_downloads

    here = {k: v.hex() for k, v in district_downloads(loaded).items()}
    code = (
        "import json, sys; from sunledger.district import load_district;"
        "from sunledger.downloads import district_downloads;"
        "print(json.dumps({k: v.hex() for k, v in district_downloads(load_district(sys.argv[1])).items()}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "America/Los_Angeles"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(district.root)], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    assert json.loads(out.stdout) == here


def _all_text(files: dict[str, bytes]) -> str:
    """Every file's text, zip members unpacked."""
    texts = []
    for body in files.values():
        if body[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                texts.extend(z.read(n).decode("utf-8") for n in z.namelist())
        else:
            texts.append(body.decode("utf-8-sig"))
    return "\n".join(texts)


def test_masked_payees_and_no_ledger_locations(district):
    """A resident donor named in full without consent (an SL504 error the check
    reports) is still published masked; ledger files and lines never appear."""
    from sunledger.downloads import district_downloads

    district.ledger(
        """\
        2024-03-01 * "赵六六" "爱心捐款"
          Assets:Test:Bank        80.00 CNY
          Income:Test:Resident

        2024-03-02 * "李*" "爱心捐款"
          Assets:Test:Bank        20.00 CNY
          Income:Test:Resident

        2024-03-03 * "幸福小区全体业主" "集体捐款"
          Assets:Test:Bank        500.00 CNY
          Income:Test:Resident
        """
    )
    d = _load(district)
    assert [p.code for p in d.errors] == ["SL504"]
    files = district_downloads(d)
    rows = read_csv(files["downloads/Test/transactions.csv"])
    assert [r["对方"] for r in rows] == ["赵**", "李*", "幸福小区全体业主"]
    text = _all_text(files)
    assert "赵六六" not in text
    assert "赵**" in text
    for leak in ("beancount", "all.beancount", "txns/", "lineno", "filename", str(district.root)):
        assert leak not in text


def test_index(loaded):
    from sunledger.downloads import district_downloads

    files = district_downloads(loaded)
    index = json.loads(files["downloads/index.json"])
    (fund,) = index["funds"]
    assert (fund["code"], fund["name"], fund["rows"], fund["net"]) == ("Test", "测试社区基金", 10, "1879.25")
    assert sorted(fund["years"]) == ["2024", "2025"]
    refs = [fund["all"]["csv"], fund["all"]["xlsx"], fund["datapackage"]]
    refs += [r for y in fund["years"].values() for r in y.values()]
    for ref in refs:
        assert len(files["downloads/" + ref["path"]]) == ref["bytes"]
    assert set(files) == {"downloads/index.json"} | {k for k in files if k.startswith(("downloads/Test/", "downloads/district/"))}


def test_datapackage_validates(files, tmp_path):
    from frictionless import validate

    for rel, body in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    descriptor = tmp_path / "downloads/Test/datapackage/datapackage.json"
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    assert meta["profile"] == "tabular-data-package"
    assert meta["fiscalPeriod"] == {"start": "2024-01-01", "end": "2025-02-14"}
    assert meta["licenses"][0]["name"] == "ODC-PDDL-1.0"
    tx = meta["resources"][0]
    assert [f["type"] for f in tx["schema"]["fields"]][:3] == ["date", "string", "number"]
    assert [f["title"] for f in tx["schema"]["fields"]] == HEADER.split(",")

    report = validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    budgets = list(csv.DictReader(io.StringIO((descriptor.parent / "budgets.csv").read_text(encoding="utf-8"))))
    assert [(b["project"], b["budget"], b["spent"]) for b in budgets] == [
        ("T-01", "1000.00", "420.25"),
        ("T-02", "1000.00", "650.50"),
    ]

    # the package checks itself: a changed amount breaks its hash
    tampered = descriptor.parent / "transactions.csv"
    tampered.write_bytes(tampered.read_bytes().replace(b"2000.00", b"2001.00"))
    assert not validate(str(descriptor)).valid


def test_fund_without_transactions(district):
    from sunledger.downloads import fund_downloads

    district.ledger("")
    files = fund_downloads(_load(district), "Test")
    names = sorted(k.rsplit("/", 1)[1] for k in files)
    assert names == sorted(["budgets.csv", "datapackage.json", "transactions.csv", "transactions.csv", "transactions.xlsx",
                            *(f"{t}.{ext}" for t in TABLES for ext in ("csv", "csv", "xlsx"))])
    assert files["downloads/Test/transactions.csv"] == f"\ufeff{HEADER}\r\n".encode()


def test_formula_payees_reach_residents_csv_as_text(district):
    """A payee named by a bank statement ("=HYPERLINK(…)") must not run in a resident's Excel;
    the XLSX (string cells) keeps the text as it is."""
    import openpyxl

    from sunledger.downloads import fund_downloads

    district.ledger(
        """\
        2024-03-01 * "=HYPERLINK(\\"http://x.example/\\",\\"点我\\")" "@SUM(A1)"
          Assets:Test:Bank        80.00 CNY
          Income:Test:Community

        2024-03-02 * "-1+1" "+退款"
          Assets:Test:Bank        -0.00 CNY
          Income:Test:Community    0.00 CNY
        """
    )
    files = fund_downloads(_load(district), "Test")
    rows = read_csv(files["downloads/Test/transactions.csv"])
    assert rows[0]["对方"] == "'=HYPERLINK(\"http://x.example/\",\"点我\")" and rows[0]["摘要"] == "'@SUM(A1)"
    assert rows[0]["金额"] == "80.00"
    package = files["downloads/Test/datapackage/transactions.csv"]  # every CSV, the data package's too (issue 8)
    assert b"\n2024-03-01" in package.replace(b"\r\n", b"\n") and b"\"'=HYPERLINK" in package
    xlsx = next(v for k, v in files.items() if k.endswith("transactions.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet.cell(2, 7).data_type == "s" and sheet.cell(2, 7).value.startswith("=HYPERLINK")


FORMULAS = ('=HYPERLINK("http://x","点")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "'=1")


def _beancount(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@pytest.fixture
def hostile(district):
    """Every formula start in payee, narration, project title and partner name."""
    from conftest import MERCHANT

    body = ""
    for i, f in enumerate(FORMULAS):
        body += f'2024-01-{10 + i:02d} * "{_beancount(f)}" "{_beancount(f)}"\n  Assets:Test:Bank  10.00 CNY\n  Income:Test:Community\n\n'
    body += '2024-01-30 * "施工队" "-12.50 退款"\n  project: "T-01"\n  source: "社区筹"\n  Expenses:Test:Elderly  12.50 CNY\n  Assets:Test:Bank\n\n'
    district.ledger(body)
    for i, f in enumerate(FORMULAS):
        district.project({**PROJECT, "id": f"T-F{i}", "title": f})
    district.write_yaml("content/funds/Test/partners.yml", [{**MERCHANT, "name": FORMULAS[0]}])
    d = _load(district)
    assert [p for p in d.errors if p.code.startswith("SL")] == [], d.errors
    return d


def _cells(body: bytes, fields: list[dict]) -> list[tuple[str, str]]:
    """(field type, cell) of every cell of a CSV, read as a spreadsheet program reads it."""
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(r) == len(fields) for r in rows)
    return [(f["type"], cell) for r in rows[1:] for f, cell in zip(fields, r)]


def test_every_published_csv_defuses_formula_cells(hostile, tmp_path):
    """Issue 8: every CSV (residents', per year, the data package's transactions and budgets):
    a text cell that starts like a formula carries a leading apostrophe, numbers stay numbers,
    the package validates and says so in its schema, and the XLSX has no formula cell."""
    import openpyxl
    from frictionless import validate

    from sunledger.downloads import FORMULA_NOTE, district_downloads

    files = district_downloads(hostile)
    packages = {where: json.loads(files[f"downloads/{where}/datapackage/datapackage.json"]) for where in ("Test", "district")}
    schemas = {(where, r["path"]): r["schema"]["fields"] for where, package in packages.items() for r in package["resources"]}
    csvs = [k for k in files if k.endswith(".csv")]
    # transactions, its year, the package's transactions and budgets; each other table of the fund
    # in the fund's folder and package, the district's tables in its folder and package
    assert len(csvs) == 4 + 2 * len(TABLES) + 2 * 4
    seen = set()
    for rel in csvs:
        where, name = rel.split("/")[1], rel.rsplit("/", 1)[1]
        fields = schemas[(where, "transactions.csv" if name.startswith("transactions") else name)]
        for kind, cell in _cells(files[rel], fields):
            if kind == "string" and cell:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (rel, cell)
                if cell.startswith("'"):
                    seen.add((name, cell[1:]))
            elif kind == "number" and cell:  # a number the new tables may leave empty (no rating, no revenue)
                assert Decimal(cell) == Decimal(cell).quantize(Decimal("0.01")), (rel, cell)
    for f in FORMULAS:
        assert ("transactions.csv", f) in seen and ("budgets.csv", f) in seen, f
        assert ("projects.csv", f) in seen, f  # the title
    assert ("partners.csv", FORMULAS[0]) in seen and ("merchant_dues.csv", FORMULAS[0]) in seen
    assert ("spending_sources.csv", "-12.50 退款") in seen
    amounts = [c for k, c in _cells(files["downloads/Test/datapackage/transactions.csv"], schemas[("Test", "transactions.csv")])
               if k == "number"]
    assert "-12.50" in amounts  # a negative amount in a number column is not touched
    assert next(r for r in read_csv(files["downloads/Test/transactions.csv"]) if r["金额"] == "-12.50")["摘要"] == "'-12.50 退款"

    for fields in schemas.values():
        for f in fields:
            assert (FORMULA_NOTE in f["description"]) == (f["type"] == "string"), f["name"]
    assert all(FORMULA_NOTE in p["description"] for p in packages.values())
    for rel, body in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(body)
    for where in packages:
        report = validate(str(tmp_path / f"downloads/{where}/datapackage/datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    for rel in (k for k in files if k.endswith(".xlsx")):
        sheet = openpyxl.load_workbook(io.BytesIO(files[rel])).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
        assert cells and all(c.data_type != "f" for c in cells), rel
        texts = {c.value.replace("_x000D_", "\r") for c in cells if c.data_type == "s"}  # OOXML's escape of CR
        name = rel.rsplit("/", 1)[1]
        typed = {"partners.xlsx": {FORMULAS[0]}, "merchant_dues.xlsx": {FORMULAS[0]},
                 "spending_sources.xlsx": {"-12.50 退款"}, "project_outcomes.xlsx": set()}.get(name, set(FORMULAS))
        assert typed <= texts, rel  # the text as typed, as a string cell
        if name.startswith(("transactions", "spending_sources")):
            assert any(c.data_type == "n" and c.value == -12.5 for c in cells), rel
