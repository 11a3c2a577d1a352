"""Months and periods: the one calendar arithmetic of sunledger.

A month is the text "YYYY-MM" everywhere: in metadata (`period:`,
`corrects:`), in seals, file names, URLs and views. Written so, months sort and
compare as strings ("2024-12" < "2025-01"), and a loop over months is a loop
over strings. Days are `datetime.date`. Nothing here knows of funds; the
deadlines built on these months are in `ledger/deadlines.py`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"  # also the pydantic pattern of months in content/
_MONTH = re.compile(MONTH_PATTERN)
_TYPED = re.compile(r"^(\d{4})-?(\d{1,2})?$")


def is_month(text: object) -> bool:
    return isinstance(text, str) and _MONTH.match(text) is not None


def _ym(month: str) -> tuple[int, int]:
    y, m = month.split("-")
    return int(y), int(m)


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def month_of(day: dt.date) -> str:
    return _month(day.year, day.month)


def first_day(month: str) -> dt.date:
    return dt.date(*_ym(month), 1)


def month_end(month: str) -> dt.date:
    """The month's last day."""
    y, m = _ym(month)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def shift_month(month: str, n: int) -> str:
    """The month `n` months later (earlier when `n` < 0)."""
    y, m = _ym(month)
    y, m = divmod(y * 12 + m - 1 + n, 12)
    return _month(y, m + 1)


def next_month(month: str) -> str:
    return shift_month(month, 1)


def months(start: str, end: str) -> list[str]:
    """The months from `start` to `end`, both included; [] when `end` < `start`."""
    out, m = [], start
    while m <= end:
        out.append(m)
        m = next_month(m)
    return out


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day `n` months later, or that month's last day (31 Jan + 1 = 28/29 Feb)."""
    y, m = _ym(shift_month(month_of(day), n))
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def parse_month(text: str | None, default: str | None = None, *, end: bool = False) -> str | None:
    """A month as people type it: "2025-03", "2025-3", "202503", or a year
    ("2025": its January, or its December when it ends a period); `default`
    when nothing was typed, None when what was typed is no month."""
    text = (text or "").strip()
    if not text:
        return default
    match = _TYPED.match(text)
    if match is None:
        return None
    month = int(match.group(2) or (12 if end else 1))
    return _month(int(match.group(1)), month) if 1 <= month <= 12 else None


@dataclass(frozen=True)
class Period:
    """The months `start` … `end` ("YYYY-MM", both included)."""

    start: str
    end: str

    @property
    def first(self) -> dt.date:
        return first_day(self.start)

    @property
    def stop(self) -> dt.date:
        """The first day after the period."""
        return first_day(next_month(self.end))

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day < self.stop
