"""Benchmark: the district site (`mkdocs build` with the sunledger plugin) against a plain Material build.

    .venv/bin/python scripts/bench_site.py [--sizes 20:10000,200:100000] [--repeat 1] [--profile] [--no-edits] [--no-serve]
    .venv/bin/python scripts/bench_site.py --funds 20 --transactions 10000     # quick

The issue's Scale target: build the site of a generated district and, in the
same run, a plain Material build of the same number of pages with the same
tables as Markdown.

1. A district is generated once into .bench/site-<funds>-<tx>/ (reused while
   funds, transactions, seed and the generator source are unchanged). The
   repo's mkdocs.yml, content/index.md and content/guide/ are copied in on
   every run (the plugin finds its root as the folder of mkdocs.yml).
2. ours: `mkdocs build -q -d .bench/site-out-<funds>-<tx>/ours` in that root.
3. plain: a plain Material project .bench/site-plain-<funds>-<tx>/ made from
   our output: one Markdown page per HTML page of our build (same path, same
   title), holding the page's headings, text, lists and every table of its
   main content as a Markdown table (charts and forms left out); links to
   other pages become links to their .md files. Same theme settings, search
   plugin with theme.language zh (jieba), navigation.prune and Markdown
   extensions as mkdocs.yml, no sunledger plugin; the same pages in the nav,
   the others `not_in_nav`; the pages ours keeps out of search
   (`search: exclude`) and the sidebars it hides are kept out/hidden too.
4. ledger load: `load_district(root)` alone, the part of ours that is not
   page building (so ms/page can be read with and without it).

5. one fund changed (unless --no-edits): a rebuild with nothing changed (its output must equal
   the first build's), a rebuild after a one-line edit in one fund (the narration of its last
   transaction, in the open month) and a clean build of the same inputs (the cache moved aside;
   the two trees are compared by a hash of every file), `make site` (`sunledger publish`: check,
   then build) after another edit, `mkdocs serve`'s rebuild after another (unless --no-serve),
   and the warm check against bean-check's cache hit. The edited file is put back afterwards.
   Target: 5 s plus the edited fund's own pages at the full build's cost per page.

Each command runs as a separate process, one after the other, measured with
scripts/bench.py's `measure` (wall; peak of the summed RSS and PSS of the
process tree, sampled every 50 ms; largest single process). With --repeat N
the runs are interleaved and the fastest is kept. MB = 2^20 bytes.
--profile builds both once more under cProfile and prints where the time goes:
build stages side by side, then ours' top functions by own time.

Targets (issue): ours ms/page ≤ 0.5 × plain; ours peak ≤ 1.5 GiB; the search
index (search/search_index.json) < 5 MB. A benchmark, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import html as lhtml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import BIN, REPO, Run, measure, warm
from bench import district as generate_once

BENCH = REPO / ".bench"
MB = 2**20
TARGET_RATIO = 0.5  # ours ms/page ≤ half of plain Material's
TARGET_PEAK_MB = 1.5 * 1024  # 1.5 GiB
TARGET_INDEX_MB = 5.0
ISSUE_PLAIN_MS = 25.0  # the issue's measured plain Material cost per page (pages out of nav): a reference, not ours


# ---------------------------------------------------------------- the district


def district(funds: int, transactions: int, seed: int) -> Path:
    """Generate .bench/site-<funds>-<tx>/ unless it already holds the same parameters; refresh its site config."""
    root = generate_once(transactions, funds, seed, BENCH / f"site-{funds}-{transactions}")
    # The site config and the hand-written pages as they are in the repo now (docs_dir: content, root = here).
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "content" / "index.md", root / "content" / "index.md")
    shutil.rmtree(root / "content" / "guide", ignore_errors=True)
    shutil.copytree(REPO / "content" / "guide", root / "content" / "guide")
    return root


# ---------------------------------------------------------------- the plain Material twin

BLOCK = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "div", "figure", "details",
         "section", "blockquote", "pre", "figcaption", "summary", "caption", "nav", "article", "aside", "header",
         "footer", "form", "fieldset"}
SKIP = {"svg", "script", "style", "form", "input", "select", "button", "template", "noscript", "img", "label",
        "textarea", "canvas", "iframe"}
_ESCAPE = re.compile(r"([\\`*_\[\]<>|#])")
_SPACE = re.compile(r"\s+")


@dataclass
class HtmlPage:
    url: str  # "funds/F0001/" ("" for the home page)
    src: str  # the twin's Markdown file: url + "index.md"
    title: str
    markdown: str
    hide: list[str]
    nav_links: list[str]  # page urls in this page's primary nav


class Twin:
    """Turn one built page into Markdown: headings, text, lists and tables; links to pages kept."""

    def __init__(self, urls: set[str]):
        self.urls = urls
        self.url = ""

    def link(self, href: str) -> str | None:
        if "://" in href or href.startswith(("mailto:", "data:")):
            return href
        path, _, frag = href.partition("#")
        target = posixpath.normpath(posixpath.join(self.url, path)) if path else self.url.rstrip("/")
        target = "" if target in (".", "") else target.rstrip("/") + "/"
        if target not in self.urls:
            return None  # downloads, photos, assets: not in the plain project
        rel = posixpath.relpath(target + "index.md", self.url or ".")
        return rel + (f"#{frag}" if frag else "")

    def inline(self, el) -> str:
        """The element's text (without its tail) as one line of Markdown."""
        out: list[str] = [_text(el.text)]
        for c in el:
            tag = c.tag if isinstance(c.tag, str) else ""
            if tag in SKIP or "headerlink" in (c.get("class") or ""):
                pass
            elif tag == "br":
                out.append(" ")
            elif tag == "a" and c.get("href"):
                label, target = self.inline(c), self.link(c.get("href"))
                out.append(f"[{label}]({target})" if target and label else label)
            else:
                out.append(self.inline(c))
            out.append(_text(c.tail))
        return _SPACE.sub(" ", "".join(out)).strip()

    def blocks(self, el) -> list[str]:
        out: list[str] = []
        loose = _text(el.text).strip()
        if loose:
            out.append(_SPACE.sub(" ", loose))
        for c in el:
            tag = c.tag if isinstance(c.tag, str) else ""
            cls = c.get("class") or ""
            if tag in SKIP or "headerlink" in cls:
                pass
            elif re.fullmatch(r"h[1-6]", tag):
                out.append("#" * int(tag[1]) + " " + self.inline(c))
            elif tag == "table":
                out.extend(self.table(c))
            elif tag in ("ul", "ol"):
                items = [self.inline(li) for li in c if li.tag == "li"]
                mark = (lambda i: f"{i + 1}.") if tag == "ol" else (lambda i: "-")
                out.append("\n".join(f"{mark(i)} {t}" for i, t in enumerate(items) if t))
            elif tag == "dl":
                lines, term = [], ""
                for d in c:
                    if d.tag == "dt":
                        term = self.inline(d)
                    elif d.tag == "dd":
                        lines.append(f"- **{term}**：{self.inline(d)}")
                out.append("\n".join(lines))
            elif tag == "pre":
                out.append("```\n" + c.text_content().rstrip("\n") + "\n```")
            elif tag == "blockquote":
                out.append("> " + self.inline(c))
            elif tag == "hr":
                out.append("***")
            elif tag in BLOCK and any(d.tag in BLOCK for d in c.iterdescendants() if isinstance(d.tag, str)):
                out.extend(self.blocks(c))  # a container of blocks
            else:
                text = self.inline(c)  # a paragraph, or a container of inline content
                if text:
                    out.append(text)
            tail = _text(c.tail).strip()
            if tail:
                out.append(_SPACE.sub(" ", tail))
        return [b for b in out if b.strip()]

    def table(self, t) -> list[str]:
        out = []
        cap = t.find("caption")
        if cap is not None:
            out.append(self.inline(cap))
        rows = []
        for tr in t.iter("tr"):
            if next(tr.iterancestors("table")) is not t:
                continue  # a nested table's row
            cells = []
            for cell in tr:
                if cell.tag in ("td", "th"):
                    text = self.inline(cell) or " "
                    cells += [text] + [" "] * (int(cell.get("colspan") or 1) - 1)
            rows.append(cells)
        if not rows:
            return out
        width = max(len(r) for r in rows)
        rows = [r + [" "] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        out.append("\n".join(lines))
        return out


def _text(s: str | None) -> str:
    return _ESCAPE.sub(r"\\\1", s) if s else ""


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).as_posix() != "404.html")


