"""SL401/SL402/SL403/W404 (rules/seals.py): a published month is sealed and stays as it was;
corrections go into a later month, say why, and reverse an entry of the month they name."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import CLEAN

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL402": Broken(INCOME + """
2024-02-05 custom "sunledger-seal" "Nowhere" "2024-01" "abc"
""", 'custom "sunledger-seal"'),
    "SL403": Broken(INCOME + """
2024-01-20 * "测试街道办事处" "更正：把本月当成了以前的月份"
  corrects: "2024-01"
  reason: "示例"
  Assets:Test:Bank        -10.00 CNY
  Income:Test:Gov
""", "2024-01-20 *"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


@pytest.mark.parametrize("seal", [
    'custom "sunledger-seal" "Test" "2024-1" "abc"',  # month not YYYY-MM
    'custom "sunledger-seal" "Test" "2024-01"',  # no digest
    'custom "sunledger-seal" 12 TRUE "x"',  # not strings
])
def test_malformed_seals(district, seal):
    district.ledger(CLEAN + f"2024-02-05 {seal}\n")
    assert any(" SL402 " in p for p in district.problems()), district.problems()


def test_sealing_a_month_before_it_ends(district):
    district.ledger(CLEAN + '2024-01-31 custom "sunledger-seal" "Test" "2024-01" "abc"\n')
    assert any(" SL402 " in p and "尚未结束" in p for p in district.problems())


def test_an_edit_of_a_sealed_month(district):
    from sunledger.sealing import seal_month

    path = district.ledger(CLEAN)
    seal_month(district.root, "Test", "2024-01", "2024-02-05")
    assert district.problems() == []
    path.write_text(path.read_text(encoding="utf-8").replace("300.00 CNY", "301.00 CNY").replace("1700.00", "1699.00"), encoding="utf-8")
    sl401 = [p for p in district.problems() if " SL401 " in p]
    assert sl401 and sl401[0].startswith("ledger/funds/Test/seals.beancount:1: SL401"), district.problems()


def test_a_correction_must_reverse_something_of_its_month(district):
    district.ledger(CLEAN + """
2024-02-03 * "测试街道办事处" "更正一月拨款"
  corrects: "2024-01"
  reason: "拨款金额更正"
  Assets:Test:Bank        -100.00 CNY
  Income:Test:Gov

2024-02-04 * "幸福食堂" "更正一月找不到的东西"
  corrects: "2024-01"
  reason: "示例"
  Expenses:Test:Infrastructure    -1.00 CNY
  Assets:Test:Bank
""")
    w404 = [p for p in district.problems(dt.date(2024, 2, 5)) if " W404 " in p]
    assert len(w404) == 1 and "2024-01" in w404[0]  # the Gov refund reverses the January grant; the other reverses nothing


def _sealed(district, body: str = CLEAN):
    from sunledger.sealing import seal_month

    path = district.ledger(body)
    seal_month(district.root, "Test", "2024-01", "2024-02-05")
    assert district.problems() == []
    return path


def test_sl401_names_the_changed_entry_at_its_line(district):
    path = _sealed(district)
    path.write_text(CLEAN.replace("300.00 CNY", "301.00 CNY").replace("1700.00", "1699.00"), encoding="utf-8")
    sl401 = [p for p in district.problems() if " SL401 " in p]
    assert sl401[0].startswith("ledger/funds/Test/seals.beancount:1: SL401 ")
    assert "改动或补记的记录：ledger/funds/Test/txns/all.beancount:5" in sl401[0]
    entry = [p for p in sl401 if p.startswith("ledger/funds/Test/txns/all.beancount:5: SL401 ")]
    assert entry and "封存后被改动" in entry[0] and "ledger/funds/Test/seals.beancount:1" in entry[0], sl401
    assert 'corrects: "2024-01"' in entry[0]
    assert len(sl401) == 2  # the untouched grant (line 1) is not named


def test_sl401_names_an_added_open_with_advice_to_date_it_in_the_open_month(district):
    path = _sealed(district)
    path.write_text(CLEAN + "\n2024-01-15 open Assets:Test:Cash CNY\n", encoding="utf-8")
    added = [p for p in district.problems() if " SL401 " in p and "all.beancount:12:" in p]
    assert added and "封存后补记" in added[0] and "2024-02-01" in added[0], district.problems()


def test_sl401_says_what_was_removed_at_the_seal(district):
    path = _sealed(district)
    path.write_text(CLEAN.replace('2024-01-08 * "测试街道办事处" "年度工作经费"\n  Assets:Test:Bank        2000.00 CNY\n  Income:Test:Gov\n', "")
                    .replace("1700.00", "-300.00"), encoding="utf-8")
    sl401 = [p for p in district.problems() if " SL401 " in p]
    assert len(sl401) == 1 and sl401[0].startswith("ledger/funds/Test/seals.beancount:1: ")
    assert "删除了 1 条记录（日期 2024-01-08）" in sl401[0]


def test_old_seals_without_entry_list_still_work(district):
    from sunledger.ledger.seal import digest, month_entries

    path = district.ledger(CLEAN)
    seals = district.root / "ledger/funds/Test/seals.beancount"
    _sealed(district)
    first = seals.read_text(encoding="utf-8").splitlines()[0]  # the seal line without its entries: as written before
    seals.write_text(first + "\n", encoding="utf-8")
    assert district.problems() == []
    path.write_text(CLEAN.replace("300.00 CNY", "301.00 CNY").replace("1700.00", "1699.00"), encoding="utf-8")
    sl401 = [p for p in district.problems() if " SL401 " in p]
    assert len(sl401) == 1 and sl401[0].startswith("ledger/funds/Test/seals.beancount:1: ") and "冲正" in sl401[0]
    assert digest and month_entries  # the month digest is unchanged, so seals of either kind compare alike


def test_seal_refuses_a_month_without_its_closing_balance(district):
    from sunledger.sealing import SealError, seal_month

    district.ledger(CLEAN.replace("2024-02-01 balance Assets:Test:Bank 1700.00 CNY\n", ""))
    with pytest.raises(SealError) as refused:
        seal_month(district.root, "Test", "2024-01", "2024-02-05")
    assert refused.value.status == 2
    assert "2024-02-01 balance Assets:Test:Bank" in str(refused.value) and "sunledger close" in str(refused.value)
    assert (district.root / "ledger/funds/Test/seals.beancount").read_text(encoding="utf-8") == ""
