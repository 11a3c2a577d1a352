"""A fund's pages out of the nav, drawn beside mkdocs' own loop, in a process per core.

A fund's notices, projects, years, partners, catalogue and annual reports are
nine pages in ten of a district's site, and none is in the nav. mkdocs reads
and draws every page of its Files one after the other in one process; these are
not put in its Files at all. Once the nav and the theme's environment exist
(the plugin's on_env), processes forked then draw them with mkdocs' own two
steps (`_populate_page`, `_build_page`: the same events of every plugin, the
same template, the same bytes), while mkdocs goes on with the pages of the nav.
The plugin waits for them before the search index and the privacy scan
(on_post_build), lists them in the sitemap (whose addresses are known before a
page is drawn: `Portal.fund_page_makers`), and keeps them in the page cache.

With one job (`mkdocs serve`: no forking beside its threads) they are drawn in
the plugin's own process, in the same order, by the same function. A warning
logged while a page is drawn in another process does not count towards
`mkdocs build --strict`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from mkdocs.commands.build import _build_page, _populate_page  # mkdocs' own steps (mkdocs is pinned)
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page as MkPage

from .pages import Page


@dataclass
class Work:
    """One page to draw: its source name, fund, and the function that makes its Markdown."""

    src: str
    code: str
    make: Callable[[], Page]


def draw(works: Sequence[Work], before: Callable[[Page], None], after: Callable[[str], list[str]],
         config, files, nav, env) -> list[str]:
    """Draw each page as mkdocs draws a page of its Files that is not in the nav; `before(page)` lets
    the plugin take the page's HTML blocks first, and `after(dest)` reads back the written file
    (the privacy scan): what it finds, of every page."""
    found: list[str] = []
    doc_files = files.documentation_pages()  # the template context's `pages`, as mkdocs passes it
    for w in works:
        page = w.make()
        if page.src_uri != w.src:  # the address the sitemap states is the one written
            raise PluginError(f"sunledger: 页面 {page.src_uri} 与预计的地址 {w.src} 不符")
        before(page)
        file = File.generated(config, page.src_uri, content=page.markdown, inclusion=InclusionLevel.NOT_IN_NAV)
        drawn = MkPage(None, file, config)
        _populate_page(drawn, config, files)
        _build_page(drawn, config, doc_files, nav, env)
        file.page = None  # nothing else holds it: the page and its HTML go with it
        file.content_string = ""
        found += after(file.dest_uri)
    return found


def shares(works: Sequence[Work], jobs: int) -> list[list[Work]]:
    """`jobs` shares of about the same number of pages, each fund's pages in one share (its part's
    objects are then read, and copied on write, by one process only)."""
    by_fund: dict[str, list[Work]] = {}
    for w in works:
        by_fund.setdefault(w.code, []).append(w)
    out: list[list[Work]] = [[] for _ in range(max(1, jobs))]
    for group in sorted(by_fund.values(), key=len, reverse=True):
        min(out, key=len).extend(group)
    return [s for s in out if s]


class Drawing:
    """Processes drawing their shares; `wait()` returns what they found once all are done, or raises
    the errors any of them met (the page, and what went wrong)."""

    def __init__(self) -> None:
        self.running: list[tuple[BaseProcess, Connection]] = []

    def start(self, shares_: list[list[Work]], fn: Callable[[list[Work]], list[str]]) -> None:
        ctx = multiprocessing.get_context("fork")  # the nav, the environment and the views, as they are now
        # Until they are done, the collector (here and in them) writes to none of the objects this process
        # shares with them: each page of memory stays one page, not one per process.
        gc.freeze()
        for share in shares_:
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(fn, share, send), daemon=True)
            proc.start()
            send.close()
            self.running.append((proc, recv))

    def wait(self) -> list[str]:
        errors: list[str] = []
        found: list[str] = []
        for proc, recv in self.running:
            try:
                failed, seen = recv.recv()
                errors += failed
                found += seen
            except EOFError:
                errors.append(f"绘制页面的进程 {proc.pid} 意外退出（退出码 {proc.exitcode}）")
            finally:
                recv.close()
                proc.join()
        if self.running:
            gc.unfreeze()
        self.running = []
        if errors:
            raise PluginError("sunledger: 页面生成失败：\n" + "\n".join(errors))
        return found

    def stop(self) -> None:
        """The build failed elsewhere: no process goes on writing into its folder."""
        for proc, recv in self.running:
            proc.kill()
            proc.join()
            recv.close()
        if self.running:
            gc.unfreeze()
        self.running = []


def _child(fn: Callable[[list[Work]], list[str]], share: list[Work], conn) -> None:
    errors: list[str] = []
    found: list[str] = []
    try:
        found = fn(share)
    except PluginError as exc:
        errors.append(str(exc))
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    conn.send((errors, found))
    conn.close()
    os._exit(0)  # nothing of the parent's build is torn down here
