"""One set of numbers on every face: a differential test against BQL.

For the demo and a generated district, beanquery sums the ledger's postings
straight from `ledger/main.beancount` (by fund, month, source, category and
project). Every figure the built site prints (`mkdocs build`; amounts marked
`data-sl-total`/`data-sl-value`, and the text shown must be that value), every
total the downloads add up to (CSV, XLSX through openpyxl, the data package
through frictionless, index.json) and every figure of the audit report a real
Fava renders must equal it, to the fen. A figure the ledger has and a face
leaves out is a difference too.

Nothing here asks sunledger how to count: income is what Income accounts hold,
spending what Expenses accounts hold, an opening balance (期初结转) what Equity
accounts hold, money what Assets accounts hold. Only which account belongs to
which fund, source and category is read from the district's YAML.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import beanquery
import pytest
from beancount import loader

from conftest import BIN, REPO

ZERO = Decimal("0.00")
ALL = "all"
SYNTH = {"funds": 4, "transactions": 1500, "seed": 0}
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
COUNTS: Counter = Counter()  # (district, face) -> figures compared

QUERY = """
SELECT account, year(date) AS y, month(date) AS m, any_meta('project') AS pid, any_meta('source') AS src,
       sum(number) AS total
WHERE account ~ '^(Assets|Income|Expenses|Equity|Liabilities):'
GROUP BY account, y, m, pid, src
"""

# ---------------------------------------------------------------- the ledger's figures


@dataclass(frozen=True)
class Fact:
    """A sum of postings of one fund and month, signed as residents read it (+ into the fund)."""

    fund: str
    month: str
    kind: str  # income | spending | opening | money | bank
    source: str = ""
    category: str = ""
    project: str = ""
    amount: Decimal = ZERO


def figures(facts) -> dict[tuple, Decimal]:
    """(fund, period, kind, dimension, value) -> amount; period: "all", "YYYY" or "YYYY-MM"."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for f in facts:
        dims = [("", "")]
        if f.kind in ("income", "opening"):
            dims.append(("source", f.source))
        elif f.kind == "spending":
            dims += [("category", f.category), ("project", f.project)]
        for period in (ALL, f.month[:4], f.month):
            for dim, value in dims:
                out[(f.fund, period, f.kind, dim, value)] += f.amount
    return out


def name_of(account: str, mapped: dict[str, str], default: dict) -> str:
    if account in mapped:
        return mapped[account]
    item = default.get(account.split(":")[2] if account.count(":") >= 2 else "")
    return item.name if item is not None else account


def ledger_facts(main: Path, content) -> list[Fact]:
    entries, errors, options = loader.load_file(str(main))
    assert [e.message for e in errors] == []
    conn = beanquery.connect("beancount:", entries=entries, errors=errors, options=options)
    by_code = {fc.fund.account_code: code for code, fc in content.funds.items()}
    sources, categories = content.config.source_by_account(), content.config.category_by_account()
    out = []
    for account, y, m, pid, src, total in conn.execute(QUERY).fetchall():
        root, code = account.split(":")[:2]
        fund = by_code[code]
        amap = content.funds[fund].fund.accounts
        month = f"{y:04d}-{m:02d}"
        if root == "Income":
            out.append(Fact(fund, month, "income", source=name_of(account, amap.sources, sources), amount=-total))
        elif root == "Expenses":
            category = name_of(account, amap.categories, categories)
            out.append(Fact(fund, month, "spending", category=category, project=pid or "", amount=total))
        elif root == "Equity":
            out.append(Fact(fund, month, "opening", source=src or "", amount=-total))
        elif root == "Assets":
            out.append(Fact(fund, month, "money", amount=total))
            if account in amap.bank or (not amap.bank and account.split(":")[2:3] == ["Bank"]):
                out.append(Fact(fund, month, "bank", amount=total))
        else:  # Liabilities: neither income nor spending (none in these districts)
            raise AssertionError(f"no liabilities expected: {account}")
    return out


