"""Issue 10: the downloads of the built demo site hold what its pages show.

One `mkdocs build --strict` of the demo (its output scan included); every data
package validates with frictionless; the spending split adds up to each
transaction row and to the fund page's spending by source, to the fen; the
projects table equals the project pages' figures, the dues the partner pages'
and the fund page's dues table; the fund page's download table links every
table with a Chinese label.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import BIN, REPO

pytestmark = pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")

TABLES = {"spending_sources": "支出来源分摊", "projects": "项目", "project_outcomes": "项目成效", "partners": "合作方", "merchant_dues": "商户分成",
          # the published annual reports' tables (every demo fund has reports for closed years)
          "annual_summary": "年度报告·收支概况", "annual_sources": "年度报告·各来源", "annual_categories": "年度报告·支出类别",
          "annual_projects": "年度报告·项目", "annual_shares": "年度报告·商户分成"}
SHARED = ("projects", "project_outcomes", "partners", "merchant_dues")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("downloads-site") / "site"
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(out)],
        cwd=REPO, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]  # the output scan (private data, formulas' hosts) passed too
    return out


@pytest.fixture(scope="module")
def demo():
    from sunledger.district import load_district

    return load_district(REPO)


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def package(site: Path, where: str, name: str) -> list[dict[str, str]]:
    return rows(site / "downloads" / where / "datapackage" / f"{name}.csv")


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_every_data_package_validates(site, demo):
    from frictionless import validate

    packages = sorted((site / "downloads").glob("*/datapackage/datapackage.json"))
    assert [p.parent.parent.name for p in packages] == sorted([*demo.books, "district"])
    for descriptor in packages:
        report = validate(str(descriptor))
        assert report.valid, (descriptor, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10])
        names = [r["name"] for r in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]]
        assert set(names) >= (set(SHARED) if descriptor.parent.parent.name == "district" else {"transactions", *TABLES})


def test_split_adds_up_to_rows_and_the_fund_page(site, demo):
    """Per row id, the shares are the transaction row's amount exactly; per source, the fund
    page's 支出 column; in all, the fund's spending. Residents' CSV, XLSX and package agree."""
    from openpyxl import load_workbook

    checked = 0
    for code in demo.books:
        tx = {r["row_id"]: r for r in package(site, code, "transactions")}
        split = package(site, code, "spending_sources")
        by_row: dict[str, Decimal] = defaultdict(Decimal)
        by_source: dict[str, Decimal] = defaultdict(Decimal)
        restricted = Decimal(0)
        for r in split:
            assert tx[r["row_id"]]["direction"] == "支出"
            assert Decimal(r["row_amount"]) == Decimal(tx[r["row_id"]]["amount"])
            assert r["counterparty"] == tx[r["row_id"]]["counterparty"]  # masked as the transactions are
            by_row[r["row_id"]] += Decimal(r["amount"])
            by_source[r["source"]] -= Decimal(r["amount"])
            restricted -= Decimal(r["restricted"])
        assert dict(by_row) == {k: Decimal(t["amount"]) for k, t in tx.items() if t["direction"] == "支出"}, code
        page = html(site, f"funds/{code}")
        shown = {s: Decimal(v) for s, v in re.findall(r'<tr data-sl-source="([^"]+)">.*?data-sl-spent="([^"]+)"', page)}
        assert shown and {s: v for s, v in shown.items() if v} == {s: v for s, v in by_source.items() if v}, code
        total = Decimal(re.search(r'data-sl-total="sources-spent" data-sl-value="([^"]+)"', page).group(1))
        assert sum(by_source.values()) == total, code
        projects = package(site, code, "projects")
        assert restricted == sum(Decimal(p["restricted"]) for p in projects), code
        # the residents' CSV and XLSX hold the same rows as the package
        resident = rows(site / "downloads" / code / "spending_sources.csv")
        assert [(r["行编号"], r["付款来源"], r["分摊金额"]) for r in resident] == [(r["row_id"], r["source"], r["amount"]) for r in split]
        ws = load_workbook(site / "downloads" / code / "spending_sources.xlsx", read_only=True).active
        amounts = [f"{Decimal(repr(v[5])).quantize(Decimal('0.01')):f}" for v in list(ws.iter_rows(values_only=True))[1:]]
        assert [Decimal(a) for a in amounts] == [Decimal(r["amount"]) for r in split]
        checked += len(split)
    assert checked > 100
    print(f"split rows checked against transactions and fund pages: {checked}")


