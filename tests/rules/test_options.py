"""SL011 (rules/options.py): every ledger file reads the books as main.beancount does, so every
face reports the same errors for the same books.

A two-fund district goes through `sunledger check -j 1` and `-j 2`, bean-check on main and on
each fund file, and Fava; each must report the same set of (file, line, code).
"""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from .harness import codes
from conftest import AS_OF, BIN, CLEAN, HEADER, OPENS

TWO_OPENS = OPENS.replace(":Test:", ":Two:")
TWO_CLEAN = CLEAN.replace(":Test:", ":Two:").replace('"T-01"', '"W-01"')


def two_funds(district, fund_header: str = HEADER, two_header: str = HEADER, main_header: str = HEADER,
              month: str = CLEAN, two_month: str = TWO_CLEAN):
    """Funds Test and Two, each with a clean January unless told otherwise."""
    from conftest import PROJECT

    district.ledger(month)
    district.write("ledger/main.beancount", main_header + 'include "funds/*/fund.beancount"\n')
    district.write("ledger/funds/Test/fund.beancount", fund_header + OPENS + 'include "txns/*.beancount"\ninclude "seals.beancount"\n')
    district.write_yaml("content/funds/Two/fund.yml",
                        {"code": "Two", "name": "第二基金", "level": "community", "parent": "street", "opened": "2024-01-01"})
    district.write_yaml("content/funds/Two/projects/W-01.yml", {**PROJECT, "id": "W-01"})
    district.write("ledger/funds/Two/fund.beancount", two_header + TWO_OPENS + 'include "txns/*.beancount"\ninclude "seals.beancount"\n')
    district.write("ledger/funds/Two/seals.beancount", "")
    district.write("ledger/funds/Two/txns/all.beancount", textwrap.dedent(two_month))
    return district


def _key(file: str, line: int, message: str, root) -> tuple[str, int, str]:
    head = message.split(" ", 1)[0]
    code = head if head[:2] in ("SL", "W1") and head[2:].isdigit() and not head.startswith("SL00") else "beancount"
    rel = str(__import__("pathlib").Path(file).resolve().relative_to(root)) if file.startswith("/") else file
    return rel, int(line), code


def faces(district) -> dict[str, set]:
    root = district.root.resolve()
    out: dict[str, set] = {}
    for jobs in ("1", "2"):
        done = district.check("--jobs", jobs, "--json")
        assert "Traceback" not in done.stderr, done.stderr
        out[f"check -j {jobs}"] = {
            (p["file"], p["line"], p["code"] if not p["code"].startswith("SL00") else "beancount")
            for p in json.loads(done.stdout) if p["level"] == "error"
        }

    def bean_check(path) -> set:
        done = subprocess.run([str(BIN / "bean-check"), "--json", "-C", str(path)], capture_output=True, text=True, timeout=120)
        return {_key(e["filename"], e["lineno"], e["message"], root) for e in json.loads(done.stdout or '{"errors": []}')["errors"]}

    out["bean-check main"] = bean_check(root / "ledger" / "main.beancount")
    out["bean-check per fund"] = set().union(*(bean_check(f) for f in sorted((root / "ledger" / "funds").glob("*/fund.beancount"))))
    fava = subprocess.run(
        [str(BIN / "python"), "-c", textwrap.dedent(f"""
            import json
            from fava.core import FavaLedger
            ledger = FavaLedger({str(root / "ledger" / "main.beancount")!r})
            print(json.dumps([[e.source.get("filename", ""), e.source.get("lineno", 0), str(e.message)] for e in ledger.errors]))
        """)],
        capture_output=True, text=True, timeout=120,
    )
    assert fava.returncode == 0, fava.stderr[-2000:]
    out["fava"] = {_key(f, ln, m, root) for f, ln, m in json.loads(fava.stdout)}
    return out


FUND_FILE = "ledger/funds/Test/fund.beancount"
MONTH_FILE = "ledger/funds/Test/txns/all.beancount"
NO_PROJECT = CLEAN.replace('  project: "T-01"\n', "")

CORPUS = {
    # name: (two_funds() arguments, (file, line, code) that must be among the errors)
    "clean": ({}, None),
    "an ordinary error": ({"month": NO_PROJECT}, (MONTH_FILE, 6, "SL102")),
    "a fund file with its own booking method": (
        {"fund_header": HEADER + 'option "booking_method" "FIFO"\n'}, (FUND_FILE, HEADER.count("\n") + 1, "SL011")),
    "a fund file with another tolerance": (
        {"fund_header": HEADER + 'option "inferred_tolerance_default" "CNY:0.1"\n', "month": NO_PROJECT},
        (FUND_FILE, HEADER.count("\n") + 1, "SL011")),
    "a fund file without a rule": (
        {"fund_header": HEADER.replace('plugin "sunledger.rules.privacy"\n', "")}, (FUND_FILE, 10, "SL011")),
    "main reads otherwise than the funds": (
        {"main_header": HEADER + 'option "booking_method" "STRICT_WITH_SIZE"\n'}, (FUND_FILE, 1, "SL011")),
    "an option in a month file": (
        {"month": 'option "operating_currency" "USD"\n' + CLEAN}, (MONTH_FILE, 1, "SL011")),
    "a plugin in a month file": (
        {"month": 'plugin "beancount.plugins.auto_accounts"\n' + CLEAN}, (MONTH_FILE, 1, "SL011")),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_face_reports_the_same_errors(district, name):
    kwargs, must = CORPUS[name]
    seen = faces(two_funds(district, **kwargs))
    first = seen["check -j 1"]
    if must is None:
        assert first == set(), first
    else:
        assert must in first, first
    for face, found in seen.items():
        assert found == first, f"{face} differs from check -j 1: only there {found - first}, missing {first - found}"


def test_fund_options_do_not_change_a_parallel_check(district):
    """FIFO in one fund file: under main.beancount beancount ignores it; `check -j 2` must too."""
    lots = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-01-09 * "爱心企业" "捐赠两批粮油卡"
  Assets:Test:Cards       2 CARD {100.00 CNY, 2024-01-09}
  Income:Test:Enterprise  -200.00 CNY

2024-01-10 * "爱心企业" "又捐一批"
  Assets:Test:Cards       1 CARD {120.00 CNY, 2024-01-10}
  Income:Test:Enterprise  -120.00 CNY

2024-01-20 * "幸福食堂" "发放一张粮油卡"
  project: "T-01"
  Assets:Test:Cards       -1 CARD {}
  Expenses:Test:Elderly   100.00 CNY
"""
    two_funds(district, fund_header=HEADER + 'option "booking_method" "FIFO"\n', month=lots)
    district.write("ledger/funds/Test/fund.beancount", HEADER + 'option "booking_method" "FIFO"\n' + OPENS
                   + "2024-01-01 open Assets:Test:Cards\n2024-01-01 commodity CARD\n"
                   + 'include "txns/*.beancount"\ninclude "seals.beancount"\n')
    serial = district.check("--jobs", "1", "--json")
    parallel = district.check("--jobs", "2", "--json")
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    assert any(p["code"] == "SL011" for p in json.loads(serial.stdout))


def test_labels_may_differ(district):
    two_funds(district, fund_header=HEADER.replace('"测试基金"', '"测试社区基金"'))
    assert codes(district.problems(AS_OF), "SL011") == []
