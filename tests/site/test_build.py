"""The residents' portal built from the demo district, as `mkdocs build` makes it.

One build per session; every test reads that output and compares it with the
views computed from the same ledger. Broken copies of the demo check that the
build refuses to publish a district with errors or private data.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import posixpath
import re
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from sunledger.district import checksum
from sunledger.ledger.load import fund_file, load
from sunledger.views.level import tree as level_tree

from conftest import BIN, REPO, copy_demo

pytestmark = pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
SITE_URL = yaml.safe_load(
    re.sub(r"!!python\S*.*", "", (REPO / "mkdocs.yml").read_text(encoding="utf-8"))
)["site_url"]


def build(cwd: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(out)],
        cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    done = build(REPO, out)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def district():
    from sunledger.district import load_district

    return load_district(REPO)


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def totals(html: str) -> dict[str, list[Decimal]]:
    """Every amount marked `data-sl-total="name" data-sl-value="…"`."""
    out: dict[str, list[Decimal]] = {}
    for name, value in re.findall(r'data-sl-total="([^"]+)" data-sl-value="([^"]+)"', html):
        out.setdefault(name, []).append(Decimal(value))
    return out


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ---------------------------------------------------------------- numbers


def test_fund_pages_show_the_ledger_totals(site, district):
    from sunledger.views.fund import fund_summary

    year = district.last_date.year
    for code in district.books:
        s = fund_summary(district, code, year)
        html = page(site, f"funds/{code}")
        t = totals(html)
        assert t["balance"] == [s.balance], code
        assert t["income"] == [s.income_total], code
        assert t["spending"] == [s.spending_total], code
        assert t.get("opening", []) == ([s.opening_total] if s.opening_total else []), code  # 期初结转, apart from income
        shown = dict(re.findall(r'<tr data-sl-source="([^"]+)"><th[^>]*>[^<]*</th>(?:<td[^>]*data-sl-total="opening-by-source"[^>]*>[^<]*</td>)?<td class="sl-num" data-sl-value="([^"]+)"', html))
        assert {k: Decimal(v) for k, v in shown.items()} == {x.source: x.income for x in s.sources}
        for pid, value in re.findall(r'data-sl-project="([^"]+)" data-sl-value="([^"]+)"', html):
            assert Decimal(value) == s.spending_by_project.get(pid, Decimal(0)), pid
        free = sum(Decimal(v) for v in re.findall(r'data-sl-free="([^"]+)"', html))
        held = sum(Decimal(v) for v in re.findall(r'data-sl-restricted="([^"]+)"', html))
        assert free + held == s.balance, code  # every yuan of the balance belongs to a source


def test_home_adds_up_the_funds(site, district):
    from sunledger.views.fund import fund_summary

    year = district.last_date.year
    summaries = [fund_summary(district, c, year) for c in district.books]
    t = totals(page(site, ""))
    assert t["balance"] == [sum(s.balance for s in summaries)]
    assert t["year-income"] == [sum(sum(s.year_income_by_source.values()) for s in summaries)]
    assert sorted(t["fund-balance"]) == sorted(s.balance for s in summaries)


def test_every_notice_closes_on_the_bank_statement(site, district):
    from sunledger.views.notice import notice, notice_months

    seen = 0
    for code in district.books:
        for month in notice_months(district, code):
            n = notice(district, code, month)
            html = page(site, f"funds/{code}/notices/{month}")
            t = totals(html)
            assert t["opening"] == [n.opening] and t["closing"] == [n.closing], (code, month)
            assert n.closing == n.opening + n.carried + n.income - n.spending + n.other
            assert t.get("carried", []) == ([n.carried] if n.carried else [])  # 期初结转: its own line, not income
            if n.bank_asserted is not None:
                seen += 1
                # the bank holds the month's money but what a transfer moved to the fund's cash box
                assert t["bank"] == [n.bank_asserted] == [n.bank_closing], (code, month)
                assert 'data-sl-bank="match"' in html and "✓" in html
            assert ("已封存" in html) == (n.sealed_on is not None)
            for c in n.corrections:
                assert c.reason in html  # shown beside the month it corrects
            for c in n.corrections_made:
                assert c.reason in html
    assert seen >= 60


def test_project_pages_match_the_project_view(site, district):
    from sunledger.views.project import project_view

    for code, books in district.books.items():
        for pid in books.fc.projects:
            v = project_view(district, code, pid)
            t = totals(page(site, f"projects/{pid}"))
            assert t["spent"] == [v.spent] and t["budget"] == [v.project.budget], pid


# ---------------------------------------------------------------- QR, print, search, nav


def test_notice_qr_encodes_its_own_address(site, district):
    from sunledger.site.qr import qr_svg

    code = next(iter(district.books))
    month = sorted(district.books[code].seals)[-1]
    url = f"{SITE_URL}funds/{code}/notices/{month}/"
    html = page(site, f"funds/{code}/notices/{month}")
    svg = re.search(r'<svg role="img"[^>]*class="sl-qr".*?</svg>', html, re.S)
    assert svg and svg.group(0) == qr_svg(url)
    assert "@media print" in (site / "assets/sunledger/sunledger.css").read_text(encoding="utf-8")


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("chromium"), reason="zbarimg/chromium not installed")
def test_qr_scans(site, tmp_path, district):
    code = next(iter(district.books))
    month = sorted(district.books[code].seals)[-1]
    png = tmp_path / "notice.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}", "--window-size=800,900",
         (site / f"funds/{code}/notices/{month}/index.html").as_uri()],
        capture_output=True, timeout=120,
    )
    out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == f"{SITE_URL}funds/{code}/notices/{month}/"


def test_chinese_search_indexes_projects_partners_and_notices(site, district):
    import json

    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    raw = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert "\u200b" in raw or "\\u200b" in raw  # jieba segmented the Chinese text (the guide)
    locations = [d["location"] for d in index["docs"]]
    # a month's notice is found by "2025年10月" / "10月公示" (site/search.py month_keys)
    assert "funds/Guangming/notices/2025-10/" in locations
    notice = next(d for d in index["docs"] if d["location"] == "funds/Guangming/notices/2025-10/")
    assert {"2025年10月", "10月公示"} <= set(notice["keys"].split())
    assert any(loc.startswith("projects/") for loc in locations)
    assert any(loc.startswith("partners/") for loc in locations)
    title = next(iter(district.books["Guangming"].fc.projects.values())).title
    assert any(title in d["title"].replace("\u200b", "") for d in index["docs"])


def test_search_index_holds_one_short_entry_per_fund_project_partner_and_notice(site, district):
    """What residents search for, not every table row: the index a phone downloads stays small."""
    import json

    from sunledger.views.notice import notice_months
    from sunledger.views.project import project_view

    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    generated = [d for d in index["docs"] if not d["location"].startswith("guide/")]
    projects = {pid: code for code, b in district.books.items() for pid in b.fc.projects}
    partners = sum(len(b.fc.partners) for b in district.books.values())
    notices = sum(len(notice_months(district, code)) for code in district.books)
    assert len(generated) == len(district.books) + len(projects) + partners + notices
    assert all("#" not in d["location"] for d in generated)
    by_location = {d["location"]: d["text"].replace("\u200b", "") for d in generated}
    # a payee is found through the project that paid it (masked names only)
    code = "Guangming"
    pid, view = next((pid, v) for pid in sorted(district.books[code].fc.projects)
                     if (v := project_view(district, code, pid)).lines)
    assert view.lines[0].payee in by_location[f"projects/{pid}/"]
    assert max(len(t) for t in by_location.values()) < 600
    assert "基金" in (site / "search/search_index.json").read_text(encoding="utf-8")  # 3 bytes a character, not \\uXXXX


def test_detail_pages_stay_out_of_the_global_nav(site):
    for url in ("", "funds/Guangming", "funds/Guangming/notices/2025-03", "projects/GM-2025-01"):
        html = page(site, url)
        nav = html[html.index('class="md-nav md-nav--primary"'):html.index("md-sidebar--secondary")]
        assert "notices/" not in nav and "partners/Guangming/" not in nav and "projects/GM-" not in nav, url
    fund = page(site, "funds/Guangming")
    nav = fund[fund.index('class="md-nav md-nav--primary"'):fund.index("md-sidebar--secondary")]
    assert "Tuanjiebeilu/" in nav  # the funds are in the nav


def test_project_filters_are_there(site, district):
    html = page(site, "projects")
    for sel in ("filter-stage", "filter-fund", "filter-category"):
        assert f'<label for="{sel}">' in html and f'<select id="{sel}"' in html
    items = re.findall(r'<li class="sl-card sl-project" data-stage="([^"]+)" data-fund="([^"]+)" data-category="([^"]+)"', html)
    assert len(items) == sum(len(b.fc.projects) for b in district.books.values())
    assert 'src="../assets/sunledger/filter.js"' in html


# ---------------------------------------------------------------- privacy, offline, links, build line


def test_no_private_data_anywhere(site, district):
    from sunledger.privacy import find_private
    from sunledger.site import scan
    from sunledger.site.pages import Portal

    raw = Portal(district, SITE_URL).raw_private_payees()  # names typed in full but shown masked
    assert scan.scan_site(site, raw) == []
    for path in site.rglob("*"):
        if path.suffix in {".html", ".json", ".csv", ".xml"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            text = re.sub(r"(?<![0-9A-Za-z])[0-9a-f]{32,}(?![0-9A-Za-z])", "#", text)  # digests
            assert list(find_private(text)) == [], path
    assert not list(site.rglob("*.yml")) and not list(site.rglob("*.beancount"))
    masked = [p for b in district.books.values() for t in b.txns if (p := t.payee or "") and "*" in p]
    notices = "".join(p.read_text(encoding="utf-8") for p in site.glob("funds/*/notices/*/index.html"))
    assert masked and any(m in notices for m in masked)


def test_no_request_leaves_the_site(site):
    pattern = re.compile(r'<(?:script|img|iframe)\b[^>]*\bsrc="(?:https?:)?//|<link\b[^>]*rel="(?:stylesheet|preload|icon|preconnect)"[^>]*href="(?:https?:)?//')
    for path in html_files(site):
        assert not pattern.search(path.read_text(encoding="utf-8")), path
    assert "fonts.googleapis" not in page(site, "")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_every_internal_link_resolves(site):
    missing = []
    for path in html_files(site):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        base = path.parent.relative_to(site).as_posix()
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "data:")):
                continue
            if parts.path.startswith("/"):  # 404.html links from the site root (site_url's path is "/")
                target = posixpath.normpath(unquote(parts.path).lstrip("/") or ".")
            else:
                target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
            file = site / target
            if file.is_dir():
                file = file / "index.html"
            if not file.is_file():
                missing.append(f"{path.relative_to(site)} -> {link}")
    assert missing == []


def test_every_page_names_its_commit_and_ledger(site, district):
    """A fund's pages name the checksum of that fund's own ledger files (the same bytes in every build
    from the same books, so the page cache can reuse them); every other page names the commit and
    the whole district's checksum."""
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    own = {}
    for code in district.books:
        options = load(fund_file(REPO, code)).options_map
        own[code] = checksum([f for f in options["include"] if Path(f).is_file()])
    kinds = Counter()
    places = level_tree(district)
    for path in html_files(site):
        html = path.read_text(encoding="utf-8")
        m = re.search(r'<div class="sl-build" data-fund="([^"]*)" data-checksum="([^"]*)">本页根据本基金账本（校验和 ([0-9a-f]{12})）生成</div>', html)
        if m:
            assert m.group(2) == own[m.group(1)] and m.group(3) == m.group(2)[:12], path
            kinds["fund"] += 1
            continue
        m = re.search(r'<div class="sl-build" data-checksum="([^"]*)">本页根据下辖 (\d+) 个基金的账本（校验和 ([0-9a-f]{12})）生成</div>', html)
        if m:  # a node's page: the checksums of the funds below it, one line each
            rel = path.parent.relative_to(site).as_posix()
            below = places.funds_below(rel.split("/")[1])
            lines = "".join(f"{c} {own[c]}\n" for c in sorted(below))
            assert m.group(1) == hashlib.sha256(lines.encode()).hexdigest() and int(m.group(2)) == len(below), path
            kinds["level"] += 1
            continue
        m = re.search(r'<div class="sl-build" data-commit="([^"]*)" data-checksum="([^"]*)">([^<]*)</div>', html)
        assert m, path
        assert m.group(1) in (head, "未提交") and m.group(2) == district.checksum
        kinds["district"] += 1
    assert kinds["fund"] > 100 and kinds["level"] > 10 and kinds["district"] >= 5, kinds
    for code in district.books:  # the fund's own page, and one of its notices, carry its checksum
        assert f'data-fund="{code}" data-checksum="{own[code]}"' in page(site, f"funds/{code}")