@dataclass
class Books:
    """What BQL says, with the helpers every face's comparison needs."""

    fig: dict[tuple, Decimal]
    months: dict[str, list[str]]  # fund -> months with postings, in order

    def get(self, fund: str, period: str, kind: str, dim: str = "", value: str = "") -> Decimal:
        return self.fig.get((fund, period, kind, dim, value), ZERO)

    def span(self, fund: str, months: list[str], kind: str, dim: str = "", value: str = "") -> Decimal:
        return sum((self.get(fund, m, kind, dim, value) for m in months), ZERO)

    def end(self, fund: str, month: str, kind: str = "money") -> Decimal:
        """Money (or bank) at the end of `month`."""
        return sum((self.get(fund, m, kind) for m in self.months[fund] if m <= month), ZERO)

    def values(self, fund: str, period: str, kind: str, dim: str) -> dict[str, Decimal]:
        return {k[4]: v for k, v in self.fig.items() if k[:4] == (fund, period, kind, dim) and v}


def books_of(facts: list[Fact]) -> Books:
    months: dict[str, set[str]] = defaultdict(set)
    for f in facts:
        months[f.fund].add(f.month)
    return Books(figures(facts), {k: sorted(v) for k, v in months.items()})


# ---------------------------------------------------------------- comparing


@dataclass
class Tally:
    district: str
    face: str
    diffs: list[str] = field(default_factory=list)

    def same(self, what: str, shown: Decimal | None, expected: Decimal) -> None:
        COUNTS[(self.district, self.face)] += 1
        if shown is None:
            self.diffs.append(f"{what}: not shown, ledger {expected}")
        elif shown != expected:
            self.diffs.append(f"{what}: shown {shown}, ledger {expected} (off by {shown - expected})")

    def dicts(self, what: str, shown: dict[str, Decimal], expected: dict[str, Decimal]) -> None:
        for key in sorted(set(shown) | {k for k, v in expected.items() if v}):
            self.same(f"{what}[{key}]", shown.get(key), expected.get(key, ZERO))

    def ok(self) -> None:
        assert not self.diffs, f"{self.district} {self.face}: {len(self.diffs)} differences\n" + "\n".join(self.diffs[:40])


def num(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("−", "-").strip().lstrip("+"))


# ---------------------------------------------------------------- the districts


@dataclass
class Place:
    name: str
    root: Path
    main: Path
    content: object
    books: Books
    site: Path
    funds: list[str]


def build_site(root: Path, out: Path, strict: bool) -> None:
    cmd = [str(BIN / "mkdocs"), "build", "-q", "-d", str(out)] + (["--strict"] if strict else [])
    done = subprocess.run(cmd, cwd=root, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


def synth_root(tmp: Path) -> Path:
    from sunledger.synth import generate

    root = tmp / "synth"
    generate(root, SYNTH["funds"], SYNTH["transactions"], seed=SYNTH["seed"])
    # the site config and hand-written pages as in the repo (as `make bench-site` does)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "content" / "index.md", root / "content" / "index.md")
    shutil.copytree(REPO / "content" / "guide", root / "content" / "guide")
    main = root / "ledger" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + '\n2020-01-01 custom "fava-extension" "sunledger.audit"\n',
                    encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=["demo", "synth"])
def place(request, tmp_path_factory) -> Place:
    from sunledger.content.load import load_content

    tmp = tmp_path_factory.mktemp(f"numbers-{request.param}")
    if request.param == "demo":
        if not (REPO / "ledger" / "main.beancount").exists():
            pytest.skip("demo ledger not generated")
        root = REPO
    else:
        root = synth_root(tmp)
    site = tmp / "site"
    build_site(root, site, strict=request.param == "demo")
    content = load_content(root)
    main = root / "ledger" / "main.beancount"
    facts = ledger_facts(main, content)
    books = books_of(facts)
    place = Place(request.param, root, main, content, books, site, sorted(books.months))
    if request.param == "synth":  # the generated district has what the issue is about
        assert any(f.kind == "opening" and f.amount for f in facts)
        assert any(books.get(fund, m, "money") != books.get(fund, m, "bank")
                   for fund in place.funds for m in books.months[fund])  # money moved to a cash box
    return place


# ---------------------------------------------------------------- the site


