"""Level pages (/levels/<id>/, /levels/<id>/<YYYY>/) and year pages (/funds/<CODE>/<YYYY>/): every
figure is the view's (fund_figures, level_view); the year selector is links, one of them the page;
a resident on a 360 px phone finds her street, picks last year and sees each community's money."""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.register_assert_rewrite("browser_support")

from sunledger.site.pages import LEVEL_PROJECTS  # noqa: E402

from browser_support import (  # noqa: E402, F401 - after the assert-rewrite hook; fixtures are used by name
    REPO,
    SITE_URL,
    browser,
    built_site,
    open_tab,
    site_server,
)


@pytest.fixture(scope="module")
def demo():
    from sunledger.district import load_district

    return load_district(REPO)


class Page(HTMLParser):
    """Marked amounts (data-sl-total, with the text shown) and the year selector's links of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: dict[tuple[str, str], set[Decimal]] = {}
        self.years: list[tuple[str, str, bool]] = []  # (label, href, aria-current)
        self._mark: tuple[str, str, Decimal] | None = None
        self._year: list | None = None
        self._in_years = False
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "nav" and "sl-years" in a.get("class", ""):
            self._in_years = True
        if self._in_years and tag == "a":
            self._year = ["", a["href"], a.get("aria-current") == "page"]
        if "data-sl-total" in a:
            self._mark, self.text = (a["data-sl-total"], a.get("data-sl-key", ""), Decimal(a["data-sl-value"])), ""

    def handle_data(self, data):
        if self._mark is not None:
            self.text += data
        if self._year is not None:
            self._year[0] += data

    def handle_endtag(self, tag):
        if self._mark is not None:
            name, key, value = self._mark
            assert Decimal(self.text.replace(",", "")) == value, (name, key, value, self.text)
            self.marks.setdefault((name, key), set()).add(value)
            self._mark = None
        if tag == "a" and self._year is not None:
            self.years.append(tuple(self._year))
            self._year = None
        if tag == "nav":
            self._in_years = False

    def one(self, name: str, key: str = "") -> Decimal | None:
        values = self.marks.get((name, key))
        assert values is None or len(values) == 1, (name, key, values)
        return next(iter(values)) if values else None

    def keyed(self, name: str) -> dict[str, Decimal]:
        return {k: next(iter(v)) for (n, k), v in self.marks.items() if n == name}


def shown_figures(page: Page, f, limit: int | None = None) -> None:
    """The page shows `f` (views.fund.Figures), every table of a period, to the fen."""
    nonzero = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
    assert page.one("period-income") == f.income_total
    assert page.one("period-spending") == f.spending_total
    assert page.one("period-closing") == f.closing
    assert page.one("period-bank") == f.bank_closing
    assert (page.one("period-opening") or 0) == f.opening
    assert (page.one("period-carried") or 0) == f.carried
    assert page.keyed("period-income-by-source") == nonzero(f.income_by_source)
    assert page.keyed("period-spending-by-category") == nonzero(f.spending_by_category)
    projects = list(f.spending_by_project.items())
    shown = page.keyed("period-spending-by-project")
    assert shown == dict(projects[:limit] if limit else projects)
    assert (page.one("period-spending-other-projects") or 0) == sum(v for _, v in projects[len(shown):])
    assert page.keyed("period-source-income") == {x.source: x.income for x in f.sources}
    assert page.keyed("period-source-spent") == {x.source: x.spent for x in f.sources}
    assert page.keyed("period-source-free") == {x.source: x.balance for x in f.sources}
    assert page.keyed("period-source-restricted") == {x.source: sum(x.restricted.values(), Decimal("0.00")) for x in f.sources}
    assert page.one("period-free") == f.free_total and page.one("period-restricted") == f.restricted_total


def selector(page: Page, years: list[int], current: int | None) -> None:
    """全部, then the newest year first; the page itself is aria-current, and only it."""
    labels = [label for label, _, _ in page.years]
    assert labels == ["全部"] + [f"{y}年" for y in reversed(years)], labels
    assert [label for label, _, cur in page.years if cur] == (["全部"] if current is None else [f"{current}年"])
    for label, href, _ in page.years:
        year = None if label == "全部" else int(label[:-1])
        assert href == base_href(year, current), (label, href)


def base_href(year: int | None, current: int | None) -> str:
    """The link from the page for `current` (…/<id>/ or …/<id>/<YYYY>/) to the page for `year`."""
    if year == current:
        return "./"
    if current is None:
        return f"{year}/" if year is not None else "./"
    return f"../{year}/" if year is not None else "../"


# ---------------------------------------------------------------- the demo as built


def test_every_year_and_level_page_shows_the_views_figures(built_site: Path, demo):
    from sunledger.views.fund import fund_figures, fund_years
    from sunledger.views.level import level_view, tree

    pages = 0
    for code in demo.books:
        years = fund_years(demo, code)
        whole = Page((built_site / "funds" / code / "index.html").read_text(encoding="utf-8"))
        selector(whole, years, None)
        for y in years:
            page = Page((built_site / "funds" / code / str(y) / "index.html").read_text(encoding="utf-8"))
            shown_figures(page, fund_figures(demo, code, y))
            selector(page, years, y)
            pages += 1
    t = tree(demo)
    for node in t.nodes():
        v = level_view(demo, node)
        for year in [None, *v.years]:
            path = built_site / "levels" / node / (str(year) if year else "") / "index.html"
            page = Page(path.read_text(encoding="utf-8"))
            lv = level_view(demo, node, year)
            shown_figures(page, lv.totals, LEVEL_PROJECTS)
            selector(page, v.years, year)
            for code in lv.funds:
                assert page.one("level-fund-closing", code) == fund_figures(demo, code, year).closing
            for part in lv.parts:
                assert page.one("part-income", part.place.key) == part.figures.income_total
                assert page.one("part-closing", part.place.key) == part.figures.closing
            pages += 1
    # demo: 3 funds × 3 years, 7 nodes × (whole + 3 years)
    assert pages == 9 + 28, pages
    assert not (built_site / "levels" / "yuqiuhu" / "2023").exists()


def test_level_pages_are_in_the_nav_and_the_trail_leads_up(built_site: Path):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    # the home page's tree: a node's name leads to its level page
    assert re.search(r'<a class="sl-node-name" href="levels/yuqiuhu/">鱼邱湖街道</a>', home)
    nav = home[home.index('md-nav--primary'):]
    assert "各级汇总" in nav and 'href="levels/yuchan-shequ/"' in nav
    fund = (built_site / "funds/Yuchan/index.html").read_text(encoding="utf-8")
    lead = re.search(r'<p class="sl-lead">(.*?)</p>', fund).group(1)
    assert re.findall(r'href="([^"]+)">([^<]+)</a>', lead) == [
        ("../../levels/luxian/", "泸县"), ("../../levels/yuchan-jiedao/", "玉蟾街道"), ("../../levels/yuchan-shequ/", "玉蟾社区")]
    # a year page's trail leads to the same year of the levels above
    year = (built_site / "funds/Yuchan/2025/index.html").read_text(encoding="utf-8")
    lead = re.search(r'<p class="sl-lead">(.*?)</p>', year).group(1)
    assert 'href="../../../levels/yuchan-shequ/2025/"' in lead
    # year pages stay out of the nav
    assert "levels/yuqiuhu/2025/" not in nav and "funds/Guangming/2025/" not in nav


# ---------------------------------------------------------------- a 小区 fund under a community fund


def test_compound_fund_pages(district):
    """Without mkdocs: the pages the Portal makes for the inline district of tests/views/test_levels.py."""
    from levelkit import compound_district
    from sunledger.site.pages import Portal
    from sunledger.views.fund import fund_figures
    from sunledger.views.level import level_view

    d = compound_district(district)
    pages = {p.src_uri: p for p in Portal(d, SITE_URL).pages()}
    made = {u for u in pages if u.startswith(("levels/", "funds/")) and "notices" not in u}
    assert made == {
        "funds/Test/index.md", "funds/Test/2024/index.md", "funds/Xiao/index.md", "funds/Xiao/2023/index.md",
        "funds/Xiao/2024/index.md", "levels/qu/index.md", "levels/qu/2023/index.md", "levels/qu/2024/index.md",
        "levels/street/index.md", "levels/street/2023/index.md", "levels/street/2024/index.md", "levels/empty/index.md",
        "funds/Test/disclosures/index.md", "funds/Xiao/disclosures/index.md",  # every fund's 信息公开目录
    }

    def html(uri: str) -> str:
        return "\n".join(pages[uri].blocks)

    # the community fund's page shows its own books, says the 小区 fund is apart, and links to it
    test = html("funds/Test/index.md")
    assert re.search(r'data-sl-apart="1">本页只含本基金自己的账。<a href="../Xiao/">幸福小区共享发展金</a>单独记账', test)
    assert "data-sl-apart" not in html("funds/Xiao/index.md")
    xiao_lead = re.search(r'<p class="sl-lead">(.*?)</p>', html("funds/Xiao/index.md")).group(1)
    assert re.findall(r'>([^<]+)</a>', xiao_lead) == ["测试区", "测试街道", "测试社区基金"]
    street = Page(html("levels/street/2024/index.md"))
    shown_figures(street, level_view(d, "street", 2024).totals, LEVEL_PROJECTS)
    assert street.one("period-income") == fund_figures(d, "Test", 2024).income_total + fund_figures(d, "Xiao", 2024).income_total
    assert street.one("part-income", "Xiao") == Decimal("60.00") and street.one("part-income", "Test") == Decimal("2000.00")
    assert street.one("part-closing", "empty") == 0
    assert "挂在测试社区基金下，单独记账" in html("levels/street/2024/index.md")
    selector(street, [2023, 2024], 2024)
    # a year the fund has no entries in: the level page links to the fund's whole history
    assert 'href="../../../funds/Test/"' in html("levels/street/2023/index.md")
    assert pages["levels/street/index.md"].in_nav and not pages["levels/street/2024/index.md"].in_nav


# ---------------------------------------------------------------- a resident on a phone


def test_a_resident_finds_her_street_and_last_years_money(browser, site_server, built_site, demo):
    from sunledger.views.level import level_view

    context, tab = open_tab(browser, site_server, "phone")
    try:
        tab.goto("")
        tab.page.locator("a.sl-node-name", has_text="鱼邱湖街道").click()
        tab.page.wait_for_url("**/levels/yuqiuhu/")
        years = tab.page.locator("nav.sl-years a")
        last = max(level_view(demo, "yuqiuhu").years) - 1
        assert years.first.get_attribute("aria-current") == "page"
        sizes = years.evaluate_all("els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
        assert all(min(s) >= 44 for s in sizes), sizes
        tab.page.locator("nav.sl-years a", has_text=f"{last}年").click()
        tab.page.wait_for_url(f"**/levels/yuqiuhu/{last}/")
        assert tab.page.locator('nav.sl-years a[aria-current="page"]').inner_text() == f"{last}年"
        v = level_view(demo, "yuqiuhu", last)
        for part in v.parts:
            card = tab.page.locator(f'[data-sl-part="{part.place.key}"]')
            card.scroll_into_view_if_needed()
            assert card.is_visible()
            text = card.inner_text()
            assert part.place.name in text
            for source, amount in part.figures.income_by_source.items():  # where the money came from
                assert re.search(rf"{source}\s+{re.escape(f'{amount:,.2f}')}", text), (source, text)
            for category, amount in part.figures.spending_by_category.items():  # and where it went
                assert re.search(rf"{category}\s+{re.escape(f'{amount:,.2f}')}", text), (category, text)
        tab.shot("phone-level-year")
        # from the community's card to its own year page, and back up the trail
        tab.page.locator(f'[data-sl-part="{v.parts[0].place.key}"] a.sl-card-title').click()
        tab.page.wait_for_url(f"**/funds/{v.parts[0].place.key}/{last}/")
        tab.page.locator("p.sl-lead a", has_text="鱼邱湖街道").click()
        tab.page.wait_for_url(f"**/levels/yuqiuhu/{last}/")
        tab.assert_clean()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["levels/yuqiuhu/", "levels/yuchan-jiedao/2025/", "funds/Guangming/2025/"])
def test_level_and_year_pages_fit_320px(browser, site_server, path):
    context, tab = open_tab(browser, site_server, "phone")
    try:
        tab.page.set_viewport_size({"width": 320, "height": 700})
        tab.goto(path)
        tab.assert_fits_the_screen()
        tab.assert_clean()
    finally:
        context.close()
