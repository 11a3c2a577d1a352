"""Issue 10: the tables behind a fund's pages as downloads, on a small inline district.

Spending rows carry the source(s) that paid them, split to the fen with the
restricted part, joined back to the transactions by a stable row id; projects,
outcomes, partners and merchant dues are the views' figures; every table is a
validated data package resource with Chinese titles; one `Table` is one call."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from test_downloads import LEDGER, OPENS_CASH, read_csv

from conftest import MERCHANT, OPENS, PROJECT


def _load(district):
    from sunledger.district import load_district

    d = load_district(district.root)
    assert [p for p in d.errors if p.code.startswith("SL")] == [], d.errors
    return d


@pytest.fixture
def loaded(district):
    funding = {"企业捐": "500.00", "政府拨": "500.00"}
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": funding,
                      "partner": "T-M01", "accepted": "2024-11-01", "started": "2024-12-01",
                      "outcomes": [{"metric": "修好路灯", "value": "12", "unit": "盏"}, {"text": "小区夜里亮了"}],
                      "rating": {"score": "4.5", "raters": 30, "date": "2025-02-01"}})
    district.ledger(LEDGER, opens=OPENS_CASH)
    return _load(district)


@pytest.fixture
def files(loaded):
    from sunledger.downloads import district_downloads

    return district_downloads(loaded)


def package_rows(files: dict[str, bytes], where: str, name: str) -> list[dict[str, str]]:
    body = files[f"downloads/{where}/datapackage/{name}.csv"]
    assert not body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def test_split_to_the_fen_with_restricted_part(files):
    """T-02's plan shares 企业捐 and 政府拨 half and half; the 500 given for T-02 (purpose:) pays
    企业捐's half first, and the refund gives restricted money back first."""
    rows = [(r["行编号"], r["项目"], r["付款来源"], r["分摊金额"], r["其中定向资金"], r["其中非定向资金"], r["分摊依据"], r["该行金额"])
            for r in read_csv(files["downloads/Test/spending_sources.csv"])]
    assert rows == [
        ("Test-202411-006-1", "T-01", "政府拨", "-300.00", "0.00", "-300.00", "资金计划分摊", "-300.00"),
        ("Test-202412-002-1", "T-02", "企业捐", "-350.25", "-350.25", "0.00", "资金计划分摊", "-700.50"),
        ("Test-202412-002-1", "T-02", "政府拨", "-350.25", "0.00", "-350.25", "资金计划分摊", "-700.50"),
        ("Test-202501-001-1", "T-02", "企业捐", "25.00", "25.00", "0.00", "资金计划分摊", "50.00"),
        ("Test-202501-001-1", "T-02", "政府拨", "25.00", "0.00", "25.00", "资金计划分摊", "50.00"),
        ("Test-202502-001-1", "T-01", "政府拨", "-120.25", "0.00", "-120.25", "资金计划分摊", "-120.25"),
    ]


def test_split_joins_back_to_the_transactions(loaded, files):
    """Every spending row of the transactions has shares adding up to its amount exactly, and
    only spending rows have shares; the shares add up to the fund's spending, by source too."""
    from sunledger.views.fund import fund_summary

    tx = {r["row_id"]: r for r in package_rows(files, "Test", "transactions")}
    assert len(tx) == len(package_rows(files, "Test", "transactions"))  # unique
    shares: dict[str, Decimal] = {}
    for r in package_rows(files, "Test", "spending_sources"):
        t = tx[r["row_id"]]
        assert (t["direction"], t["date"], t["project"], t["counterparty"]) == ("支出", r["date"], r["project"], r["counterparty"])
        assert Decimal(r["restricted"]) + Decimal(r["unrestricted"]) == Decimal(r["amount"])
        assert Decimal(r["row_amount"]) == Decimal(t["amount"])
        shares[r["row_id"]] = shares.get(r["row_id"], Decimal(0)) + Decimal(r["amount"])
    assert shares == {k: Decimal(t["amount"]) for k, t in tx.items() if t["direction"] == "支出"}
    s = fund_summary(loaded, "Test")
    assert -sum(shares.values()) == s.spending_total == Decimal("1070.75")
    by_source: dict[str, Decimal] = {}
    for r in package_rows(files, "Test", "spending_sources"):
        by_source[r["source"]] = by_source.get(r["source"], Decimal(0)) - Decimal(r["amount"])
    assert by_source == {x.source: x.spent for x in s.sources if x.spent}
    # a single source names itself on the transaction row, several are listed
    assert {t["row_id"]: t["paid_by"] for t in tx.values() if t["paid_by"]} == {
        "Test-202411-006-1": "政府拨", "Test-202412-002-1": "企业捐、政府拨",
        "Test-202501-001-1": "企业捐、政府拨", "Test-202502-001-1": "政府拨",
    }