def _figures(page: str) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in re.findall(r'data-sl-total="([a-z-]+)" data-sl-value="([^"]+)"', page)}


def test_projects_are_the_project_pages(site, demo):
    from sunledger.views.project import all_project_views

    seen = 0
    district_rows = {r["project"]: r for r in package(site, "district", "projects")}
    for code in demo.books:
        views = all_project_views(demo, code)
        table = {r["project"]: r for r in package(site, code, "projects")}
        assert sorted(table) == sorted(views)
        for pid, r in table.items():
            shown = _figures(html(site, f"projects/{pid}"))
            assert {k: Decimal(r[k]) for k in ("budget", "spent", "remaining")} == {k: shown[k] for k in ("budget", "spent", "remaining")}, pid
            v = views[pid]
            assert r["stage"] == v.project.stage and r["title"] == v.project.title
            assert [r[f] for f in ("requested", "approved", "accepted", "started", "completed", "rated")] == [
                d.isoformat() if d else "" for _, d in v.stages]
            by_source = {src.name: Decimal(r[f"spent_{src.account.lower()}"]) for src in demo.config.sources}
            assert {k: x for k, x in by_source.items() if x} == {k: x for k, x in v.by_source.items() if x}, pid
            assert sum(by_source.values()) == Decimal(r["spent"]), pid
            rating = v.project.rating
            assert (r["rating_score"], r["rating_raters"]) == ((f"{rating.score.normalize():f}", str(rating.raters)) if rating else ("", ""))
            assert int(r["outcomes"]) == len(v.project.outcomes)
            assert {k: x for k, x in district_rows[pid].items() if k not in ("fund", "fund_name")} == r
            assert district_rows[pid]["fund"] == code
            seen += 1
        outcomes = package(site, code, "project_outcomes")
        assert len(outcomes) == sum(len(v.project.outcomes) for v in views.values())
    assert seen == len(district_rows)


def test_dues_are_the_partner_pages(site, demo):
    """Each month of each merchant: the partner page's revenue, due, paid and status; per merchant,
    the fund page's dues table."""
    months = 0
    for code, books in demo.books.items():
        dues = package(site, code, "merchant_dues")
        partners = {p["partner"]: p for p in package(site, code, "partners")}
        assert sorted(partners) == sorted(books.fc.partners)
        fund_page = html(site, f"funds/{code}")
        for pid, partner in books.fc.partners.items():
            mine = [d for d in dues if d["partner"] == pid]
            if partner.contract is None:
                assert mine == [] and partners[pid]["rate"] == ""
                continue
            page = html(site, f"partners/{code}/{pid}")
            shown = re.findall(r'<tr data-sl-month="([^"]+)" data-sl-status="([^"]+)"><td[^>]*>[^<]*</td><td class="sl-num">([^<]*)</td>'
                               r'<td class="sl-num">([^<]*)</td><td class="sl-num">([^<]*)', page)
            assert shown, pid

            def money(text: str) -> str:
                return "" if text == "—" else f"{Decimal(text.replace(',', '')):.2f}"

            assert [(d["month"], d["status"], d["revenue"], d["due"], d["paid"]) for d in mine] == [
                (m, s, money(rev), money(due), money(paid.strip())) for m, s, rev, due, paid in shown], pid
            for d in mine:
                if d["arrears"]:
                    assert Decimal(d["arrears"]) == Decimal(d["due"]) - Decimal(d["paid"])
            row = re.search(rf'<tr data-sl-partner="{re.escape(pid)}">.*?data-sl-due="([^"]+)".*?data-sl-paid="([^"]+)"', fund_page)
            assert (Decimal(partners[pid]["due"]), Decimal(partners[pid]["paid"])) == (Decimal(row.group(1)), Decimal(row.group(2))), pid
            months += len(mine)
    assert months > 20
    shared = package(site, "district", "merchant_dues")
    assert len(shared) == months


