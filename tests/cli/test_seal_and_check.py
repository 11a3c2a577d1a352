"""The treasurer's commands end to end: seal a month, change it, see the error."""

from __future__ import annotations

import json
import subprocess

from conftest import BIN, CLEAN


def seal(district, *args):
    return subprocess.run([str(BIN / "sunledger"), "seal", *args, "--root", str(district.root)], capture_output=True, text=True)


def test_seal_then_edit_sealed_month_is_an_error(district):
    path = district.ledger(CLEAN)
    out = seal(district, "Test", "2024-01", "--date", "2024-02-05")
    assert out.returncode == 0, out.stderr
    seals = district.root / "ledger/funds/Test/seals.beancount"
    assert 'custom "sunledger-seal" "Test" "2024-01"' in seals.read_text(encoding="utf-8")
    assert district.check().returncode == 0

    # moving lines around keeps the seal; changing what a reader sees breaks it
    path.write_text("\n\n" + CLEAN, encoding="utf-8")
    assert district.check().returncode == 0
    path.write_text(CLEAN.replace("300.00", "310.00").replace("1700.00", "1690.00"), encoding="utf-8")
    out = district.check()
    assert out.returncode == 1
    assert "ledger/funds/Test/seals.beancount:1: SL401 测试社区基金 2024-01 已于 2024-02-05 封存公示" in out.stdout
    assert "SL401" in district.bean_check().stdout + district.bean_check().stderr


def test_seal_refuses_open_month_twice_and_bad_input(district):
    district.ledger(CLEAN)
    assert seal(district, "Test", "2024-01", "--date", "2024-01-31").returncode == 1
    assert seal(district, "Test", "2024-13").returncode == 2
    assert seal(district, "Nope", "2024-01").returncode == 2
    assert seal(district, "Test", "2024-01", "--date", "2024-02-05").returncode == 0
    again = seal(district, "Test", "2024-01", "--date", "2024-02-06")
    assert again.returncode == 1 and "已经封存" in again.stderr


def test_a_new_entry_in_a_sealed_month_breaks_the_seal(district):
    path = district.ledger(CLEAN)
    assert seal(district, "Test", "2024-01", "--date", "2024-02-05").returncode == 0
    path.write_text(CLEAN + '\n2024-01-25 * "补记" "漏记收入"\n  Assets:Test:Bank  1.00 CNY\n  Income:Test:Gov\n', encoding="utf-8")
    assert "SL401" in district.check().stdout


def test_json_output_and_exit_codes(district):
    district.ledger(CLEAN.replace('project: "T-01"\n', ""))
    out = district.check("--json")
    assert out.returncode == 1
    items = json.loads(out.stdout)
    assert {"file", "line", "code", "level", "message"} <= set(items[0])
    assert any(i["code"] == "SL102" and i["line"] == 6 for i in items)
    usage = subprocess.run([str(BIN / "sunledger"), "check", "--bogus"], capture_output=True, text=True)
    assert usage.returncode == 2
    assert subprocess.run([str(BIN / "sunledger")], capture_output=True, text=True).returncode == 2


def test_parallel_and_serial_agree(district):
    district.ledger(CLEAN.replace("300.00", "3000.00"))
    # a second fund so the parallel path is taken
    other = district.root / "content/funds/Other"
    other.mkdir(parents=True)
    (other / "fund.yml").write_text("code: Other\nname: 另一基金\nlevel: compound\nparent: street\nopened: 2024-01-01\n", encoding="utf-8")
    district.write(
        "ledger/funds/Other/fund.beancount",
        '2024-01-01 open Assets:Other:Bank CNY\n2024-01-01 open Income:Other:Gov CNY\n'
        '2024-01-02 * "拨款"\n  Assets:Other:Bank  5.00 CNY\n  Income:Other:Gov\n',
    )
    serial, parallel = district.check("--jobs", "1"), district.check("--jobs", "2")
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout
    assert "SL105" in serial.stdout and "SL301" in serial.stdout
