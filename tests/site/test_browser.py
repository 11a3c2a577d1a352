"""The demo portal in a real headless Chromium, as a resident on a phone and an auditor at a desk see it.

One build, one local server and one browser per session (browser_support.py). Every page test
runs at 360×780 (a phone: touch, device pixels ×2) and at 1280×900, fails on any console error,
failed request or request to a host other than the local server, and leaves screenshots in
tests/site/screenshots/ for a person to look at. axe-core checks every page type for serious and
critical violations; the known ones are listed in GAPS and kept visible as strict xfails.
The busiest monthly notice must print on one A4 page with a QR code that scans to its own address.
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import subprocess
from collections import Counter

import pytest

pytest.register_assert_rewrite("browser_support")

from browser_support import (  # noqa: E402, F401 - after the assert-rewrite hook; fixtures are used by name
    REPO,
    SCREENSHOTS,
    SITE_URL,
    VIEWPORTS,
    Gap,
    browser,
    built_site,
    describe,
    need,
    need_tools,
    open_tab,
    run_axe,
    site_server,
    tab,
    viewport,
)


@pytest.fixture(scope="session")
def demo():
    from sunledger.district import load_district

    return load_district(REPO)


def first_fund(demo) -> str:
    return next(iter(demo.books))


def latest_notice(demo, code: str) -> str:
    return sorted(demo.books[code].seals)[-1]


def all_projects(demo):
    return [(code, p) for code, b in demo.books.items() for p in b.fc.projects.values()]


def search_word(demo) -> tuple[str, str]:
    """(project id, word): the longest jieba word of a project title that no other project title contains."""
    import jieba

    titles = {p.id: p.title for _, p in all_projects(demo)}
    best: tuple[int, str, str] | None = None
    for pid, title in sorted(titles.items()):
        for word in dict.fromkeys(jieba.cut(title)):
            if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word) and sum(word in t for t in titles.values()) == 1:
                if best is None or len(word) > best[0]:
                    best = (len(word), pid, word)
    assert best, "no project title has a word of its own"
    return best[1], best[2]


def h1(tab) -> str:
    return tab.page.locator("article h1").first.inner_text().replace("¶", "").strip()


def open_search(tab) -> None:
    """Open Material's search as a person does: the magnifier on a phone, the box on a desk."""
    button = tab.page.locator('label.md-header__button[for="__search"]')
    if button.is_visible():
        button.click()
    else:
        tab.page.locator("input.md-search__input").click()
    tab.page.locator("input.md-search__input").wait_for(state="visible")


def type_query(tab, word: str) -> None:
    # A Chinese IME commits the word and the key goes up (keyCode 229); Playwright types CJK text
    # with insertText and no key events, and Material reads the query on keyup, so finish with a key.
    tab.page.keyboard.type(word)
    tab.page.keyboard.press("End")


def search_results(tab) -> list[str]:
    return tab.page.eval_on_selector_all(".md-search-result__item > a", "els => els.map(e => e.href.split('?')[0])")


# ---------------------------------------------------------------- pages


def test_home_lists_every_fund_and_leads_to_it(tab, demo):
    tab.goto("")
    assert tab.page.title().startswith("阳光账本")
    assert tab.page.locator('[data-sl-total="balance"]').is_visible()
    for code, books in demo.books.items():
        link = tab.page.locator(f'a.sl-card-title[href="funds/{code}/"]')
        assert link.inner_text().strip() == books.fc.fund.name
    if tab.phone:
        tab.assert_fits_the_screen()
    tab.shot("home")
    code = first_fund(demo)
    tab.page.locator(f'a.sl-card-title[href="funds/{code}/"]').click()
    tab.page.wait_for_url(tab.url(f"funds/{code}/"))
    assert h1(tab) == demo.books[code].fc.fund.name
    tab.assert_clean()


