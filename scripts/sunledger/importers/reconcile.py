"""Reconciliation (对账): a statement against the ledger, for one account.

Pure: a parsed statement and the ledger's entries in, a `Reconciliation`
out. For each month of the statement: its opening and closing balance, money
in and out, beside the ledger's; then the statement lines the ledger lacks
and the ledger transactions the statement lacks, paired by `match.pairs`
(the same rule the importer uses to skip duplicates).

A correction of a sealed month (`corrects:`) that no statement line pairs
with is no difference: it books, in an open month, what the sealed month got
wrong (DEVELOPING.md). It is listed apart and left out of the month's money
in and out, so the month agrees when its closing balance does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from ..terminal import pad, width
from . import match
from . import statement as st
from .statement import Line, Statement

ZERO = Decimal(0)


@dataclass(frozen=True)
class Posted:
    """A ledger transaction as it moves the reconciled account."""

    date: dt.date
    amount: Decimal
    payee: str
    narration: str
    filename: str
    lineno: int
    corrects: str | None = None  # the sealed month a correction names

    @classmethod
    def of(cls, txn: data.Transaction, account: str) -> Posted:
        return cls(
            txn.date,
            match.amount_on(txn, account),
            txn.payee or "",
            txn.narration or "",
            str(txn.meta.get("filename", "")),
            int(txn.meta.get("lineno", 0) or 0),
            str(txn.meta["corrects"]) if match.is_correction(txn) else None,
        )


@dataclass(frozen=True)
class Month:
    month: str
    statement_open: Decimal | None  # None: the statement has no balance column
    statement_close: Decimal | None
    statement_in: Decimal
    statement_out: Decimal  # positive: money out
    ledger_open: Decimal
    ledger_close: Decimal
    ledger_in: Decimal
    ledger_out: Decimal
    asserted: Decimal | None  # the ledger's balance assertion on the 1st of the next month
    corrected: Decimal = ZERO  # corrections of sealed months in this month, on no statement line (not in ledger_in/out)

    @property
    def difference(self) -> Decimal | None:
        """Statement minus ledger at the month's end (flows when there is no balance)."""
        if self.statement_close is not None:
            return self.statement_close - self.ledger_close
        return (self.statement_in - self.statement_out) - (self.ledger_in - self.ledger_out)

    @property
    def agrees(self) -> bool:
        flows = self.statement_in == self.ledger_in and self.statement_out == self.ledger_out
        if self.statement_close is None:
            return flows
        asserted = self.asserted is None or self.asserted == self.statement_close
        return flows and self.difference == 0 and asserted


@dataclass(frozen=True)
class Break:
    """Two consecutive statement lines whose balances do not follow from the amounts."""

    line: int
    expected: Decimal
    found: Decimal


@dataclass
class Reconciliation:
    account: str
    statement: Statement
    start: dt.date
    end: dt.date
    months: list[Month]
    matched: list[tuple[Line, Posted]] = field(default_factory=list)
    missing: list[Line] = field(default_factory=list)  # on the statement, not in the ledger
    extra: list[Posted] = field(default_factory=list)  # in the ledger, not on the statement
    corrections: list[Posted] = field(default_factory=list)  # corrections of sealed months, not on the statement
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra and not self.breaks and all(m.agrees for m in self.months)


def balance_chain(lines: Sequence[Line]) -> list[Break]:
    """Lines where the printed balance is not the previous balance plus the amount."""
    out = []
    prev: Decimal | None = None
    for ln in lines:
        if ln.balance is None:
            prev = None
            continue
        if prev is not None and prev + ln.amount != ln.balance:
            out.append(Break(ln.line, prev + ln.amount, ln.balance))
        prev = ln.balance
    return out


def _ledger_balance(postings: Sequence[Posted], before: dt.date) -> Decimal:
    return sum((p.amount for p in postings if p.date < before), ZERO)


