"""Hostile text in every field a resident can see shows as text and runs nothing.

A one-fund district (conftest.District) gets, in every field that reaches the
site (names, titles, descriptions, approvals, outcomes, partner and contract
text, source and category names, payees and narrations, photo and receipt file
names), its own marker word (so a search finds it) followed by every payload of
PAYLOADS. The ledger still passes the rules: payees are organisations, the
merchant share is the contract rate of the declared revenue, the month closes
on a balance assertion. It is built with the real `mkdocs build --strict`; every
page showing the text is opened in Chromium and the search is run as a resident
runs it. No dialog may open, no element or attribute of a payload may exist, no
link may lead to `javascript:` or `data:`, and the text must read as typed.
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytest.register_assert_rewrite("browser_support")

from browser_support import BIN, browser, open_tab, serve  # noqa: E402, F401 - fixtures are used by name
from conftest import REPO, District  # noqa: E402

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[点我](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "{{ 7*7 }}",
    "{% raw %}",
    "'onmouseover='alert(1)",
    # beyond the list: Markdown that makes markup without '<'
    "<javascript:alert(1)>",
    "![p](javascript:alert(1))",
    "{: onclick=alert(1) }",
    "*em* `code` __strong__",
    # a blank line: the end of a template's HTML block, Markdown after it
    "\n\n[断开](javascript:alert(1))\n\n",
)
LINK_TEXTS = ("点我", "x", "断开")


def hostile(marker: str) -> str:
    return marker + " " + " ".join(PAYLOADS) + " end"


def plain(text: str) -> str:
    """Text as a reader sees it: white space of any kind (line breaks, paragraphs) is one space."""
    return " ".join(text.replace("\u200b", "").split())


# field -> marker; the marker is a word of its own for the search: lowercase (lunr lowercases) and
# ending in x, which the stemmer leaves alone (Material searches `word*`, unstemmed, against stems)
MARKERS = {
    "district.name": "zdistrictx",
    "node.name": "znodex",
    "fund.name": "zfundnamex",
    "fund.kind": "zfundkindx",
    "fund.description": "zfunddescx",
    "bank.name": "zbankx",
    "source.name": "zsourcex",
    "category.name": "zcategoryx",
    "project.title": "ztitlex",
    "project.need": "zneedx",
    "project.description": "zprojdescx",
    "approved.by": "zapproverx",
    "approved.ref": "zapprovalrefx",
    "outcome.metric": "zmetricx",
    "outcome.unit": "zunitx",
    "outcome.text": "zoutcomex",
    "partner.name": "zpartnerx",
    "partner.description": "zpartnerdescx",
    "contract.space": "zspacex",
    "payee.gov": "zpayeegovx",
    "narration.gov": "znarrgovx",
    "payee.merchant": "zpayeemerchantx",
    "narration.merchant": "znarrmerchantx",
    "payee.expense": "zpayeeexpensex",
    "narration.expense": "znarrexpensex",
    "report.title": "zreporttitlex",
    "report.summary": "zreportsumx",
}
TEXT = {field: hostile(marker) for field, marker in MARKERS.items()}

# File names a vendor hands over: they land in href/src attributes.
PHOTO = "photos/x\"><img src=x onerror=alert(1)>'.png"
RECEIPT = "receipts/r'onmouseover='alert(1)\"><svg onload=alert(1)>.png"

GUIDE = "# 使用说明\n\n手写的说明页，和生成的页面用同一个主题。\n"


def _bean(text: str) -> str:
    """A beancount string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def make(root: Path) -> District:
    """Write the district (with mkdocs.yml and a hand-written guide page) under `root`."""
    d = District(root)
    t = TEXT
    config = yaml.safe_load((REPO / "sunledger.yml").read_text(encoding="utf-8"))
    config["sources"].append({"name": t["source.name"], "account": "Hostile"})
    config["categories"].append({"name": t["category.name"], "account": "Hostile"})
    d.write_yaml("sunledger.yml", config)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    d.write_yaml("content/district.yml", {"name": t["district.name"], "nodes": [
        {"id": "street", "name": t["node.name"], "level": "street"}]})
    d.write_yaml("content/funds/Test/fund.yml", {
        "code": "Test", "name": t["fund.name"], "kind": t["fund.kind"], "level": "community", "parent": "street",
        "opened": "2024-01-01", "bank": {"name": t["bank.name"], "account": "****1234"},
        "description": t["fund.description"],
    })
    d.write_yaml("content/funds/Test/partners.yml", [{
        "id": "T-M01", "name": t["partner.name"], "kind": "商户", "description": t["partner.description"],
        "contract": {"rate": "0.05", "start": "2024-01", "end": "2024-01", "space": t["contract.space"]},
    }])
    photo = root / "content/funds/Test" / PHOTO
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(_png())
    d.project({
        "id": "T-01", "title": t["project.title"], "category": t["category.name"], "need": t["project.need"],
        "description": t["project.description"], "requested": "2024-01-05",
        "approved": {"date": "2024-01-10", "by": t["approved.by"], "ref": t["approved.ref"]},
        "partner": "T-M01", "accepted": "2024-01-12", "started": "2024-01-15",
        "budget": "1000.00", "funding": {t["source.name"]: "1000.00"},
        "outcomes": [{"metric": t["outcome.metric"], "value": "3", "unit": t["outcome.unit"],
                      "text": t["outcome.text"], "photo": PHOTO}],
        "reports": [{"date": "2024-01-31", "kind": "进度", "title": t["report.title"], "summary": t["report.summary"]}],
    })
    receipt = root / "ledger/funds/Test" / RECEIPT
    receipt.parent.mkdir(parents=True, exist_ok=True)
    receipt.write_bytes(_png())
    opens = "".join(f"2024-01-01 open {a} CNY\n" for a in (
        "Assets:Test:Bank", "Income:Test:Gov", "Income:Test:Merchant", "Income:Test:Hostile", "Expenses:Test:Hostile",
        "Equity:Test:Opening"))
    d.ledger(f"""\
2024-01-08 * {_bean(t["payee.gov"])} {_bean(t["narration.gov"])}
  Assets:Test:Bank        500.00 CNY
  Income:Test:Gov

2024-01-09 * "测试街道办事处" "专项资金"
  Assets:Test:Bank       1000.00 CNY
  Income:Test:Hostile

2024-01-15 * {_bean(t["payee.merchant"])} {_bean(t["narration.merchant"])}
  merchant: "T-M01"
  revenue: 2000.00
  period: "2024-01"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Merchant

2024-01-20 * {_bean(t["payee.expense"])} {_bean(t["narration.expense"])}
  project: "T-01"
  receipt: {_bean(RECEIPT)}
  receipt-public: TRUE
  Expenses:Test:Hostile   300.00 CNY
  Assets:Test:Bank

2024-02-01 balance Assets:Test:Bank 1300.00 CNY
""", opens=opens)
    d.write("content/guide/hello.md", GUIDE)
    return d


