"""`make site` (sunledger.publish) swaps the site in one rename: a reader never finds it
missing or half written, and a failed check or build keeps the site that was there.

The readers poll the way a resident's requests arrive: open+read of `site/index.html`
(what nginx does per request with `root …/site;`: it follows the symlink each time), and
HTTP from a real http.server given the `site` path (SimpleHTTPRequestHandler joins its
`directory` with each request's path, so it too follows the link per request; a server
started with its working directory inside `site/` would keep the old folder instead).
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, REPO, copy_demo

pytestmark = pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")

MARK = "发布测试第 {} 版"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    copy_demo(root, "mkdocs.yml")
    return root


def publish(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "python"), "-m", "sunledger.publish", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def mark_home(root: Path, n: int) -> None:
    home = root / "content/index.md"
    text = home.read_text(encoding="utf-8").split("\n\n发布测试")[0]
    home.write_text(f"{text}\n\n{MARK.format(n)}\n", encoding="utf-8")


class Reader(threading.Thread):
    """Reads one page again and again until stopped; keeps what each read gave."""

    def __init__(self, read, pause: float):
        super().__init__(daemon=True)
        self.read, self.pause = read, pause
        self.seen: list[int] = []  # the version of each complete read
        self.bad: list[str] = []  # missing, failed or half-written reads
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                body = self.read()
            except (OSError, urllib.error.URLError) as exc:
                self.bad.append(f"{type(exc).__name__}: {exc}")
            else:
                versions = [n for n in range(4) if MARK.format(n) in body]
                if len(versions) != 1 or not body.rstrip().endswith("</html>"):
                    self.bad.append(f"half or unknown page ({len(body)} characters)")
                else:
                    self.seen.append(versions[0])
            time.sleep(self.pause)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_reader_never_sees_the_site_missing_or_half_made(demo):
    # an older sunledger left a plain site/ folder: the first publish must convert it without a gap
    (demo / "site").mkdir()
    (demo / "site/index.html").write_text(f"<html><body>{MARK.format(0)}</body></html>\n", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(demo / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"

    def by_http() -> str:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - our own http://127.0.0.1 server
            return r.read().decode("utf-8")

    readers = [Reader(lambda: (demo / "site/index.html").read_text(encoding="utf-8"), 0.001), Reader(by_http, 0.002)]
    for r in readers:
        r.start()
    try:
        for n in (1, 2):
            mark_home(demo, n)
            done = publish(demo)
            assert done.returncode == 0, done.stderr[-3000:]
        time.sleep(0.2)
    finally:
        for r in readers:
            r.stop.set()
            r.join(timeout=30)
        server.shutdown()
        server.server_close()
    for r in readers:
        assert r.bad == [], r.bad[:5]
        assert r.seen == sorted(r.seen), "a reader went back to an older build"
        assert r.seen[0] == 0 and r.seen[-1] == 2 and len(r.seen) > 50
    site = demo / "site"
    assert site.is_symlink() and not os.path.isabs(os.readlink(site))
    kept = sorted(p.name for p in (demo / ".site-builds").iterdir() if not p.name.startswith("."))
    assert len(kept) == 3 and "site-before-publish" in kept[0]  # the old folder, build 1, build 2
    assert (demo / ".site-builds" / kept[0] / "index.html").read_text(encoding="utf-8").count(MARK.format(0)) == 1
    assert site.resolve() == (demo / ".site-builds" / kept[-1]).resolve()
    assert not list(demo.glob(".site.new-*"))


def test_a_failed_check_or_build_keeps_the_site(demo):

    mark_home(demo, 1)
    assert publish(demo, "--no-check").returncode == 0
    good = (demo / "site").resolve()
    before = (demo / "site/index.html").read_text(encoding="utf-8")

    # the check fails: a ledger line beancount cannot read
    month = sorted((demo / "ledger/funds/Yuchan/txns").glob("*.beancount"))[-1]
    text = month.read_text(encoding="utf-8")
    month.write_text(text + "\n2026-12-01 * 这一行没有引号\n", encoding="utf-8")
    mark_home(demo, 2)
    done = publish(demo)
    assert done.returncode == 1 and "检查（sunledger check）失败" in done.stderr
    month.write_text(text, encoding="utf-8")

    # the build fails after the check: a public receipt the site will not publish (SL804)
    receipt = next(p for p in (demo / "ledger/funds/Yuchan/receipts").rglob("*.pdf"))
    receipt.write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', encoding="utf-8")
    done = publish(demo, "--no-check")
    assert done.returncode == 1 and "构建（mkdocs build）失败" in done.stderr and "SL804" in done.stderr

    assert (demo / "site").resolve() == good
    assert (demo / "site/index.html").read_text(encoding="utf-8") == before
    assert [p for p in (demo / ".site-builds").iterdir() if p.name != ".lock"] == [good]  # no half build left


def test_old_builds_are_pruned_and_rollback_goes_one_back(tmp_path):
    from sunledger import publish as pub

    for name in ("20260101T000000000000Z-a", "20260102T000000000000Z-b", "20260103T000000000000Z-c",
                 "20260104T000000000000Z-d", "20260105T000000000000Z-e"):
        (tmp_path / pub.BUILDS / name).mkdir(parents=True)
    pub.swap(tmp_path, tmp_path / pub.BUILDS / "20260105T000000000000Z-e")
    removed = pub.prune(tmp_path, keep=2)
    assert [p.name[-1] for p in removed] == ["a", "b"]
    assert [p.name[-1] for p in pub.builds(tmp_path)] == ["c", "d", "e"]
    assert pub.rollback(tmp_path).name.endswith("-d") and pub.served(tmp_path).name.endswith("-d")
    pub.prune(tmp_path, keep=2)  # the builds after the one served stay too
    assert [p.name[-1] for p in pub.builds(tmp_path)] == ["c", "d", "e"]


def test_gitignore_names_the_site_link_and_the_builds():
    for path in ("site", "site/index.html", ".site-builds/20260101T000000000000Z-abc/index.html", ".site.new-123"):
        done = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO)
        assert done.returncode == 0, f"{path} is not ignored"


def test_the_build_publish_would_remove_is_built_over(tmp_path):
    from sunledger import publish as pub

    names = [f"2026010{d}T000000000000Z-{c}" for d, c in zip("12345", "abcde", strict=True)]
    for name in names:
        (tmp_path / pub.BUILDS / name).mkdir(parents=True)
    pub.swap(tmp_path, tmp_path / pub.BUILDS / names[-1])
    assert pub.spare(tmp_path, keep=2).name == names[0]  # a, b and c go once a new build is served
    assert pub.spare(tmp_path, keep=5) is None
    pub.swap(tmp_path, tmp_path / pub.BUILDS / names[0])  # rolled back to the oldest: never the one served
    assert pub.spare(tmp_path, keep=2).name == names[1]


def test_make_site_builds_over_the_oldest_build_and_leaves_nothing_of_it(demo):
    """With --keep 1 the third publish builds over the first build's folder: what that build held and
    this one does not write is gone, the rest is this build's."""
    builds = []
    for n in range(3):
        mark_home(demo, n)
        if n == 2:
            (builds[0] / "stray.html").write_text("旧的", encoding="utf-8")
            folder_inode = builds[0].stat().st_ino
        done = publish(demo, "--no-check", "--keep", "1")
        assert done.returncode == 0, done.stderr[-2000:]
        builds.append((demo / "site").resolve())
    assert builds[2].stat().st_ino == folder_inode and not builds[0].exists()
    assert not (builds[2] / "stray.html").exists()
    assert MARK.format(2) in (builds[2] / "index.html").read_text(encoding="utf-8")
    assert MARK.format(1) in (builds[1] / "index.html").read_text(encoding="utf-8")  # the one before, for rollback