def test_fund_page_shows_the_balance_and_its_notices(tab, demo):
    code = first_fund(demo)
    month = latest_notice(demo, code)
    tab.goto(f"funds/{code}/")
    assert h1(tab) == demo.books[code].fc.fund.name
    for name in ("balance", "income", "spending"):
        assert tab.page.locator(f'[data-sl-total="{name}"]').is_visible(), name
    notice = tab.page.locator(f'ul.sl-months a[href="notices/{month}/"]')
    assert notice.is_visible()
    if tab.phone:
        tab.assert_fits_the_screen()
    tab.shot("fund")
    notice.click()
    tab.page.wait_for_url(tab.url(f"funds/{code}/notices/{month}/"))
    tab.assert_clean()


def test_monthly_notice_shows_its_qr_code(tab, demo):
    code = first_fund(demo)
    month = latest_notice(demo, code)
    path = f"funds/{code}/notices/{month}/"
    tab.goto(path)
    year, mm = month.split("-")
    assert h1(tab).startswith(demo.books[code].fc.fund.name) and f"{year}年{int(mm)}月" in h1(tab)
    qr = tab.page.locator(".sl-qr")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 100 and abs(box["width"] - box["height"]) < 1, box
    assert (qr.get_attribute("aria-label") or "").endswith(SITE_URL + path)
    for name in ("opening", "income", "spending", "closing"):
        assert tab.page.locator(f'[data-sl-total="{name}"]').is_visible(), name
    if tab.phone:
        tab.assert_fits_the_screen()
    tab.shot("notice")
    tab.assert_clean()


def visible_projects(tab) -> list[dict]:
    return tab.page.eval_on_selector_all(
        ".sl-project", "els => els.filter(e => e.checkVisibility()).map(e => ({...e.dataset}))"
    )


def test_project_filter_shows_only_the_chosen_stage(tab, demo):
    stages = Counter(p.stage for _, p in all_projects(demo))
    total = sum(stages.values())
    tab.goto("projects/")
    assert len(visible_projects(tab)) == total
    options = tab.page.eval_on_selector_all("#filter-stage option", "os => os.map(o => o.value)")
    assert options[0] == "" and set(stages) <= set(options[1:])
    count = tab.page.locator("#sl-project-count")
    for stage in options[1:]:
        tab.page.select_option("#filter-stage", stage)
        shown = visible_projects(tab)
        assert len(shown) == stages[stage], stage
        assert {s["stage"] for s in shown} <= {stage}
        assert f"显示 {stages[stage]} 个项目" in count.inner_text()
    # the stage with most projects still under way: the one a resident asks about
    stage = max(("派单", "接单", "实施"), key=lambda s: stages[s])
    tab.page.select_option("#filter-stage", stage)
    assert len(visible_projects(tab)) == stages[stage]
    assert tab.page.evaluate("new URLSearchParams(location.search).get('stage')") == stage
    if tab.phone:
        tab.assert_fits_the_screen()
    tab.shot("projects-filtered")
    # combined with a fund, and kept in the address across a reload
    code = first_fund(demo)
    both = sum(1 for c, p in all_projects(demo) if c == code and p.stage == stage)
    tab.page.select_option("#filter-fund", code)
    assert [(s["stage"], s["fund"]) for s in visible_projects(tab)] == [(stage, code)] * both
    tab.page.reload()
    assert tab.page.input_value("#filter-stage") == stage and len(visible_projects(tab)) == both
    tab.page.select_option("#filter-stage", "")
    tab.page.select_option("#filter-fund", "")
    assert len(visible_projects(tab)) == total
    tab.assert_clean()


def test_project_page(tab, demo):
    code, project = next((c, p) for c, p in all_projects(demo) if p.stage == "实施")
    tab.goto(f"projects/{project.id}/")
    assert h1(tab) == project.title
    assert tab.page.locator(".sl-lead .sl-stage").inner_text().strip() == project.stage
    assert tab.page.locator(f'.sl-lead a[href="../../funds/{code}/"]').is_visible()
    for name in ("budget", "spent"):
        assert tab.page.locator(f'[data-sl-total="{name}"]').is_visible(), name
    if tab.phone:
        tab.assert_fits_the_screen()
    tab.shot("project")
    tab.assert_clean()


