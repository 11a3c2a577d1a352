"""The demo district as users meet it: clean in sunledger check, bean-check and
Fava; a broken copy fails in all three with the same message."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import BIN, REPO, copy_demo

MAIN = REPO / "ledger" / "main.beancount"
pytestmark = pytest.mark.skipif(not MAIN.exists(), reason="demo ledger not generated")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=300)


def fava_errors(path: Path) -> list[str]:
    from fava.core import FavaLedger

    return [str(e.message) for e in FavaLedger(str(path.resolve())).errors]


def test_demo_is_clean_everywhere():
    out = run(BIN / "sunledger", "check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert " SL" not in out.stdout
    bc = run(BIN / "bean-check", MAIN)
    assert bc.returncode == 0, bc.stdout + bc.stderr
    assert fava_errors(MAIN) == []


def test_demo_has_what_the_issue_asks_for():
    from sunledger.content.models import STAGES
    from sunledger.district import load_district

    d = load_district(REPO)
    assert set(d.books) == {"Guangming", "Tuanjiebeilu", "Yuchan"}
    months = {f"{t.date:%Y-%m}" for b in d.books.values() for t in b.txns}
    assert len(months) >= 24
    used = {f.source for f in d.attribution.income}
    assert used >= {s.name for s in d.config.sources}
    projects = [p for b in d.books.values() for p in b.fc.projects.values()]
    assert len(projects) >= 20
    assert {p.stage for p in projects} == set(STAGES)
    merchants = [p for b in d.books.values() for p in b.fc.partners.values() if p.contract]
    assert len(merchants) >= 6
    assert len(d.books["Tuanjiebeilu"].fc.partners) >= 28
    assert all(b.seals for b in d.books.values())
    assert any(t.meta.get("purpose") for b in d.books.values() for t in b.txns)
    assert any(t.meta.get("corrects") for b in d.books.values() for t in b.txns)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    return copy_demo(root)


def _first_expense(root: Path) -> tuple[Path, int, str]:
    """An expense posting in the newest unsealed month of Guangming."""
    for path in sorted((root / "ledger/funds/Guangming/txns").glob("*.beancount"), reverse=True):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.strip().startswith("project:"):
                return path, i, line
    raise AssertionError("no expense in Guangming")


def test_broken_copy_fails_the_same_in_all_three(broken):
    path, i, line = _first_expense(broken)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[i] = line.replace('"', '"NOPE-', 1)  # the project no longer exists
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    ours = run(BIN / "sunledger", "check", broken)
    assert ours.returncode == 1
    sl103 = [x for x in ours.stdout.splitlines() if " SL103 " in x]
    assert sl103 and sl103[0].startswith(str(path.relative_to(broken)))
    message = sl103[0].split(": ", 1)[1]
    bc = run(BIN / "bean-check", broken / "ledger/main.beancount")
    assert bc.returncode == 1 and message in bc.stdout + bc.stderr
    assert message in fava_errors(broken / "ledger/main.beancount")


def test_editing_a_sealed_month_names_the_month(broken):
    first = sorted((broken / "ledger/funds/Guangming/txns").glob("*.beancount"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace('"', '"（改）', 1) if "*" in text else text, encoding="utf-8")
    out = run(BIN / "sunledger", "check", broken)
    assert out.returncode == 1
    assert "SL401" in out.stdout and first.stem in out.stdout