class Marks(HTMLParser):
    """Every marked amount of a page: (name, key) -> [value], checking the text shown is the value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
        self.bad: list[str] = []
        self._open: tuple[str, str, Decimal] | None = None
        self._text = ""
        self._row: dict = {}

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "tr":
            self._row = a
        name = key = None
        if "data-sl-total" in a:
            name, key = a["data-sl-total"], a.get("data-sl-key", "")
        elif "data-sl-project" in a and "data-sl-value" in a:
            name, key = "project", a["data-sl-project"]
        elif tag == "td" and "data-sl-value" in a and "data-sl-source" in self._row:
            name, key = "source-income", self._row["data-sl-source"]
        if name is not None:
            self._open, self._text = (name, key, Decimal(a["data-sl-value"])), ""

    def handle_data(self, data):
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag):
        if self._open is not None:
            name, key, value = self._open
            if num(self._text) != value:
                self.bad.append(f"{name}[{key}] marked {value}, shows {self._text!r}")
            self.found[(name, key)].append(value)
            self._open = None


def marks(path: Path) -> Marks:
    m = Marks()
    m.feed(path.read_text(encoding="utf-8"))
    assert not m.bad, f"{path}: {m.bad}"
    return m


def one(m: Marks, name: str, key: str = "") -> Decimal | None:
    values = m.found.get((name, key))
    if not values:
        return None
    assert len(set(values)) == 1, (name, key, values)
    return values[0]


def keyed(m: Marks, name: str) -> dict[str, Decimal]:
    return {k: v[0] for (n, k), v in m.found.items() if n == name}


def month_zh(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def test_site(place: Place) -> None:
    b, t = place.books, Tally(place.name, "site")
    last_year = max(m for ms in b.months.values() for m in ms)[:4]
    home = marks(place.site / "index.html")
    for fund in place.funds:
        months = b.months[fund]
        page = marks(place.site / "funds" / fund / "index.html")
        for name, kind in (("income", "income"), ("spending", "spending"), ("sources-income", "income"),
                           ("sources-spent", "spending")):
            t.same(f"{fund} {name}", one(page, name), b.get(fund, ALL, kind))
        t.same(f"{fund} balance", one(page, "balance"), b.end(fund, months[-1]))
        t.same(f"{fund} sources-balance", one(page, "sources-balance"), b.end(fund, months[-1]))
        opening = b.get(fund, ALL, "opening")
        for name in ("opening", "sources-opening"):  # its own line, shown when the fund brought one in
            t.same(f"{fund} {name}", one(page, name) if opening else (one(page, name) or ZERO), opening)
        if opening:
            t.dicts(f"{fund} opening-by-source", keyed(page, "opening-by-source"), b.values(fund, ALL, "opening", "source"))
        t.dicts(f"{fund} income-by-source", keyed(page, "income-by-source"), b.values(fund, ALL, "income", "source"))
        t.dicts(f"{fund} source-income", keyed(page, "source-income"), b.values(fund, ALL, "income", "source"))
        t.dicts(f"{fund} spending-by-category", keyed(page, "spending-by-category"),
                b.values(fund, ALL, "spending", "category"))
        projects = place.content.funds[fund].projects
        spent = b.values(fund, ALL, "spending", "project")
        t.dicts(f"{fund} project", keyed(page, "project"), {p: spent.get(p, ZERO) for p in projects})
        series = {month_zh(m): b.end(fund, m) for m in _calendar(months[0], months[-1])}
        t.dicts(f"{fund} month-balance", keyed(page, "month-balance"), series)
        for m in months:
            n = marks(place.site / "funds" / fund / "notices" / m / "index.html")
            before = [x for x in months if x < m]
            t.same(f"{fund} {m} opening", one(n, "opening"), b.end(fund, before[-1]) if before else ZERO)
            carried = b.get(fund, m, "opening")
            t.same(f"{fund} {m} carried", one(n, "carried") if carried else (one(n, "carried") or ZERO), carried)
            t.same(f"{fund} {m} income", one(n, "income"), b.get(fund, m, "income"))
            t.same(f"{fund} {m} spending", one(n, "spending"), b.get(fund, m, "spending"))
            t.same(f"{fund} {m} closing", one(n, "closing"), b.end(fund, m))
            if one(n, "bank") is not None:  # the statement's balance, where the month was checked
                t.same(f"{fund} {m} bank", one(n, "bank"), b.end(fund, m, "bank"))
        for pid in projects:
            p = marks(place.site / "projects" / pid / "index.html")
            t.same(f"{fund} project page {pid}", one(p, "spent"), spent.get(pid, ZERO))
        # the home page's card of this fund and its latest notice
        t.dicts(f"home {fund} year income", {k.split("/", 1)[1]: v for k, v in keyed(home, "year-income-by-source").items() if k.startswith(fund + "/")},
                b.values(fund, last_year, "income", "source"))
        t.dicts(f"home {fund} year spending", {k.split("/", 1)[1]: v for k, v in keyed(home, "year-spending-by-category").items() if k.startswith(fund + "/")},
                b.values(fund, last_year, "spending", "category"))
        latest = months[-1]
        key = f"{fund}/{latest}"
        t.same(f"home {key} income", one(home, "latest-income", key), b.get(fund, latest, "income"))
        t.same(f"home {key} spending", one(home, "latest-spending", key), b.get(fund, latest, "spending"))
        t.same(f"home {key} closing", one(home, "latest-closing", key), b.end(fund, latest))
        carried = b.get(fund, latest, "opening")
        t.same(f"home {key} carried", one(home, "latest-carried", key) or ZERO, carried)
    ends = [b.end(f, b.months[f][-1]) for f in place.funds]
    t.same("home balance", one(home, "balance"), sum(ends, ZERO))
    t.same("home year income", one(home, "year-income"), sum((b.get(f, last_year, "income") for f in place.funds), ZERO))
    t.same("home year spending", one(home, "year-spending"), sum((b.get(f, last_year, "spending") for f in place.funds), ZERO))
    COUNTS[(place.name, "site")] += 1
    assert sorted(home.found[("fund-balance", "")]) == sorted(ends)
    t.ok()


def period_expected(b: Books, funds: list[str], period: str) -> dict[str, Decimal | dict[str, Decimal]]:
    """What a year page (`period` "YYYY") or a whole-history page ("all") of `funds` together must show."""
    def total(kind: str) -> Decimal:
        return sum((b.get(f, period, kind) for f in funds), ZERO)

    def values(kind: str, dim: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for f in funds:
            for k, v in b.values(f, period, kind, dim).items():
                out[k] += v
        return {k: v for k, v in out.items() if v}

    def at_end(kind: str = "money", upto: str | None = None) -> Decimal:
        last = f"{period}-12" if upto is None and period != ALL else upto or "9999-12"
        return sum((b.end(f, last, kind) for f in funds if b.months[f][0] <= last), ZERO)

    # the money sources account for at the period's end: income and 期初结转 less spending, up to then
    last = f"{period}-12" if period != ALL else "9999-12"
    sourced = sum((b.get(f, m, k) * (-1 if k == "spending" else 1) for f in funds for m in b.months[f] if m <= last
                   for k in ("income", "opening", "spending")), ZERO)
    return {
        "period-opening": at_end(upto=f"{int(period) - 1}-12") if period != ALL else ZERO,
        "period-carried": total("opening"),
        "period-income": total("income"),
        "period-spending": total("spending"),
        "period-closing": at_end(),
        "period-bank": at_end("bank"),
        "sourced": sourced,
        "period-income-by-source": values("income", "source"),
        "period-source-income": values("income", "source"),
        "period-source-carried": values("opening", "source"),
        "period-spending-by-category": values("spending", "category"),
        "period-spending-by-project": {k: v for k, v in values("spending", "project").items() if k},
    }


def compare_period(t: Tally, what: str, page: Marks, want: dict) -> None:
    for name, value in want.items():
        if name == "sourced":  # free and 定向 money by source at the end (the split is the attribution's)
            t.same(f"{what} free+restricted", (one(page, "period-free") or ZERO) + (one(page, "period-restricted") or ZERO), value)
        elif isinstance(value, dict):
            t.dicts(f"{what} {name}", keyed(page, name), value)
        elif name in ("period-carried", "period-opening", "period-bank") and not value:
            t.same(f"{what} {name}", one(page, name) or ZERO, value)  # a zero line may be left out
        else:
            t.same(f"{what} {name}", one(page, name), value)


def below(content, node: str) -> list[str]:
    """The funds whose chain of `parent:`s in content/ passes through `node` (a fund under a fund too)."""
    parent = {n.id: n.parent for n in content.district.nodes}
    parent.update({code: fc.fund.parent for code, fc in content.funds.items()})
    out = []
    for code in sorted(content.funds):
        up, seen = parent.get(code), {code}
        while up is not None and up not in seen:
            if up == node:
                out.append(code)
                break
            seen.add(up)
            up = parent.get(up)
    return out


def test_year_and_level_pages(place: Place) -> None:
    """Each fund's year pages, and every level page (whole history and each year), against BQL:
    a node shows the sum of the funds below it, each once, and each of its parts (a community, a fund)."""
    b, t = place.books, Tally(place.name, "site")
    for fund in place.funds:
        for year in sorted({m[:4] for m in b.months[fund]}):
            page = marks(place.site / "funds" / fund / year / "index.html")
            compare_period(t, f"{fund} {year}", page, period_expected(b, [fund], year))
    for node in place.content.district.nodes:
        funds = [f for f in below(place.content, node.id) if f in b.months]
        years = sorted({m[:4] for f in funds for m in b.months[f]})
        for period in [ALL, *years]:
            path = place.site / "levels" / node.id / ("" if period == ALL else period) / "index.html"
            page = marks(path)
            what = f"level {node.id} {period}"
            want = period_expected(b, funds, period)
            # a node lists its projects that spent the most, and the rest in one line
            projects = want.pop("period-spending-by-project")
            shown = keyed(page, "period-spending-by-project")
            t.dicts(f"{what} projects shown", shown, {k: v for k, v in projects.items() if k in shown})
            t.same(f"{what} projects", sum(shown.values(), ZERO) + (one(page, "period-spending-other-projects") or ZERO),
                   sum(projects.values(), ZERO))
            assert sorted(shown.values(), reverse=True) == sorted(projects.values(), reverse=True)[:len(shown)], what
            compare_period(t, what, page, want)
            for f in funds:
                want = period_expected(b, [f], period)
                t.same(f"{what} {f} income", one(page, "level-fund-income", f), want["period-income"])
                t.same(f"{what} {f} spending", one(page, "level-fund-spending", f), want["period-spending"])
                t.same(f"{what} {f} closing", one(page, "level-fund-closing", f), want["period-closing"])
            # each part of the page (a node below, or a fund) is the sum of the funds in it
            parts = {k for (n, k) in page.found if n == "part-income"}
            counted = []
            for key in parts:
                inside = [f for f in ([key] if key in place.content.funds else below(place.content, key)) if f in b.months]
                counted += inside
                want = period_expected(b, inside, period)
                t.same(f"{what} part {key} income", one(page, "part-income", key), want["period-income"])
                t.same(f"{what} part {key} spending", one(page, "part-spending", key), want["period-spending"])
                t.same(f"{what} part {key} closing", one(page, "part-closing", key), want["period-closing"])
                t.dicts(f"{what} part {key} by source",
                        {k.split("/", 1)[1]: v for k, v in keyed(page, "part-income-by-source").items() if k.split("/", 1)[0] == key},
                        want["period-income-by-source"])
                t.dicts(f"{what} part {key} by category",
                        {k.split("/", 1)[1]: v for k, v in keyed(page, "part-spending-by-category").items() if k.split("/", 1)[0] == key},
                        want["period-spending-by-category"])
            assert sorted(counted) == sorted(funds), what  # every fund below in one part, once
    t.ok()


def _calendar(first: str, last: str) -> list[str]:
    out, (y, m) = [], map(int, first.split("-"))
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# ---------------------------------------------------------------- the downloads


def row_facts(fund: str, rows) -> list[Fact]:
    """The downloads' rows as facts: (date, direction, amount, source, category, project)."""
    out = []
    for day, direction, amount, source, category, project in rows:
        month = str(day)[:7]
        amount = Decimal(amount).quantize(Decimal("0.01"))
        out.append(Fact(fund, month, "money", amount=amount))
        if direction == "收入":
            out.append(Fact(fund, month, "income", source=source or "", amount=amount))
        elif direction == "支出":
            out.append(Fact(fund, month, "spending", category=category or "", project=project or "", amount=-amount))
        elif direction == "期初结转":
            out.append(Fact(fund, month, "opening", source=source or "", amount=amount))
        else:
            assert direction == "转账" and amount == 0, (direction, amount)
    return out