def url_of(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel[:-5] + "/"


def read_page(site: Path, path: Path, twin: Twin) -> HtmlPage:
    url = url_of(site, path)
    doc = lhtml.fromstring(path.read_bytes())
    twin.url = url
    article = doc.find_class("md-content__inner")[0]
    h1 = article.find(".//h1")
    title = twin.inline(h1).replace("\\", "") if h1 is not None else url
    hide = []
    for side in doc.find_class("md-sidebar"):
        if side.get("hidden") is not None:
            hide.append({"navigation": "navigation", "toc": "toc"}[side.get("data-md-type")])
    nav_links = []
    for nav in doc.find_class("md-nav--primary")[:1]:
        for a in nav.iter("a"):
            if "md-nav__link" in (a.get("class") or "") and not any(
                    "md-nav--secondary" in (n.get("class") or "") for n in a.iterancestors("nav")):
                target = posixpath.normpath(posixpath.join(url, a.get("href")))
                nav_links.append("" if target == "." else target.rstrip("/") + "/")
    markdown = "\n\n".join(twin.blocks(article)) + "\n"
    return HtmlPage(url, url + "index.md", title, markdown, hide, nav_links)


def plain_config(nav: list, not_in_nav: list[str]) -> str:
    """mkdocs.yml as in the repo, minus the sunledger plugin and its data excludes, with an explicit nav."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^\s*- sunledger\s*(#.*)?\n", "", text)
    text = re.sub(r"(?m)^exclude_docs:.*\n(?:[ \t]+.*\n)*", "", text)
    text = re.sub(r"(?m)^docs_dir:.*$", "docs_dir: docs", text)
    extra = yaml.safe_dump({"nav": nav, "not_in_nav": "\n".join(not_in_nav) + "\n"}, allow_unicode=True, sort_keys=False)
    return f"{text}\n# bench_site.py: the pages of the sunledger build, the same in the nav and out of it\n{extra}"


def out_of_nav_patterns(out: list[str], in_nav: list[str]) -> list[str]:
    """Few gitignore patterns for the pages out of the nav (thousands of exact lines would cost mkdocs time).

    'funds/F0001/notices/2024-01/index.md' -> '/funds/*/notices/*/index.md' unless that matches a page in the nav.
    """
    from pathspec import GitIgnoreSpec

    patterns: list[str] = []
    safe: dict[str, bool] = {}
    for src in out:
        parts = src.split("/")
        wild = "/" + "/".join(p if i in (0, len(parts) - 1) else "*" for i, p in enumerate(parts))
        if wild not in safe:
            spec = GitIgnoreSpec.from_lines([wild])
            safe[wild] = not any(spec.match_file(s) for s in in_nav)
        pattern = wild if safe[wild] else "/" + src
        if pattern not in patterns:
            patterns.append(pattern)
    return patterns


def make_plain(ours_site: Path, project: Path) -> int:
    """Write the plain Material twin of our built site; returns the number of pages."""
    t0 = time.perf_counter()
    pages_html = html_pages(ours_site)
    urls = {url_of(ours_site, p) for p in pages_html}
    index = json.loads((ours_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    searched = {d["location"].split("#")[0] for d in index["docs"]}
    twin = Twin(urls)
    pages = [read_page(ours_site, p, twin) for p in pages_html]
    shutil.rmtree(project, ignore_errors=True)
    docs = project / "docs"
    in_nav: list[str] = []
    seen = set()
    for page in pages:
        for u in page.nav_links:
            if u in urls and u not in seen:
                seen.add(u)
                in_nav.append(u)
    for page in pages:
        meta: dict = {"title": page.title}
        if page.url not in searched:
            meta["search"] = {"exclude": True}
        if page.hide:
            meta["hide"] = page.hide
        head = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items())
        out = docs / page.src
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"---\n{head}---\n\n{page.markdown}", encoding="utf-8")
    titles = {p.url: p.title for p in pages}
    nav: list = []
    sections: dict[str, list] = {}
    for u in in_nav:  # as the plugin does: a folder with more than one page in the nav becomes a section
        top = u.split("/", 1)[0]
        if u == "" or sum(1 for v in in_nav if v.split("/", 1)[0] == top) == 1:
            nav.append({titles[u]: u + "index.md"})
        else:
            if top not in sections:
                sections[top] = []
                nav.append({top: sections[top]})
            sections[top].append({titles[u]: u + "index.md"})
    not_in_nav = out_of_nav_patterns([p.src for p in pages if p.url not in seen], [u + "index.md" for u in in_nav])
    (project / "mkdocs.yml").write_text(plain_config(nav, not_in_nav), encoding="utf-8")
    print(f"  plain twin: {len(pages)} pages ({len(in_nav)} in nav, {len(pages) - len([p for p in pages if p.url in searched])}"
          f" out of search) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return len(pages)


# ---------------------------------------------------------------- measuring


@dataclass
class Site:
    run: Run
    pages: int
    out_mb: float
    html_mb: float
    index_mb: float
    index_gz_mb: float
    jieba: bool  # the index holds jieba's \u200b word breaks


def size(path: Path, suffix: str = "") -> int:
    return sum(p.stat().st_size for p in path.rglob("*" + suffix) if p.is_file())


def build(label: str, project: Path, out: Path) -> Site:
    shutil.rmtree(out, ignore_errors=True)
    log = out.parent / f"{out.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # exec: the shell becomes mkdocs (no extra process in the tree); its log goes to a file we read
    cmd = ["sh", "-c", f'exec "$0" "$@" >{shlex.quote(str(log))} 2>&1', str(BIN / "mkdocs"), "build", "-q", "-d", str(out)]
    run = measure(label, cmd, project)
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    warnings = [x for x in lines if x.startswith(("WARNING", "ERROR")) or "Error" in x]
    run.summary = f"{len(warnings)} warnings: {warnings[0][:70]}" if warnings else "no warnings"
    index = out / "search" / "search_index.json"
    data = index.read_bytes() if index.is_file() else b""
    pages = len(html_pages(out)) if out.is_dir() else 0
    return Site(run, pages, size(out) / MB if out.is_dir() else 0, size(out, ".html") / MB if out.is_dir() else 0,
                len(data) / MB, len(gzip.compress(data, 6)) / MB, b"\\u200b" in data or "\u200b".encode() in data)


LOAD = "import sys; sys.path.insert(0, {scripts!r}); from sunledger.district import load_district; " \
       "d = load_district({root!r}); print(f'{{len(d.books)}} funds, {{sum(len(b.txns) for b in d.books.values())}} txns')"


# Stages of a build: (label, file suffix, function, caller (file suffix, function) or None); indented = part of the one above
STAGES = [
    ("whole build", "mkdocs/commands/build.py", "build", None),
    ("on_config (all plugins)", "mkdocs/plugins.py", "on_config", None),
    ("  ledger load (load_district)", "sunledger/district.py", "load_district", None),
    ("  build_info (git)", "sunledger/site/buildinfo.py", "build_info", None),
    ("on_files (all plugins)", "mkdocs/plugins.py", "on_files", None),
    ("  Portal(): views of every fund", "sunledger/site/pages.py", "__init__", None),
    ("  Portal.pages(): page Markdown", "sunledger/site/pages.py", "pages", None),
    ("    notice pages", "sunledger/site/pages.py", "notice", None),
    ("      QR codes (qr_svg)", "sunledger/site/qr.py", "qr_svg", None),
    ("    project pages", "sunledger/site/pages.py", "project", None),
    ("    fund pages", "sunledger/site/pages.py", "fund", None),
    ("    partner pages", "sunledger/site/pages.py", "partner", None),
    ("  downloads", "sunledger/site/plugin.py", "_downloads", None),
    ("nav (get_navigation)", "mkdocs/structure/nav.py", "get_navigation", None),
    ("pages: read + Markdown (_populate_page)", "mkdocs/commands/build.py", "_populate_page", None),
    ("  Markdown → HTML (Page.render)", "mkdocs/structure/pages.py", "render", None),
    ("  on_page_content (unstash)", "mkdocs/plugins.py", "on_page_content", None),
    ("pages: theme + write (_build_page)", "mkdocs/commands/build.py", "_build_page", None),
    ("  search: index the page", "material/plugins/search/plugin.py", "on_page_context", None),
    ("    jieba segmentation", "material/plugins/search/plugin.py", "_segment_chinese", None),
    ("  theme template (main.html)", "jinja2/environment.py", "render", ("mkdocs/commands/build.py", "_build_page")),
    ("  write HTML files", "mkdocs/utils/__init__.py", "write_file", ("mkdocs/commands/build.py", "_build_page")),
    ("copy static files", "mkdocs/structure/files.py", "copy_static_files", None),
    ("on_post_build (all plugins)", "mkdocs/plugins.py", "on_post_build", None),
    ("  search: write the index", "material/plugins/search/plugin.py", "on_post_build", None),
    ("  privacy scan of the output", "sunledger/site/scan.py", "scan_site", None),
]


def profiled(label: str, project: Path, out: Path):
    """One build under cProfile; its pstats.Stats."""
    import pstats

    prof = out.parent / f"{out.name}.prof"
    shutil.rmtree(out, ignore_errors=True)
    print(f"profiling {label} (cProfile) → {prof.relative_to(REPO)} (load {loadavg()})", file=sys.stderr)
    subprocess.run([str(BIN / "python"), "-m", "cProfile", "-o", str(prof), str(BIN / "mkdocs"), "build", "-q",
                    "-d", str(out)], cwd=project, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(out, ignore_errors=True)
    return pstats.Stats(str(prof))


def cumulative(stats, suffix: str, func: str, caller: tuple[str, str] | None) -> float:
    total = 0.0
    for (file, _line, fn), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        if fn != func or not file.endswith(suffix):
            continue
        if caller is None:
            total += ct
        else:
            total += sum(v[3] for (cf, _cl, cfn), v in callers.items() if cfn == caller[1] and cf.endswith(caller[0]))
    return total


def _where(file: str) -> str:
    return re.sub(r".*site-packages/", "", file.replace(str(REPO) + "/", ""))


def report_profile(ours, plain, pages: int, top: int) -> None:
    whole = {k: cumulative(st, *STAGES[0][1:]) for k, st in (("ours", ours), ("plain", plain))}
    print(f"\nWhere the time goes (cProfile, cumulative; the profiler slows both builds, so read the shares; "
          f"ms/page = stage s / {pages} pages):")
    head = f"{'stage':<42} {'ours s':>7} {'ours %':>6} {'ms/pg':>6}   {'plain s':>7} {'plain %':>7} {'ms/pg':>6}"
    print(head)
    print("-" * len(head))
    for label, *key in STAGES:
        a, b = cumulative(ours, *key), cumulative(plain, *key)
        if not a and not b:
            continue
        print(f"{label:<42} {a:>7.2f} {100 * a / whole['ours']:>6.1f} {1000 * a / pages:>6.2f}   "
              f"{b:>7.2f} {100 * b / whole['plain']:>7.1f} {1000 * b / pages:>6.2f}")
    total = ours.total_tt
    print(f"\nours: top {top} functions by own time (of {total:.1f} s under the profiler):")
    print(f"{'own s':>7} {'own %':>6} {'cum s':>7} {'cum %':>6} {'calls':>9}  function")
    rows = sorted(ours.stats.items(), key=lambda kv: kv[1][2], reverse=True)
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in rows[:top]:
        print(f"{tt:>7.2f} {100 * tt / total:>6.1f} {ct:>7.2f} {100 * ct / total:>6.1f} {nc:>9}  {_where(file)}:{line}({fn})")


# ---------------------------------------------------------------- one fund changed

TXN = re.compile(r'^\d{4}-\d\d-\d\d [*!] "')
TARGET_EDIT_S = 5.0  # a one-fund rebuild: at most this plus the cost of that fund's own pages


def edit_line(root: Path, code: str, tag: str) -> Path:
    """A one-line edit in one fund's books: the narration of the last transaction of its last
    month (the open month: the months before it are sealed)."""
    path = sorted((root / "ledger" / "funds" / code / "txns").glob("*.beancount"))[-1]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = max(k for k, line in enumerate(lines) if TXN.match(line))
    lines[i] = re.sub(r'"([^"]*)"(\s*)$', lambda m: f'"{m.group(1)}（{tag}）"{m.group(2)}', lines[i], count=1)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def tree_hash(folder: Path) -> str:
    """One digest of every file's path and bytes."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def clean_build(label: str, root: Path, out: Path) -> Site:
    """A build from nothing: the cache moved aside, then put back as it was."""
    cache, aside = root / ".sunledger-cache", root / ".sunledger-cache-aside"
    shutil.rmtree(aside, ignore_errors=True)
    if cache.exists():
        shutil.move(cache, aside)
    try:
        return build(label, root, out)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if aside.exists():
            shutil.move(aside, cache)


def fund_pages(site: Path, code: str) -> int:
    """The pages that name fund `code` as their ledger: its own pages."""
    mark = f'data-fund="{code}"'.encode()
    return sum(1 for p in html_pages(site) if mark in p.read_bytes())


def serve_rebuild(root: Path, code: str, tag: str, timeout: float = 1800) -> tuple[float | None, float | None, str]:
    """`mkdocs serve`: wait for its first build, edit one line, and time until its rebuild is done.
    (seconds from the edit to the rebuild's end, mkdocs' own "built in" seconds, what went wrong)."""
    import queue
    import threading

    port = 18000 + os.getpid() % 1000
    proc = subprocess.Popen([str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()  # type: ignore[union-attr]

    def built(until: float) -> float | None:
        while time.monotonic() < until:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if proc.poll() is not None:
                    return None
                continue
            if m := re.search(r"Documentation built in ([\d.]+) seconds", line):
                return float(m.group(1))
        return None

    try:
        start = time.monotonic()
        if built(start + timeout) is None:
            return None, None, "first build did not finish"
        time.sleep(2)  # the watcher is up
        edit_line(root, code, tag)
        t0 = time.monotonic()
        own = built(t0 + timeout)
        return (time.monotonic() - t0, own, "") if own is not None else (None, None, "rebuild did not finish")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Edits:
    warm: Site  # nothing changed
    edit: Site  # after a one-line edit in one fund
    clean: Site  # a clean build of the same inputs
    publish: Run  # `sunledger publish` (make site: check, then build) after another edit
    serve: tuple[float | None, float | None, str]
    code: str
    pages: int  # the edited fund's own pages
    same: bool  # edit's output == clean's, byte for byte
    warm_same: bool  # warm's output == the first full build's
    checks: dict[str, Run]


def one_fund_changed(root: Path, outs: Path, serve: bool) -> Edits:
    codes = sorted(p.name for p in (root / "ledger" / "funds").iterdir() if p.is_dir())
    code = codes[len(codes) // 2]
    books = sorted((root / "ledger" / "funds" / code / "txns").glob("*.beancount"))[-1]
    before = books.read_bytes()
    try:
        return _edits(root, outs, code, serve)
    finally:  # the generated district stays as generated, for the next run
        books.write_bytes(before)


def _edits(root: Path, outs: Path, code: str, serve: bool) -> Edits:
    warm_site = build("rebuild, nothing changed", root, outs / "warm")
    print(f"  rebuild, nothing changed: {warm_site.run.wall:.1f} s (load {loadavg()})", file=sys.stderr)
    edit_line(root, code, "核1")
    edited = build("rebuild, 1-line edit", root, outs / "edit")
    print(f"  rebuild after a 1-line edit in {code}: {edited.run.wall:.1f} s (load {loadavg()})", file=sys.stderr)
    clean = clean_build("clean build, same inputs", root, outs / "clean")
    print(f"  clean build of the same inputs: {clean.run.wall:.1f} s (load {loadavg()})", file=sys.stderr)
    same = tree_hash(outs / "edit") == tree_hash(outs / "clean")
    warm_same = tree_hash(outs / "warm") == tree_hash(outs / "ours")
    edit_line(root, code, "核2")
    publish = measure("make site (sunledger publish)", [str(BIN / "sunledger"), "publish", "--root", str(root)], root)
    print(f"  make site after a 1-line edit: {publish.wall:.1f} s, rc {publish.rc} (load {loadavg()})", file=sys.stderr)
    served = serve_rebuild(root, code, "核3") if serve else (None, None, "skipped (--no-serve)")
    print(f"  mkdocs serve rebuild after a 1-line edit: {served} (load {loadavg()})", file=sys.stderr)
    bc = [str(BIN / "bean-check"), "ledger/main.beancount"]
    sl = [str(BIN / "sunledger"), "check", "."]
    subprocess.run(bc, cwd=root, capture_output=True)
    subprocess.run(sl, cwd=root, capture_output=True)
    checks = {"bean-check, cache hit": measure("bean-check, cache hit", bc, root),
              "sunledger check, warm": measure("sunledger check, warm", sl, root)}
    edit_line(root, code, "核4")
    checks["check after 1-line edit"] = measure("check after 1-line edit", sl, root)
    checks["bean-check one fund"] = measure("bean-check one fund", [bc[0], "--no-cache", f"ledger/funds/{code}/fund.beancount"], root)
    for label, run in checks.items():
        print(f"  {label}: {run.wall:.2f} s", file=sys.stderr)
    return Edits(warm_site, edited, clean, publish, served, code, fund_pages(outs / "edit", code), same, warm_same, checks)


def report_edits(e: Edits, ms_page: float) -> None:
    budget = TARGET_EDIT_S + e.pages * ms_page / 1000

    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print()
    print(f"one fund changed ({e.code}, {e.pages} pages of its own; budget {TARGET_EDIT_S:.0f} s + {e.pages} × "
          f"{ms_page:.1f} ms = {budget:.1f} s):")
    head = f"{'':<40} {'wall s':>7} {'RSS MB':>7}  result"
    print(head)
    print("-" * len(head))
    print(f"{'rebuild, nothing changed':<40} {e.warm.run.wall:>7.1f} {e.warm.run.rss_mb:>7.0f}  "
          f"identical to the first build: {'yes' if e.warm_same else 'NO'}")
    print(f"{'mkdocs build after a 1-line edit':<40} {e.edit.run.wall:>7.1f} {e.edit.run.rss_mb:>7.0f}  "
          f"{mark(e.edit.run.wall <= budget)}; identical to a clean build: {'yes' if e.same else 'NO'}")
    print(f"{'clean build of the same inputs':<40} {e.clean.run.wall:>7.1f} {e.clean.run.rss_mb:>7.0f}")
    print(f"{'make site after a 1-line edit':<40} {e.publish.wall:>7.1f} {e.publish.rss_mb:>7.0f}  "
          f"rc {e.publish.rc}; {mark(e.publish.rc == 0 and e.publish.wall <= budget)} (check + build)")
    wall, own, why = e.serve
    if wall is None:
        print(f"{'mkdocs serve rebuild after a 1-line edit':<40} {'':>7} {'':>7}  {why}")
    else:
        print(f"{'mkdocs serve rebuild after a 1-line edit':<40} {wall:>7.1f} {'':>7}  {mark(wall <= budget)} "
              f"(mkdocs says built in {own:.1f} s; from the edit, with the watcher's wait)")
    c = {k: r.wall for k, r in e.checks.items()}
    print(f"check, warm: {c['sunledger check, warm']:.2f} s vs bean-check's cache hit {c['bean-check, cache hit']:.2f} s "
          f"{mark(c['sunledger check, warm'] <= c['bean-check, cache hit'])}; after a 1-line edit "
          f"{c['check after 1-line edit']:.2f} s vs one fund's bean-check {c['bean-check one fund']:.2f} s + warm "
          f"{mark(c['check after 1-line edit'] <= 1.5 * (c['bean-check one fund'] + c['sunledger check, warm']))}")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--funds", type=int, default=None, help="one size: funds (with --transactions)")
    ap.add_argument("--transactions", type=int, default=None)
    ap.add_argument("--sizes", default="20:10000,200:100000", help="funds:transactions, comma-separated")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per build; the fastest is kept")
    ap.add_argument("--profile", action="store_true", help="then profile both builds with cProfile")
    ap.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    ap.add_argument("--no-edits", action="store_true", help="skip the one-fund-changed rebuilds")
    ap.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve rebuild")
    args = ap.parse_args(argv)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    if args.funds or args.transactions:
        sizes = [(args.funds or 200, args.transactions or 100_000)]
    else:
        sizes = [tuple(int(x.replace("_", "")) for x in pair.split(":")) for pair in args.sizes.split(",") if pair.strip()]
    rc = 0
    for funds, transactions in sizes:
        rc |= one_size(args, funds, transactions)
    return rc


def one_size(args, funds: int, transactions: int) -> int:
    name = f"{funds}-{transactions}"
    print(f"{funds} funds, {transactions} transactions (load average {loadavg()}):", file=sys.stderr)
    root = district(funds, transactions, args.seed)
    outs = BENCH / f"site-out-{name}"
    plain = BENCH / f"site-plain-{name}"
    warm(root)
    load_cmd = [str(BIN / "python"), "-c", LOAD.format(scripts=str(REPO / "scripts"), root=str(root))]

    best: dict[str, Site] = {}
    load: Run | None = None
    loads: list[str] = []
    for i in range(args.repeat):
        shutil.rmtree(root / ".sunledger-cache", ignore_errors=True)  # a full build: from nothing
        ours = build("ours (sunledger)", root, outs / "ours")
        print(f"  ours: {ours.run.wall:.1f} s, {ours.pages} pages, rc {ours.run.rc} (load {loadavg()})", file=sys.stderr)
        if ours.run.rc != 0 or not ours.pages:
            print(f"ours failed: {ours.run.summary}; see {outs / 'ours.log'}", file=sys.stderr)
            return 1
        if i == 0:
            make_plain(outs / "ours", plain)
            warm(plain)
        base = build("plain Material", plain, outs / "plain")
        print(f"  plain: {base.run.wall:.1f} s, {base.pages} pages, rc {base.run.rc} (load {loadavg()})", file=sys.stderr)
        run = measure("ledger load only", load_cmd, root)
        print(f"  ledger load: {run.wall:.1f} s, rc {run.rc} (load {loadavg()})", file=sys.stderr)
        loads.append(loadavg())
        for site in (ours, base):
            if site.run.label not in best or site.run.wall < best[site.run.label].run.wall:
                best[site.run.label] = site
        if load is None or run.wall < load.wall:
            load = run

    ours, base = best["ours (sunledger)"], best["plain Material"]
    per = {k: 1000 * s.run.wall / max(s.pages, 1) for k, s in best.items()}
    ratio = per[ours.run.label] / per[base.run.label]
    print()
    print(f"{funds} funds, {transactions} transactions; fastest of {args.repeat}; "
          f"load average after each round: {', '.join(loads)} (2 cores)")
    head = (f"{'build':<24} {'pages':>6} {'wall s':>7} {'ms/page':>7} {'× plain':>7} {'RSS MB':>7} {'PSS MB':>7} "
            f"{'out MB':>7} {'HTML MB':>7} {'index MB':>8} {'gz MB':>6}  rc  output")
    print(head)
    print("-" * len(head))
    for key in (ours.run.label, base.run.label):
        s = best[key]
        print(f"{key:<24} {s.pages:>6} {s.run.wall:>7.1f} {per[key]:>7.1f} {per[key] / per[base.run.label]:>7.2f} "
              f"{s.run.rss_mb:>7.0f} {s.run.pss_mb:>7.0f} {s.out_mb:>7.1f} {s.html_mb:>7.1f} {s.index_mb:>8.2f} "
              f"{s.index_gz_mb:>6.2f}  {s.run.rc:>2}  {s.run.summary}")
    assert load is not None
    rest = (ours.run.wall - load.wall) * 1000 / ours.pages
    print(f"{'ledger load only':<24} {'':>6} {load.wall:>7.1f} {'':>7} {'':>7} {load.rss_mb:>7.0f} {load.pss_mb:>7.0f}"
          f"{'':>44}  {load.rc:>2}  {load.summary}")
    print()
    print(f"ours without the ledger load: {rest:.1f} ms/page, {rest / per[base.run.label]:.2f} × plain. "
          f"RSS/PSS: peak of the sum over the process tree (50 ms samples); MB = 2^20 bytes.")
    print(f"index = search/search_index.json (gz: gzip -6, what a server sends compressed); "
          f"jieba word breaks in the index: ours {'yes' if ours.jieba else 'NO'}, plain {'yes' if base.jieba else 'NO'}.")
    print("targets:")
    print(f"  ms/page ≤ {TARGET_RATIO:.2f} × plain Material: {ratio:.2f} × "
          f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'}")
    ref = per[ours.run.label] / ISSUE_PLAIN_MS
    print(f"  (reference, not the target: against the issue's {ISSUE_PLAIN_MS:.0f} ms/page for plain Material, ours is "
          f"{ref:.2f} ×; this run's plain twin costs {per[base.run.label]:.1f} ms/page)")
    # PSS: the privacy scan's forked processes share the parent's pages, which RSS would count once per process
    print(f"  peak memory ≤ {TARGET_PEAK_MB:.0f} MB (1.5 GiB): {ours.run.pss_mb:.0f} MB PSS "
          f"{'ok' if ours.run.pss_mb <= TARGET_PEAK_MB else 'MISSED'} ({ours.run.rss_mb:.0f} MB RSS summed over processes)")
    print(f"  search index < {TARGET_INDEX_MB:.0f} MB: {ours.index_mb:.2f} MB "
          f"{'ok' if ours.index_mb < TARGET_INDEX_MB else 'MISSED'} (gzip {ours.index_gz_mb:.2f} MB "
          f"{'ok' if ours.index_gz_mb < TARGET_INDEX_MB else 'MISSED'})")
    if not args.no_edits:
        report_edits(one_fund_changed(root, outs, not args.no_serve), per[ours.run.label])
    if args.profile:
        print(file=sys.stderr)
        report_profile(profiled("ours", root, outs / "ours-profiled"), profiled("plain", plain, outs / "plain-profiled"),
                       ours.pages, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