def test_downloads_are_published_and_linked(site, district):
    for code in district.books:
        html = page(site, f"funds/{code}")
        links = re.findall(rf'href="(\.\./\.\./downloads/{code}/[^"]+)"', html)
        assert links, code
        for link in links:
            assert (site / "funds" / code / link).resolve().is_file()


def test_receipts_public_ones_linked_others_only_mentioned(site, district):
    """The site says a receipt exists; it shows only receipts marked public."""
    public = private = 0
    for code, books in district.books.items():
        for txn in books.txns:
            receipt = txn.meta.get("receipt")
            if not receipt:
                continue
            published = site / "funds" / code / str(receipt)
            if txn.meta.get("receipt-public") is True:
                public += 1
                assert published.is_file(), published
            else:
                private += 1
                assert not published.exists(), published
    assert public and private  # the demo has both kinds
    notice = page(site, "funds/Guangming/notices/2026-03")
    assert 'class="sl-receipt"><a href="../../receipts/' in notice
    assert any("有凭证（不公开）" in page(site, f"funds/{c}/notices/{m}") for c in district.books for m in district.books[c].seals)


def test_overdue_disclosure_is_plain_on_the_fund_page(site, district):
    import datetime as dt

    from sunledger.views.fund import overdue

    day = dt.date.fromisoformat(
        subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    )
    for code in district.books:
        late = overdue(district, code, day)
        html = page(site, f"funds/{code}")
        if late:
            assert f'data-sl-overdue="{len(late)}"' in html and "逾期未公开" in html
            assert all(o.what in html for o in late)
        else:
            assert "sl-overdue" not in html


