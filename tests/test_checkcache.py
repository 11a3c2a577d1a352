"""`sunledger check` remembers each fund's finding by the content of its inputs: a warm check
equals a cold one, and an edit of any input is seen at once (its key changes)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sunledger import checkcache
from sunledger.check import check_root

from conftest import BIN, REPO, copy_demo

AS_OF = dt.date(2026, 12, 1)


def lines(root: Path, **kw) -> list[str]:
    return [p.line(root) for p in check_root(root, jobs=1, as_of=kw.pop("as_of", AS_OF), **kw)]


def entries(root: Path) -> dict[str, str]:
    folder = root / checkcache.FOLDER / "check"
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))["key"] for p in folder.glob("*.json")}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = copy_demo(tmp_path / "d")
    assert lines(root) == lines(root, cache=False)  # fills the cache
    return root


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


GM = "ledger/funds/Guangming"
EDITS = {
    "a month's ledger": lambda r: _append(r / GM / "txns/2026-11.beancount", '\n2026-11-20 * "某店" "未注明项目的支出"\n  Expenses:Guangming:Children  10.00 CNY\n  Assets:Guangming:Bank\n'),
    "the seals": lambda r: (r / GM / "seals.beancount").write_text("", encoding="utf-8"),
    "a public receipt's bytes": lambda r: (r / GM / "receipts/2026-03/2026-03-13-GM-2026-01.pdf").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    "a receipt removed": lambda r: (r / GM / "receipts/2025-03/2025-03-07-GM-2025-01.pdf").unlink(),
    "a project's YAML": lambda r: _replace(r / "content/funds/Guangming/projects/GM-2025-01.yml", "budget:", "budget: 1\nx_budget:"),
    "a partner's contract": lambda r: _replace(r / "content/funds/Guangming/partners.yml", "rate: '0.05'", "rate: '0.06'"),
    "another fund's fund.yml": lambda r: _replace(r / "content/funds/Yuchan/fund.yml", "    Income:YC:Ads: 公共收益\n", ""),
    "district.yml": lambda r: _replace(r / "content/district.yml", "- id: yuqiuhu", "- id: yuqiuhu-old"),
    "sunledger.yml": lambda r: _replace(r / "sunledger.yml", "notice_days: 10", "notice_days: 3"),
    # what no fund's load reads (content/'s problems of a fund without a ledger) is kept under content/'s key
    "the fund.yml of a fund without a ledger": lambda r: _write(r / "content/funds/Xinjian/fund.yml", "code: Xinjian\nname: 新建基金\n"),
    "main.beancount": lambda r: _replace(r / "ledger/main.beancount", 'option "operating_currency" "CNY"\n', 'option "operating_currency" "CNY"\noption "booking_method" "FIFO"\n'),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_an_edit_of_any_input_is_seen(demo, what):
    before, keys = lines(demo), entries(demo)
    EDITS[what](demo)
    warm = lines(demo)
    assert warm == lines(demo, cache=False)
    assert warm != before, f"the edit of {what} should change the finding (else this test proves nothing)"
    assert entries(demo) != keys


def test_one_funds_edit_checks_that_fund_only(demo):
    folder = demo / checkcache.FOLDER / "check"
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    _append(demo / GM / "txns/2026-11.beancount", "\n; 一行注释\n")
    assert lines(demo) == lines(demo, cache=False)
    now = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert now["Guangming.json"] != stamps["Guangming.json"]
    assert {k: v for k, v in now.items() if k != "Guangming.json"} == {k: v for k, v in stamps.items() if k != "Guangming.json"}


def test_a_fund_without_a_ledger_is_checked_anew_after_each_edit(demo):
    fund = demo / "content/funds/Xinjian/fund.yml"
    _write(fund, "code: Xinjian\nname: 新建基金\n")
    broken = lines(demo)
    assert broken == lines(demo, cache=False) and any("Xinjian" in x for x in broken)
    _write(fund, "code: Xinjian\nname: 新建基金\nbank: 1\n")
    assert lines(demo) == lines(demo, cache=False) != broken
    fund.unlink()
    assert lines(demo) == lines(demo, cache=False) and not any("Xinjian" in x for x in lines(demo))


def test_another_day_is_another_key(demo):
    later = dt.date(2027, 6, 1)
    assert lines(demo, as_of=later) == lines(demo, as_of=later, cache=False) != lines(demo)


def test_a_file_included_from_outside_the_fund_counts(demo):
    shared = demo / "ledger" / "shared.beancount"
    shared.write_text("", encoding="utf-8")
    _append(demo / GM / "fund.beancount", '\ninclude "../../shared.beancount"\n')
    assert lines(demo) == lines(demo, cache=False)
    shared.write_text('2026-11-21 * "某店" "未注明项目的支出"\n  Expenses:Guangming:Children  10.00 CNY\n  Assets:Guangming:Bank\n', encoding="utf-8")
    warm = lines(demo)
    assert warm == lines(demo, cache=False) and any("shared.beancount" in x for x in warm)


def test_the_checking_code_is_part_of_the_key(tmp_path):
    package = tmp_path / "sunledger"
    shutil.copytree(Path(checkcache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    first = checkcache.code_digest(package)
    _append(package / "codes.yml", "\n# a changed rule text\n")
    assert checkcache.code_digest.__wrapped__(package) != first


def test_a_torn_or_foreign_entry_is_a_miss(demo):
    entry = demo / checkcache.FOLDER / "check" / "Guangming.json"
    entry.write_text("{not json", encoding="utf-8")
    assert lines(demo) == lines(demo, cache=False)
    entry.write_text(json.dumps({"key": "0" * 64, "refused": False, "problems": []}), encoding="utf-8")
    assert lines(demo) == lines(demo, cache=False)


def test_cli_no_cache_and_the_repository_ignores_the_cache(demo):
    run = subprocess.run([str(BIN / "sunledger"), "check", str(demo), "--as-of", str(AS_OF), "--no-cache"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "检查完毕" in run.stdout + run.stderr
    for gitignore in (REPO / ".gitignore", REPO / "scripts/sunledger/skeleton/gitignore"):
        assert "/.sunledger-cache/" in gitignore.read_text(encoding="utf-8").splitlines()
