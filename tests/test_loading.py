"""The one loading path (sunledger/loading.py): whole or funds apart, `sunledger check`
and the site's District read the same books and find the same problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sunledger.check import check_root, problem
from sunledger.district import load_district, load_fund
from sunledger.ledger.load import fund_files
from sunledger.loading import Lost, apart, each, load_books
from sunledger.synth import generate

from conftest import AS_OF, CLEAN, HEADER, OPENS, REPO


def _entries(entries: list) -> list[tuple]:
    """Each entry by its place; sorted, as entries of one date, kind and line number in two funds
    may come in either fund's order."""
    return sorted((type(e).__name__, e.date, e.meta.get("filename"), e.meta.get("lineno")) for e in entries)


def _problems(errors: list) -> list:
    return sorted({problem(e) for e in errors})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("district")
    generate(root, 4, 600, 3)
    return root


def _roots(synthetic):
    yield synthetic
    if (REPO / "ledger" / "main.beancount").exists():
        yield REPO


def test_serial_and_parallel_loads_give_the_same_books(synthetic):
    for root in _roots(synthetic):
        assert apart(root, str, 1) is not None, root  # main allows the funds apart
        serial, parallel = load_books(root, 1), load_books(root, 2)
        assert _entries(parallel.entries) == _entries(serial.entries), root
        assert _problems(parallel.errors) == _problems(serial.errors), root
        assert sorted(parallel.options_map["include"]) == sorted(serial.options_map["include"]), root
        assert check_root(root, jobs=2, as_of=AS_OF) == check_root(root, jobs=1, as_of=AS_OF), root


def test_one_fund_alone_reads_as_it_does_in_the_district(synthetic):
    """`load_fund` (what `sunledger seal` needs) gives the fund's books and problems as the district has them."""
    whole = load_district(synthetic, AS_OF)
    code = sorted(whole.books)[1]
    alone = load_fund(synthetic, code, AS_OF)
    assert alone is not None and [c for c, b in alone.books.items() if b.txns or b.balances] == [code]
    key = lambda e: (e.date, e.meta["filename"], e.meta["lineno"])  # noqa: E731
    assert [key(t) for t in alone.books[code].txns] == [key(t) for t in whole.books[code].txns]
    assert [key(b) for b in alone.books[code].balances] == [key(b) for b in whole.books[code].balances]
    assert alone.books[code].seals.keys() == whole.books[code].seals.keys()
    assert alone.classify("Assets:" + code + ":Bank") == whole.classify("Assets:" + code + ":Bank")
    assert alone.problems == [p for p in whole.problems if f"/{code}/" in p.filename]


def _second_fund(district, code: str, body: str) -> Path:
    """Another fund beside Test, so the funds may load apart."""
    district.write_yaml(f"content/funds/{code}/fund.yml",
                        {"code": code, "name": f"{code}社区基金", "level": "community", "parent": "street", "opened": "2024-01-01"})
    district.write(f"ledger/funds/{code}/fund.beancount", HEADER + OPENS.replace(":Test:", f":{code}:") + 'include "txns/*.beancount"\n')
    return district.write(f"ledger/funds/{code}/txns/2024-01.beancount", body)


def _raise_in_b(path: Path) -> str:
    if path.parent.name == "B":
        raise ValueError("坏了")
    return path.parent.name


def test_a_fund_whose_load_raises_is_lost_alone(tmp_path):
    paths = [tmp_path / name / "fund.beancount" for name in ("A", "B", "C")]
    for jobs in (1, 2):
        a, b, c = each(_raise_in_b, paths, jobs)
        assert (a, c) == ("A", "C")
        assert b == Lost(paths[1], "ValueError: 坏了")
        assert problem(b.error).line(tmp_path) == "B/fund.beancount:1: SL009 其他错误：基金 B 未能检查完：ValueError: 坏了（sunledger explain SL009）"


