"""A 65-year-old on a cheap 360 px phone with large text (issue 12): measured in real Chromium.

Charts fill their column and their text is text-sized and grows with the reader's text size; no page
scrolls sideways at 320 px, at 200 % text on a 360 px phone, or with WCAG 1.4.12 text spacing; body
text is at least 14 px and the main figures 16 px; the things a resident taps are 44 × 44 px; states
say what they mean (not-yet-due, unsealed, overdue), every figure says "截至"; every page says whom to
ask and the help page explains every word. The user's text size is Chromium's own default font size
setting (CDP Page.setFontSizes), as a phone's 字体大小 setting does.
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

pytest.register_assert_rewrite("browser_support")

from browser_support import (  # noqa: E402, F401 - after the assert-rewrite hook; fixtures are used by name
    REPO,
    browser,
    built_site,
    open_tab,
    site_server,
    tab,
    viewport,
)


@pytest.fixture(scope="session")
def demo():
    from sunledger.district import load_district

    return load_district(REPO)


@pytest.fixture(scope="session")
def as_of() -> dt.date:
    """The day the site is built for: the commit's date (site/buildinfo.py)."""
    out = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return dt.date.fromisoformat(out)


def page_types(site) -> dict[str, str]:
    partner = sorted(site.glob("partners/*/*/index.html"))[0].parent.relative_to(site).as_posix()
    notice = sorted(site.glob("funds/Guangming/notices/*/index.html"))[-1].parent.relative_to(site).as_posix()
    return {
        "home": "", "fund": "funds/Guangming/", "notice": f"{notice}/", "projects": "projects/",
        "project": "projects/GM-2025-03/", "partners": "partners/", "partner": f"{partner}/", "help": "help/",
        "guide": "guide/treasurer/", "level": "levels/yuchan-jiedao/", "level-year": "levels/yuchan-jiedao/2025/",
        "fund-year": "funds/Guangming/2025/",
    }