def compare_rows(t: Tally, what: str, fund: str, rows, b: Books, year: str | None = None) -> None:
    shown = figures(row_facts(fund, rows))
    wanted = {k: v for k, v in b.fig.items() if k[0] == fund and k[2] != "bank"}
    if year is not None:  # a year's file: its periods are that year and its months; its "all" is the year
        wanted = {k: v for k, v in wanted.items() if k[1] != ALL and k[1][:4] == year}
        wanted.update({(k[0], ALL, *k[2:]): v for k, v in wanted.items() if k[1] == year})
    for key in sorted(set(shown) | {k for k, v in wanted.items() if v}):
        t.same(f"{what} {key}", shown.get(key, ZERO), wanted.get(key, ZERO))


def read_csv(path: Path) -> list[tuple]:
    body = path.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body[3:].decode("utf-8"), newline="")))
    return [(r["日期"], r["收支"], r["金额"], r["来源"], r["类别"], r["项目"]) for r in rows]


def read_xlsx(path: Path) -> list[tuple]:
    import datetime as dt

    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True).active
    it = ws.iter_rows(values_only=True)
    head = list(next(it))
    col = {h: i for i, h in enumerate(head)}
    out = []
    for r in it:
        day = r[col["日期"]]
        day = day.date() if isinstance(day, dt.datetime) else day
        out.append((day.isoformat(), r[col["收支"]], Decimal(repr(r[col["金额"]])), r[col["来源"]], r[col["类别"]], r[col["项目"]]))
    return out


