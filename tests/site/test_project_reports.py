"""Each project's progress and final reports on its page (issue 10): every figure equals the books,
computed here with beanquery, and the finished project's page prints to A4 with no table cut.

Nothing here asks sunledger how to count: spending is what Expenses postings of the project hold up
to the report's day; a posting without `source:` is split over the project's `funding:` plan in
proportion, largest remainder to the fen (the rule DEVELOPING.md states); restricted money is Income
with `purpose:`, drawn first (in the demo every gift comes before its project's spending); where a
leftover went is the ledger's `custom "sunledger-leftover"` lines and the negative income with
`purpose:` (refunds).
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import beanquery
import pytest
from beancount import loader
from beancount.core import data

pytest.register_assert_rewrite("browser_support")

from test_print import printed  # noqa: E402 - the notices' print helper

from browser_support import REPO, SCREENSHOTS, browser, built_site, open_tab, site_server  # noqa: E402, F401

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
QUERY = """
SELECT date, account, any_meta('project') AS pid, any_meta('source') AS src, any_meta('purpose') AS purpose, number
WHERE account ~ '^(Income|Expenses):'
"""


def split(amount: Decimal, plan: dict[str, Decimal]) -> dict[str, Decimal]:
    total = sum(plan.values())
    raw = {k: abs(amount) * v / total for k, v in plan.items()}
    out = {k: r.quantize(FEN, rounding=ROUND_DOWN) for k, r in raw.items()}
    left = int((abs(amount) - sum(out.values())) / FEN)
    for k in sorted(plan, key=lambda k: (-(raw[k] - out[k]), list(plan).index(k)))[:left]:
        out[k] += FEN
    return {k: v if amount >= 0 else -v for k, v in out.items()}


@dataclass
class Ledger:
    spending: list[tuple] = field(default_factory=list)  # (date, project, source, amount)
    gifts: list[tuple] = field(default_factory=list)  # (date, project, source, amount): + given, - refunded
    moves: list[tuple] = field(default_factory=list)  # (date, project, source, amount, target)


@pytest.fixture(scope="module")
def books() -> tuple[Ledger, dict]:
    from sunledger.content.load import load_content

    content = load_content(REPO)
    projects = {pid: p for fc in content.funds.values() for pid, p in fc.projects.items()}
    by_account = content.config.source_by_account()

    def source_of(account: str) -> str:
        for fc in content.funds.values():
            if account in fc.fund.accounts.sources:
                return fc.fund.accounts.sources[account]
        return by_account[account.split(":")[2]].name

    entries, errors, options = loader.load_file(str(REPO / "ledger" / "main.beancount"))
    assert errors == []
    out = Ledger()
    conn = beanquery.connect("beancount:", entries=entries, errors=errors, options=options)
    for day, account, pid, src, purpose, number in conn.execute(QUERY).fetchall():
        if account.startswith("Expenses:"):
            shares = {src: number} if src else split(number, dict(projects[pid].funding))
            out.spending += [(day, pid, s, a) for s, a in shares.items()]
        elif purpose:
            out.gifts.append((day, purpose, source_of(account), -number))
    for e in entries:
        if isinstance(e, data.Custom) and e.type == "sunledger-leftover":
            pid, account, amount, target = (v.value for v in e.values)
            out.moves.append((e.date, pid, source_of(account), amount.number, target))
    return out, projects


class Reports(HTMLParser):
    """Each `data-sl-report` block: (field, key) -> value, the text shown checked against the value."""

    def __init__(self):
        super().__init__()
        self.found: dict[tuple[str, str], dict[tuple[str, str], Decimal]] = {}
        self.kinds: dict[tuple[str, str], list[str]] = defaultdict(list)  # report -> disposition kinds
        self.bad: list[str] = []
        self._report: tuple[str, str] | None = None
        self._open: tuple | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-sl-report" in a:
            self._report = (a["data-sl-report"], a["data-sl-kind"])
            self.found[self._report] = {}
        if self._report and "data-sl-disposition" in a:
            self.kinds[self._report].append(a["data-sl-disposition"])
        if self._report and "data-sl-field" in a:
            self._open = (a["data-sl-field"], a.get("data-sl-key", ""), Decimal(a["data-sl-value"]))
            self._text = ""

    def handle_data(self, text):
        if self._open:
            self._text += text

    def handle_endtag(self, tag):
        if self._open and tag in ("td", "strong", "span"):
            name, key, value = self._open
            shown = Decimal(re.sub(r"[,%\s]", "", self._text))
            if shown != value:
                self.bad.append(f"{name}[{key}] marked {value}, shows {self._text!r}")
            self.found[self._report][(name, key)] = value  # type: ignore[index]
            self._open = None


def expected(ledger: Ledger, project, day, kind: str) -> dict[tuple[str, str], Decimal]:
    pid = project.id
    spent: dict[str, Decimal] = defaultdict(Decimal, dict.fromkeys(project.funding, ZERO))
    for d, p, s, a in ledger.spending:
        if p == pid and d <= day:
            spent[s] += a
    given: dict[str, Decimal] = defaultdict(Decimal)
    for d, p, s, a in ledger.gifts:
        if p == pid and d <= day and a > 0:
            given[s] += a
    for d, _p, s, a, target in ledger.moves:
        if target == pid and d <= day:
            given[s] += a
    drawn = {s: min(given.get(s, ZERO), max(spent[s], ZERO)) for s in spent}
    total = sum(spent.values(), ZERO)
    share = (total * 100 / project.budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if project.budget else Decimal("0.0")
    out = {("spent", ""): total, ("share", ""): share}
    for s, paid in spent.items():
        out[("planned", s)] = Decimal(project.funding.get(s, ZERO))
        out[("spent", s)] = paid
        if kind == "进度":
            out[("restricted_spent", s)] = drawn[s]
        else:
            out[("left", s)] = out[("planned", s)] - paid
            out[("restricted_left", s)] = given.get(s, ZERO) - drawn[s]
    if kind == "结项":
        out[("leftover", "")] = project.budget - total
        restricted_left = sum((out[("restricted_left", s)] for s in spent), ZERO)
        disposed: dict[str, Decimal] = defaultdict(Decimal)
        for _d, p, _s, a, target in ledger.moves:
            if p == pid:
                disposed["转为非定向" if target == "非定向" else "转入其他项目"] += a
        for _d, p, _s, a in ledger.gifts:
            if p == pid and a < 0:
                disposed["退回捐赠方"] += -a
        out.update({("disposed", k): v for k, v in disposed.items()})
        if restricted_left:
            out[("restricted_left", "")] = restricted_left
            if restricted_left - sum(disposed.values(), ZERO):
                out[("restricted_open", "")] = out[("restricted_open", "未处理")] = restricted_left - sum(disposed.values(), ZERO)
    return out


def test_every_report_figure_equals_the_books(built_site, books):
    ledger, projects = books
    compared, reports, finals = 0, 0, 0
    for pid, project in sorted(projects.items()):
        page = built_site / "projects" / pid / "index.html"
        if not page.is_file():
            continue
        parser = Reports()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.bad == [], (pid, parser.bad)
        assert sorted(parser.found) == sorted((r.date.isoformat(), r.kind) for r in project.reports), pid
        for r in project.reports:
            shown = parser.found[(r.date.isoformat(), r.kind)]
            want = expected(ledger, project, r.date, r.kind)
            assert shown == want, (pid, r.date, {k: (shown.get(k), want.get(k)) for k in {*shown, *want} if shown.get(k) != want.get(k)})
            compared += len(shown)
            reports += 1
            finals += r.kind == "结项"
    print(f"{reports} reports ({finals} final) on the project pages, {compared} figures equal to beanquery's")
    assert finals >= 10 and reports >= 40


def test_the_final_reports_say_where_the_leftover_went(built_site, books):
    ledger, projects = books
    moved = {p for _d, p, *_ in ledger.moves}
    refunded = {p for _d, p, _s, a in ledger.gifts if a < 0}
    assert moved and refunded, "the demo has a restricted leftover moved and one refunded"
    for pid in sorted(moved | refunded):
        project = projects[pid]
        final = next(r for r in project.reports if r.kind == "结项")
        parser = Reports()
        parser.feed((built_site / "projects" / pid / "index.html").read_text(encoding="utf-8"))
        kinds = parser.kinds[(final.date.isoformat(), "结项")]
        assert ("转为非定向" in kinds or "转入其他项目" in kinds) if pid in moved else "退回捐赠方" in kinds, (pid, kinds)
        assert ("restricted_open", "") not in parser.found[(final.date.isoformat(), "结项")]  # all of it accounted for
    long_running = [p for p in projects.values() if sum(r.kind == "进度" for r in p.reports) >= 2]
    assert long_running, "a project longer than 6 months reports every quarter"


def pdf_pages_text(reader) -> list[str]:
    # Chromium's PDF maps some CJK glyphs to Kangxi radicals (⽰ for 示): NFKC makes them characters again
    return [re.sub(r"\s+", "", unicodedata.normalize("NFKC", page.extract_text() or "")) for page in reader.pages]


def test_the_finished_projects_page_prints_with_no_table_cut(browser, site_server, built_site, books, tmp_path):
    """Printed to A4 by Chromium: each report table (its caption first, its 合计 row last) on one sheet."""
    ledger, _projects = books
    cases = sorted({p for _d, p, *_ in ledger.moves} | {p for _d, p, _s, a in ledger.gifts if a < 0})
    SCREENSHOTS.mkdir(exist_ok=True)
    context, tab = open_tab(browser, site_server, "desktop")
    try:
        for pid in cases:
            path = f"projects/{pid}/"
            tab.goto(path)
            captions = tab.page.evaluate("() => [...document.querySelectorAll('table.sl-report-table caption')].map(c => c.textContent)")
            reader = printed(tab, path, SCREENSHOTS / f"print-project-{pid}.pdf")
            pages = pdf_pages_text(reader)
            assert len(captions) >= 2, (pid, captions)
            for caption in captions:
                wanted = re.sub(r"\s+", "", unicodedata.normalize("NFKC", caption))
                where = [i for i, text in enumerate(pages) if wanted in text]
                assert len(where) == 1, (pid, caption, where)
                page = pages[where[0]]
                rest = page[page.index(wanted) + len(wanted):]
                assert "合计" in rest, f"{pid}: the table {caption!r} starts on page {where[0] + 1} and ends on the next"
            print(f"{pid}: {len(reader.pages)} A4 pages, {len(captions)} report tables, none cut")
        tab.assert_clean()
    finally:
        context.close()