def test_row_ids_are_stable_when_a_later_month_grows(district, loaded):
    """A row's id depends on its month's entries only: adding next month's entries keeps every id."""
    from sunledger.downloads import fund_rows

    before = [(r.row_id, r.date, r.amount) for r in fund_rows(loaded, "Test")]
    district.ledger(LEDGER + '\n2025-03-01 * "街道" "三月经费"\n  Assets:Test:Bank  10.00 CNY\n  Income:Test:Gov\n', opens=OPENS_CASH)
    after = [(r.row_id, r.date, r.amount) for r in fund_rows(_load(district), "Test")]
    assert after[:-1] == before and after[-1][0] == "Test-202503-001-1"


def test_explicit_source_and_several_projects_in_one_transaction(district):
    """Two expense postings of one transaction are two rows (…-1, …-2); a posting's `source:` is
    账本注明, the plan's share is 资金计划分摊, largest remainder to the fen."""
    from sunledger.downloads import district_downloads

    district.project({**PROJECT, "id": "T-03", "title": "助餐", "budget": "300.00", "funding": {"政府拨": "200.00", "社区筹": "100.00"}})
    district.ledger("""\
        2024-03-01 * "街道" "拨款"
          Assets:Test:Bank        1000.00 CNY
          Income:Test:Gov

        2024-03-02 * "社区" "筹款"
          Assets:Test:Bank        500.00 CNY
          Income:Test:Community

        2024-03-05 * "幸福食堂" "两个项目一起付"
          Expenses:Test:Elderly    100.00 CNY
            project: "T-01"
            source: "社区筹"
          Expenses:Test:Elderly    200.00 CNY
            project: "T-03"
          Assets:Test:Bank
        """)
    files = district_downloads(_load(district))
    split = [(r["row_id"], r["project"], r["source"], r["amount"], r["basis"]) for r in package_rows(files, "Test", "spending_sources")]
    assert split == [
        ("Test-202403-003-1", "T-01", "社区筹", "-100.00", "账本注明"),
        ("Test-202403-003-2", "T-03", "政府拨", "-133.33", "资金计划分摊"),
        ("Test-202403-003-2", "T-03", "社区筹", "-66.67", "资金计划分摊"),
    ]
    tx = [(r["row_id"], r["amount"], r["paid_by"]) for r in package_rows(files, "Test", "transactions")]
    assert tx == [("Test-202403-001-1", "1000.00", ""), ("Test-202403-002-1", "500.00", ""),
                  ("Test-202403-003-1", "-100.00", "社区筹"), ("Test-202403-003-2", "-200.00", "政府拨、社区筹")]


def test_projects_are_the_project_views(loaded, files):
    from sunledger.views.project import all_project_views

    views = all_project_views(loaded, "Test")
    rows = {r["project"]: r for r in package_rows(files, "Test", "projects")}
    assert sorted(rows) == sorted(views) == ["T-01", "T-02"]
    t2 = rows["T-02"]
    assert {k: t2[k] for k in ("title", "stage", "requested", "approved", "accepted", "started", "completed", "rated",
                                "approved_by", "approval_ref", "budget", "spent", "remaining", "restricted",
                                "spent_enterprise", "spent_gov", "spent_resident", "partner", "partner_name",
                                "outcomes", "rating_score", "rating_raters")} == {
        "title": "路灯维修", "stage": "评单", "requested": "2024-01-05", "approved": "2024-01-10", "accepted": "2024-11-01",
        "started": "2024-12-01", "completed": "", "rated": "2025-02-01", "approved_by": "居民议事会", "approval_ref": "议〔2024〕1号",
        "budget": "1000.00", "spent": "650.50", "remaining": "349.50", "restricted": "325.25",
        "spent_enterprise": "325.25", "spent_gov": "325.25", "spent_resident": "0.00",
        "partner": "T-M01", "partner_name": "便民超市", "outcomes": "2", "rating_score": "4.5", "rating_raters": "30",
    }
    for pid, v in views.items():
        r = rows[pid]
        assert (Decimal(r["budget"]), Decimal(r["spent"]), Decimal(r["remaining"]), Decimal(r["restricted"])) == (
            v.project.budget, v.spent, v.remaining, v.restricted)
        assert [r[f] for f in ("requested", "approved", "accepted", "started", "completed", "rated")] == [
            d.isoformat() if d else "" for _, d in v.stages]
        assert sum(Decimal(r[f"spent_{src.account.lower()}"]) for src in loaded.config.sources) == v.spent
    outcomes = [(r["project"], r["n"], r["metric"], r["value"], r["unit"], r["text"]) for r in package_rows(files, "Test", "project_outcomes")]
    assert outcomes == [("T-02", "1", "修好路灯", "12", "盏", ""), ("T-02", "2", "", "", "", "小区夜里亮了")]