def test_downloads(place: Place) -> None:
    from frictionless import Package, validate

    b = place.books
    for face in ("CSV", "XLSX", "data package"):
        t = Tally(place.name, face)
        for fund in place.funds:
            base = place.site / "downloads" / fund
            years = sorted({m[:4] for m in b.months[fund]})
            if face == "CSV":
                compare_rows(t, f"{fund} transactions.csv", fund, read_csv(base / "transactions.csv"), b)
                for y in years:
                    compare_rows(t, f"{fund} transactions-{y}.csv", fund, read_csv(base / f"transactions-{y}.csv"), b, y)
            elif face == "XLSX":
                compare_rows(t, f"{fund} transactions.xlsx", fund, read_xlsx(base / "transactions.xlsx"), b)
                for y in years:
                    compare_rows(t, f"{fund} transactions-{y}.xlsx", fund, read_xlsx(base / f"transactions-{y}.xlsx"), b, y)
            else:
                descriptor = base / "datapackage" / "datapackage.json"
                report = validate(str(descriptor))
                assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
                package = Package(str(descriptor))
                rows = [(r["date"], r["direction"], r["amount"], r["source"], r["category"], r["project"])
                        for r in package.get_resource("transactions").read_rows()]
                compare_rows(t, f"{fund} datapackage", fund, rows, b)
                spent = b.values(fund, ALL, "spending", "project")
                shown = {r["project"]: r["spent"] for r in package.get_resource("budgets").read_rows()}
                t.dicts(f"{fund} budgets.csv spent", shown, {p: spent.get(p, ZERO) for p in place.content.funds[fund].projects})
                shown = {r["project"]: r["spent"] for r in package.get_resource("projects").read_rows()}
                t.dicts(f"{fund} projects.csv spent", shown, {p: spent.get(p, ZERO) for p in place.content.funds[fund].projects})
                split: dict[str, Decimal] = defaultdict(Decimal)  # the spending split by source, summed back per project
                for r in package.get_resource("spending_sources").read_rows():
                    split[r["project"]] -= r["amount"]
                t.dicts(f"{fund} spending_sources.csv by project", dict(split), spent)
                t.same(f"{fund} spending_sources.csv total", sum(split.values(), ZERO), b.get(fund, ALL, "spending"))
                index = json.loads((place.site / "downloads" / "index.json").read_text(encoding="utf-8"))
                entry = next(f for f in index["funds"] if f["code"] == fund)
                t.same(f"{fund} index.json net", Decimal(entry["net"]), b.end(fund, b.months[fund][-1]))
        t.ok()