# ---------------------------------------------------------------- reproducible, refusing


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_two_builds_are_identical(site, tmp_path):
    """The second build loads the funds and draws their pages in two processes (jobs: 2; site/draw.py),
    renders every page with Python-Markdown (fast_markdown: false; site/fastmd.py writes plain pages
    itself) and draws every page's nav (nav_memo: false; site/navmemo.py): same files."""
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^docs_dir: content$", f"docs_dir: {REPO / 'content'}", config)
    config, n = re.subn(r"(?m)^  - sunledger\b.*$", f"  - sunledger:\n      root: {REPO}\n      jobs: 2\n      fast_markdown: false\n      nav_memo: false", config)
    assert n == 1
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    again = tmp_path / "again"
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-f", str(tmp_path / "mkdocs.yml"), "-d", str(again)],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    a, b = _hashes(site), _hashes(again)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert "<lastmod>" in (site / "sitemap.xml").read_text(encoding="utf-8")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    copy_demo(root, "mkdocs.yml")
    return root


def _newest_expense(root: Path) -> tuple[Path, list[str], int]:
    for path in sorted((root / "ledger/funds/Guangming/txns").glob("*.beancount"), reverse=True):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.strip().startswith("project:"):
                return path, lines, i
    raise AssertionError("no expense in Guangming")


