"""The mkdocs plugin `sunledger`: the residents' portal inside mkdocs' own build.

    on_config    load the district once; any rule error stops the build (file:line)
    on_files     generate every page of the nav and the district's, every asset, download, photo
                 and feed (File.generated); the funds' pages out of the nav are only planned
    on_nav       keep the nav the funds' pages out of it are drawn in
    on_pre_page  date every page by the ledger, not the clock (reproducible sitemap)
    on_env       the build line (commit + ledger checksum) for the theme override; the nav memo
                 (site/navmemo.py); start drawing the funds' pages out of the nav (site/draw.py)
    on_serve     watch the ledger and sunledger.yml too
    on_page_context  put the page's HTML blocks back; its share card (og:) and feed links, for overrides/main.html
    on_post_build  wait for those pages; add funds, notices, projects and partners to the search
                 index; scan every written file for private data; refuse to publish it

Registered as entry point `sunledger` (pyproject.toml), enabled in mkdocs.yml.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import pickle
import shutil
import zlib
from collections.abc import Mapping
from pathlib import Path
from types import MethodType

import jinja2
import material
from markupsafe import Markup, escape
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import get_toc

from ..checkcache import FOLDER, code_digest
from ..config import CONFIG_NAME, find_root
from ..district import District
from ..errors import error, problem
from . import (
    csp,
    draw,
    feeds,
    glossary,
    images,
    navmemo,
    pagecache,
    parts,
    reuse,
    scan,
    search,
    segments,
    share,
    siteurl,
)
from .buildinfo import BuildInfo, commit
from .fastmd import FastMarkdown
from .pages import Portal, level_group, unstash

log = logging.getLogger("mkdocs.plugins.sunledger")

HERE = Path(__file__).parent
MATERIAL = Path(material.__file__).parent / "templates"  # Material's own templates, under "sl-material/"
ASSETS = {
    "assets/sunledger/sunledger.css": HERE / "assets" / "sunledger.css",
    "assets/sunledger/filter.js": HERE / "assets" / "filter.js",
    "assets/sunledger/a11y.js": HERE / "assets" / "a11y.js",
    "assets/sunledger/print.js": HERE / "assets" / "print.js",
}
MAX_LISTED = 200
PARALLEL_BYTES = 2**18  # below this, starting processes costs more than loading funds apart saves
DRAW_APART = 400  # pages out of the nav: from this many (jobs: 0) they are drawn in processes of their own


class SunledgerConfig(Config):
    root = opt.Optional(opt.Type(str))  # district root; default: the folder of mkdocs.yml (or above it)
    privacy_scan = opt.Type(bool, default=True)
    downloads = opt.Type(bool, default=True)
    sections = opt.Type(dict, default={"guide": "使用指南"})  # titles of folders of hand-written pages
    # processes loading funds: 0 = one per core once the ledger is big enough to gain from it; 1 = serial
    jobs = opt.Type(int, default=0)
    # write the HTML of plain generated pages directly (site/fastmd.py); false = Python-Markdown for every page
    fast_markdown = opt.Type(bool, default=True)
    # keep each fund's views and pages in .sunledger-cache/site/ and reuse them while its inputs are unchanged
    cache = opt.Type(bool, default=True)
    # draw the primary nav once for all pages out of the nav that spell its links alike (site/navmemo.py)
    nav_memo = opt.Type(bool, default=True)


class Written(File):
    """A file the plugin adds: each folder made once per build (tens of thousands of files), and a
    file of the page cache hard-linked into a build folder nobody writes into again, not copied."""

    link = False  # set per build: without --dirty (`mkdocs build` and `serve` empty the site folder first)
    made: set[str] = set()  # noqa: RUF012 - one build's folders, reset in on_config
    kept: set[str] = set()  # noqa: RUF012 - site paths the last build left with these bytes (site/reuse.py)

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        if self.dest_uri in Written.kept:
            return
        content = self._content
        if content is None:
            assert self.abs_src_path is not None
            Written.place(self.abs_src_path, self.abs_dest_path)
        else:
            with open(Written.folder_of(self.abs_dest_path), "wb") as f:
                f.write(content.encode("utf-8") if isinstance(content, str) else content)

    @staticmethod
    def folder_of(out: str) -> str:
        """`out`, its folder made (once per build)."""
        folder = os.path.dirname(out)
        if folder not in Written.made:
            os.makedirs(folder, exist_ok=True)
            Written.made.add(folder)
        return out

    @staticmethod
    def place(src: str, out: str) -> None:
        """The file `src` written at `out`: hard-linked when `link`, else copied."""
        Written.folder_of(out)
        if Written.link:
            try:
                os.link(src, out)
                return
            except OSError:
                pass
        shutil.copyfile(src, out)


class SunledgerPlugin(BasePlugin[SunledgerConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.built: parts.Built | None = None
        self.as_of: dt.date | None = None
        self.info: BuildInfo | None = None
        self.root: Path | None = None
        self.refused: list[str] = []  # SL804: photos and receipts that cannot be published
        self.last_date: dt.date | None = None
        # what on_post_build needs, kept when the district is let go after on_files
        self.search_entries: list[dict] | None = None
        self.shares: dict[str, tuple[str | None, str]] = {}  # src_uri -> (fund code, summary)
        self.private_names: set[str] = set()
        self.public_numbers: frozenset[str] = frozenset()  # contact phones declared `public: true`
        self.contacts: dict = {}  # fund code ("" for the district) -> contact block at the foot of its pages
        self.generated: set[str] = set()
        self.blocks: dict[str, bytes] = {}  # src_uri -> its HTML blocks kept out of Markdown, compressed (`_pack`)
        self.serving = False
        self.dirty = False
        self.aside: Path | None = None  # the site folder whose last build is set aside while mkdocs empties it (site/reuse.py)
        self.kept = reuse.Kept()
        self.fast: FastMarkdown | None = None
        self._reset()

    def _reset(self) -> None:
        """What one build gathers (the plugin lives on across `mkdocs serve`'s rebuilds)."""
        self.groups: dict[str, str] = {}  # fund code -> key of the page group this build writes (pagecache)
        self.cached: dict[str, pagecache.Group] = {}  # fund code -> the group copied from the cache
        self.group_files: dict[str, list[str]] = {}  # group -> site paths of its files written this build
        self.group_pages: dict[str, dict[str, tuple[str, str]]] = {}  # group -> its pages of the nav: src -> (front, dest)
        self.placed: dict[str, str] = {}  # site path -> page-cache blob: the cached groups' files (`_place`)
        self.blob_stats: dict[str, os.stat_result] = {}  # of those blobs, as the page cache found them this build
        self.cached_pages: dict[str, Path] = {}  # src_uri of a page of the nav -> the stored page it writes
        self.sitemap_extra: list[str] = []  # urls of pages not in mkdocs' Files: copied from the cache, or drawn apart
        self.stamps: dict[str, str] = {}  # fund code -> checksum of its ledger, stated on its pages
        self.downloaded: set[str] = set()
        self.level_stamps: set[str] = set()
        self.works: list[draw.Work] = []  # the funds' pages out of the nav, drawn apart (site/draw.py)
        self.drawn: frozenset[str] = frozenset()  # their files, each scanned right after it was written
        self.drawn_found: list[str] = []  # what that scan found, of the pages drawn in this process
        self.nav = None
        self.drawing = draw.Drawing()
        self.segments: segments.Segments | None = None  # Material's jieba cuts, remembered (site/segments.py)

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"
        self.dirty = dirty
        parts.keep_read(self.serving)  # each rebuild reuses what the last read from the cache

    def on_shutdown(self):
        parts.keep_read(False)

    # ------------------------------------------------------------ config

    def on_config(self, config):
        self._reset()
        # without --dirty, mkdocs (build and serve alike) empties the site folder first and never writes a file twice
        Written.made, Written.link, Written.kept = set(), not self.dirty, set()
        self.kept = reuse.Kept()
        if self.dirty:  # mkdocs rewrites files in place: none may share its bytes with the page cache
            unlink_shared(Path(config.site_dir))
        self.blocks, self.generated, self.shares = {}, set(), {}
        base = Path(config.config_file_path or ".").resolve().parent
        root = (base / self.config.root).resolve() if self.config.root else find_root(base)
        if root is None or not (root / CONFIG_NAME).is_file():
            raise PluginError(f"sunledger: {base} 及其上级目录中没有 {CONFIG_NAME}；请在 mkdocs.yml 中设置 plugins.sunledger.root")
        if not config.use_directory_urls:
            raise PluginError("sunledger: 网址方案要求 use_directory_urls: true")
        if config.theme.get("font") is not False:
            raise PluginError("sunledger: 请在 mkdocs.yml 中设置 theme.font: false（不从外部网站加载字体）")
        if (why := siteurl.problem(config.site_url)) is not None:
            raise PluginError(f"sunledger: {why}")
        site_dir = Path(config.site_dir).resolve()
        ignore = tuple(p for p in (_relative(site_dir, root),) if p)
        head = commit(root, ignore)
        self.as_of = head.commit_date or dt.date.today()  # the day overdue disclosure is judged on
        try:
            built = parts.build(root, self.as_of, self._jobs(root), downloads=self.config.downloads, cache=self.config.cache)
        except Exception as exc:  # a district that cannot be read is a build error, with the reason
            raise PluginError(f"sunledger: 无法读取 {root} 的账本：{exc}") from exc
        district = built.district
        errors = [p for p in built.problems if p.level == "error"]
        if errors:
            lines = [p.line(root) for p in errors]
            more = f"\n……另有 {len(lines) - MAX_LISTED} 个错误" if len(lines) > MAX_LISTED else ""
            raise PluginError(
                f"sunledger: 账本检查发现 {len(lines)} 个错误，网站未生成：\n" + "\n".join(lines[:MAX_LISTED]) + more
            )
        self.built = built
        self.root, self.last_date = district.root, district.last_date
        self.info = head.with_checksum(district.checksum)
        # Our overrides sit under the user's custom_dir (if any) and above Material's templates.
        dirs = config.theme.dirs
        dirs.insert(1 if config.theme.custom_dir else 0, str(HERE / "overrides"))
        if "assets/sunledger/sunledger.css" not in config.extra_css:
            config.extra_css.append("assets/sunledger/sunledger.css")
        if "assets/sunledger/a11y.js" not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append("assets/sunledger/a11y.js")
        self.fast = FastMarkdown.from_config(config) if self.config.fast_markdown else None
        return config

    def _jobs(self, root: Path) -> int:
        if self.config.jobs:
            return self.config.jobs
        if self.serving:  # no forking beside the live-reload server's threads
            return 1
        size = sum(p.stat().st_size for p in (root / "ledger").rglob("*.beancount"))
        return (os.cpu_count() or 1) if size >= PARALLEL_BYTES else 1

    def on_pre_build(self, config):
        # every plugin's on_config has run: Material's search index of this build exists
        if self.root is not None:
            self.segments = segments.wrap(self.root, config, self.config.cache)
        # mkdocs empties the site folder next: what it holds is kept aside, and what this build would
        # write again as it is stays (site/reuse.py)
        site = Path(config.site_dir)
        self.aside = site if self._reusing() and reuse.set_aside(site) else None

    def _reusing(self) -> bool:
        return self.config.cache and not self.dirty

    def on_serve(self, server, config, builder):
        if self.root is not None:
            root = self.root
            for path in (root / "ledger", root / CONFIG_NAME, root / "content"):
                if path.exists():
                    server.watch(str(path))
        return server

    # ------------------------------------------------------------ files

    def on_files(self, files: Files, config) -> Files:
        assert self.built is not None
        assert self.as_of is not None
        assert self.root is not None
        built, district = self.built, self.built.district
        if self.aside is not None:
            reuse.take_back(self.aside)
            self.aside = None
        intro = ""
        home = files.get_file_from_path("index.md")
        if home is not None:  # the hand-written home text becomes the head of the generated home page
            intro = home.content_string
            files.remove(home)
        as_of = self.as_of
        # what is made from one fund's part alone (the district's download tables, the project list's
        # cards), kept by that part's key; entries this build did not ask for go with prune below
        memo = parts.Memo(built.district.root, self.config.cache)
        shared = self._downloads(built, memo) if self.config.downloads else {}
        by_fund: dict[str, dict[str, bytes]] = {}
        for uri, data in shared.items():
            by_fund.setdefault(uri.split("/")[1], {})[uri] = data
        with_funds = _Downloads(by_fund, self._views(built))
        keys = built.keys

        def fragment(code: str, what: tuple, make) -> str:
            return memo((what, keys[code]), make) if code in keys else make()

        portal = Portal(district, config.site_url, intro, with_funds, None, None, as_of, built.parts, fragment)
        if self.config.cache:
            portal.env.bytecode_cache = bytecode_cache(self.root)
        self.private_names = portal.raw_private_payees()
        self.public_numbers = portal.public_numbers()
        self.contacts = portal.footer()
        written = {f.src_uri: f.content_bytes for f in files.documentation_pages() if f.generated_by is None}
        if config.nav is None:
            config.nav = self._nav(files, portal)
        self._keys(config, portal, built, written)
        store = pagecache.Store(self.root, config.site_url or "")
        for code, key in self.groups.items():
            group = store.get(code, key) if self.config.cache else None
            if group is not None:
                self.cached[code] = group
        self.blob_stats = store.stats
        if self.groups:
            funds = [g for g in self.groups if g in portal.parts]
            levels = [g for g in self.groups if g not in portal.parts]
            kept = [sum(1 for g in gs if g in self.cached) for gs in (funds, levels)]
            log.info(f"sunledger: {kept[0]} 个基金的页面沿用上次构建（.sunledger-cache/pages），{len(funds) - kept[0]} 个重新生成；"
                     f"各级汇总页 {kept[1]} 页沿用，{len(levels) - kept[1]} 页重新生成")
        # photos and receipts of a cached fund are in its group: named, not cleaned again
        portal.photos = self._photos(district, files, config)
        portal.receipts = self._receipts(built, files, config)
        self.built = None  # the parts' views now live in the portal
        self._release()
        for page in portal.pages(skip=frozenset(self.cached), funds_apart=False):
            level = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
            self._add(files, File.generated(config, page.src_uri, content=page.markdown, inclusion=level))
            self.blocks[page.src_uri] = _pack(page.blocks)
            if page.group in self.groups:
                dest = _dest(page.src_uri)
                if page.in_nav:
                    self.group_pages.setdefault(page.group, {})[page.src_uri] = (pagecache.front_of(page.markdown), dest)
                else:
                    self.group_files.setdefault(page.group, []).append(dest)
        # the funds' pages out of the nav are drawn apart, from on_env (site/draw.py)
        self.works = [draw.Work(src, code, make) for code in portal.order if code not in self.cached
                      for src, make in portal.fund_page_makers(code)]
        drawn: set[str] = set()
        for w in self.works:
            dest = _dest(w.src)
            for clash in (w.src, dest):  # the page is not in mkdocs' Files: a file of content/ may not take its place
                if files.get_file_from_path(clash) is not None:
                    raise _clash(clash)
            self.generated.add(w.src)
            drawn.add(dest)
            self.sitemap_extra.append(dest[: -len("index.html")])
            if w.code in self.groups:
                self.group_files.setdefault(w.code, []).append(dest)
        self.drawn = frozenset(drawn)
        # a cached group's files are placed by the plugin, not by mkdocs (they are most of a district's
        # files, and mkdocs walks its Files a dozen times a build): they are not in its Files
        for _name, group in sorted(self.cached.items()):
            for uri in sorted(group.files):
                self._claim(files, uri)
                self.placed[uri] = store.blob(group.files[uri])
                if uri.endswith("/index.html"):
                    self.sitemap_extra.append(uri[: -len("index.html")])
            for src, (front, sha) in sorted(group.pages.items()):
                self._add(files, File.generated(config, src, content=pagecache.stub(front), inclusion=InclusionLevel.INCLUDED))
                self.blocks[src] = _pack([])
                self.cached_pages[src] = Path(store.blob(sha))
        for uri, path in ASSETS.items():
            self._add(files, File.generated(config, uri, abs_src_path=str(path), inclusion=InclusionLevel.NOT_IN_NAV))
        # a cached fund's files are in its group (`placed`): made from its part alone, as its pages
        downloads = _checked_downloads({**shared, **{uri: data for code in with_funds if code not in self.cached and code in portal.parts
                                                     for uri, data in with_funds[code].items()}})
        for uri, data in downloads.items():
            code = uri.split("/")[1]  # downloads/<CODE>/…, or downloads/district/…
            self._add(files, Written.generated(config, uri, content=data, inclusion=InclusionLevel.NOT_IN_NAV))
            if code in portal.parts and code in self.groups:
                self.group_files.setdefault(code, []).append(uri)
        self.downloaded = set(downloads)
        self.search_entries = search.entries(portal)
        fund_feeds = {feeds.fund_feed_url(code): code for code in portal.order if code in self.groups}
        for uri, data in feeds.feeds(portal, skip=frozenset(self.cached)).items():
            self._add(files, Written.generated(config, uri, content=data, inclusion=InclusionLevel.NOT_IN_NAV))
            if uri in fund_feeds:  # made from what the fund's page group is keyed on: kept with its pages
                self.group_files.setdefault(fund_feeds[uri], []).append(uri)
        self.shares = share.summaries(portal, skip=frozenset(self.cached))
        memo.prune()  # after the last thing kept by a part's key (search entries, feed items) is asked for
        self.stamps = {code: portal.parts[code].checksum for code in portal.order}
        self.level_stamps = set(portal.level_stamps.values())
        if self._reusing():
            self._reconcile(files, config)
        self._place(Path(config.site_dir))
        # content/'s raw data (exclude_docs) is never written: out of the Files mkdocs walks again and again
        return Files([f for f in files if f.inclusion is not InclusionLevel.EXCLUDED or f.is_documentation_page()])

    def _place(self, site: Path) -> None:
        """Write the cached groups' files (site/pagecache.py) the last build did not leave in place."""
        for uri, blob in self.placed.items():
            if uri in Written.kept:
                continue
            out = os.path.join(site, uri)
            if self.dirty and not _newer(blob, out):  # as mkdocs' --dirty writes a file: only over an older one
                continue
            Written.place(blob, out)

    def _reconcile(self, files: Files, config) -> None:
        """Of the last build's files, keep those this build writes as they are (site/reuse.py)."""
        contents = {f.dest_uri: (c.encode("utf-8") if isinstance(c, str) else c)
                    for f in files if isinstance(f, Written) and (c := f._content) is not None}
        self.kept = reuse.reconcile(Path(config.site_dir), self.placed, contents, self.blob_stats)
        Written.kept = self.kept.files
        log.info(f"sunledger: 上次构建的 {len(self.kept.files)} 个文件原样留用，{self.kept.removed} 个删除后重写或不再发布")

    def _keys(self, config, portal: Portal, built: parts.Built, written: dict[str, bytes]) -> None:
        """Each fund's page group key (site/pagecache.py): its part's key, the frame every page is
        drawn in, and what its pages read of the other funds."""
        render = pagecache.render_key(config.config_file_path, config.nav, written, config.site_url or "")
        others = pagecache.digest(
            portal.year, portal.as_of.isoformat(), {nid: v.years for (nid, y), v in portal.levels.items() if y is None},
            portal.fund_years, portal.titles, sorted(self.private_names), sorted(self.public_numbers),
            built.shared, sorted(portal.downloads.get("district", {})),
        )
        custom = config.theme.custom_dir
        theme = pagecache.digest(sorted((p.relative_to(custom).as_posix(), p.read_bytes().hex())
                                        for p in Path(custom).rglob("*") if p.is_file())) if custom else ""
        for code in portal.order:
            if code in built.keys:  # a district loaded whole has no part keys: nothing is reused
                self.groups[code] = pagecache.digest(built.keys[code], render, others, theme)
        for nid, year in portal.levels:
            below = portal.places.funds_below(nid)
            if all(code in built.keys for code in below):
                self.groups[level_group(nid, year)] = pagecache.digest(
                    "level", nid, year, [built.keys[c] for c in below], render, others, theme)

    def _release(self) -> None:
        """Let go of the last ledger a rule plugin read in this process (a fund loaded here, with one job)."""
        from ..rules import context

        if context._LAST[0] is not None:  # else nothing was loaded here, and a collection would walk every part for nothing
            context._LAST[:] = [None, -1, None]
            gc.collect()

    def _add(self, files: Files, file: File) -> None:
        self._claim(files, file.src_uri)
        self.generated.add(file.src_uri)
        files.append(file)

    @staticmethod
    def _claim(files: Files, uri: str) -> None:
        """`uri` taken for a generated file: a file of content/ may not have it, one generated before gives way."""
        # the mapping itself, not get_file_from_path: our uris are posix already, and its PurePath
        # costs 16 µs a call (0.45 s for a 200-fund district's 27,000 cached files)
        old = files.src_uris.get(uri)
        if old is not None:
            if old.generated_by is None:
                raise _clash(uri)
            files.remove(old)

    def _downloads(self, built: parts.Built, memo: parts.Memo) -> dict[str, bytes]:
        """The district's download files (relative path -> bytes), from what each fund's part holds
        for them; a fund's own are its part's (`FundViews.download_files`)."""
        from .. import downloads

        funds = {code: v.downloads for code, v in sorted(self._views(built).items()) if v.downloads is not None}
        try:
            return _checked_downloads(downloads.district_files(built.district, funds, memo))
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"sunledger: 生成下载文件失败：{exc}") from exc

    @staticmethod
    def _views(built: parts.Built) -> dict[str, parts.FundViews]:
        return {code: p.views for code, p in built.parts.items() if p.views is not None}

    def _photos(self, district: District, files: Files, config) -> dict[tuple[str, str], str]:
        """Outcome photos: a path relative to content/funds/<CODE>/, published under photos/<CODE>/."""
        out: dict[tuple[str, str], str] = {}
        self.refused = []  # SL804 lines of photos and receipts, raised together at the end of _receipts
        for code in sorted(district.books):
            fc = district.books[code].fc
            folder = fc.path.parent
            for project in fc.projects.values():
                for outcome in project.outcomes:
                    photo = outcome.photo
                    if not photo or (code, photo) in out:
                        continue
                    path = (folder / photo).resolve()
                    if "://" in photo or not path.is_file() or folder.resolve() not in path.parents:
                        log.warning(f"sunledger: 项目 {project.id} 的照片 {photo} 不在 {folder} 下，未发布")
                        continue
                    uri = f"photos/{code}/{path.relative_to(folder.resolve()).as_posix()}"
                    if self._image(files, config, uri, path, fc.where.get(project.id), f"项目 {project.id} 的照片", code):
                        out[(code, photo)] = uri
        return out

    def _receipts(self, built: parts.Built, files: Files, config) -> dict[tuple[str, str], str]:
        """Receipts marked `receipt-public: TRUE`, published beside the fund page (funds/<CODE>/receipts/…); the rest only say they exist."""
        out: dict[tuple[str, str], str] = {}
        root = built.district.root
        for code, views in sorted(self._views(built).items()):
            folder = (root / "ledger" / "funds" / code).resolve()
            for receipt, where in views.receipts:
                if (code, receipt) in out:
                    continue
                path = (folder / receipt).resolve()
                if not path.is_file() or folder not in path.parents:
                    continue  # SL801 already stopped the build for a missing or escaping receipt
                uri = f"funds/{code}/{path.relative_to(folder).as_posix()}"
                if self._image(files, config, uri, path, where, "公开凭证", code):
                    out[(code, receipt)] = uri
        if self.refused:
            listed = "\n".join(self.refused[:MAX_LISTED])
            raise PluginError(f"sunledger: {len(self.refused)} 个照片或凭证不能公开，网站未生成：\n{listed}")
        return out

    def _image(self, files: Files, config, uri: str, path: Path, src: dict | None, what: str, code: str) -> bool:
        """Add a photo or receipt as published: pixels re-encoded or a PDF rebuilt, without metadata
        (GPS, camera, author) or anything that runs. Anything else is refused (SL804) at `src`, the
        ledger or YAML line that names it; False then. Of a fund whose group comes from the page
        cache, the file cleaned by an earlier build of the same inputs is in the group already."""
        if code in self.cached and uri in self.cached[code].files:
            return True
        try:
            data = images.cleaned(path)
        except images.Refused as exc:
            assert self.root is not None  # set in on_config
            shown = _relative(path, self.root) or str(path)
            text = (f"{what} {shown} 不能公开：{exc}。网站只公开 JPEG、PNG、WebP、GIF、TIFF 图片和 PDF"
                    "（SVG、HTML 等文件可能带脚本）；请导出为 PDF 或拍照后再附上")
            self.refused.append(problem(error(src, "SL804", text)).line(self.root))
            return False
        except Exception as exc:  # a broken file is a build error naming it, not a traceback
            raise PluginError(f"sunledger: 文件 {path} 无法读取：{exc}") from exc
        self._add(files, Written.generated(config, uri, content=data, inclusion=InclusionLevel.NOT_IN_NAV))
        self.group_files.setdefault(code, []).append(uri)
        return True

    def _nav(self, files: Files, portal: Portal) -> list:
        nav: list = [{"首页": "index.md"}]
        # Material writes nav titles as they are: a fund's name is text, escaped here (as pages.front_matter does)
        nav.append({"基金": [{str(escape(portal.summaries[c].name)): f"funds/{c}/index.md"} for c in portal.order]})
        # the levels above the funds (区, 街道, 社区), parents before children as on the home page's tree
        nodes = [nid for nid, year in portal.levels if year is None]
        if nodes:
            nav.append({"各级汇总": [{str(escape(portal.places.places[n].name)): f"levels/{n}/index.md"} for n in nodes]})
        nav += [{"项目": "projects/index.md"}, {"合作方": "partners/index.md"}, {glossary.TITLE: glossary.URL + "index.md"}]
        folders: dict[str, list[str]] = {}
        for f in files.documentation_pages():
            if f.src_uri in self.generated or not f.inclusion.is_in_nav():
                continue
            top = f.src_uri.split("/", 1)[0] if "/" in f.src_uri else ""
            folders.setdefault(top, []).append(f.src_uri)
        for top in sorted(folders):
            uris = sorted(folders[top])
            if top == "" or len(uris) == 1:
                nav += uris
            else:
                nav.append({self.config.sections.get(top, top): uris})
        return nav

    # ------------------------------------------------------------ pages

    @event_priority(-100)  # the nav as the last plugin leaves it: the one mkdocs draws its pages in
    def on_nav(self, nav, config, files):
        self.nav = nav
        return nav

    def on_pre_page(self, page, config, files):
        # The sitemap's lastmod (and the .gz header) would otherwise be today's date.
        if self.last_date is not None:
            page.update_date = self.last_date.isoformat()
        return page

    def on_page_markdown(self, markdown, page, config, files):
        if self.fast is not None and page.file.src_uri in self.blocks:
            done = self.fast.render(markdown)
            if done is not None:
                page.render = MethodType(_rendered(*done), page)  # this page skips Python-Markdown
        return markdown

    def _unstash(self, page) -> None:
        """Put the page's HTML blocks back, right before its template is drawn: until then mkdocs
        holds every page at once, and the blocks are most of a page's bytes (kept compressed)."""
        packed = self.blocks.pop(page.file.src_uri, None)
        if packed is None:
            return
        html = unstash(page.content or "", pickle.loads(zlib.decompress(packed)))  # noqa: S301 - packed above, in this process
        if "SLBLOCK" in html:
            raise PluginError(f"sunledger: {page.file.src_uri} 中有未还原的 HTML 块（模板中的 HTML 块内不能有空行）")
        page.content = html

    def on_env(self, env, config, files):
        if self.config.cache and self.root is not None:
            env.bytecode_cache = bytecode_cache(self.root)  # Material's templates, compiled once, not per build
        env.globals["sl_build"] = self.info
        env.globals["sl_stamps"] = self.stamps  # a fund's pages name its own ledger, not the build's commit
        env.globals["sl_sitemap"] = self._sitemap  # overrides/sitemap.xml
        env.globals["sl_csp"] = csp.policy  # overrides/main.html
        env.globals["sl_csp_templates"] = csp.MATERIAL_INLINE
        env.globals["sl_contacts"] = self.contacts  # overrides/partials/copyright.html
        env.globals["sl_feeds"] = feeds.links(None)  # pages without a page context (404) offer the district's
        # overrides/partials/nav.html: Material's own under a name of its own, and the nav drawn once per key
        env.loader = jinja2.ChoiceLoader([env.loader, jinja2.PrefixLoader({"sl-material": jinja2.FileSystemLoader(MATERIAL)})])
        memo = navmemo.NavMemo(self.nav, config) if self.nav is not None and self.config.nav_memo else None
        env.globals["sl_nav_key"] = memo.key if memo is not None else (lambda page: None)
        env.globals["sl_nav_get"] = memo.get if memo is not None else (lambda key: None)
        env.globals["sl_nav_put"] = memo.put if memo is not None else Markup
        self._draw(config, files, self.nav, env)
        return env

    def _draw(self, config, files, nav, env) -> None:
        """The funds' pages out of the nav: in processes of their own when there are jobs, while mkdocs
        draws the rest (site/draw.py); else here, now."""
        works, self.works = self.works, []
        if not works:
            return
        site = Path(config.site_dir)
        names, numbers, known = scan.names_of(self.private_names), self.public_numbers, self._stated()

        def after(dest: str) -> list[str]:  # the privacy scan of the page, read back as soon as it is written
            return scan.scan_file(site, dest, names, numbers, known) if self.config.privacy_scan else []

        def drawn(share: list[draw.Work]) -> list[str]:
            return draw.draw(share, self._take_blocks, after, config, files, nav, env)

        jobs = self._forks(len(works) >= DRAW_APART)
        if jobs <= 1:
            self.drawn_found = drawn(works)
        else:
            self.drawing.start(draw.shares(works, jobs), drawn)

    def _forks(self, enough: bool = True) -> int:
        """Processes for the drawing and the scan: none beside the live-reload server's threads; `jobs`,
        else one per core when there is `enough` work to gain from them."""
        if self.serving:
            return 1
        return self.config.jobs or ((os.cpu_count() or 1) if enough else 1)

    def _stated(self) -> frozenset[str]:
        """The short checksums and commit this build's pages state (the scan blanks them, and only them)."""
        stated = [*self.stamps.values(), *self.level_stamps, *((self.info.checksum, self.info.commit) if self.info else ())]
        return frozenset(x[:12] for x in stated)

    def _take_blocks(self, page) -> None:
        self.blocks[page.src_uri] = _pack(page.blocks)

    def _sitemap(self, pages, config) -> list[tuple[str, str | None]]:
        """(address, last change) of every page, mkdocs' pages and those not in its Files (copied from
        the page cache, or drawn apart), in address order: the same list whichever of them this build drew."""
        out = {}
        for f in pages:
            p = f.page
            if p is not None and not p.is_link and (p.canonical_url or p.abs_url):
                out[p.canonical_url or p.abs_url] = p.update_date
        base = config.site_url or "/"
        base = base if base.endswith("/") else base + "/"
        day = self.last_date.isoformat() if self.last_date else None
        for url in self.sitemap_extra:
            out[base + url] = day
        return sorted(out.items())

    @event_priority(100)  # before Material's search plugin reads (and rewrites) page.content
    def on_page_context(self, context, page, config, nav):
        self._unstash(page)
        if page.file.src_uri in self.cached_pages:  # written as the page cache holds it (overrides/sl-cached.html)
            context["sl_cached_page"] = Markup(self.cached_pages[page.file.src_uri].read_text(encoding="utf-8"))  # noqa: S704 - a page this plugin wrote and scanned
            return context
        code, summary = self.shares.get(page.file.src_uri, (None, None))
        if summary is None:  # a hand-written page: its own description, else the site's
            summary = page.meta.get("description") or config.site_description or ""
        else:
            page.meta.setdefault("description", str(escape(summary)))  # Material's <meta name=description>
            summary = str(escape(summary))
        # Titles of generated pages are escaped already (pages.front_matter); a hand-written one is text.
        title = page.title if page.file.src_uri in self.generated else escape(page.title or "")
        context["sl_share"] = {"title": Markup(title or escape(config.site_name)), "description": Markup(summary),  # noqa: S704 - both escaped above
                               "type": "website" if page.is_homepage else "article"}
        context["sl_feeds"] = feeds.links(code)
        return context

    def on_post_page(self, output, page, config):
        output = _allowed_scripts_only(output, page.file.src_uri)
        if page.file.src_uri in self.generated:
            page.content = None  # written: mkdocs would hold every page's HTML to the end of the build
        return output

    def on_post_template(self, output_content, template_name, config):
        return _allowed_scripts_only(output_content, template_name) if template_name.endswith(".html") else output_content

    # ------------------------------------------------------------ output

    @event_priority(-50)  # after Material's search plugin has written its index
    def on_post_build(self, config):
        found = [*self.drawn_found, *self.drawing.wait()]  # what the scan found in the pages drawn apart
        parts.let_go()  # every page is drawn: the parts kept for serve's next rebuild keep their light part only
        if self.segments is not None:  # Material has cut every page it indexes
            self.segments.save()
        reuse.prune(self.kept)
        if self.search_entries is None:
            return
        site = Path(config.site_dir)
        index = site / "search" / "search_index.json"
        if index.is_file():
            search.add_to_index(index, self.search_entries)
        if not self.config.privacy_scan:
            return
        # the cached groups' files and pages, and the downloads of their funds (made from the same part), passed this scan before
        copied = frozenset([*(uri for g in self.cached.values() for uri in g.files),
                            *(_dest(src) for src in self.cached_pages),
                            *(uri for uri in self.downloaded if uri.split("/")[1] in self.cached), *self.drawn])
        memory = ScanMemory(self.root, self.private_names, self.public_numbers) if self.config.cache and self.root else None
        passed = memory.load() if memory else None
        problems = scan.scan_site(site, self.private_names, self.public_numbers, copied, self._stated(), passed, self._forks())
        problems = sorted([*found, *problems], key=lambda line: line.split(": ", 1)[0])  # in file order, as one scan lists them
        if problems:
            listed = "\n".join(problems[:MAX_LISTED])
            raise PluginError(f"sunledger: 网站输出中发现 {len(problems)} 处不得公开的信息，已拒绝发布：\n{listed}")
        if memory is not None and passed is not None:
            memory.save(passed)
        self._remember(site, config)

    def on_build_error(self, error):
        self.drawing.stop()
        parts.let_go()
        if self.aside is not None:  # failed before on_files: the last build is put back
            reuse.take_back(self.aside)

    def _remember(self, site: Path, config) -> None:
        """Keep the page groups this build drew, now written and scanned (site/pagecache.py)."""
        if not self.config.cache or self.root is None:
            return
        store = pagecache.Store(self.root, config.site_url or "")
        link = not self.dirty  # a build folder nobody writes into again (serve's is emptied before each rebuild)
        for code, key in sorted(self.groups.items()):
            if code not in self.cached:
                store.put(code, key, site, self.group_files.get(code, []), self.group_pages.get(code, {}), link)
        store.prune(set(self.groups))


