"""The printed monthly notice on the 公示栏 (issue 12): printed to PDF by Chromium.

Every month of the demo prints on one A4 page with no type under 10.5pt (五号), read from the PDF's
own text (pypdf: the font size times the text and graphics matrices); the sheet ends with the fund's
foot (公示期, 异议, 监督电话, signatures, 张贴日期) at the bottom of the page; the largest month that
still fits one page at 10.5pt is measured by adding one-line entries until a second page appears.
The page has a print button (a file of the site: the policy refuses inline handlers).
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import unicodedata

import pytest
import yaml

pytest.register_assert_rewrite("browser_support")

from browser_support import (  # noqa: E402, F401 - after the assert-rewrite hook; fixtures are used by name
    REPO,
    SCREENSHOTS,
    browser,
    built_site,
    need,
    open_tab,
    site_server,
)

A4_HEIGHT_PT = 841.89
MIN_PT = 10.5


def pdf_reader():
    try:
        from pypdf import PdfReader
    except ImportError:
        need(False, "pypdf not installed (pip install -e '.[test]')")
    return PdfReader


def printed(tab, path: str, pdf) -> object:
    tab.page.emulate_media(media="print")
    tab.page.pdf(path=str(pdf), format="A4", print_background=True)
    tab.page.emulate_media(media="screen")
    return pdf_reader()(str(pdf))


def text_runs(reader) -> list[tuple[int, float, float, str]]:
    """(page, size in pt, y from the top in pt, text) of every piece of text drawn."""
    runs = []
    for i, page in enumerate(reader.pages):
        def visit(text, cm, tm, font, size, i=i):
            if text.strip():
                scale = abs(tm[3] * cm[3]) or 1.0
                y = tm[5] * cm[3] + cm[5]
                runs.append((i, round(size * scale, 2), A4_HEIGHT_PT - y, text.strip()))
        page.extract_text(visitor_text=visit)
    return runs


def notices(site) -> list[str]:
    return sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("funds/*/notices/*/index.html"))


def busiest(site) -> str:
    return max(notices(site), key=lambda p: ((site / p / "index.html").read_text(encoding="utf-8").count("<tr"), p))


def test_every_notice_prints_on_one_a4_page_in_large_type(browser, site_server, built_site, tmp_path):
    context, tab = open_tab(browser, site_server, "desktop")
    sizes, bad = {}, {}
    try:
        for path in notices(built_site):
            tab.goto(path)
            reader = printed(tab, path, tmp_path / "n.pdf")
            runs = text_runs(reader)
            sizes[path] = min(r[1] for r in runs)
            if len(reader.pages) != 1:
                bad[path] = len(reader.pages)
        tab.assert_clean()
    finally:
        context.close()
    assert bad == {}, f"notices on more than one page: {bad}"
    small = {p: s for p, s in sizes.items() if s < MIN_PT - 0.01}
    assert small == {}, f"type under {MIN_PT}pt: {small}"
    print(f"{len(sizes)} notices, one page each; smallest type {min(sizes.values())}pt, largest smallest {max(sizes.values())}pt")


def test_the_busiest_notice_fills_its_sheet_and_ends_with_the_foot(browser, site_server, built_site):
    path = busiest(built_site)
    SCREENSHOTS.mkdir(exist_ok=True)
    context, tab = open_tab(browser, site_server, "desktop")
    try:
        tab.goto(path)
        pdf = SCREENSHOTS / "print-busiest.pdf"
        reader = printed(tab, path, pdf)
        runs = text_runs(reader)
    finally:
        context.close()
    assert len(reader.pages) == 1
    # Chromium's PDF maps some CJK glyphs to Kangxi radicals (⽰ for 示): NFKC makes them characters again
    text = unicodedata.normalize("NFKC", "".join(r[3] for r in runs))
    code = path.split("/")[1]
    contact = yaml.safe_load((REPO / f"content/funds/{code}/fund.yml").read_text(encoding="utf-8"))["contact"]
    for word in ("公示期", "异议", "监督电话", "经办人", "审核人", "居务监督委员会", "张贴日期", contact["phones"][0]["number"], contact["address"]):
        assert word in text, word
    bottom = max(r[2] for r in runs if "贴" in unicodedata.normalize("NFKC", r[3]))
    assert bottom > 0.8 * A4_HEIGHT_PT, f"the foot ends {bottom:.0f}pt from the top of an {A4_HEIGHT_PT:.0f}pt sheet"
    top = min(r[2] for r in runs)
    assert top < 0.1 * A4_HEIGHT_PT
    print(f"busiest notice {path}: 1 page, smallest type {min(r[1] for r in runs)}pt, foot down to {bottom / A4_HEIGHT_PT:.0%} of the sheet")


def test_largest_month_that_fits_one_page(browser, site_server, built_site, tmp_path):
    """Add one-line entries to the busiest month, printed at its smallest size, until it needs two pages."""
    path = busiest(built_site)
    context, tab = open_tab(browser, site_server, "desktop")
    try:
        tab.goto(path)
        tab.page.evaluate("""() => { const d = document.querySelector('.sl-print-s, .sl-print-m, .sl-print-l'); d.className = 'sl-print-l';
            const body = document.querySelector('table.sl-lines tbody'); const one = body.rows[0];
            while (body.rows.length) body.deleteRow(0); window.slRow = one; }""")
        fits = 0
        for n in range(1, 60):
            tab.page.evaluate("() => document.querySelector('table.sl-lines tbody').appendChild(window.slRow.cloneNode(true))")
            reader = printed(tab, path, tmp_path / "m.pdf")
            if len(reader.pages) > 1:
                break
            fits = n
            assert min(r[1] for r in text_runs(reader)) >= MIN_PT - 0.01
    finally:
        context.close()
    print(f"largest month on one A4 page at {MIN_PT}pt: {fits} one-line entries")
    assert fits >= 20


def test_print_sizes_leave_room(built_site):
    """Quiet months print larger than busy ones (sunledger.css sl-print-s 14pt, -m 12pt, -l 10.5pt)."""
    from sunledger.site.pages import print_density

    assert print_density([20] * 3) == "s"
    assert print_density([20] * 16) == "m"
    assert print_density([20] * 40) == "l"
    found = {p: next(k for k in "sml" if f'sl-print-{k}"' in (built_site / p / "index.html").read_text(encoding="utf-8"))
             for p in notices(built_site)}
    assert {"s", "m"} <= set(found.values())


def test_the_print_button_prints(browser, site_server, built_site):
    path = busiest(built_site)
    context, tab = open_tab(browser, site_server, "phone")
    try:
        tab.goto(path)
        button = tab.page.locator("button.sl-print")
        assert button.is_visible()
        tab.page.evaluate("() => { window.slPrinted = 0; window.print = () => { window.slPrinted += 1; }; }")
        button.click()
        assert tab.page.evaluate("() => window.slPrinted") == 1
        tab.page.emulate_media(media="print")
        assert not button.is_visible()
        tab.assert_clean()
    finally:
        context.close()


def test_the_guide_says_how_to_print_and_post(built_site):
    guide = (REPO / "content/guide/treasurer.md").read_text(encoding="utf-8")
    section = guide[guide.index("打印公示"):]
    for word in ("打印", "A4", "张贴", "公示期", "签字", "notice:", "contact:"):
        assert word in section, word
