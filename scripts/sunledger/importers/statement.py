"""A statement as the importers and the reconciliation see it.

Every dialect (bank CSV/XLSX, Alipay, WeChat Pay) turns its file into a
`Statement`: lines in date order, amounts signed from the fund's side
(+ money in, − money out), the counterparty already fit to publish (masked
person or organisation; its account number is never read).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import table
from .table import StatementError

BANK, ALIPAY, WECHAT = "bank", "alipay", "wechat"
KIND_ZH = {BANK: "银行对账单", ALIPAY: "支付宝账单", WECHAT: "微信支付账单"}


@dataclass(frozen=True)
class Line:
    """One transaction of a statement."""

    line: int  # row number in the file, 1-based (the header and preamble count)
    date: dt.date
    amount: Decimal  # + into the account, − out of it
    balance: Decimal | None  # the account's balance after this line, when the export has it
    payee: str  # counterparty fit to publish; "" when none
    narration: str  # 摘要 / 商品说明, private numbers removed
    ref: str = ""  # the bank's serial or the order number
    time: str = ""


@dataclass
class Statement:
    path: Path
    kind: str
    lines: list[Line]
    account_tail: str | None = None  # last four digits of the account the statement is for
    period: tuple[dt.date, dt.date] | None = None  # as printed in the preamble
    notes: list[tuple[int, str]] = field(default_factory=list)  # (row, why it was skipped)

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        """The dates covered: the printed period, else the whole months of its lines."""
        if self.period is not None:
            return self.period
        if not self.lines:
            return None
        first, last = self.lines[0].date, self.lines[-1].date
        return first.replace(day=1), month_end(last)


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(day: dt.date) -> dt.date:
    return next_month_start(day) - dt.timedelta(days=1)


def next_month_start(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# ----------------------------------------------------------------- headers

def _norm(cell: str) -> str:
    """'金额(元)' '贷方发生额（收入）' ' 交易对方 ' → '金额' '贷方发生额' '交易对方'."""
    return re.sub(r"[（(][^）)]*[）)]", "", cell).replace(" ", "").replace("\u3000", "").strip()


Columns = dict[str, int]


def find_header(rows: Sequence[Sequence[str]], aliases: dict[str, tuple[str, ...]], needs: Iterable[tuple[str, ...]]) -> tuple[int, Columns] | None:
    """The first row (index) whose cells name the fields in each of `needs`.

    `aliases` maps a field to the header texts that mean it, in preference
    order; `needs` lists alternatives: each tuple is a set of fields that
    together make a header (e.g. date + in + out, or date + amount).
    """
    needs = list(needs)
    for i, row in enumerate(rows[:60]):
        names = [_norm(c) for c in row]
        cols: Columns = {}
        for fld, texts in aliases.items():
            for text in texts:
                if text in names:
                    idx = names.index(text)
                    if idx not in cols.values():
                        cols[fld] = idx
                        break
        if any(all(f in cols for f in need) for need in needs):
            return i, cols
    return None


def cell(row: Sequence[str], cols: Columns, fld: str) -> str:
    i = cols.get(fld)
    return row[i] if i is not None and i < len(row) else ""


# ----------------------------------------------------------------- preamble

_TAIL_LABELS = ("账号", "帐号", "账户号", "卡号", "账户", "帐户")
_PERIOD_LABELS = ("起止", "起始", "期间", "日期范围", "查询日期", "对账日期", "时间范围")
_ANY_DATE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\b\d{8}\b")


def account_tail(preamble: Sequence[Sequence[str]]) -> str | None:
    """The last four digits of the account number printed above the header."""
    for row in preamble:
        cells = [c for c in row if c]
        for j, c in enumerate(cells):
            label = next((lab for lab in _TAIL_LABELS if c.startswith(lab)), None)
            after = c[len(label):] if label else ""
            if label is None or (after and after[0] not in "：: *＊" and not after[0].isdigit()):
                continue  # 账户名称, 账户余额, 账户类型: not the number
            rest = after.lstrip("：: ")
            value = rest or (cells[j + 1] if j + 1 < len(cells) else "")
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 4:
                return digits[-4:]
    return None


def period(preamble: Sequence[Sequence[str]]) -> tuple[dt.date, dt.date] | None:
    for row in preamble:
        text = " ".join(c for c in row if c)
        if not any(lab in text for lab in _PERIOD_LABELS):
            continue
        found = [table.when(m.group()) for m in _ANY_DATE.finditer(text)]
        dates = [w[0] for w in found if w is not None]
        if len(dates) >= 2 and dates[0] <= dates[1]:
            return dates[0], dates[1]
    return None


# ----------------------------------------------------------------- lines

def chronological(lines: list[Line]) -> list[Line]:
    """Exports list newest first (Alipay, WeChat, some banks) or oldest first."""
    if len(lines) > 1 and (lines[0].date, lines[0].time) > (lines[-1].date, lines[-1].time):
        lines = lines[::-1]
    return sorted(lines, key=lambda ln: (ln.date, ln.time))  # stable: equal times keep the file's order


RowParser = Callable[[int, Sequence[str]], "Line | str | None"]


def parse_lines(rows: Sequence[Sequence[str]], start: int, parse_row: RowParser) -> tuple[list[Line], list[tuple[int, str]]]:
    """Apply `parse_row` to each row after the header.

    It returns a Line, a reason (str) to skip a transaction row, or None for a
    row that is no transaction at all (blank, totals, footer).
    """
    lines: list[Line] = []
    notes: list[tuple[int, str]] = []
    for i in range(start, len(rows)):
        row = rows[i]
        if not any(row):
            continue
        try:
            got = parse_row(i + 1, row)
        except StatementError as exc:
            notes.append((i + 1, str(exc)))
            continue
        if isinstance(got, Line):
            lines.append(got)
        elif isinstance(got, str):
            notes.append((i + 1, got))
    return chronological(lines), notes


def read(path: str | Path) -> list[list[str]]:
    return table.read_rows(path)


# ----------------------------------------------------------------- balances

def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first` to `last`, inclusive."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = next_month_start(day)
    return out


def closings(stmt: Statement) -> dict[str, Decimal | None]:
    """The statement's balance at the end of each month of its span.

    Taken from the balance after the month's last line; a month without
    lines carries the balance before it. None without a balance column.
    """
    span = stmt.span
    if span is None:
        return {}
    with_balance = [ln for ln in stmt.lines if ln.balance is not None]
    before = opening(stmt)
    out: dict[str, Decimal | None] = {}
    for start in months(*span):
        end = month_end(start)
        upto = [ln for ln in with_balance if ln.date <= end]
        out[month_of(start)] = upto[-1].balance if upto else before
    return out


def opening(stmt: Statement) -> Decimal | None:
    """The balance before the statement's first line, when the export has balances."""
    if stmt.lines and stmt.lines[0].balance is not None:
        return stmt.lines[0].balance - stmt.lines[0].amount
    return None


def complete_months(stmt: Statement) -> list[str]:
    """Months the statement covers to their last day: a balance may be asserted after them.

    With a printed period, those inside it; without one, every month before
    the month of the last line (the export may have stopped mid-month).
    """
    if not stmt.lines:
        return []
    if stmt.period is not None:
        first, last = stmt.period
        return [month_of(m) for m in months(first, last) if month_end(m) <= last]
    return [month_of(m) for m in months(stmt.lines[0].date, stmt.lines[-1].date)][:-1]
