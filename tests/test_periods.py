"""periods.py: the one calendar arithmetic (months are "YYYY-MM" strings)."""

from __future__ import annotations

import datetime as dt

from sunledger.periods import (
    Period,
    add_months,
    first_day,
    is_month,
    month_end,
    month_of,
    months,
    next_month,
    parse_month,
    shift_month,
)


def test_months_carry_over_the_year():
    assert month_of(dt.date(2024, 12, 31)) == "2024-12"
    assert next_month("2024-12") == "2025-01"
    assert shift_month("2025-02", -2) == "2024-12" and shift_month("2025-03", -14) == "2024-01"
    assert months("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert months("2025-02", "2025-01") == []
    assert first_day("2024-02") == dt.date(2024, 2, 1) and month_end("2024-02") == dt.date(2024, 2, 29)


def test_a_day_months_later_stays_in_its_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 15)


def test_typed_months_and_periods():
    assert [parse_month(t) for t in ("2025-03", "2025-3", "202503", "2025", "2025-13", "May")] == [
        "2025-03", "2025-03", "2025-03", "2025-01", None, None,
    ]
    assert parse_month("2025", end=True) == "2025-12" and parse_month(" ", "2024-01") == "2024-01"
    assert is_month("2025-01") and not is_month("2025-1") and not is_month(None)
    q = Period("2024-11", "2025-01")
    assert q.first == dt.date(2024, 11, 1) and q.stop == dt.date(2025, 2, 1)
    assert dt.date(2025, 1, 31) in q and dt.date(2025, 2, 1) not in q