class ScanMemory:
    """The files the privacy scan found nothing in, by their path and bytes, for the same names,
    numbers and code (`.sunledger-cache/scan.json`): a district's tables that did not change are
    not read again. Kept only when the scan passed the whole site."""

    def __init__(self, root: Path, names: set[str], numbers: frozenset[str]):
        self.path = root / FOLDER / "scan.json"
        self.salt = pagecache.digest(sorted(names), sorted(numbers), code_digest())

    def load(self) -> set[str]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return set(body.get("passed", [])) if isinstance(body, dict) and body.get("salt") == self.salt else set()

    def save(self, passed: set[str]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".scan.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"salt": self.salt, "passed": sorted(passed)}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


def unlink_shared(site: Path) -> int:
    """Give every file of `site` that is a hard link (to the page cache: an earlier build without
    --dirty) bytes of its own, so that writing it in place cannot change the cache. How many."""
    done = 0
    for top, _dirs, names in os.walk(site):
        for name in names:
            path = os.path.join(top, name)
            try:
                if os.lstat(path).st_nlink > 1:
                    tmp = f"{path}.sl-{os.getpid()}.tmp"
                    shutil.copyfile(path, tmp)
                    os.replace(tmp, path)
                    done += 1
            except OSError:
                continue
    return done


class _Downloads(Mapping):
    """Download files by their folder under downloads/: the district's, made this build, then each
    fund's, read from its part only when asked (a cached fund's are in its page group, and are
    four fifths of the bytes of the parts a rebuild reads)."""

    def __init__(self, shared: dict[str, dict[str, bytes]], views: dict[str, parts.FundViews]):
        self._shared, self._views = shared, views

    def __getitem__(self, key: str) -> dict[str, bytes]:
        if key in self._shared:
            return self._shared[key]
        return self._views[key].download_files

    def __iter__(self):
        return iter([*self._shared, *(c for c in sorted(self._views) if c not in self._shared)])

    def __len__(self) -> int:
        return len(self._shared) + sum(1 for c in self._views if c not in self._shared)


def _checked_downloads(produced: dict[str, bytes]) -> dict[str, bytes]:
    """Download files in path order, each under downloads/ and none a page."""
    for uri in produced:
        if not uri.startswith("downloads/") or ".." in uri.split("/") or uri.endswith(".md"):
            raise PluginError(f"sunledger: 下载文件路径 {uri} 不在 downloads/ 下")
    return dict(sorted(produced.items()))


def _clash(uri: str) -> PluginError:
    return PluginError(f"sunledger: content/{uri} 与生成的页面同名，请改名或删除")


def _newer(src: str, out: str) -> bool:
    """Whether `src` was changed after `out` was written (or `out` is not there), as File.is_modified."""
    try:
        return os.path.getmtime(src) > os.path.getmtime(out)
    except OSError:
        return True


def _dest(src_uri: str) -> str:
    """Where mkdocs writes a generated page (directory urls: funds/A/index.md -> funds/A/index.html)."""
    return File(src_uri, "", "", True).dest_uri


def _pack(blocks: list[str]) -> bytes:
    return zlib.compress(pickle.dumps(blocks, protocol=pickle.HIGHEST_PROTOCOL), 1)


def bytecode_cache(root: Path) -> jinja2.BytecodeCache | None:
    """Compiled templates kept by their source's checksum (a changed template compiles again)."""
    folder = root / FOLDER / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _allowed_scripts_only(html: str, name: str) -> str:
    """A page with an inline script its policy refuses is not published: the browser would not run it,
    and on a page of the site it can only be text that became markup, or a theme change to look at."""
    if csp.of_page(html) is None:
        raise PluginError(f"sunledger: {name} 没有内容安全策略（Content-Security-Policy），主题覆盖 overrides/main.html 未生效")
    bad = csp.refused(html)
    if bad:
        raise PluginError(f"sunledger: {name} 中有内容安全策略不允许的内联脚本，未发布：" + "；".join(bad))
    return html


def _rendered(content: str, tokens: list[dict], title: str | None):
    """A stand-in for Page.render that sets what it sets, from HTML made already."""

    def render(page, config, files) -> None:
        page.content = content
        page.toc = get_toc(tokens)  # type: ignore[arg-type]  # the tokens fastmd made, of toc's own shape
        page._title_from_render = title
        page.present_anchor_ids = {t["id"] for t in _flat(tokens)}
        page.links_to_anchors = {}

    return render


def _flat(tokens: list[dict]):
    for t in tokens:
        yield t
        yield from _flat(t["children"])


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None