def test_partner_list_leads_to_a_partner(tab, demo):
    tab.goto("partners/")
    link = tab.page.locator('table[data-sl-table="partners"] a').first
    name = link.inner_text().strip()
    if tab.phone:
        tab.assert_fits_the_screen()
    tab.shot("partners")
    link.click()
    tab.page.wait_for_load_state("load")
    assert "/partners/" in tab.page.url and h1(tab) == name
    tab.shot("partner")
    tab.assert_clean()


def test_chinese_search_finds_the_project(tab, demo):
    pid, word = search_word(demo)
    tab.goto("")
    open_search(tab)
    type_query(tab, word)
    tab.page.locator(f'.md-search-result__item > a[href*="/projects/{pid}/"]').first.wait_for()
    results = search_results(tab)
    assert results[0] == tab.url(f"projects/{pid}/"), (word, results[:5])  # the first thing found
    tab.shot("search")
    tab.page.locator(f'.md-search-result__item > a[href*="/projects/{pid}/"]').first.click()
    tab.page.wait_for_url(tab.url(f"projects/{pid}/") + "**")
    assert h1(tab) == next(p.title for _, p in all_projects(demo) if p.id == pid)
    tab.assert_clean()


def test_search_also_runs_on_pasted_text(browser, site_server, demo):
    """Material reads the search box on keyup only; pasted text, a word picked from a Chinese input
    method or spoken (语音输入) arrives as an `input` event without a key, and the site makes it search."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    pid, word = search_word(demo)
    context, tab = open_tab(browser, site_server, "phone")
    try:
        tab.goto("")
        open_search(tab)
        tab.wait_until("() => document.querySelector('.md-search-result__meta').textContent.trim() !== ''")
        tab.page.wait_for_timeout(500)  # the search index is loaded: a lost query is not a race
        tab.page.evaluate(
            """word => { const box = document.querySelector('input.md-search__input'); box.value = word;
                         box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste', data: word})); }""",
            word,
        )
        try:
            tab.page.locator(f'.md-search-result__item > a[href*="/projects/{pid}/"]').first.wait_for(timeout=3000)
            found = True
        except PlaywrightTimeout:
            found = False
        assert found, f"pasting {word!r} into the search box found nothing"
        tab.assert_clean()
    finally:
        context.close()


# ---------------------------------------------------------------- accessibility (axe-core)

# Known serious or critical violations of the published pages: none today. axe-core 4.14 found eight
# (grey text under 4.5:1, links told apart by colour only, Material's unnamed search dialog, its footer,
# search-result and code colours, scroll boxes a keyboard cannot reach); the site fixed them in bed7d67.
# A new one that cannot be fixed at once goes here, e.g.
#     Gap("color-contrast", ".sl-tag, .sl-tag *", "sl-small-grey", "#989898 on white is 2.88:1"),
# A violating element matching `selector` for `rule` is then not a failure of test_axe…, and the gap is
# a strict xfail below: once fixed everywhere the xfail passes, fails the run, and the entry goes.
GAPS: list[Gap] = []

GAP_PARAMS = [
    pytest.param(g, id=g.id, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"{g.rule}: {g.why}"))
    for g in GAPS
] or [pytest.param(None, id="none", marks=pytest.mark.skip(reason="no known accessibility gap"))]


