"""Residents follow a fund: Atom feeds of sealed months, reports and corrections, and share cards.

The demo site is built once (mkdocs build --strict); every feed is read back with feedparser
(bozo 0: well-formed, a valid feed) and compared with the ledger and content/: one entry per
sealed month dated by its seal, per project report and annual report dated as written, per
correction dated by its entry. A second build of a copy gives byte-identical feeds (ids and dates
come from the books, not the clock). A hostile district's text stays text in its feed, and every
page carries og: tags with its own title and summary and links its feeds.
"""

# ruff: noqa: F811 - pytest fixtures imported from browser_support are parameters of the tests here
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

pytest.register_assert_rewrite("browser_support")

from browser_support import BIN, REPO, SITE_URL, built_site  # noqa: E402, F401
from conftest import copy_demo  # noqa: E402

feedparser = pytest.importorskip("feedparser")

ATOM_NS = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def demo():
    from sunledger.district import load_district

    return load_district(REPO)


def parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    assert feed.version == "atom10"
    return feed


def expected(demo, code: str) -> dict[str, str]:
    """id -> date (YYYY-MM-DD) of every entry the fund's feed must hold."""
    from sunledger.views.notice import all_notices

    fc = demo.books[code].fc
    out = {}
    for n in all_notices(demo, code):
        if n.sealed_on is not None:
            out[f"{SITE_URL}funds/{code}/notices/{n.month}/"] = n.sealed_on.isoformat()
        for c in n.corrections_made:
            out[f"corrects:{c.corrects}:{c.date}"] = c.date.isoformat()
    for p in fc.projects.values():
        for i, r in enumerate(p.reports):
            out[f"{SITE_URL}projects/{p.id}/#报告-{r.date.isoformat()}-{r.kind}-{i}"] = r.date.isoformat()
    for a in fc.fund.annual_reports:  # each at its own page (the demo's are all published)
        out[f"{SITE_URL}funds/{code}/reports/{a.year}/"] = a.date.isoformat()
    return out


def seen(feed) -> dict[str, str]:
    out = {}
    for e in feed.entries:
        day = e.updated[:10]  # written as the day in China (+08:00)
        if "#冲正-" in e.id:
            month = e.id.split("/notices/")[1].split("/")[0]
            out[f"corrects:{month}:{day}"] = day
        else:
            out[e.id] = day
    return out


def test_each_fund_feed_holds_its_sealed_months_reports_and_corrections(built_site, demo):
    from sunledger.site.feeds import MAX_ENTRIES

    kinds = {"notice": 0, "report": 0, "annual": 0, "correction": 0}
    for code, books in demo.books.items():
        feed = parse(built_site / "funds" / code / "feed.xml")
        want = expected(demo, code)
        got = seen(feed)
        assert len(feed.entries) == min(MAX_ENTRIES, len(want))
        assert got.items() <= want.items(), sorted(set(got.items()) - set(want.items()))[:5]
        newest = sorted(want.values(), reverse=True)[:len(feed.entries)]
        assert sorted(got.values(), reverse=True) == newest  # the newest, newest first
        assert [e.updated for e in feed.entries] == sorted((e.updated for e in feed.entries), reverse=True)
        assert feed.feed.updated[:10] == newest[0]  # the newest entry's date, not the build's
        assert feed.feed.title == f"{books.fc.fund.name} 公示与报告"
        assert feed.feed.link == f"{SITE_URL}funds/{code}/"
        for e in feed.entries:
            assert e.link.startswith(SITE_URL) and e.title and e.summary
            kinds["correction" if "#冲正-" in e.id else "report" if "#报告-" in e.id
                  else "annual" if "/reports/" in e.id else "notice"] += 1
            page, _, fragment = e.link.removeprefix(SITE_URL).partition("#")
            assert (built_site / page / "index.html").is_file()
            if "#报告-" in e.id:  # a report's entry opens the page at that report
                assert fragment and f'id="{fragment}"' in (built_site / page / "index.html").read_text(encoding="utf-8"), e.link
    assert all(kinds.values()), kinds  # the demo has every kind


def test_the_district_feed_holds_the_newest_entries_of_every_fund(built_site, demo):
    from sunledger.site.feeds import MAX_ENTRIES

    feed = parse(built_site / "feed.xml")
    names = {b.fc.fund.name for b in demo.books.values()}
    assert len(feed.entries) == min(MAX_ENTRIES, sum(len(expected(demo, c)) for c in demo.books))
    assert {e.title.split("：", 1)[0] for e in feed.entries} == names
    everything = sorted((d for c in demo.books for d in expected(demo, c).values()), reverse=True)
    assert sorted((e.updated[:10] for e in feed.entries), reverse=True) == everything[:len(feed.entries)]
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids))


def test_feeds_are_the_same_in_every_build(built_site, tmp_path):
    """Ids and dates come from the books: a build in another folder, on another day, writes the same bytes."""
    root = copy_demo(tmp_path / "copy", "mkdocs.yml")
    out = tmp_path / "out"
    done = subprocess.run([str(BIN / "mkdocs"), "build", "-q", "-d", str(out)], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "2000000000"}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    for path in [Path("feed.xml"), *(Path("funds") / c / "feed.xml" for c in ("Guangming", "Tuanjiebeilu", "Yuchan"))]:
        assert (out / path).read_bytes() == (built_site / path).read_bytes(), path