def test_partners_and_dues_are_the_partner_views(district):
    """A month paid in full, one paid short (arrears), one unpaid, one not yet due."""
    from sunledger.downloads import district_downloads
    from sunledger.views.partner import partner_view

    district.write_yaml("content/funds/Test/partners.yml", [{**MERCHANT, "contract": {"rate": "0.05", "start": "2024-01"}}])
    district.ledger("""\
        2024-02-05 * "便民超市" "一月分成"
          merchant: "T-M01"
          revenue: "10000.00"
          period: "2024-01"
          Assets:Test:Bank        500.00 CNY
          Income:Test:Merchant

        2024-03-05 * "便民超市" "二月分成"
          merchant: "T-M01"
          revenue: "8000.00"
          period: "2024-02"
          Assets:Test:Bank        400.00 CNY
          Income:Test:Merchant

        2024-05-20 * "街道" "拨款"
          Assets:Test:Bank        10.00 CNY
          Income:Test:Gov
        """)
    d = _load(district)
    files = district_downloads(d)
    dues = [(r["partner"], r["month"], r["rate"], r["revenue"], r["due"], r["paid"], r["status"], r["arrears"])
            for r in package_rows(files, "Test", "merchant_dues")]
    assert dues == [
        ("T-M01", "2024-01", "0.05", "10000.00", "500.00", "500.00", "已缴", "0.00"),
        ("T-M01", "2024-02", "0.05", "8000.00", "400.00", "400.00", "已缴", "0.00"),
        ("T-M01", "2024-03", "0.05", "", "", "0.00", "未缴", ""),
        ("T-M01", "2024-04", "0.05", "", "", "0.00", "未到期", ""),
        ("T-M01", "2024-05", "0.05", "", "", "0.00", "未到期", ""),
    ]
    pv = partner_view(d, "Test", "T-M01")
    assert [(x.month, x.status) for x in pv.dues] == [(r[1], r[6]) for r in dues]
    (p,) = package_rows(files, "Test", "partners")
    assert (p["partner"], p["name"], p["contributed"], p["rate"], p["contract_start"], p["months"], p["due"], p["paid"],
            p["months_unpaid"], p["months_wrong"]) == ("T-M01", "便民超市", "900.00", "0.05", "2024-01", "5", "900.00", "900.00", "1", "0")
    assert Decimal(p["contributed"]) == pv.contributed
    # the district's copy: the same rows with the fund in front
    (dp,) = package_rows(files, "district", "partners")
    assert (dp["fund"], dp["fund_name"]) == ("Test", "测试社区基金") and {k: dp[k] for k in p} == p
    assert len(package_rows(files, "district", "merchant_dues")) == len(dues)


def test_short_payment_has_arrears(district):
    """A share paid short (SL201, which stops the site) still downloads as the partner page shows it."""
    from sunledger.district import load_district
    from sunledger.downloads import fund_downloads

    district.ledger("""\
        2024-02-05 * "便民超市" "一月分成"
          merchant: "T-M01"
          revenue: "100.00"
          period: "2024-01"
          Assets:Test:Bank        4.00 CNY
          Income:Test:Merchant
        """)
    d = load_district(district.root)
    assert [p.code for p in d.errors] == ["SL201"]
    files = fund_downloads(d, "Test")
    dues = [(r["月份"], r["应缴"], r["已缴"], r["状态"], r["欠缴"]) for r in read_csv(files["downloads/Test/merchant_dues.csv"])]
    assert dues[0] == ("2024-01", "5.00", "4.00", "金额不符", "1.00")
    (p,) = read_csv(files["downloads/Test/partners.csv"])
    assert (p["金额不符月数"], p["应缴合计"], p["已缴合计"]) == ("1", "5.00", "4.00")