def reconcile(stmt: Statement, entries: Sequence, account: str, month: str | None = None, window: int = match.WINDOW) -> Reconciliation:
    """The statement of `account` against the ledger `entries` (all of them: balances need history).

    `month` ("YYYY-MM") narrows the report to one month of the statement;
    pairing still looks across its edges so a line booked a day later is no
    false alarm.
    """
    span = stmt.span
    if span is None:
        raise ValueError("对账单没有交易，也没有注明起止日期")
    start, end = span
    if month is not None:
        first = dt.date.fromisoformat(month + "-01")
        if not (start <= st.month_end(first) and first <= end):
            raise ValueError(f"对账单（{start} 至 {end}）不含 {month}")
        start, end = max(start, first), min(end, st.month_end(first))

    posted = [Posted.of(t, account) for t in match.on_account(entries, account)]
    lo, hi = span[0] - dt.timedelta(days=window), span[1] + dt.timedelta(days=window)
    covered = {st.month_of(m) for m in st.months(*span)}
    near = [p for p in posted if lo <= p.date <= hi or p.corrects in covered]  # a correction of a month of the statement, booked any time later
    found = match.pairs(
        [(ln.date, ln.amount) for ln in stmt.lines],
        [(p.date, p.amount) for p in near],
        window,
        {j: p.corrects for j, p in enumerate(near) if p.corrects},
    )
    left = {i for i, _ in found}
    right = {j for _, j in found}

    def inside(day: dt.date) -> bool:
        return start <= day <= end

    matched = [(stmt.lines[i], near[j]) for i, j in found if inside(stmt.lines[i].date) or inside(near[j].date)]
    missing = [ln for i, ln in enumerate(stmt.lines) if i not in left and inside(ln.date)]
    extra = [p for j, p in enumerate(near) if j not in right and inside(p.date) and not p.corrects]
    corrections = [p for j, p in enumerate(near) if j not in right and inside(p.date) and p.corrects]
    # a correction is apart from its month's money when no line of that month is its own
    line_of = {j: stmt.lines[i] for i, j in found}
    apart = {id(p) for j, p in enumerate(near) if p.corrects and (j not in line_of or st.month_of(line_of[j].date) != st.month_of(p.date))}
    breaks = [b for b in balance_chain(stmt.lines) if any(ln.line == b.line and inside(ln.date) for ln in stmt.lines)]

    asserted = {e.date: e.amount.number for e in entries if isinstance(e, data.Balance) and e.account == account}
    closing = st.closings(stmt)
    months = []
    prev_close = st.opening(stmt)
    for first in st.months(span[0], span[1]):
        key = st.month_of(first)
        nxt = st.next_month_start(first)
        lines = [ln for ln in stmt.lines if st.month_of(ln.date) == key]
        ledger = [p for p in posted if st.month_of(p.date) == key and id(p) not in apart]
        close = closing.get(key)
        row = Month(
            month=key,
            statement_open=prev_close,
            statement_close=close,
            statement_in=sum((ln.amount for ln in lines if ln.amount > 0), ZERO),
            statement_out=-sum((ln.amount for ln in lines if ln.amount < 0), ZERO),
            ledger_open=_ledger_balance(posted, first),
            ledger_close=_ledger_balance(posted, nxt),
            ledger_in=sum((p.amount for p in ledger if p.amount > 0), ZERO),
            ledger_out=-sum((p.amount for p in ledger if p.amount < 0), ZERO),
            asserted=asserted.get(nxt),
            corrected=sum((p.amount for p in posted if st.month_of(p.date) == key and id(p) in apart), ZERO),
        )
        prev_close = close
        if month is None or key == month:
            months.append(row)
    return Reconciliation(account, stmt, start, end, months, matched, missing, extra, corrections, breaks)


# ----------------------------------------------------------------- report

def _yuan(number: Decimal | None, sign: bool = False) -> str:
    if number is None:
        return "—"
    return f"{number:+,.2f}" if sign else f"{number:,.2f}"


def _where(filename: str, lineno: int, root: Path | None) -> str:
    path = Path(filename)
    if root is not None:
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            pass
    return f"{path.as_posix()}:{lineno}"


