"""年度报告 and 信息公开目录 on the built demo site (issue 10, items 1 and 3).

Every figure an annual report page marks (`data-sl-total`/`data-sl-value`) is held to the books
summed by beanquery straight from `ledger/main.beancount` (tests/test_numbers.py's facts), the
bank statement's balances read from the `balance` directives, the merchants' dues from the
`revenue:` metadata and the contracts' rates; a marked figure no check knows fails the test.
Each report page is printed to PDF by Chromium: A4 sheets, no table row split across two pages
(markers put into each row, found on one page of the PDF), each table's head on every page its
rows reach, no table wider than the printed column.
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import beanquery
import pytest
from beancount import loader
from beancount.core import data

pytest.register_assert_rewrite("browser_support")

from test_numbers import ZERO, Books, Tally, books_of, keyed, ledger_facts, marks, one  # noqa: E402

from browser_support import (  # noqa: E402, F401 - after the assert-rewrite hook; fixtures are used by name
    REPO,
    browser,
    built_site,
    need,
    open_tab,
    site_server,
)

A4 = (595.28, 841.89)  # pt
PRINT_WIDTH_PX = round((210 - 26) / 25.4 * 96)  # A4 less the @page margins (13 mm each side), in CSS px


@pytest.fixture(scope="module")
def content():
    from sunledger.content.load import load_content

    return load_content(REPO)


@pytest.fixture(scope="module")
def books(content) -> Books:
    return books_of(ledger_facts(REPO / "ledger" / "main.beancount", content))


@pytest.fixture(scope="module")
def entries():
    found, errors, options = loader.load_file(str(REPO / "ledger" / "main.beancount"))
    assert errors == []
    return found, options


def reports(site) -> list[str]:
    return sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("funds/*/reports/*/index.html"))


def test_a_page_for_each_published_annual_report(built_site, content):
    """Each record of a closed year has its page, linked from the fund page, the catalogue and the feed."""
    want = sorted(f"funds/{code}/reports/{r.year}/" for code, fc in content.funds.items() for r in fc.fund.annual_reports)
    assert reports(built_site) == want
    assert len(want) >= 6  # two closed years of three funds
    for path in want:
        code, year = path.split("/")[1], path.split("/")[3]
        fund_page = (built_site / "funds" / code / "index.html").read_text(encoding="utf-8")
        assert f'href="reports/{year}/"' in fund_page
        catalogue = (built_site / "funds" / code / "disclosures" / "index.html").read_text(encoding="utf-8")
        assert f'href="../reports/{year}/"' in catalogue
        feed = (built_site / "funds" / code / "feed.xml").read_text(encoding="utf-8")
        assert f"/{path}</id>" in feed
        page = (built_site / path / "index.html").read_text(encoding="utf-8")
        record = next(r for r in content.funds[code].fund.annual_reports if str(r.year) == year)
        assert record.approved is not None and record.approved.by in page and record.approved.ref in page
        assert record.summary[:20] in page and all(s.title in page for s in record.sections)
        assert f'data-sl-published="{record.date}"' in page
        assert "data-sl-print" in page and "print.js" in page


def _bank_accounts(content, code: str) -> tuple[str, ...]:
    fund = content.funds[code].fund
    return fund.accounts.bank or (f"Assets:{fund.account_code}:Bank",)


def _asserted(entries, content, code: str) -> dict[str, Decimal]:
    """Month -> the bank statement's balance at its end (the `balance` dated the 1st of the next month)."""
    banks = _bank_accounts(content, code)
    out: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Balance) and any(e.account == b or e.account.startswith(b + ":") for b in banks):
            before = e.date - dt.timedelta(days=1)
            out[f"{before:%Y-%m}"] += e.amount.number
    return out


SHARES = """
SELECT any_meta('merchant') AS who, any_meta('period') AS per, any_meta('revenue') AS rev, sum(number) AS total
WHERE account ~ '^Income:' AND any_meta('period') IS NOT NULL
GROUP BY who, per, rev
"""
CORRECTIONS = """
SELECT date, any_meta('corrects') AS named, account, sum(number) AS total
WHERE any_meta('corrects') IS NOT NULL AND account ~ '^Assets:'
GROUP BY date, named, account
"""