def test_every_table_has_chinese_titles_and_types(files, tmp_path):
    """Each resource: a Chinese title and description per field, money as two-decimal numbers,
    dates as dates; the package lists every table and validates (foreign keys included)."""
    from frictionless import validate

    for rel, body in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(body)
    for where, names in (("Test", ["transactions", "spending_sources", "projects", "project_outcomes", "partners", "merchant_dues", "budgets"]),
                         ("district", ["projects", "project_outcomes", "partners", "merchant_dues"])):
        descriptor = tmp_path / f"downloads/{where}/datapackage/datapackage.json"
        meta = json.loads(descriptor.read_text(encoding="utf-8"))
        assert [r["name"] for r in meta["resources"]] == names
        for r in meta["resources"]:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in r["title"] + r["description"]), r["name"]
            for f in r["schema"]["fields"]:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in f["title"]) and f["description"], (r["name"], f["name"])
                if f["name"] in ("date", "requested", "approved", "rated"):
                    assert f["type"] == "date", (r["name"], f["name"])
                if f["name"] in ("amount", "budget", "spent", "remaining", "restricted", "due", "paid", "arrears"):
                    assert f["type"] == "number", (r["name"], f["name"])
        report = validate(str(descriptor))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    fks = json.loads(files["downloads/Test/datapackage/datapackage.json"])["resources"][1]["schema"]["foreignKeys"]
    assert {"fields": ["row_id"], "reference": {"resource": "transactions", "fields": ["row_id"]}} in fks
    # a broken join is caught by the validator
    split = tmp_path / "downloads/Test/datapackage/spending_sources.csv"
    split.write_bytes(split.read_bytes().replace(b"Test-202412-002-1", b"Test-202412-009-1"))
    descriptor = json.loads((tmp_path / "downloads/Test/datapackage/datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        r.pop("hash"), r.pop("bytes")
    (tmp_path / "downloads/Test/datapackage/datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    errors = validate(str(tmp_path / "downloads/Test/datapackage/datapackage.json")).flatten(["type"])
    assert ["foreign-key"] in errors


def test_one_table_is_one_call():
    """The helper the annual report's tables will use: typed rows + columns -> CSV, XLSX, resource."""
    import openpyxl

    from sunledger.downloads import Column, Table, package_resource, table_files

    table = Table("income_by_source", "按来源的收入", "测试", (
        Column("source", "来源", "string", "收入来源"),
        Column("day", "日期", "date", "日期"),
        Column("amount", "金额", "number", "金额（元）"),
        Column("count", "笔数", "integer", "笔数"),
    ), (("=政府拨", dt.date(2025, 1, 2), Decimal("12.5"), 3), ("社区筹", None, Decimal("-0.1"), None)))
    out = table_files(table, "downloads/Test", "测试", dt.date(2025, 12, 31))
    assert sorted(out) == ["downloads/Test/income_by_source.csv", "downloads/Test/income_by_source.xlsx"]
    assert out["downloads/Test/income_by_source.csv"].decode("utf-8-sig") == (
        "来源,日期,金额,笔数\r\n'=政府拨,2025-01-02,12.50,3\r\n社区筹,,-0.10,\r\n")
    ws = openpyxl.load_workbook(io.BytesIO(out["downloads/Test/income_by_source.xlsx"])).active
    assert ws.title == "按来源的收入"
    assert [c.value for c in ws[2]] == ["=政府拨", dt.datetime(2025, 1, 2), 12.5, 3] and ws.cell(2, 1).data_type == "s"
    path, body, resource = package_resource(table, {"name": "currency", "type": "string", "constant": "CNY"})
    assert path == "income_by_source.csv" and body.startswith(b"source,day,amount,count\r\n")
    assert [(f["name"], f["title"], f["type"]) for f in resource["schema"]["fields"]] == [
        ("source", "来源", "string"), ("day", "日期", "date"), ("amount", "金额", "number"), ("count", "笔数", "integer")]


def test_no_projects_no_partners(district):
    """A fund with nothing yet: every table is there, with its header only, and validates."""
    from sunledger.downloads import fund_downloads

    district.write_yaml("content/funds/Test/partners.yml", [])
    (district.root / "content/funds/Test/projects/T-01.yml").unlink()
    district.ledger("", opens=OPENS)
    files = fund_downloads(_load(district), "Test")
    assert files["downloads/Test/merchant_dues.csv"].decode("utf-8-sig") == "商户编号,商户,月份,分成比例,营业收入,应缴,已缴,状态,欠缴\r\n"
    assert files["downloads/Test/spending_sources.csv"].decode("utf-8-sig").count("\r\n") == 1


def test_xlsx_numbers_are_their_decimal_text(district):
    """98480.18 as a float is written "98480.17999999999": 11 digits from 179 that the site's scan
    refuses as a phone number (a synthetic district's revenue did). Every sheet writes the CSV's text."""
    import zipfile

    from sunledger.downloads import district_downloads
    from sunledger.site.scan import scan_bytes

    district.write_yaml("content/funds/Test/partners.yml", [{**MERCHANT, "contract": {"rate": "0.05", "start": "2024-01", "end": "2024-01"}}])
    district.ledger("""\
        2024-02-05 * "便民超市" "一月分成"
          merchant: "T-M01"
          revenue: "98480.18"
          period: "2024-01"
          Assets:Test:Bank        4924.01 CNY
          Income:Test:Merchant

        2024-02-06 * "街道" "拨款"
          Assets:Test:Bank        98480.18 CNY
          Income:Test:Gov
        """)
    files = district_downloads(_load(district))
    for name in ("transactions", "merchant_dues"):
        body = files[f"downloads/Test/{name}.xlsx"]
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<v>98480.18</v>" in sheet and "9999999" not in sheet, name
    assert [p for rel, body in files.items() for p in scan_bytes(rel, body, set())] == []