class AxeReport:
    """axe-core run once per (viewport, page type), on demand, shared by the tests below."""

    def __init__(self, browser, base, site, demo):
        self.browser, self.base, self.site, self.demo = browser, base, site, demo
        self.cache: dict[tuple[str, str], list[dict]] = {}

    def paths(self) -> dict[str, str]:
        code = first_fund(self.demo)
        project = next(p for _, p in all_projects(self.demo) if p.stage == "实施")
        partner = sorted(self.site.glob("partners/*/*/index.html"))[0].parent.relative_to(self.site).as_posix()
        return {
            "home": "",
            "fund": f"funds/{code}/",
            "notice": f"funds/{code}/notices/{latest_notice(self.demo, code)}/",
            "projects": "projects/",
            "project": f"projects/{project.id}/",
            "partners": "partners/",
            "partner": f"{partner}/",
            "guide": "guide/treasurer/",
            "help": "help/",
            "search": "projects/",
            "level": "levels/yuqiuhu/",
            "level-year": "levels/yuqiuhu/2025/",
            "fund-year": f"funds/{code}/2025/",
        }

    def get(self, viewport: str, page: str) -> list[dict]:
        if (viewport, page) not in self.cache:
            context, tab = open_tab(self.browser, self.base, viewport)
            try:
                tab.goto(self.paths()[page])
                if page == "search":
                    pid, word = search_word(self.demo)
                    open_search(tab)
                    type_query(tab, word)
                    tab.page.locator(f'.md-search-result__item > a[href*="/projects/{pid}/"]').first.wait_for()
                self.cache[viewport, page] = run_axe(tab, GAPS)
                tab.assert_clean()
            finally:
                context.close()
        return self.cache[viewport, page]


PAGE_TYPES = ["home", "fund", "notice", "projects", "project", "partners", "partner", "guide", "help", "search", "level",
              "level-year", "fund-year"]


@pytest.fixture(scope="session")
def axe_report(browser, site_server, built_site, demo) -> AxeReport:
    return AxeReport(browser, site_server, built_site, demo)


@pytest.mark.parametrize("page", PAGE_TYPES)
def test_axe_finds_no_serious_violation(axe_report, viewport, page):
    found = axe_report.get(viewport, page)
    new = [n for n in found if n["gap"] is None]
    assert new == [], f"{page} at {viewport}: serious/critical axe violations not in GAPS:\n{describe(new)}"


@pytest.mark.parametrize("gap", GAP_PARAMS)
def test_known_accessibility_gap_is_fixed(axe_report, gap):
    hits = [(v, p, n) for v in VIEWPORTS for p in PAGE_TYPES for n in axe_report.get(v, p) if n["gap"] == gap.id]
    assert hits == [], f"{gap.id} on {sorted({p for _, p, _ in hits})}:\n{describe([n for _, _, n in hits[:10]])}"


# ---------------------------------------------------------------- print


def notices_to_print(site) -> list[str]:
    """The notice with the most table rows and the one with the most text: the hardest to fit on a page."""
    pages = sorted(site.glob("funds/*/notices/*/index.html"))
    texts = {p: p.read_text(encoding="utf-8") for p in pages}

    def article(html: str) -> str:
        return html[html.index("<article"):html.index("</article>")]

    busiest = max(pages, key=lambda p: (texts[p].count("<tr"), str(p)))
    longest = max(pages, key=lambda p: (len(article(texts[p])), str(p)))
    return [p.parent.relative_to(site).as_posix() + "/" for p in dict.fromkeys([busiest, longest])]


def test_notice_prints_on_one_a4_page_and_its_qr_scans(browser, site_server, built_site, tmp_path):
    need_tools("pdftoppm", "zbarimg")
    try:
        from pypdf import PdfReader
    except ImportError:
        need(False, "pypdf not installed (pip install -e '.[test]')")
    SCREENSHOTS.mkdir(exist_ok=True)
    context, tab = open_tab(browser, site_server, "desktop")
    try:
        for path in notices_to_print(built_site):
            name = "print-" + path.strip("/").replace("/", "-")
            tab.goto(path)
            tab.page.emulate_media(media="print")
            pdf = SCREENSHOTS / f"{name}.pdf"
            tab.page.pdf(path=str(pdf), format="A4", print_background=True)
            assert len(PdfReader(str(pdf)).pages) == 1, f"{path} prints on {len(PdfReader(str(pdf)).pages)} pages"
            subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(SCREENSHOTS / name)],
                           check=True, capture_output=True, timeout=60)
            scan = subprocess.run(["zbarimg", "-q", "--raw", str(SCREENSHOTS / f"{name}.png")],
                                  capture_output=True, text=True, timeout=60)
            assert scan.stdout.strip() == SITE_URL + path, (path, scan.stdout, scan.stderr[-500:])
            tab.page.emulate_media(media="screen")
        tab.assert_clean()
    finally:
        context.close()