def render(rec: Reconciliation, title: str = "", root: Path | None = None) -> str:
    """The report in Chinese, as `sunledger reconcile` prints it."""
    stmt = rec.statement
    name = _where(str(stmt.path), 0, root).rsplit(":", 1)[0]
    out = [
        f"对账：{title + ' ' if title else ''}{rec.account}",
        f"{st.KIND_ZH[stmt.kind]} {name}，{rec.start} 至 {rec.end}",
        f"对账单 {sum(1 for ln in stmt.lines if rec.start <= ln.date <= rec.end)} 笔，已与账本逐笔核对一致 {len(rec.matched)} 笔",
        "",
    ]
    has_balance = any(m.statement_close is not None for m in rec.months)
    heads = ["月份", "对账单月末", "账本月末", "差额", "对账单收入", "账本收入", "对账单支出", "账本支出", "余额断言", "结果"]
    rows = []
    for m in rec.months:
        asserted = "无" if m.asserted is None else ("一致" if m.asserted == m.statement_close else _yuan(m.asserted))
        rows.append([
            m.month,
            _yuan(m.statement_close),
            _yuan(m.ledger_close),
            _yuan(m.difference, sign=m.difference != 0),
            _yuan(m.statement_in),
            _yuan(m.ledger_in),
            _yuan(m.statement_out),
            _yuan(m.ledger_out),
            asserted if has_balance else "—",
            "相符" if m.agrees else "不符",
        ])
    widths = [max(width(r[i]) for r in [heads, *rows]) for i in range(len(heads))]
    for r in [heads, *rows]:
        out.append("  ".join(pad(c, w, left=i in (0, 8, 9)) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    if not has_balance:
        out.append("（此账单无余额列：按各月收入、支出合计核对）")
    if rec.breaks:
        out += ["", f"对账单余额不连续（{len(rec.breaks)} 处）："]
        out += [f"  第 {b.line} 行：按上一行余额加本笔金额应为 {_yuan(b.expected)}，对账单为 {_yuan(b.found)}" for b in rec.breaks]
    if rec.missing:
        out += ["", f"对账单有、账本没有（{len(rec.missing)} 笔）："]
        out += [
            f"  {ln.date}  {_yuan(ln.amount, True):>12}  {ln.payee or '—'}  {ln.narration}  （对账单第 {ln.line} 行）"
            for ln in rec.missing
        ]
    if rec.extra:
        out += ["", f"账本有、对账单没有（{len(rec.extra)} 笔）："]
        out += [
            f"  {p.date}  {_yuan(p.amount, True):>12}  {p.payee or '—'}  {p.narration}  （{_where(p.filename, p.lineno, root)}）"
            for p in rec.extra
        ]
    if rec.corrections:
        out += ["", f"冲正已封账月份、不在对账单上（{len(rec.corrections)} 笔，不计入本月收支，已计入账本月末余额）："]
        out += [
            f"  {p.date}  {_yuan(p.amount, True):>12}  {p.payee or '—'}  {p.narration}  更正 {p.corrects}  （{_where(p.filename, p.lineno, root)}）"
            for p in rec.corrections
        ]
    out.append("")
    if rec.ok:
        out.append("结论：相符。对账单与账本逐笔一致，各月余额相等。")
    else:
        parts = []
        if rec.missing:
            parts.append(f"{len(rec.missing)} 笔对账单交易未入账")
        if rec.extra:
            parts.append(f"{len(rec.extra)} 笔账本交易不在对账单上")
        bad = [m.month for m in rec.months if not m.agrees]
        if bad:
            parts.append(f"{'、'.join(bad)} 余额或收支不符")
        if rec.breaks:
            parts.append("对账单本身余额不连续")
        out.append(f"结论：不符。{'；'.join(parts)}。")
    return "\n".join(out) + "\n"


def as_json(rec: Reconciliation, root: Path | None = None) -> dict:
    def num(x: Decimal | None) -> str | None:
        return None if x is None else f"{x:.2f}"

    return {
        "account": rec.account,
        "statement": _where(str(rec.statement.path), 0, root).rsplit(":", 1)[0],
        "kind": rec.statement.kind,
        "start": rec.start.isoformat(),
        "end": rec.end.isoformat(),
        "ok": rec.ok,
        "matched": len(rec.matched),
        "months": [
            {
                "month": m.month,
                "statement_open": num(m.statement_open),
                "statement_close": num(m.statement_close),
                "ledger_open": num(m.ledger_open),
                "ledger_close": num(m.ledger_close),
                "statement_in": num(m.statement_in),
                "statement_out": num(m.statement_out),
                "ledger_in": num(m.ledger_in),
                "ledger_out": num(m.ledger_out),
                "asserted": num(m.asserted),
                "agrees": m.agrees,
            }
            for m in rec.months
        ],
        "missing": [
            {"line": ln.line, "date": ln.date.isoformat(), "amount": num(ln.amount), "payee": ln.payee, "narration": ln.narration}
            for ln in rec.missing
        ],
        "extra": [
            {"where": _where(p.filename, p.lineno, root), "date": p.date.isoformat(), "amount": num(p.amount), "payee": p.payee, "narration": p.narration}
            for p in rec.extra
        ],
        "corrections": [
            {"where": _where(p.filename, p.lineno, root), "date": p.date.isoformat(), "amount": num(p.amount), "corrects": p.corrects, "narration": p.narration}
            for p in rec.corrections
        ],
        "breaks": [{"line": b.line, "expected": num(b.expected), "found": num(b.found)} for b in rec.breaks],
    }