def test_every_figure_of_each_annual_report_is_the_books(built_site, content, books, entries):
    """BQL's sums for the year against each marked figure; every marked figure is checked."""
    found, options = entries
    conn = beanquery.connect("beancount:", entries=found, errors=[], options=options)
    shares = conn.execute(SHARES).fetchall()
    corrections = conn.execute(CORRECTIONS).fetchall()
    config = content.config
    t = Tally("demo annual reports", "annual report")  # not "demo": test_numbers counts its own faces of "demo"
    checked = 0
    for path in reports(built_site):
        code, year = path.split("/")[1], path.split("/")[3]
        page = marks(built_site / path / "index.html")
        months = [m for m in books.months[code] if m[:4] == year]
        before = [m for m in books.months[code] if m[:4] < year]
        upto = [m for m in books.months[code] if m[:4] <= year]
        w = f"{code} {year}"
        names: set[str] = {n for n, _ in page.found}
        closing = books.end(code, months[-1])
        t.same(f"{w} opening", one(page, "annual-opening"), books.end(code, before[-1]) if before else ZERO)
        t.same(f"{w} closing", one(page, "annual-closing"), closing)
        t.same(f"{w} bank", one(page, "annual-bank-books"), books.end(code, months[-1], "bank"))
        t.same(f"{w} income", one(page, "annual-income"), books.get(code, year, "income"))
        t.same(f"{w} spending", one(page, "annual-spending"), books.get(code, year, "spending"))
        carried = books.get(code, year, "opening")
        t.same(f"{w} carried", one(page, "annual-carried") or ZERO, carried)
        income = books.values(code, year, "income", "source")
        t.dicts(f"{w} income-by-source", keyed(page, "annual-income-by-source"), income)
        t.dicts(f"{w} source-income", {k: v for k, v in keyed(page, "annual-source-income").items() if v}, income)
        if carried:
            t.dicts(f"{w} source-carried", {k: v for k, v in keyed(page, "annual-source-carried").items() if v},
                    books.values(code, year, "opening", "source"))
        t.dicts(f"{w} spending-by-category", keyed(page, "annual-spending-by-category"), books.values(code, year, "spending", "category"))
        by_project = books.values(code, year, "spending", "project")
        t.dicts(f"{w} spending-by-project", keyed(page, "annual-spending-by-project"), by_project)
        year_spent = {k: v for k, v in keyed(page, "annual-project-year").items() if v}
        t.dicts(f"{w} project-year", year_spent, by_project)
        to_end = {pid: books.span(code, upto, "spending", "project", pid) for pid in keyed(page, "annual-project-to-end")}
        t.dicts(f"{w} project-to-end", keyed(page, "annual-project-to-end"), to_end)
        # the per-source split of spending is the attribution's (tests/views/test_figures.py replays it);
        # what BQL can hold it to: it adds up to the year's spending, and the year-end balances to the money
        t.same(f"{w} source-spent", sum(keyed(page, "annual-source-spent").values(), ZERO), books.get(code, year, "spending"))
        t.same(f"{w} sources-total", one(page, "annual-sources-total"), closing)
        t.same(f"{w} source-balance", sum(keyed(page, "annual-source-balance").values(), ZERO), closing)
        free, held = keyed(page, "annual-source-free"), keyed(page, "annual-source-restricted")
        t.dicts(f"{w} free+restricted", {k: free[k] + held.get(k, ZERO) for k in free}, keyed(page, "annual-source-balance"))
        statement = _asserted(found, content, code)
        for m in months:
            t.same(f"{w} {m} income", one(page, "annual-month-income", m), books.get(code, m, "income"))
            t.same(f"{w} {m} spending", one(page, "annual-month-spending", m), books.get(code, m, "spending"))
            t.same(f"{w} {m} closing", one(page, "annual-month-closing", m), books.end(code, m))
            t.same(f"{w} {m} statement", one(page, "annual-month-bank", m), statement.get(m))
        t.same(f"{w} year-end statement", one(page, "annual-bank-asserted"), statement.get(months[-1]))
        # merchants: paid per BQL, due = the contract's rate (else the district's) x the declared revenue
        partners = content.funds[code].partners
        due: dict[str, Decimal] = defaultdict(Decimal)
        paid: dict[str, Decimal] = defaultdict(Decimal)
        for who, per, rev, total in shares:
            if who in partners and str(per)[:4] == year and partners[who].contract is not None:
                rate = partners[who].contract.rate or config.merchant_rate
                paid[who] -= total
                due[who] += (rate * Decimal(str(rev))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        t.dicts(f"{w} share-paid", {k: v for k, v in keyed(page, "annual-share-paid").items() if v}, dict(paid))
        t.dicts(f"{w} share-due", {k: v for k, v in keyed(page, "annual-share-due").items() if v}, dict(due))
        t.dicts(f"{w} share-short", keyed(page, "annual-share-short"),
                {k: due[k] - paid[k] for k in due if due[k] > paid[k]})
        own = {e.account for e in found if isinstance(e, data.Open) and e.account.split(":")[1] == content.funds[code].fund.account_code}
        moved: dict[str, Decimal] = defaultdict(Decimal)
        for day, named, account, total in corrections:
            if account in own and day.year == int(year):
                moved[f"{day}/{named}"] += total
        shown = keyed(page, "annual-correction")
        t.dicts(f"{w} corrections", {k: v for k, v in shown.items() if v}, dict(moved))
        checked_names = {"annual-opening", "annual-closing", "annual-bank-books", "annual-income", "annual-spending",
                         "annual-carried", "annual-income-by-source", "annual-source-income", "annual-source-carried",
                         "annual-spending-by-category", "annual-spending-by-project", "annual-project-year",
                         "annual-project-to-end", "annual-source-spent", "annual-sources-total", "annual-source-balance",
                         "annual-source-free", "annual-source-restricted", "annual-month-income", "annual-month-spending",
                         "annual-month-closing", "annual-month-bank", "annual-bank-asserted", "annual-share-paid",
                         "annual-share-due", "annual-share-short", "annual-correction"}
        assert names <= checked_names, f"{path}: figures no check holds to the books: {sorted(names - checked_names)}"
        assert "annual-other" not in names  # the demo has no deposits or payables
        checked += len(page.found)
    t.ok()
    assert checked > 300
    # a correction made in a closed year is on its report (it moved money between sources, not out of the bank)
    assert one(marks(built_site / "funds/Yuchan/reports/2025/index.html"), "annual-correction", "2025-07-08/2025-05") == ZERO
    print(f"{len(reports(built_site))} annual reports, {checked} marked figures held to the books")


def _marked_pdf(tab, path: str, pdf):
    """Print `path` with a marker at the start of each table row, at the end of each of its cells and in
    each table's head (1 px text: it takes no room), and return (reader, rows, heads)."""
    from test_print import pdf_reader

    tab.goto(path)
    tab.page.emulate_media(media="print")
    rows = tab.page.evaluate("""() => {
        const mark = (el, text, first) => { const s = document.createElement('span'); s.textContent = text;
            s.style.fontSize = '1px'; s.style.lineHeight = '0'; first ? el.prepend(s) : el.append(s); };
        const out = [];
        document.querySelectorAll('table.sl-report').forEach((table, t) => {
            const head = table.tHead && table.tHead.rows[0];
            if (head) mark(head.cells[0], ` QQ${t}H `, false);
            table.querySelectorAll('tbody tr, tfoot tr').forEach((tr, i) => {
                mark(tr.cells[0], ` QQ${t}R${i}A `, true);
                Array.prototype.forEach.call(tr.cells, c => mark(c, ` QQ${t}R${i}Z `, false));
                out.push([t, i, tr.cells.length]);
            });
        });
        return out; }""")
    tab.page.pdf(path=str(pdf), format="A4", print_background=True)
    tab.page.emulate_media(media="screen")
    return pdf_reader()(str(pdf)), rows


def test_each_annual_report_prints_on_a4_with_no_cut_table(browser, site_server, built_site, tmp_path):
    context, tab = open_tab(browser, site_server, "desktop")
    pages, problems = {}, []
    try:
        tab.page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1000})
        for path in [*reports(built_site), "funds/Yuchan/disclosures/"]:
            tab.goto(path)
            tab.page.emulate_media(media="print")
            wide = tab.page.evaluate("""(w) => Array.prototype.map.call(document.querySelectorAll('table.sl-report'),
                t => [t.getBoundingClientRect().right, t.scrollWidth, t.parentElement.clientWidth]).filter(([r, s, c]) => r > w + 1 || s > c + 1)""",
                                     PRINT_WIDTH_PX)
            if wide:
                problems.append(f"{path}: tables wider than the printed column: {wide}")
            reader, rows = _marked_pdf(tab, path, tmp_path / "a.pdf")
            pages[path] = len(reader.pages)
            for i, page in enumerate(reader.pages):
                w, h = float(page.mediabox.width), float(page.mediabox.height)
                if abs(w - A4[0]) > 2 or abs(h - A4[1]) > 2:
                    problems.append(f"{path}: page {i + 1} is {w:.1f} x {h:.1f} pt, not A4")
            where: dict[str, set[int]] = defaultdict(set)
            for i, page in enumerate(reader.pages):
                text = re.sub(r"\s+", "", page.extract_text())
                for key in re.findall(r"QQ(\d+(?:H|R\d+[AZ]))", text):
                    where[key].add(i)
            table_pages: dict[int, set[int]] = defaultdict(set)
            for t, r, _cells in rows:
                seen = where.get(f"{t}R{r}A", set()) | where.get(f"{t}R{r}Z", set())
                if not seen:
                    problems.append(f"{path}: table {t} row {r} not found in the PDF")
                elif len(seen) > 1:
                    problems.append(f"{path}: table {t} row {r} split over pages {sorted(p + 1 for p in seen)}")
                table_pages[t] |= seen
            for t, spread in table_pages.items():
                missing = spread - where.get(f"{t}H", set())
                if missing:
                    problems.append(f"{path}: table {t} runs onto pages {sorted(p + 1 for p in missing)} without its head")
                alone = where.get(f"{t}H", set()) - spread
                if alone:
                    problems.append(f"{path}: table {t}'s head ends page {sorted(p + 1 for p in alone)} without a row under it")
        tab.assert_clean()
    finally:
        context.close()
    assert problems == [], "\n".join(problems[:30])
    assert all(n >= 2 for p, n in pages.items() if "/reports/" in p)  # a year's report fills more than a sheet
    print(f"annual reports printed on A4: {pages}")