# ---------------------------------------------------------------- build and serve


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    make(root)
    out = root / "site"
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(out)],
        cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def hostile_server(hostile_site):
    with serve(hostile_site) as base:
        yield base


# ---------------------------------------------------------------- what a page must show, what it must not have

FUND = ["fund.name", "fund.kind", "node.name", "bank.name", "fund.description", "source.name", "partner.name",
        "project.title", "category.name"]
PAGES = {
    # path: (the field in <title> and the header, fields whose whole text the page shows)
    "": ("district.name", ["district.name", "node.name", "fund.name", "fund.kind", "project.title", "category.name",
                           "source.name"]),
    "funds/Test/": ("fund.name", FUND),
    "funds/Test/notices/2024-01/": ("fund.name", ["fund.name", "bank.name", "payee.gov", "narration.gov",
                                                  "payee.merchant", "narration.merchant", "payee.expense",
                                                  "narration.expense", "project.title", "source.name"]),
    "projects/": (None, ["project.title", "fund.name", "category.name"]),
    "projects/T-01/": ("project.title", ["project.title", "category.name", "fund.name", "project.description",
                                         "project.need", "approved.by", "approved.ref", "partner.name",
                                         "outcome.metric", "outcome.unit", "outcome.text", "payee.expense",
                                         "narration.expense", "source.name", "report.title", "report.summary"]),
    "funds/Test/disclosures/": ("fund.name", ["fund.name", "project.title"]),
    "partners/": (None, ["fund.name", "partner.name"]),
    "partners/Test/T-M01/": ("partner.name", ["partner.name", "partner.description", "contract.space", "fund.name",
                                              "payee.merchant", "narration.merchant", "project.title",
                                              "category.name"]),
    "levels/street/": ("node.name", ["node.name", "fund.name", "source.name", "category.name", "project.title"]),
    "levels/street/2024/": ("node.name", ["node.name", "fund.name", "source.name", "category.name", "project.title"]),
    "funds/Test/2024/": ("fund.name", ["fund.name", "fund.kind", "node.name", "source.name", "category.name",
                                       "project.title"]),
    "guide/hello/": (None, []),  # a hand-written page, the same header and nav
}

# Everything a payload could have made: handlers, script URLs, the elements themselves, Markdown's markup.
PLANTED = """() => {
  const found = [];
  const urls = ["href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster", "background"];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName} ${name}=${a.value}`);
      if (urls.includes(name) && /^(javascript|data|vbscript):/.test(value)) found.push(`${el.tagName} ${name}=${a.value}`);
    }
  }
  for (const el of document.querySelectorAll('img[src="x"], svg[onload], [onclick]')) found.push(el.outerHTML.slice(0, 80));
  for (const s of document.scripts) if (/alert/.test(s.textContent)) found.push("script: " + s.textContent.slice(0, 80));
  for (const el of document.querySelectorAll("em, strong, code"))
    if (["em", "strong", "code"].includes(el.textContent.trim())) found.push("markdown: " + el.outerHTML);
  for (const el of document.querySelectorAll("a"))
    if (TEXTS.includes(el.textContent.trim())) found.push("link: " + el.outerHTML);
  for (const el of document.querySelectorAll('img[alt="p"]')) found.push("image: " + el.outerHTML);
  return found;
}""".replace("TEXTS", json.dumps(LINK_TEXTS))


