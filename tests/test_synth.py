"""The synthetic district (sunledger.synth) keeps every rule, as users run them.

One small district is generated per module and checked with the real
executables: `sunledger check` (serial and parallel) and `bean-check`.
Disclosure deadlines (W90x) are judged on the district's own "today",
`synth.as_of()`, never on the real date.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from sunledger.synth import UNSEALED_MONTHS, as_of, generate

BIN = Path(sys.executable).parent
FUNDS, TRANSACTIONS, SEED = 3, 600, 1
TXN = re.compile(r"^\d{4}-\d{2}-\d{2} \* ", re.M)


def run(*cmd: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        # what the checks leave behind (bean-check's pickle, sunledger check's cache) is not the generator's
        if p.is_file() and not p.name.endswith(".picklecache") and ".sunledger-cache" not in p.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "district"
    generate(root, FUNDS, TRANSACTIONS, seed=SEED)
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sunledger_check_finds_nothing(root: Path, jobs: str) -> None:
    r = run(BIN / "sunledger", "check", "--json", "--jobs", jobs, "--as-of", as_of(), root)
    problems = json.loads(r.stdout or "[]")
    assert [p for p in problems if p["level"] == "error"] == [], r.stdout
    assert problems == [], "warnings: " + r.stdout
    assert r.returncode == 0, r.stderr


def test_bean_check_passes(root: Path) -> None:
    r = run(BIN / "bean-check", "--no-cache", root / "ledger" / "main.beancount")
    assert r.returncode == 0, r.stdout + r.stderr


def test_each_fund_loads_alone(root: Path) -> None:
    fund = root / "ledger" / "funds" / "F0001" / "fund.beancount"
    r = run(BIN / "bean-check", "--no-cache", fund)
    assert r.returncode == 0, r.stdout + r.stderr


def test_layout_and_counts(root: Path) -> None:
    funds = sorted(p.name for p in (root / "ledger" / "funds").iterdir())
    assert funds == ["F0001", "F0002", "F0003"]
    for name in ("sunledger.yml", "ledger/main.beancount", "content/district.yml"):
        assert (root / name).is_file()
    txns = 0
    for code in funds:
        ldir, cdir = root / "ledger" / "funds" / code, root / "content" / "funds" / code
        for name in ("fund.beancount", "seals.beancount"):
            assert (ldir / name).is_file()
        for name in ("fund.yml", "partners.yml"):
            assert (cdir / name).is_file()
        assert list((cdir / "projects").glob("*.yml"))
        months = sorted(p.stem for p in (ldir / "txns").glob("*.beancount"))
        assert all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
        txns += sum(len(TXN.findall(p.read_text(encoding="utf-8"))) for p in (ldir / "txns").glob("*.beancount"))
        # every month but the last is sealed (or says why not)
        seals = (ldir / "seals.beancount").read_text(encoding="utf-8")
        sealed = re.findall(rf'custom "sunledger-seal" "{code}" "(\d{{4}}-\d{{2}})"', seals)
        unsealed = re.findall(r"^; (\d{4}-\d{2}) 未封存", seals, re.M)
        assert sorted(sealed + unsealed) == months[:-UNSEALED_MONTHS]
    assert txns == TRANSACTIONS


def test_no_long_digit_runs(root: Path) -> None:
    """Nothing the generator writes looks like a phone, ID or bank number.

    Seal digests are the package's hex output, not the generator's text: skipped.
    """
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".beancount", ".yml"):
            text = path.read_text(encoding="utf-8")
            if path.name == "seals.beancount":
                text = re.sub(r'"[0-9a-f]{32}"', "", text)
            assert not re.search(r"\d{11,}", text), path


def test_deterministic(root: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, FUNDS, TRANSACTIONS, seed=SEED)
    assert tree_digest(again) == tree_digest(root)
    other = tmp_path / "other"
    generate(other, FUNDS, TRANSACTIONS, seed=SEED + 1)
    assert tree_digest(other) != tree_digest(root)


def test_tampering_a_sealed_month_is_caught(root: Path, tmp_path: Path) -> None:
    """The district is not vacuously clean: a change in a sealed month is reported."""
    copy = tmp_path / "copy"
    generate(copy, FUNDS, TRANSACTIONS, seed=SEED)
    seals = (copy / "ledger" / "funds" / "F0001" / "seals.beancount").read_text(encoding="utf-8")
    month = re.search(r'custom "sunledger-seal" "F0001" "(\d{4}-\d{2})"', seals).group(1)
    path = copy / "ledger" / "funds" / "F0001" / "txns" / f"{month}.beancount"
    text = path.read_text(encoding="utf-8")
    eol = text.index("\n", TXN.search(text).end()) + 1
    path.write_text(text[:eol] + '  note: "事后改动"\n' + text[eol:], encoding="utf-8")
    r = run(BIN / "sunledger", "check", "--jobs", "1", "--as-of", as_of(), copy)
    assert r.returncode == 1
    assert "SL401" in r.stdout


def test_seal_digest_is_not_private_data(tmp_path: Path) -> None:
    """A hex digest with a run of digits is no phone number."""
    from beancount.parser import parser

    from sunledger.config import Config
    from sunledger.rules import privacy

    entries, errors, _ = parser.parse_string('2025-02-05 custom "sunledger-seal" "F0001" "2025-01" '
                                             '"ab13812345678cdef0123456789abcde"\n')
    assert not errors
    assert privacy.check(entries, SimpleNamespace(txns=[], config=Config())) == []
