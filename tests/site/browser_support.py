"""Helpers for the browser tests: one demo build, one local server, one Chromium.

Fixtures are imported by name into test_browser.py (not a conftest.py: test_build.py
does `from conftest import …`, which a second conftest module would shadow).

Everything runs offline: the site is built with `mkdocs build -d` into a temp dir,
served by `http.server` on 127.0.0.1 (a free port) in a thread, and read by the
system Chromium (`/usr/bin/chromium`) through Playwright. `playwright install` is
never called. axe-core comes from npm into tests/site/node_modules (gitignored);
.ci/run installs the version pinned here.

On CI (CI=true) a missing tool is a failure, not a skip: CI must run everything.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# name -> (width, height, phone?)
VIEWPORTS = {"phone": (360, 780, True), "desktop": (1280, 900, False)}

SCREENSHOTS = HERE / "screenshots"  # for a person to look at; gitignored

# .ci/run reads this line (sed) and runs `npm install --prefix tests/site axe-core@<it>`.
AXE_CORE_VERSION = "4.14.1"
AXE_DIR = HERE / "node_modules" / "axe-core"
AXE_JS = AXE_DIR / "axe.min.js"
AXE_INSTALL = (
    f"npm install --prefix tests/site --no-save --no-package-lock --no-audit --no-fund axe-core@{AXE_CORE_VERSION}"
)

ON_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")

SITE_URL = yaml.safe_load(re.sub(r"!!python\S*.*", "", (REPO / "mkdocs.yml").read_text(encoding="utf-8")))["site_url"]


def need(ok: object, reason: str) -> None:
    """Skip locally when a tool is missing; fail on CI, which installs everything."""
    if ok:
        return
    if ON_CI:
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


def need_tools(*names: str) -> None:
    missing = [n for n in names if not shutil.which(n)]
    need(not missing, f"{', '.join(missing)} not installed (apt-get install zbar-tools poppler-utils)")


def axe_source() -> Path:
    need(AXE_JS.is_file(), f"axe-core not installed in {AXE_DIR.relative_to(REPO)}; run: {AXE_INSTALL}")
    version = json.loads((AXE_DIR / "package.json").read_text(encoding="utf-8"))["version"]
    assert version == AXE_CORE_VERSION, f"axe-core {version} installed, {AXE_CORE_VERSION} pinned; run: {AXE_INSTALL}"
    return AXE_JS


# ---------------------------------------------------------------- build, serve, launch


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    need((REPO / "ledger" / "main.beancount").exists(), "demo ledger not generated")
    out = tmp_path_factory.mktemp("browser") / "site"
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(out)],
        cwd=REPO, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Base URL (ending in /) of `directory` served on 127.0.0.1:<free port> while the block runs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def site_server(built_site):
    """Base URL (ending in /) of the built demo site."""
    with serve(built_site) as base:
        yield base


_SHARED: dict = {}  # one Playwright and one Chromium for every test module that imports `browser`


@pytest.fixture(scope="session")
def browser():
    # Each module importing this fixture gets its own session fixture, but Playwright's sync API runs
    # one instance per thread: the modules share it, and the last one to finish closes it.
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright not installed (pip install -e '.[test]')")
    need(Path(CHROMIUM).exists(), f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)")
    if not _SHARED:
        p = sync_playwright().start()
        _SHARED.update(playwright=p, chromium=p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS), users=0)
    _SHARED["users"] += 1
    try:
        yield _SHARED["chromium"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED["chromium"].close()
            _SHARED["playwright"].stop()
            _SHARED.clear()


# ---------------------------------------------------------------- one tab, watched


@dataclass
class Tab:
    """A page in a fresh browser context at one viewport, with every request and console error recorded."""

    page: object
    base: str
    viewport: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def phone(self) -> bool:
        return VIEWPORTS[self.viewport][2]

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def goto(self, path: str):
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None and response.status == 200, (path, response and response.status)
        return response

    def wait_until(self, predicate: str, timeout: float = 5.0) -> None:
        """Wait until the JavaScript function `predicate` returns true in the page.

        Polled from here, not with page.wait_for_function: that polls inside the page with eval,
        which the site's Content-Security-Policy refuses (no 'unsafe-eval'); page.evaluate is not
        subject to it.
        """
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(predicate):
            if time.monotonic() > deadline:
                raise AssertionError(f"not true after {timeout} s: {predicate}")
            self.page.wait_for_timeout(50)

    def settle(self) -> None:
        """Wait until CSS transitions and animations (Material's search overlay fades in) have ended."""
        self.wait_until("() => document.getAnimations().every(a => a.playState !== 'running')")

    def shot(self, name: str) -> Path:
        """The first screen and the whole page, as `<viewport>-<name>.png` and `…-full.png`."""
        SCREENSHOTS.mkdir(exist_ok=True)
        self.settle()
        path = SCREENSHOTS / f"{self.viewport}-{name}.png"
        self.page.screenshot(path=str(path))
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.viewport}-{name}-full.png"), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        local = urlsplit(self.base).netloc
        return [u for u in self.requests if not (urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc == local)
                and urlsplit(u).scheme not in ("data", "blob")]

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no failed or 4xx/5xx request, nothing but the local server."""
        assert self.requests, "no request recorded"
        assert self.foreign_requests() == [], f"requests to other hosts: {self.foreign_requests()}"
        assert self.errors == [], f"errors in the browser: {self.errors}"

    def assert_fits_the_screen(self) -> None:
        """Nothing makes the page scroll sideways (tables scroll inside their own box)."""
        width, inner = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, f"page is {width}px wide in a {inner}px window"


def open_tab(browser, base: str, viewport: str) -> tuple[object, Tab]:
    width, height, phone = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    tab = Tab(page, base, viewport)
    page.on("request", lambda r: tab.requests.append(r.url))  # the page's and its workers' (search index)
    page.on("console", lambda m: tab.errors.append(f"console.{m.type}: {m.text} @ {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))
    # ERR_ABORTED: a request cancelled because the page navigated away (a reload while the favicon loads)
    page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED" else tab.errors.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: tab.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return context, tab


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def tab(browser, site_server, viewport):
    context, t = open_tab(browser, site_server, viewport)
    try:
        yield t
    finally:
        context.close()


# ---------------------------------------------------------------- axe


@dataclass(frozen=True)
class Gap:
    """A known serious accessibility violation of the published pages: rule + the elements it hits."""

    rule: str
    selector: str  # CSS: a violating node matching it is this gap
    origin: str  # where it comes from
    why: str

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.origin}"


AXE_RUN = """async (known) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const out = [];
  for (const v of result.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    for (const n of v.nodes) {
      const sel = n.target[n.target.length - 1];
      const el = typeof sel === "string" ? document.querySelector(sel) : null;
      const gap = known.find(k => k.rule === v.id && el && el.matches(k.selector));
      const data = (n.any[0] || n.all[0] || n.none[0] || {}).data || null;
      out.push({rule: v.id, impact: v.impact, target: n.target.join(" "), html: n.html.slice(0, 160),
                data: data && typeof data === "object" ? {fg: data.fgColor, bg: data.bgColor, ratio: data.contrastRatio} : data,
                gap: gap ? gap.rule + ":" + gap.origin : null});
    }
  }
  return out;
}"""


def run_axe(tab: Tab, gaps: list[Gap]) -> list[dict]:
    """Serious and critical violations on the tab's current page, each tagged with its known gap (or None)."""
    tab.settle()  # axe reads computed colours: mid-fade they are wrong
    # Evaluated, not added as a <script>: the site's Content-Security-Policy refuses inline scripts.
    tab.page.evaluate(axe_source().read_text(encoding="utf-8") + "\n;void 0")
    return tab.page.evaluate(AXE_RUN, [{"rule": g.rule, "selector": g.selector, "origin": g.origin} for g in gaps])


def describe(nodes: list[dict]) -> str:
    return "\n".join(f"  {n['rule']} [{n['impact']}] {n['target']}  {n['html']}  {n['data'] or ''}" for n in nodes)