def test_fund_page_lists_every_table(site, demo):
    for code in demo.books:
        page = html(site, f"funds/{code}")
        table = page[page.index('class="sl-table sl-downloads"'):]
        table = table[:table.index("</table>")]
        labels = re.findall(r'<th scope="row">([^<]+)</th>', table)
        assert labels[0] == "全部收支明细"
        assert [x for x in labels if x in TABLES.values()] == list(TABLES.values())
        assert [x for x in labels if x.startswith("全区各基金·")] == [f"全区各基金·{TABLES[t]}" for t in SHARED] + ["全区各基金·开放数据包"]
        links = re.findall(r'<a href="([^"]+)" download>', table)
        for t in TABLES:
            assert f"../../downloads/{code}/{t}.csv" in links and f"../../downloads/{code}/{t}.xlsx" in links
            assert f"../../downloads/{code}/datapackage/{t}.csv" in links
        for t in SHARED:
            assert f"../../downloads/district/{t}.xlsx" in links
        for link in links:
            assert (site / "funds" / code / link).resolve().is_file(), link
    index = json.loads((site / "downloads" / "index.json").read_text(encoding="utf-8"))
    assert index["district"]["datapackage"] == "district/datapackage/datapackage.json"
    assert all(set(f["tables"]) == set(TABLES) for f in index["funds"])


def _marks(page: str) -> dict[tuple[str, str], Decimal]:
    found = re.findall(r'data-sl-total="([a-z-]+)" data-sl-value="([^"]+)"(?: data-sl-key="([^"]*)")?', page)
    return {(name, key): Decimal(value) for name, value, key in found}


def test_annual_tables_are_the_annual_report_pages(site, demo):
    """Each published annual report's tables (annual_*) hold the figures its page shows."""
    import html as htmllib

    checked = 0
    for code in demo.books:
        summary = package(site, code, "annual_summary")
        assert summary, code  # the demo publishes reports for two closed years
        for row in summary:
            year = row["year"]
            marks = _marks(html(site, f"funds/{code}/reports/{year}/"))
            for field, mark in (("opening", "annual-opening"), ("income", "annual-income"), ("spending", "annual-spending"),
                                ("closing", "annual-closing"), ("bank_books", "annual-bank-books")):
                assert Decimal(row[field]) == marks[(mark, "")], (code, year, field)
                checked += 1
            for src in (r for r in package(site, code, "annual_sources") if r["year"] == year):
                key = htmllib.escape(src["source"])
                assert Decimal(src["income"]) == marks[("annual-source-income", key)], (code, year, src)
                assert Decimal(src["spent"]) == marks[("annual-source-spent", key)], (code, year, src)
                assert Decimal(src["free"]) == marks[("annual-source-free", key)], (code, year, src)
                assert Decimal(src["free"]) + Decimal(src["restricted"]) == marks[("annual-source-balance", key)], (code, year, src)
                checked += 4
            for cat in (r for r in package(site, code, "annual_categories") if r["year"] == year):
                assert Decimal(cat["spending"]) == marks[("annual-spending-by-category", htmllib.escape(cat["category"]))]
                checked += 1
            for p in (r for r in package(site, code, "annual_projects") if r["year"] == year):
                assert Decimal(p["spent"]) == marks[("annual-project-year", p["project"])], (code, year, p)
                assert Decimal(p["spent_to_end"]) == marks[("annual-project-to-end", p["project"])], (code, year, p)
                checked += 2
            for sh in (r for r in package(site, code, "annual_shares") if r["year"] == year):
                assert Decimal(sh["paid"]) == marks[("annual-share-paid", sh["partner"])], (code, year, sh)
                checked += 1
        assert (site / "downloads" / code / "annual_summary.csv").is_file() and (site / "downloads" / code / "annual_summary.xlsx").is_file()
    assert checked > 100
    print(f"annual report figures in the downloads checked against the report pages: {checked}")
