"""The sample statements: made from the ledger, they reconcile exactly and
import as nothing new; the committed ones are what the script writes today."""

from __future__ import annotations

import importlib.util

import pytest

from sunledger.importers.cli import import_main, reconcile_main

from conftest import REPO
from importkit import FULL, fund, run

SCRIPT = REPO / "scripts" / "demo" / "make_statements.py"
DEMO = sorted((REPO / "ledger" / "funds").glob("*/statements/*.csv"))


def make_statements():
    spec = importlib.util.spec_from_file_location("make_statements", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Market takings collected by Alipay, withdrawn to the bank the same day.
WALLET = """
2024-02-10 * "光明社区创意市集" "二月创意市集义卖（支付宝收款）"
  Assets:Test:Alipay       120.00 CNY
  Income:Test:Community   -120.00 CNY
"""


def test_inline_fund_bank_and_alipay_statements(district):
    fund(district, FULL + WALLET)
    written = make_statements().make(district.root)
    names = sorted(p.name for p in written)
    assert names == ["2024-01.csv", "2024-02.alipay.csv", "2024-02.csv"]
    alipay = next(p for p in written if "alipay" in p.name)
    alipay.read_bytes().decode("gb18030")  # Alipay exports are GBK
    for path in written:
        code, out, err = run(reconcile_main, "Test", str(path), "--root", str(district.root))
        assert code == 0, out + err
        code, out, err = run(import_main, "Test", str(path), "--root", str(district.root))
        assert (code, out) == (0, ""), err


@pytest.mark.skipif(not DEMO, reason="no demo statements (run scripts/demo/make_statements.py)")
def test_demo_statements_are_current():
    expected = make_statements().statements(REPO)
    assert sorted(expected) == DEMO, "demo statements differ from the ledger: rerun scripts/demo/make_statements.py"
    stale = [p.relative_to(REPO).as_posix() for p, raw in expected.items() if p.read_bytes() != raw]
    assert stale == [], "rerun scripts/demo/make_statements.py"


@pytest.mark.skipif(not DEMO, reason="no demo statements")
@pytest.mark.parametrize("code", sorted({p.parts[-3] for p in DEMO}))
def test_demo_statements_reconcile_and_import_nothing(code):
    files = [str(p) for p in DEMO if p.parts[-3] == code]
    assert len(files) >= 3
    rc, out, err = run(reconcile_main, code, *files, "--root", str(REPO))
    assert rc == 0, out + err
    assert out.count("结论：相符") == len(files)
    rc, out, err = run(import_main, code, *files, "--root", str(REPO))
    assert (rc, out) == (0, ""), err
    assert err.count("新增 0 笔") == len(files)