# ---------------------------------------------------------------- the audit report in Fava


class Tables(HTMLParser):
    """Tables by id: (header cells, [(row attributes, cell texts)]); and the texts of elements with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, tuple[list[str], list[tuple[dict, list[str]]]]] = {}
        self.ids: dict[str, str] = {}
        self._table: str | None = None
        self._row: tuple[dict, list[str]] | None = None
        self._cell: list[str] | None = None
        self._head = self._foot = False  # totals rows (tfoot) are left out
        self._id: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "table" and "id" in a:
            self._table = a["id"]
            self.tables[self._table] = ([], [])
        elif tag == "thead":
            self._head = True
        elif tag == "tfoot":
            self._foot = True
        elif tag == "tr" and self._table and not self._foot:
            self._row = (a, [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        if "id" in a and tag == "td":
            self._id = (a["id"], [])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._id is not None:
            self._id[1].append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "td" and self._id is not None:
            self.ids[self._id[0]] = "".join(self._id[1]).strip()
            self._id = None
        elif tag == "tr" and self._row is not None and self._table:
            head, rows = self.tables[self._table]
            if self._head:
                head.extend(self._row[1])
            else:
                rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._head = False
        elif tag == "tfoot":
            self._foot = False
        elif tag == "table":
            self._table = None


def money_text(text: str) -> Decimal:
    m = re.match(r"[-\d,.]+", text)
    return num(m.group(0)) if m and text else ZERO


def test_audit_report_in_fava(place: Place) -> None:
    from fava.application import create_app

    b, t = place.books, Tally(place.name, "Fava audit report")
    app = create_app([str(place.main)], load=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    for fund in place.funds:
        months = b.months[fund]
        periods = [(ALL, months)] + [(y, [m for m in months if m[:4] == y]) for y in sorted({m[:4] for m in months})]
        for label, span in periods:
            start, end = span[0], span[-1]
            response = client.get(f"/{slug}/extension/AuditReport/?fund={quote(fund)}&start={start}&end={end}")
            assert response.status_code == 200
            html = Tables()
            html.feed(response.get_data(as_text=True))
            what = f"{fund} {label}"
            t.same(f"{what} income-total", money_text(html.ids["income-total"]), b.span(fund, span, "income"))
            t.same(f"{what} spending-total", money_text(html.ids["spending-total"]), b.span(fund, span, "spending"))
            t.same(f"{what} money-closing", money_text(html.ids["money-closing"]), b.end(fund, end))
            by_source = {a["data-source"]: money_text(c[1]) for a, c in html.tables["income-by-source"][1] if "data-source" in a}
            t.dicts(f"{what} income-by-source", by_source, _span_values(b, fund, span, "income", "source"))
            head, rows = html.tables.get("income-by-month", ([], []))
            for _a, cells in rows:
                month = cells[0]
                for name, text in zip(head[1:-1], cells[1:-1]):
                    t.same(f"{what} {month} income {name}", money_text(text), b.get(fund, month, "income", "source", name))
                t.same(f"{what} {month} income", money_text(cells[-1]), b.get(fund, month, "income"))
            projects = {c[0]: money_text(c[2]) for _a, c in html.tables["spending-by-project"][1] if len(c) == 3}
            projects = {("" if k == "（无项目）" else k): v for k, v in projects.items()}
            t.dicts(f"{what} spending-by-project", projects, _span_values(b, fund, span, "spending", "project"))
            categories = {c[0]: money_text(c[1]) for _a, c in html.tables["spending-by-category"][1] if len(c) == 3}
            t.dicts(f"{what} spending-by-category", categories, _span_values(b, fund, span, "spending", "category"))
            head, rows = html.tables["source-balances"]
            col = {h: i for i, h in enumerate(head)}
            rolls = [(a["data-source"], c) for a, c in rows if "data-source" in a]
            carried = {s: money_text(c[col["期初结转"]]) for s, c in rolls} if "期初结转" in col else {}
            t.dicts(f"{what} 期初结转", carried, _span_values(b, fund, span, "opening", "source"))
            t.dicts(f"{what} sources income", {s: money_text(c[col["本期收入"]]) for s, c in rolls},
                    _span_values(b, fund, span, "income", "source"))
            before = [m for m in months if m < start]
            t.same(f"{what} sources opening", sum((money_text(c[col["期初"]]) for _s, c in rolls), ZERO),
                   b.end(fund, before[-1]) if before else ZERO)
            t.same(f"{what} sources closing", sum((money_text(c[col["期末"]]) for _s, c in rolls), ZERO), b.end(fund, end))
    t.ok()


def _span_values(b: Books, fund: str, span: list[str], kind: str, dim: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for m in span:
        for k, v in b.values(fund, m, kind, dim).items():
            out[k] += v
    return {k: v for k, v in out.items() if v}


def test_counts(place: Place, capsys) -> None:
    """Run last for each district: every face compared something; the counts go to the report."""
    faces = {face: n for (d, face), n in COUNTS.items() if d == place.name}
    if set(faces) != {"site", "CSV", "XLSX", "data package", "Fava audit report"}:
        pytest.skip(f"only {sorted(faces)} ran: the counts need every face of the module")
    assert all(n > 0 for n in faces.values())
    with capsys.disabled():
        print(f"\n{place.name}: {sum(faces.values())} figures compared, {faces}")