def test_a_ledger_error_fails_the_build_with_file_and_line(copy, tmp_path):
    path, lines, i = _newest_expense(copy)
    lines[i] = lines[i].replace('"', '"NOPE-', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = build(copy, tmp_path / "out")
    assert done.returncode != 0
    rel = path.relative_to(copy).as_posix()
    assert re.search(rf"{re.escape(rel)}:\d+: SL103 ", done.stderr), done.stderr[-2000:]


def test_a_phone_number_in_a_narration_is_refused(copy, tmp_path):
    path, lines, i = _newest_expense(copy)
    head = next(j for j in range(i, -1, -1) if re.match(r"\d{4}-\d\d-\d\d [*!]", lines[j]))
    lines[head] = lines[head].rstrip()[:-1] + ' 联系电话 13812345678"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = build(copy, out)
    assert done.returncode != 0
    assert re.search(rf"{re.escape(path.relative_to(copy).as_posix())}:{head + 1}: SL501 ", done.stderr), done.stderr[-2000:]
    assert not any("13812345678" in p.read_text(errors="replace") for p in out.rglob("*.html")) if out.exists() else True


def test_the_output_scan_catches_what_slips_through(tmp_path):
    from sunledger.site.scan import scan_site

    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text("<p>王建国 捐款 电话 138-1234-5678</p>", encoding="utf-8")
    (tmp_path / "b.html").write_text('<script src="https://cdn.example.com/x.js"></script>', encoding="utf-8")
    (tmp_path / "c.yml").write_text("x: 1", encoding="utf-8")
    found = "\n".join(scan_site(tmp_path, {"王建国"}))
    assert "SL501" in found and "SL504" in found and "外部" in found and "c.yml" in found
    assert "138-1234-5678" not in found and "王建国" not in found  # the report does not repeat them


def _phone_photo(path: Path) -> None:
    """A 40x20 JPEG as a phone writes it: GPS position, camera owner, rotated 90° by an EXIF tag."""
    from PIL import Image

    img = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x013B] = "王建国"  # Artist
    exif.get_ifd(0x8825).update({1: "N", 2: (36.0, 51.0, 12.5), 3: "E", 4: (116.0, 12.0, 3.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="JPEG", exif=exif.tobytes())


def test_photos_are_published_without_position_or_owner(copy, tmp_path):
    from PIL import Image

    photo = copy / "content/funds/Guangming/photos/lamp.jpg"
    _phone_photo(photo)
    assert Image.open(photo).getexif().get_ifd(0x8825)  # the source has a GPS position
    project = copy / "content/funds/Guangming/projects/GM-2024-01.yml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("- text: 6栋楼18个单元楼道全部亮灯", "- text: 6栋楼18个单元楼道全部亮灯\n  photo: photos/lamp.jpg"),
                       encoding="utf-8")
    out = tmp_path / "out"
    done = build(copy, out)
    assert done.returncode == 0, done.stderr[-2000:]
    published = out / "photos/Guangming/photos/lamp.jpg"
    img = Image.open(published)
    assert len(img.getexif()) == 0 and "exif" not in img.info
    assert img.size == (20, 40)  # turned upright before the orientation tag was dropped
    assert b"\xe7\x8e\x8b\xe5\xbb\xba\xe5\x9b\xbd" not in published.read_bytes()  # 王建国
    assert "photos/Guangming/photos/lamp.jpg" in (out / "projects/GM-2024-01/index.html").read_text(encoding="utf-8")


def test_the_output_scan_refuses_an_image_with_metadata(tmp_path):
    from sunledger.site.scan import scan_site

    _phone_photo(tmp_path / "guide/photo.jpg")
    found = "\n".join(scan_site(tmp_path, set()))
    assert "guide/photo.jpg: SL505" in found and "GPS" in found


def test_the_one_notice_builder_and_project_view_hold_every_entry(district):
    """Notices and project views have one implementation each (views.notice.all_notices,
    views.project.all_project_views; `notice()` and `project_view()` only look one up), so
    they are held to the books themselves: every transaction is on its month's notice
    once, each month opens with the last one's closing, and a project's spending is the
    sum of its expense postings."""
    from collections import defaultdict
    from decimal import Decimal

    from sunledger.periods import month_of
    from sunledger.views.notice import all_notices, notice, notice_months
    from sunledger.views.project import all_project_views, project_view

    for code, books in district.books.items():
        notices = all_notices(district, code)
        assert [n.month for n in notices] == notice_months(district, code) == sorted({month_of(t.date) for t in books.txns})
        assert [len(n.lines) for n in notices] == [sum(month_of(t.date) == n.month for t in books.txns) for n in notices]
        assert all(later.opening == earlier.closing for earlier, later in itertools.pairwise(notices))
        assert [notice(district, code, n.month) for n in notices] == notices
        spent: dict[str, Decimal] = defaultdict(Decimal)
        for txn in books.txns:
            for p in txn.postings:
                role = district.classify(p.account)
                if role is not None and role.kind == "expense":
                    spent[str((p.meta or {}).get("project") or txn.meta.get("project"))] += p.units.number
        views = all_project_views(district, code)
        assert set(views) == set(books.fc.projects)
        assert {pid: v.spent for pid, v in views.items() if v.spent} == {pid: s for pid, s in spent.items() if s}
        assert {pid: project_view(district, code, pid) for pid in views} == views


def test_stash_round_trip():
    import markdown

    from sunledger.site.pages import stash, unstash

    text = '# 标题\n\n<div class="x"><p>a</p></div>\n\n正文 **粗体**\n\n<ul><li>1</li></ul>\n'
    md, blocks = stash(text)
    assert len(blocks) == 2 and "<div" not in md
    html = unstash(markdown.markdown(md), blocks)
    assert '<div class="x"><p>a</p></div>' in html and "<strong>粗体</strong>" in html and "<ul><li>1</li></ul>" in html


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(b"\x00\xff\xff\xff")
    ) + chunk(b"IEND", b"")