def test_the_annual_report_ends_with_its_approval_and_signatures(browser, site_server, built_site, tmp_path, content):
    import unicodedata

    from test_print import printed, text_runs

    path = "funds/Yuchan/reports/2025/"
    context, tab = open_tab(browser, site_server, "desktop")
    try:
        tab.goto(path)
        reader = printed(tab, path, tmp_path / "r.pdf")
        runs = text_runs(reader)
        button = tab.page.locator("button.sl-print")
        assert button.is_visible()
        tab.page.evaluate("() => { window.slPrinted = 0; window.print = () => { window.slPrinted += 1; }; }")
        button.click()
        assert tab.page.evaluate("() => window.slPrinted") == 1
    finally:
        context.close()
    last = [unicodedata.normalize("NFKC", r[3]) for r in runs if r[0] == len(reader.pages) - 1]
    text = "".join(last)
    for who in content.funds["Yuchan"].fund.notice.signatures:
        assert who in text, who
    assert "审议通过" in text and "圆桌〔2026〕1号" in text
    assert min(r[1] for r in runs) >= 10.5 - 0.01  # no type under 五号
    assert not any("打印年度报告" in unicodedata.normalize("NFKC", r[3]) for r in runs)  # the button is not printed


def test_the_catalogue_shows_each_state_and_the_home_page_names_overdue_funds(built_site, content):
    """Yuchan: a late annual report (逾期公布), an unsealed month past its deadline (已逾期未公布),
    next year's report (未到期); the home page links its catalogue; a fund with nothing overdue is not named."""
    from sunledger.district import load_district
    from sunledger.views.disclosure import fund_catalogue

    page = (built_site / "funds/Yuchan/disclosures/index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-sl-kind="([^"]+)" data-sl-due="([^"]+)"(?: data-sl-published="([^"]+)")?><td>(.*?)</td>.*?data-sl-state="([^"]+)"', page)
    states = {(kind, re.sub("<[^>]+>", "", title)): state for kind, _due, _pub, title, state in rows}
    assert states[("年度报告", "2024年度报告")] == "late"
    assert states[("年度报告", "2025年度报告")] == "on-time"
    assert states[("年度报告", "2026年度报告")] == "not-due"
    assert states[("月度公示", "2026年10月收支公示")] == "overdue"
    assert states[("更正说明", "更正2025年5月的账目（2025-07-08）")] == "on-time"
    assert {"on-time", "late", "overdue", "not-due"} <= set(states.values())
    assert 'class="sl-muted sl-state" data-sl-state="not-due"' in page  # neutral, not red
    district = load_district(REPO)
    home = (built_site / "index.html").read_text(encoding="utf-8")
    named = set(re.findall(r'data-sl-overdue-fund="([^"]+)"', home))
    day = dt.date.fromisoformat(re.search(r'<time class="sl-asof" datetime="([\d-]+)"', home).group(1))
    want = {code for code in district.books if fund_catalogue(district, code, day).overdue}
    assert named == want and "Yuchan" in named
    assert 'href="funds/Yuchan/disclosures/"' in home
    assert len(rows) == len(fund_catalogue(district, "Yuchan", day).items)
