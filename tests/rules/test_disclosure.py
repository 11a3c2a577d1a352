"""W901–W905 (rules/disclosure.py): the disclosure calendar: monthly notices, project progress
and final reports, annual reports, each by its deadline."""

from __future__ import annotations

import datetime as dt

from conftest import PROJECT

from .harness import codes
from .test_receipts import LEDGER, with_receipt


def _calendar(district, as_of):
    from sunledger.check import check_root

    return [p.line(district.root) for p in check_root(district.root, as_of=as_of)]


def test_overdue_notice_then_sealed_late(district):
    district.ledger(LEDGER + "\n2024-02-01 balance Assets:Test:Bank 4000.00 CNY\n")  # a month is sealed with its closing balance
    with_receipt(district)
    assert not codes(_calendar(district, dt.date(2024, 2, 10)), "W901")  # still within 10 days
    late = codes(_calendar(district, dt.date(2024, 2, 11)), "W901")
    assert late and "2024-01 月度公示已逾期" in late[0]
    from sunledger.sealing import seal_month

    seal_month(district.root, "Test", "2024-01", "2024-02-20")
    after = _calendar(district, dt.date(2024, 3, 1))
    assert not codes(after, "W901")
    assert "晚于期限 2024-02-10" in codes(after, "W902")[0]


def test_project_reports_and_annual_report(district):
    district.project({**PROJECT, "started": "2024-01-15"})
    district.ledger(LEDGER)
    out = _calendar(district, dt.date(2024, 9, 1))
    assert codes(out, "W903")  # running > 6 months, no progress report
    district.project({**PROJECT, "started": "2024-01-15", "reports": [{"date": "2024-07-01", "kind": "进度", "title": "半年进展"}]})
    assert not codes(_calendar(district, dt.date(2024, 9, 1)), "W903")
    district.project({**PROJECT, "started": "2024-01-15", "completed": "2024-03-01"})
    assert codes(_calendar(district, dt.date(2024, 6, 2)), "W904")
    assert not codes(_calendar(district, dt.date(2025, 5, 31)), "W905")
    assert codes(_calendar(district, dt.date(2025, 6, 1)), "W905")
