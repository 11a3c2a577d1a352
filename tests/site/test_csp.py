"""Every page carries a Content-Security-Policy that runs no planted script, and the site still works under it.

The policy is written by overrides/main.html from site/csp.py. Checked on the demo
build (every HTML file, the 404 page and the hand-written guides included), in
Chromium on a copy of a built page with handlers and scripts planted after the
build (as if escaping had been bypassed), and on the build itself, which refuses
a page with an inline script the policy would refuse.
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.register_assert_rewrite("browser_support")

from browser_support import (  # noqa: E402, F401 - fixtures are used by name
    BIN,
    REPO,
    browser,
    built_site,
    open_tab,
    serve,
    site_server,
)

# The policy without the hashes of Material's inline scripts (they follow 'self' in script-src).
EXPECTED = re.compile(
    r"default-src 'self'; script-src 'self'(?: 'sha256-[A-Za-z0-9+/]{43}=')+; style-src 'self'; "
    r"img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    r"base-uri 'self'; form-action 'self'"
)
META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')

# What escaping keeps out, planted into a built page as if it had not: each would set window.__pwned.
PLANTED = (
    '<img id="p-img" src="x" onerror="window.__pwned=1">'
    '<script>window.__pwned=2</script>'
    '<a id="p-link" href="javascript:window.__pwned=3">点我</a>'
    '<svg onload="window.__pwned=4"></svg>'
    '<div id="p-hover" onmouseover="window.__pwned=5" style="height:40px">悬停</div>'
    '<img id="p-remote" src="http://198.51.100.1/x.png">'
)
# Recorded from the start of every page: what the policy refused.
LISTEN = """document.addEventListener("securitypolicyviolation", e => {
  (window.__csp = window.__csp || []).push(e.effectiveDirective + " " + (e.blockedURI || ""));
});"""


def test_every_page_carries_the_policy_before_any_script(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert built_site / "404.html" in pages and any("guide" in p.parts for p in pages)
    for path in pages:
        html = path.read_text(encoding="utf-8")
        found = META.findall(html)
        assert len(found) == 1, path
        assert EXPECTED.fullmatch(found[0]), (path, found[0])
        head = html[: html.index("</head>")]
        assert head.index("Content-Security-Policy") < head.index("<script"), path
        assert "unsafe" not in found[0], path


def test_the_policy_allows_exactly_materials_inline_scripts(built_site):
    from sunledger.site import csp

    for path in (built_site / "index.html", built_site / "404.html", built_site / "guide/treasurer/index.html"):
        html = path.read_text(encoding="utf-8")
        scripts = csp.inline_scripts(html)
        assert scripts and all(csp.digest(s) in csp.of_page(html) for s in scripts), path
        assert csp.refused(html + "<script>alert(1)</script>") == ["alert(1)"]


def test_a_planted_handler_or_script_is_refused_in_chromium(browser, built_site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy)
    pages = ["", "projects/", "guide/treasurer/"]
    for url in pages:
        path = copy / url / "index.html"
        html = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(<article[^>]*>)", lambda m: m.group(1) + PLANTED, html, count=1), encoding="utf-8")
    (copy / "404.html").write_text((copy / "404.html").read_text(encoding="utf-8").replace("<h1>", PLANTED + "<h1>", 1),
                                   encoding="utf-8")
    with serve(copy) as base:
        context, tab = open_tab(browser, base, "desktop")
        context.add_init_script(LISTEN)
        try:
            for url in pages + ["404.html"]:
                tab.page.goto(base + url, wait_until="load")
                tab.page.locator("#p-hover").hover()
                tab.page.locator("#p-link").click()
                tab.page.wait_for_timeout(300)
                assert tab.page.evaluate("() => window.__pwned") is None, url
                refused = tab.page.evaluate("() => window.__csp || []")
                assert {d.split()[0] for d in refused} >= {"script-src-elem", "script-src-attr", "img-src"}, (url, refused)
                assert "img-src http://198.51.100.1/x.png" in refused, refused
                # Material's own inline and external scripts ran: the scope of its storage, its bundle
                assert tab.page.evaluate("() => typeof __md_scope === 'object' && typeof document$ === 'object'"), url
        finally:
            context.close()


def test_no_page_of_the_site_breaks_its_policy(browser, site_server, built_site):
    """Search (its worker and index), the project filter, a11y.js and the 404 page run under the policy."""
    context, tab = open_tab(browser, site_server, "phone")
    context.add_init_script(LISTEN)
    partner = sorted(built_site.glob("partners/*/*/index.html"))[0].parent.relative_to(built_site).as_posix()
    fund = sorted(built_site.glob("funds/*/index.html"))[0].parent.relative_to(built_site).as_posix()
    notice = sorted(built_site.glob(f"{fund}/notices/*/index.html"))[-1].parent.relative_to(built_site).as_posix()
    try:
        for url in ["", f"{fund}/", f"{notice}/", "projects/", "projects/?stage=实施", f"{partner}/", "guide/treasurer/"]:
            tab.goto(url)
            tab.settle()
            assert tab.page.evaluate("() => window.__csp || []") == [], url
        tab.goto("projects/")
        tab.page.select_option("#filter-stage", "实施")
        assert "显示" in tab.page.locator("#sl-project-count").inner_text()  # filter.js ran
        tab.page.locator('label.md-header__button[for="__search"]').click()
        tab.page.keyboard.type("基金")
        tab.page.keyboard.press("End")
        tab.page.locator(".md-search-result__item").first.wait_for()  # the worker ran and read the index
        tab.goto("404.html")  # what a web server sends for a missing page
        assert tab.page.evaluate("() => window.__csp || []") == []
        tab.assert_clean()  # a refused script or style would also be a console error
    finally:
        context.close()


def test_the_build_refuses_a_page_with_an_inline_script_the_policy_refuses(tmp_path):
    import conftest

    d = conftest.District(tmp_path)
    d.ledger(conftest.CLEAN)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    d.write("content/guide/note.md", "# 说明\n\n<script>alert(1)</script>\n")
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(tmp_path / "out")],
        cwd=tmp_path, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0
    assert "guide/note.md 中有内容安全策略不允许的内联脚本" in done.stderr and "alert(1)" in done.stderr, done.stderr[-2000:]