def text_size(tab, size: int) -> None:
    """The reader's text size: Chromium's default font size (16 px is 100 %)."""
    cdp = tab.page.context.new_cdp_session(tab.page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": size, "fixed": size * 13 // 16}})


FONT_SIZES = """(root) => { const out = []; const w = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  let n; while ((n = w.nextNode())) { if (!n.textContent.trim()) continue; const el = n.parentElement; if (!el.checkVisibility()) continue;
    out.push([parseFloat(getComputedStyle(el).fontSize), (el.closest('[class]') || el).className.baseVal ?? el.className, n.textContent.trim().slice(0, 24)]); }
  return out; }"""


def scroll_width(tab) -> tuple[int, int]:
    return tuple(tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


# ---------------------------------------------------------------- charts


def test_charts_fill_their_column_with_readable_text(tab):
    tab.goto("funds/Guangming/")
    figures = tab.page.evaluate("""() => [...document.querySelectorAll('figure.sl-figure')].map(f => {
        const chart = f.querySelector('.sl-chart'); return [f.getBoundingClientRect().width, f.parentElement.clientWidth,
        chart.getBoundingClientRect().width, chart.className.baseVal ?? chart.className]; })""")
    assert len(figures) >= 4
    for fig, column, chart, cls in figures:
        assert fig >= column - 1 and chart >= column - 1, (cls, fig, chart, column)
    sizes = tab.page.evaluate(FONT_SIZES, ".sl-figure")
    smallest = min(sizes)
    assert smallest[0] >= (14 if tab.phone else 12), smallest
    if tab.phone:
        tab.shot("phone-charts")


def test_chart_text_grows_with_the_readers_text_size(browser, site_server):
    seen = {}
    for size in (16, 32):
        context, t = open_tab(browser, site_server, "phone")
        try:
            text_size(t, size)
            t.goto("funds/Guangming/")
            seen[size] = t.page.evaluate(FONT_SIZES, ".sl-figure")
            assert scroll_width(t)[0] <= 360
            if size == 32:
                t.shot("phone-fund-200pct")
        finally:
            context.close()
    assert len(seen[16]) == len(seen[32])
    ratios = [b[0] / a[0] for a, b in zip(seen[16], seen[32])]
    assert min(ratios) >= 1.9, min(zip(ratios, seen[16]))


def test_flow_chart_keeps_every_project_title_whole(tab, demo):
    tab.goto("funds/Guangming/")
    labels = tab.page.evaluate("""() => [...document.querySelectorAll('.sl-flow .sl-bar-label')].map(l =>
        [l.textContent, l.scrollWidth <= l.clientWidth + 1, l.getBoundingClientRect().right <= innerWidth])""")
    titles = {p.title for p in demo.books["Guangming"].fc.projects.values()} | {"其他项目"}
    assert len(labels) >= 5
    assert all(text in titles for text, _, _ in labels), labels
    assert len({text for text, _, _ in labels}) == len(labels)  # never two the same
    assert all(whole and inside for _, whole, inside in labels), labels
    # its data table: one row per (source, project)
    rows = tab.page.evaluate("() => document.querySelector('.sl-flow').closest('figure').querySelectorAll('details tbody tr').length")
    flows = {k for k, v in _flows(demo, "Guangming").items() if v > 0}
    assert rows == len(flows)


def _flows(demo, code):
    from sunledger.views.fund import fund_summary

    return fund_summary(demo, code).flows


# ---------------------------------------------------------------- reflow, text size, tap targets


@pytest.mark.parametrize("width,size", [(320, 16), (360, 32)], ids=["320px", "360px-200pct-text"])
def test_no_page_scrolls_sideways(browser, site_server, built_site, width, size):
    context, t = open_tab(browser, site_server, "phone")
    try:
        t.page.set_viewport_size({"width": width, "height": 780})
        text_size(t, size)
        wide = {}
        for name, path in page_types(built_site).items():
            t.goto(path)
            got, inner = scroll_width(t)
            if got > inner:
                wide[name] = got
        assert wide == {}, f"pages wider than {width}px: {wide}"
    finally:
        context.close()


# WCAG 2.1 1.4.12: what a reader's own style sheet may set; nothing may be cut or scroll sideways.
TEXT_SPACING = """() => { const s = new CSSStyleSheet();
  s.replaceSync('* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; } p { margin-bottom: 2em !important; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, s]; }"""
CLIPPED = """() => [...document.querySelectorAll('.md-content *')].filter(e => e.checkVisibility() && !e.closest('.sl-scroll, pre, svg')
  && !e.closest('.sl-sr') && ['hidden', 'clip'].includes(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight + 1).map(e => e.className)"""


def test_text_spacing_cuts_nothing(browser, site_server, built_site):
    context, t = open_tab(browser, site_server, "phone")
    try:
        for name, path in page_types(built_site).items():
            t.goto(path)
            t.page.evaluate(TEXT_SPACING)
            assert scroll_width(t)[0] <= 360, name
            assert t.page.evaluate(CLIPPED) == [], name
    finally:
        context.close()


MAIN_FIGURES = ".sl-stat-value .sl-money, .sl-balance .sl-money, table.sl-summary .sl-money"


def test_body_text_is_14px_and_main_figures_16px_on_a_phone(browser, site_server, built_site):
    context, t = open_tab(browser, site_server, "phone")
    smallest = {}
    try:
        for name, path in page_types(built_site).items():
            t.goto(path)
            sizes = t.page.evaluate(FONT_SIZES, ".md-content") + t.page.evaluate(FONT_SIZES, ".md-footer-meta")
            smallest[name] = min(sizes)
            figures = t.page.evaluate(f"() => [...document.querySelectorAll('{MAIN_FIGURES}')].map(e => parseFloat(getComputedStyle(e).fontSize))")
            assert all(f >= 16 for f in figures), (name, figures)
    finally:
        context.close()
    assert all(s[0] >= 14 for s in smallest.values()), smallest
    print("smallest text per page type at 360 px:", {k: v[0] for k, v in smallest.items()})


TAPS = {
    "header buttons": ".md-header__button:not([hidden])",
    "month tiles": "a.sl-month",
    "filters": ".sl-filter select",
    "downloads": "table.sl-downloads a[download]",
    "pager": "nav.sl-pager a",
    "data tables": "details.sl-data > summary",
    "cards": "a.sl-card-title",
    "year selector": "nav.sl-years a",
    "tree nodes": "a.sl-node-name",
    "print button": "button.sl-print",
    "contact phones": ".md-footer-meta a.sl-tel",
    "help link": ".sl-foot-help a",
}


def test_tap_targets_are_44px(browser, site_server, built_site):
    context, t = open_tab(browser, site_server, "phone")
    found: dict[str, list] = {k: [] for k in TAPS}
    try:
        for path in page_types(built_site).values():
            t.goto(path)
            for name, sel in TAPS.items():
                found[name] += t.page.evaluate(f"""() => [...document.querySelectorAll('{sel}')].filter(e => e.checkVisibility())
                    .map(e => {{ const r = e.getBoundingClientRect(); return [Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; }})""")
        # the navigation drawer, opened as a person does
        t.goto("")
        t.page.locator('label.md-header__button[for="__drawer"]').click()
        t.settle()
        found["navigation"] = t.page.evaluate("""() => [...document.querySelectorAll('.md-nav--primary .md-nav__link')].filter(e => e.checkVisibility())
            .map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })""")
    finally:
        context.close()
    empty = [k for k, v in found.items() if not v]
    assert empty == [], f"nothing found to tap: {empty}"
    small = {k: [s for s in v if min(s) < 44] for k, v in found.items()}
    assert {k: v for k, v in small.items() if v} == {}
    print("smallest tap target:", {k: min(v, key=min) for k, v in found.items()})


# ---------------------------------------------------------------- states say what they mean


def test_not_yet_due_is_neutral(built_site, demo):
    from sunledger.views.partner import partner_view

    checked = 0
    for code, books in demo.books.items():
        for pid, partner in books.fc.partners.items():
            if partner.contract is None:
                continue
            html = (built_site / f"partners/{code}/{pid}/index.html").read_text(encoding="utf-8")
            for due in partner_view(demo, code, pid).dues:
                row = re.search(rf'<tr data-sl-month="{due.month}" data-sl-status="{due.status}">(.*?)</tr>', html).group(1)
                if due.status == "未到期":
                    checked += 1
                    assert "✗" not in row and "sl-bad" not in row and "未到期" in row, row
                elif due.status in ("未缴", "金额不符"):
                    assert "✗" in row and "sl-bad" in row
    assert checked  # the demo has a merchant month not yet due


def test_unsealed_and_overdue_months_are_marked_where_notices_are_listed(built_site, demo, as_of):
    from sunledger.ledger import deadlines
    from sunledger.site.pages import notice_state
    from sunledger.views.disclosure import fund_catalogue
    from sunledger.views.notice import all_notices

    days = demo.config.disclosure
    kinds = set()
    home = (built_site / "index.html").read_text(encoding="utf-8")
    # the 信息公开目录's state of each month's notice: the tiles must say the same
    as_catalogue = {"sealed": deadlines.ON_TIME, "late": deadlines.LATE, "overdue": deadlines.OVERDUE, "open": deadlines.NOT_DUE}
    for code in demo.books:
        notices = all_notices(demo, code)
        fund = (built_site / f"funds/{code}/index.html").read_text(encoding="utf-8")
        catalogue = {it.month: it for it in fund_catalogue(demo, code, as_of).items if it.kind == deadlines.NOTICE}
        for n in notices:
            state = notice_state(n, as_of, days)
            kinds.add(state.kind)
            if n.month in catalogue:  # months not ended by as_of are not yet due anywhere
                assert as_catalogue[state.kind] == catalogue[n.month].state and state.due == catalogue[n.month].due, (code, n.month)
            tile = re.search(rf'<a class="sl-month" href="notices/{n.month}/" data-sl-state="(\w+)">.*?<span class="sl-sr">(.*?)</span>(.*?)</a>', fund)
            assert tile and tile.group(1) == state.kind, (code, n.month)
            assert state.text in tile.group(2)
            mark = {"sealed": "封", "late": "封", "open": "未封", "overdue": "逾期"}[state.kind]
            assert f">{mark}</span>" in tile.group(3)
        latest = notices[-1]
        card = re.search(rf'href="funds/{code}/notices/{latest.month}/".*?data-sl-state="(\w+)">(.*?)</div>', home)
        state = notice_state(latest, as_of, days)
        assert card.group(1) == state.kind and state.text in card.group(2)
        if state.kind == "overdue":
            assert "sl-bad" in card.group(2) and "逾期" in card.group(2)
    assert {"sealed", "overdue"} <= kinds, kinds


def test_every_figure_says_as_of(built_site, as_of):
    from sunledger.site.fmt import date_zh

    stamp = f'<time class="sl-asof" datetime="{as_of.isoformat()}">截至 {date_zh(as_of)}</time>'
    for path in ("index.html", "funds/Guangming/index.html", "projects/GM-2025-03/index.html", "partners/index.html", "projects/index.html"):
        html = (built_site / path).read_text(encoding="utf-8")
        stats = re.findall(r'<div class="sl-stat ">(.*?)</div></div>', html)
        assert all(stamp in s for s in re.findall(r'<div class="sl-stat-note">(.*?)</div>', html)), path
        assert len(re.findall(r'<div class="sl-stat-note">', html)) == len(stats) or stats == [], path
        for caption in re.findall(r"<figcaption>(.*?)</figcaption>", html):
            assert f"截至 {date_zh(as_of)}" in caption, (path, caption)
        assert stamp in html, path
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert home.count(stamp) >= home.count('data-sl-total="fund-balance"') + 3


# ---------------------------------------------------------------- whom to ask, what the words mean


def test_every_page_says_whom_to_ask(built_site, demo):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        rel = path.relative_to(built_site).as_posix()
        html = path.read_text(encoding="utf-8")
        foot = html[html.index('<footer class="md-footer">'):]
        assert 'class="sl-contact"' in foot and "怎么看这个网站" in foot and "12345" in foot, rel
        code = next((c for c in demo.books if rel.startswith(f"funds/{c}/")), None)
        if code:
            contact = demo.books[code].fc.fund.contact
            assert f'data-sl-contact="{code}"' in foot and all(p.number in foot for p in contact.phones), rel
            assert contact.address in foot and contact.mailbox in foot, rel


def test_the_help_page_explains_every_word_and_pages_link_to_it(built_site):
    from sunledger.site import glossary

    help_page = (built_site / "help/index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'<dt id="([\w-]+)">', help_page))
    assert ids == set(glossary.TERMS)
    for word in ("点单", "派单", "接单", "评单", "封", "更", "冲正", "定向", "期初结转", "商户分成", "未到期", "逾期", "截至"):
        assert word in help_page, word
    linked = set()
    for path in built_site.rglob("*.html"):
        for href in re.findall(r'<a class="sl-info" href="([^"]+)"', path.read_text(encoding="utf-8")):
            target = (path.parent / href.split("#")[0]).resolve()
            assert target == (built_site / "help").resolve(), (path, href)
            linked.add(href.split("#")[1])
    assert linked <= ids
    assert {"stages", "seal", "correction", "restricted", "opening", "merchant"} <= linked, linked
    assert "help/" in (built_site / "index.html").read_text(encoding="utf-8")  # in the navigation


def test_footer_and_help_page_at_360(tab):
    tab.goto("help/")
    assert tab.page.locator("#reversal").is_visible()
    assert tab.page.locator(".md-footer-meta a.sl-tel").first.is_visible()
    if tab.phone:
        tab.shot("phone-help")
        tab.goto("funds/Guangming/")
        tab.page.locator(".md-footer-meta").scroll_into_view_if_needed()
        tab.page.screenshot(path=str(tab.shot("phone-fund").parent / "phone-fund-footer.png"))
    tab.assert_clean()
