"""`mkdocs serve`: the treasurer's live preview rebuilds when a ledger or content file changes;
a change that breaks a rule is reported as file:line, and fixing it brings the preview back."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, REPO, copy_demo

pytestmark = pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")

NOVEMBER = REPO / "ledger/funds/Guangming/txns/2026-11.beancount"
NEW_TXN = """
2026-11-12 * "光明社区创意市集" "2026年11月创意市集慈善义卖（预览测试）"
  Assets:Guangming:Bank                       1234.50 CNY
  Income:Guangming:Community                 -1234.50 CNY
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - our own server on 127.0.0.1
            return r.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _until(url: str, test, timeout: float = 120) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = _get(url)
        if text is not None and test(text):
            return text
        time.sleep(0.5)
    raise AssertionError(f"{url} did not change within {timeout} s")


@pytest.fixture
def served(tmp_path: Path):
    root = tmp_path / "demo"
    copy_demo(root, "mkdocs.yml")
    port = _port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield root, f"http://127.0.0.1:{port}/", tmp_path / "serve.log"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_live_preview_follows_ledger_and_content_edits(served):
    root, base, log = served
    notice = base + "funds/Guangming/notices/2026-11/"
    _until(base + "funds/Guangming/", lambda t: "光明社区基金" in t)
    assert _get(notice) is None  # no transaction in November yet: no notice

    # a new transaction in the open month gives the month its notice
    path = root / NOVEMBER.relative_to(REPO)
    path.write_text(path.read_text(encoding="utf-8") + NEW_TXN, encoding="utf-8")
    _until(notice, lambda t: "预览测试" in t and "1,234.50" in t)

    # a project renamed in content/ shows on its page
    project = next((root / "content/funds/Guangming/projects").glob("*.yml"))
    text = project.read_text(encoding="utf-8")
    pid = next(x.split(":", 1)[1].strip().strip('"') for x in text.splitlines() if x.startswith("id:"))
    title = next(x.split(":", 1)[1].strip().strip('"') for x in text.splitlines() if x.startswith("title:"))
    project.write_text(text.replace(title, title + "（已更名）", 1), encoding="utf-8")
    _until(base + f"projects/{pid}/", lambda t: title + "（已更名）" in t)

    # a rule broken: the terminal names file, line and rule (mkdocs holds requests until a build
    # succeeds again); undoing the edit brings the preview back
    good = path.read_text(encoding="utf-8")
    bad = NEW_TXN.replace("Income:Guangming:Community", "Income:Guangming:Nowhere").replace("预览测试", "坏账测试")
    path.write_text(good + bad, encoding="utf-8")
    end = time.monotonic() + 120
    while " SL101 " not in log.read_text(encoding="utf-8") and time.monotonic() < end:
        time.sleep(0.5)
    assert "2026-11.beancount:" in log.read_text(encoding="utf-8") and " SL101 " in log.read_text(encoding="utf-8")
    path.write_text(good, encoding="utf-8")
    page = _until(notice, lambda t: "预览测试" in t)
    assert "坏账测试" not in page