def test_a_fund_whose_worker_dies_is_one_error_at_its_file(district, tmp_path, monkeypatch):
    """The dead process is named at the fund's file; the other fund's books and problems are all there."""
    district.ledger(CLEAN.replace('  project: "T-01"\n', ""))  # SL102 in Test
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "crashplugin.py").write_text(
        "import os, signal\n__plugins__ = ('crash',)\ndef crash(entries, options_map):\n"
        "    if 'Crash' in options_map['filename']:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return entries, []\n")
    monkeypatch.syspath_prepend(str(plugins))  # the workers are forked from here
    _second_fund(district, "Crash", "")
    for ledger in ("main.beancount", "funds/Test/fund.beancount", "funds/Crash/fund.beancount"):
        path = district.root / "ledger" / ledger
        path.write_text(path.read_text(encoding="utf-8").replace(HEADER, HEADER + 'plugin "crashplugin"\n'), encoding="utf-8")
    crash = district.root / "ledger/funds/Crash/fund.beancount"
    dead = "SL009 其他错误：基金 Crash 未能检查完：进程意外终止（信号 SIGKILL）（sunledger explain SL009）"

    split = apart(district.root, str, 1)
    assert split is not None and list(split.funds) == fund_files(district.root)
    books = load_books(district.root, 2)
    assert [p.line(district.root) for p in _problems(books.errors) if p.code == "SL009"] == [f"ledger/funds/Crash/fund.beancount:1: {dead}"]
    assert {e.meta["filename"] for e in books.entries if hasattr(e, "postings")} == {str(district.root / "ledger/funds/Test/txns/all.beancount")}
    found = [p.line(district.root) for p in check_root(district.root, jobs=2, as_of=AS_OF)]
    assert f"ledger/funds/Crash/fund.beancount:1: {dead}" in found
    assert any(line.startswith("ledger/funds/Test/txns/all.beancount:6: SL102") for line in found), found
    loaded = load_district(district.root, as_of=AS_OF, jobs=2)
    assert [p.line(district.root) for p in loaded.errors if p.filename == str(crash)] == [f"ledger/funds/Crash/fund.beancount:1: {dead}"]
    assert loaded.books["Test"].txns


def test_a_fund_refused_by_a_size_limit_leaves_the_others_read(district):
    """Its tree is not parsed; every other fund is, whole (-j 1) or apart, and the refused fund's content still checked."""
    district.ledger(CLEAN.replace('  project: "T-01"\n', ""))  # SL102 in Test
    _second_fund(district, "Big", '2024-01-08 * "街道" "' + "长" * 2000 + '"\n  Assets:Big:Bank  1.00 CNY\n  Income:Big:Gov\n')
    district.write("content/funds/Big/projects/B-01.yml", "[")
    expected = {
        "ledger/funds/Big/txns/2024-01.beancount:1: SL010",
        "ledger/funds/Test/txns/all.beancount:6: SL102",
        "content/funds/Big/projects/B-01.yml:2: SL701",
    }
    for jobs in (1, 2):
        found = [p.line(district.root) for p in check_root(district.root, jobs=jobs, as_of=AS_OF)]
        assert all(any(line.startswith(want) for line in found) for want in expected), (jobs, found)
        assert not any("SL009" in line for line in found), found
        books = load_books(district.root, jobs)
        assert "ledger/funds/Big/txns/2024-01.beancount:1: SL010" in {
            f"{p.rel(district.root)}:{p.lineno}: {p.code}" for p in _problems(books.errors)}
        files = {e.meta["filename"] for e in books.entries if hasattr(e, "postings")}
        assert files == {str(district.root / "ledger/funds/Test/txns/all.beancount")}, jobs  # Big unread, Test read
        errors = [f"{p.rel(district.root)}:{p.lineno}: {p.code}" for p in load_district(district.root, AS_OF, jobs).errors]
        assert "ledger/funds/Big/txns/2024-01.beancount:1: SL010" in errors and "ledger/funds/Test/txns/all.beancount:6: SL102" in errors
        assert "content/funds/Big/projects/B-01.yml:2: SL701" in errors


def test_main_s_own_include_errors_are_kept_when_funds_load_apart(synthetic, tmp_path):
    root = tmp_path / "d"
    shutil.copytree(synthetic, root)
    main = root / "ledger" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "nowhere.beancount"\n', encoding="utf-8")
    assert apart(root, str, 1) is not None
    serial, parallel = load_district(root, AS_OF), load_district(root, AS_OF, jobs=2)
    assert [p.code for p in serial.errors] == ["SL004"]
    assert parallel.problems == serial.problems
    assert check_root(root, jobs=2, as_of=AS_OF) == check_root(root, jobs=1, as_of=AS_OF)


def _threshold(_path):
    import gc

    return gc.get_threshold()


def test_funds_are_loaded_with_fewer_collections_and_the_caller_keeps_its_own(tmp_path):
    """A fund's objects live until its part is done: collecting every 700 new ones walked them over
    and over. In workers and in this process alike `each` runs with `FUND_GC`, and this process has
    its own thresholds back after."""
    import gc

    from sunledger.loading import FUND_GC, each

    before = gc.get_threshold()
    paths = [tmp_path / "a", tmp_path / "b", tmp_path / "c"]
    assert each(_threshold, paths, jobs=2) == [FUND_GC] * 3
    assert each(_threshold, paths, jobs=1) == [FUND_GC] * 3
    assert gc.get_threshold() == before != FUND_GC
