"""Funds loaded in separate processes give the district the serial load gives."""

from __future__ import annotations

import shutil

import pytest

from sunledger.district import load_district
from sunledger.loading import apart
from sunledger.synth import generate

from conftest import REPO


def _same(a, b) -> None:
    assert a.problems == b.problems
    assert a.checksum == b.checksum
    assert a.last_date == b.last_date
    assert list(a.books) == list(b.books)
    for code in a.books:
        key = lambda e: (e.date, e.meta["filename"], e.meta["lineno"])  # noqa: E731
        assert [key(t) for t in a.books[code].txns] == [key(t) for t in b.books[code].txns]
        assert [key(x) for x in a.books[code].balances] == [key(x) for x in b.books[code].balances]
        assert sorted(a.books[code].seals) == sorted(b.books[code].seals)
    assert a.attribution == b.attribution


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("district")
    generate(root, 4, 600, 3)
    return root


def _apart(root) -> bool:
    return apart(root, str, 1) is not None  # main allows the funds apart


def test_parallel_load_of_a_synthetic_district_equals_the_serial_one(synthetic):
    assert _apart(synthetic)
    _same(load_district(synthetic, jobs=2), load_district(synthetic))


@pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")
def test_parallel_load_of_the_demo_equals_the_serial_one():
    assert _apart(REPO)
    _same(load_district(REPO, jobs=2), load_district(REPO))


def test_rule_errors_are_the_same_when_funds_load_apart(synthetic, tmp_path):
    root = tmp_path / "d"
    shutil.copytree(synthetic, root)
    fund = sorted((root / "ledger" / "funds").glob("*/fund.beancount"))[1]
    text = fund.read_text(encoding="utf-8")
    fund.write_text(text + '\n2030-01-01 * "某商户" "没有来源的收入"\n  Assets:Nowhere  1.00 CNY\n  Income:Nowhere  -1.00 CNY\n',
                    encoding="utf-8")
    serial, parallel = load_district(root), load_district(root, jobs=2)
    assert serial.errors and parallel.problems == serial.problems


def test_a_main_ledger_with_its_own_entries_loads_serially(synthetic, tmp_path):
    root = tmp_path / "d"
    shutil.copytree(synthetic, root)
    main = root / "ledger" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + '\n2020-01-01 open Assets:Elsewhere CNY\n', encoding="utf-8")
    assert not _apart(root)
    _same(load_district(root, jobs=2), load_district(root))