def test_outcome_photos_are_published_and_a_copy_outside_git_says_so(copy, tmp_path):
    folder = copy / "content/funds/Guangming"
    (folder / "photos").mkdir()
    (folder / "photos/after.png").write_bytes(_png())
    path = sorted((folder / "projects").glob("*.yml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["outcomes"] = [*data.get("outcomes", []), {"text": "完工后的样子", "photo": "photos/after.png"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    done = build(copy, out)
    assert done.returncode == 0, done.stderr[-2000:]
    html = (out / "projects" / data["id"] / "index.html").read_text(encoding="utf-8")
    assert '<img src="../../photos/Guangming/photos/after.png" alt="完工后的样子的照片"' in html
    assert (out / "photos/Guangming/photos/after.png").read_bytes() == _png()
    assert 'data-fund="Guangming"' in html  # a fund's page names its ledger; the district's pages the commit
    assert 'data-commit="未提交"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_fund_without_transactions_still_gets_its_pages(tmp_path):
    """A new fund (content and opens only) renders every page type without data."""
    from sunledger.district import load_district
    from sunledger.site.pages import Portal

    import conftest

    d = conftest.District(tmp_path)
    d.ledger("")
    loaded = load_district(tmp_path)
    assert loaded.errors == []
    pages = {p.src_uri: p for p in Portal(loaded, SITE_URL).pages()}
    assert {"index.md", "funds/Test/index.md", "projects/index.md", "projects/T-01/index.md", "partners/index.md"} <= set(pages)
    fund = "\n".join([pages["funds/Test/index.md"].markdown, *pages["funds/Test/index.md"].blocks])
    assert "暂无数据" in fund and "还没有公示" in fund


def test_sunledger_checksum_prints_what_the_pages_state(site, district):
    """An auditor checks a page's foot against the books with `sunledger checksum`."""
    done = subprocess.run([str(BIN / "sunledger"), "checksum", "--root", str(REPO)], capture_output=True, text=True,
                          env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    sums = dict(line.split("\t")[:2] for line in done.stdout.splitlines())
    assert sums.pop("全区") == district.checksum
    assert set(sums) == set(district.books)
    for code, value in sums.items():
        assert f'data-fund="{code}" data-checksum="{value}"' in page(site, f"funds/{code}")
    node = subprocess.run([str(BIN / "sunledger"), "checksum", "yuqiuhu", "--root", str(REPO)], capture_output=True,
                          text=True, env=ENV, timeout=300).stdout.split("\t")[1]
    assert f'data-checksum="{node}">本页根据下辖' in page(site, "levels/yuqiuhu")
