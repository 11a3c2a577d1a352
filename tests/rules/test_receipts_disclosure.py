"""Receipts (SL801, W802) and the disclosure calendar (W901–W905)."""

from __future__ import annotations

import datetime as dt

from conftest import PROJECT

LEDGER = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        5000.00 CNY
  Income:Test:Gov

2024-01-20 * "幸福食堂" "老年食堂餐费"
  project: "T-01"
  receipt: "receipts/2024-01-20.pdf"
  Expenses:Test:Elderly    600.00 CNY
  Assets:Test:Bank

2024-01-21 * "幸福食堂" "老年食堂桌椅"
  project: "T-01"
  Expenses:Test:Elderly    400.00 CNY
  Assets:Test:Bank
"""


def _codes(problems, code):
    return [p for p in problems if f" {code} " in p]


def test_missing_receipt_file_and_large_expense_without_receipt(district):
    district.project({**PROJECT, "budget": "5000.00", "funding": {"政府拨": "5000.00"}})
    district.ledger(LEDGER.replace("400.00", "1400.00"))
    problems = district.problems()
    assert _codes(problems, "SL801") and "receipts/2024-01-20.pdf 不存在" in _codes(problems, "SL801")[0]
    assert [p.split(":")[1] for p in _codes(problems, "W802")] == ["11"]
    (district.root / "ledger/funds/Test/receipts").mkdir()
    (district.root / "ledger/funds/Test/receipts/2024-01-20.pdf").write_bytes(b"%PDF-1.4\n")
    assert not _codes(district.problems(), "SL801")


def test_receipt_path_cannot_leave_the_fund(district):
    district.ledger(LEDGER.replace("receipts/2024-01-20.pdf", "../../../sunledger.yml"))
    assert "超出基金目录" in _codes(district.problems(), "SL801")[0]


def _with_receipt(district):
    district.write("ledger/funds/Test/receipts/2024-01-20.pdf", "%PDF-1.4\n")


def _calendar(district, as_of):
    from sunledger.check import check_root

    return [p.line(district.root) for p in check_root(district.root, as_of=as_of)]


def test_overdue_notice_then_sealed_late(district):
    district.ledger(LEDGER)
    _with_receipt(district)
    assert not _codes(_calendar(district, dt.date(2024, 2, 10)), "W901")  # still within 10 days
    late = _codes(_calendar(district, dt.date(2024, 2, 11)), "W901")
    assert late and "2024-01 月度公示已逾期" in late[0]
    from sunledger.sealing import seal_month

    seal_month(district.root, "Test", "2024-01", "2024-02-20")
    after = _calendar(district, dt.date(2024, 3, 1))
    assert not _codes(after, "W901")
    assert "晚于期限 2024-02-10" in _codes(after, "W902")[0]


def test_project_reports_and_annual_report(district):
    district.project({**PROJECT, "started": "2024-01-15"})
    district.ledger(LEDGER)
    out = _calendar(district, dt.date(2024, 9, 1))
    assert _codes(out, "W903")  # running > 6 months, no progress report
    district.project({**PROJECT, "started": "2024-01-15", "reports": [{"date": "2024-07-01", "kind": "进度", "title": "半年进展"}]})
    assert not _codes(_calendar(district, dt.date(2024, 9, 1)), "W903")
    district.project({**PROJECT, "started": "2024-01-15", "completed": "2024-03-01"})
    assert _codes(_calendar(district, dt.date(2024, 6, 2)), "W904")
    assert not _codes(_calendar(district, dt.date(2025, 5, 31)), "W905")
    assert _codes(_calendar(district, dt.date(2025, 6, 1)), "W905")


def test_a_correction_must_reverse_something_of_its_month(district):
    district.ledger(LEDGER + """
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
    _with_receipt(district)
    w404 = _codes(district.problems(dt.date(2024, 2, 5)), "W404")
    assert len(w404) == 1 and "2024-01" in w404[0]  # the Gov refund reverses the January grant; the other reverses nothing