def test_pages_link_their_feeds_and_carry_their_own_share_card(built_site, demo):
    import html
    import re

    from sunledger.site.scan import _external

    code = "Guangming"
    project = next(iter(demo.books[code].fc.projects.values()))
    pages = {
        "": ("website", None),
        f"funds/{code}/": ("article", demo.books[code].fc.fund.name),
        f"funds/{code}/notices/2025-10/": ("article", None),
        f"projects/{project.id}/": ("article", project.title),
        "guide/treasurer/": ("article", None),
    }
    for url, (kind, title) in pages.items():
        text = (built_site / url / "index.html").read_text(encoding="utf-8")
        og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', text))
        assert og["type"] == kind and og["locale"] == "zh_CN" and og["url"] == SITE_URL + url, (url, og)
        assert "image" not in og
        page_title = re.search(r"<h1[^>]*>(.*?)<", text, re.S)
        if title:
            assert html.unescape(og["title"]) == title
        elif page_title:
            assert html.unescape(og["title"]).strip()
        assert og["description"]
        description = re.search(r'<meta name="description" content="([^"]*)">', text).group(1)
        assert description == og["description"], url
        feeds = re.findall(r'<link rel="alternate feed" type="application/atom\+xml" title="[^"]*" href="([^"]*)">', text)
        hrefs = {os.path.normpath(os.path.join(url or ".", f)) for f in feeds}
        assert "feed.xml" in hrefs, url
        # rel="alternate" alone makes Material's script fetch sitemap.xml beside the link on every page view
        assert '<link rel="alternate" ' not in text
        assert (f"funds/{code}/feed.xml" in hrefs) == url.startswith(("funds/", "projects/")), (url, hrefs)  # a page of the fund
        assert all((built_site / h).is_file() for h in hrefs)
        # and a resident sees them: the foot of the page links the same feeds, and how to subscribe
        foot = text.split('class="sl-foot-help sl-foot-feed"', 1)[1].split("</p>", 1)[0]
        visible = {os.path.normpath(os.path.join(url or ".", f)) for f in re.findall(r'<a href="([^"]*)" type="application/atom\+xml">', foot)}
        assert visible == hrefs and "怎么订阅" in foot, (url, visible)
        assert _external(text) is None  # og:url names the site; it fetches nothing
    project_page = (built_site / f"projects/{project.id}/index.html").read_text(encoding="utf-8")
    assert project.need.split()[0][:10] in html.unescape(project_page.split('og:description" content="')[1].split('"')[0])


# ---------------------------------------------------------------- hostile text


@pytest.fixture(scope="module")
def hostile_feed_site(tmp_path_factory) -> Path:
    """test_hostile's district with a sealed month, a report and an annual report in hostile text."""
    from test_hostile import TEXT, make

    root = tmp_path_factory.mktemp("hostile-feed")
    d = make(root)
    project = root / "content/funds/Test/projects/T-01.yml"
    data = yaml.safe_load(project.read_text(encoding="utf-8"))
    data["reports"] = [{"date": "2024-01-25", "kind": "进度", "title": TEXT["project.title"], "summary": TEXT["project.need"]}]
    d.write_yaml("content/funds/Test/projects/T-01.yml", data)
    fund = yaml.safe_load((root / "content/funds/Test/fund.yml").read_text(encoding="utf-8"))
    # published after its year (the year's one month sealed): a record dated in the year is SL702
    fund["annual_reports"] = [{"year": 2024, "date": "2025-02-03", "title": TEXT["fund.description"]}]
    d.write_yaml("content/funds/Test/fund.yml", fund)
    sealed = subprocess.run([str(BIN / "sunledger"), "seal", "Test", "2024-01", "--root", str(root), "--date", "2024-02-02"],
                            capture_output=True, text=True, timeout=120)
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    out = root / "site"
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(out)], cwd=root,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_hostile_text_stays_text_in_feeds_and_share_cards(hostile_feed_site):
    import html
    import re

    from lxml import etree

    from test_hostile import TEXT, plain

    for path in (hostile_feed_site / "feed.xml", hostile_feed_site / "funds/Test/feed.xml"):
        tree = etree.fromstring(path.read_bytes())
        assert {el.tag for el in tree.iter() if isinstance(el.tag, str) and not el.tag.startswith(ATOM_NS)} == set()
        texts = {el.tag.removeprefix(ATOM_NS): el.text for el in tree.iter() if isinstance(el.tag, str)}
        feed = parse(path)
        assert len(feed.entries) == 3  # the sealed month, the report, the annual report
        titles = [etree.tostring(el, method="text", encoding="unicode") for el in tree.iter(f"{ATOM_NS}title")]
        assert any(plain(TEXT["project.title"]) in plain(t) for t in titles), titles
        assert any(plain(TEXT["fund.description"]) in plain(t) for t in titles), titles
        summaries = [el.text for el in tree.iter(f"{ATOM_NS}summary")]
        assert any(plain(TEXT["project.need"]) == plain(s) for s in summaries)
        assert texts  # parsed
    text = (hostile_feed_site / "projects/T-01/index.html").read_text(encoding="utf-8")
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', text))
    assert plain(html.unescape(og["title"])) == plain(TEXT["project.title"])
    assert plain(TEXT["fund.name"])[:40] in plain(html.unescape(og["description"]))
    head = text[:text.index("</head>")]
    assert "<script>alert" not in head and "<img src=x" not in head and "<svg onload" not in head