def visible(tab, selector: str = "body") -> str:
    return plain(tab.page.locator(selector).first.inner_text())


def watch(tab) -> list[str]:
    """Every dialog the page opens (dismissed at once) and every page error."""
    seen: list[str] = []

    def dialog(d):
        seen.append(f"dialog {d.type}: {d.message}")
        d.dismiss()

    tab.page.on("dialog", dialog)
    tab.page.on("pageerror", lambda e: seen.append(f"uncaught: {e}"))
    return seen


def test_the_hostile_district_passes_the_rules(tmp_path):
    d = make(tmp_path)
    assert d.problems() == []


@pytest.mark.parametrize("path", list(PAGES))
def test_hostile_text_shows_as_text_and_runs_nothing(browser, hostile_server, path):
    title_field, fields = PAGES[path]
    context, tab = open_tab(browser, hostile_server, "desktop")
    try:
        seen = watch(tab)
        tab.goto(path)
        tab.page.mouse.move(200, 300)  # over whatever 'onmouseover' could have landed on
        tab.page.wait_for_timeout(300)
        assert tab.page.evaluate(PLANTED) == [], path
        text = visible(tab)
        missing = [f for f in fields if plain(TEXT[f]) not in text]
        assert missing == [], f"{path}: not shown as typed: {missing}"
        if title_field:
            title = tab.page.title()
            assert plain(title).startswith(plain(TEXT[title_field])) and title.endswith(" - 阳光账本"), title
            assert plain(TEXT[title_field]) in plain(tab.page.locator(".md-header__title").text_content())
        if path == "funds/Test/":  # navigation.prune: the fund's nav entry shows in its own section
            assert plain(TEXT["fund.name"]) in plain(tab.page.locator("nav.md-nav--primary").first.text_content())
        assert seen == []
    finally:
        context.close()


def test_photo_alt_and_file_names_stay_attributes(browser, hostile_server):
    context, tab = open_tab(browser, hostile_server, "desktop")
    try:
        seen = watch(tab)
        tab.goto("projects/T-01/")
        img = tab.page.locator(".sl-photo img")
        img.scroll_into_view_if_needed()  # loading="lazy"
        tab.wait_until("() => document.querySelector('.sl-photo img').complete")
        assert plain(img.get_attribute("alt")) == plain(TEXT["outcome.text"]) + "的照片"
        assert tab.page.evaluate("document.querySelector('.sl-photo img').naturalWidth") == 4  # the photo itself loads
        tab.goto("funds/Test/notices/2024-01/")
        receipt = tab.page.locator(".sl-receipt a")
        response = tab.page.request.get(receipt.evaluate("a => a.href"))
        assert response.status == 200 and response.body()[:4] == b"\x89PNG"
        assert tab.page.evaluate(PLANTED) == []
        assert seen == []
    finally:
        context.close()


@pytest.mark.parametrize("query, fields", [
    ("ztitlex", ["project.title"]),
    ("zpartnerx", ["partner.name", "project.title"]),
    ("zfundnamex", ["fund.name"]),
    ("javascript", ["fund.name", "project.title", "partner.name"]),
])
def test_search_results_show_hostile_text_as_text(browser, hostile_server, query, fields):
    context, tab = open_tab(browser, hostile_server, "desktop")
    try:
        seen = watch(tab)
        tab.goto("")
        tab.page.locator("input.md-search__input").click()
        tab.page.keyboard.type(query)
        tab.page.keyboard.press("End")
        tab.page.locator(".md-search-result__item").first.wait_for()
        tab.page.wait_for_timeout(300)
        more = tab.page.locator(".md-search-result__more summary")  # Material folds further hits of a page
        for i in range(more.count()):
            more.nth(i).click()
        assert tab.page.evaluate(PLANTED) == []
        text = visible(tab, ".md-search-result")
        assert [f for f in fields if plain(TEXT[f]) not in text] == [], text[:2000]
        assert seen == []
    finally:
        context.close()


def test_search_index_holds_text_not_markup(hostile_site):
    docs = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    ours = [d for d in docs if d["location"].startswith(("funds/", "projects/", "partners/"))]
    assert len(ours) == 4  # the fund, its month's notice, the project, the partner
    for d in ours:
        for key in ("title", "text", "keys", "paid"):
            if key not in d:
                continue
            assert "<" not in d[key] and ">" not in d[key], (d["location"], key, d[key][:200])
