"""`sunledger close FUND YYYY-MM [--statement FILE]`: month end in one step.

With a statement: import what the ledger lacks of the month (the importers'
own duplicate rule, so nothing twice), reconcile the month against the
statement with those lines included, write the closing balance assertion
(first day of the next month, the statement's closing balance), then seal.

What is written, and when:
- the statement does not agree with the ledger (plus the lines it would
  import): nothing at all; the differences are listed;
- it agrees and lines had to be imported: those lines (flagged `!`) and the
  assertion are written, the month is not sealed: imported lines are
  proposals, a person reviews them before the month is published; running
  `close` again then imports nothing and seals;
- it agrees and nothing was missing: the assertion (when the ledger has none)
  and the seal.
Without a statement the month must already have its closing assertion; then
this is `sunledger seal`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data

from .content.load import load_content
from .importers import statement as st
from .importers.base import SetupError, fund_target
from .importers.cli import append, propose, render_import
from .importers.reconcile import reconcile, render
from .importers.table import StatementError
from .ledger.load import load
from .ledger.seal import sealed_months
from .sealing import SealError, closing_day, month_end, seal_month


@dataclass
class Closed:
    """What `close` did, for the command to print."""

    report: str = ""  # the reconciliation, as `sunledger reconcile` prints it
    written: list[str] = field(default_factory=list)  # files written, relative to the root
    notes: list[str] = field(default_factory=list)
    seal: str | None = None  # the seal line, when the month was sealed


class CloseError(SealError):
    """Refused; `closed` holds what was printed or written before the refusal."""

    def __init__(self, message: str, status: int, closed: Closed):
        super().__init__(message, status)
        self.closed = closed


def close_month(root: Path, code: str, month: str, statement: Path | None = None, on: str | None = None) -> Closed:
    if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", month):
        raise SealError(f"月份“{month}”格式应为 YYYY-MM", 2)
    if statement is None:
        return Closed(seal=seal_month(root, code, month, on))
    fund_file = root / "ledger" / "funds" / code / "fund.beancount"
    if not fund_file.is_file():
        raise SealError(f"没有基金 {code}：找不到 {fund_file.relative_to(root)}", 2)
    if not statement.is_file():
        raise SealError(f"找不到对账单文件 {statement}", 2)
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError as exc:
        raise SealError(f"日期“{on}”格式应为 YYYY-MM-DD", 2) from exc
    if day <= month_end(month):
        raise SealError(f"{month} 尚未结束，不能封存")
    try:
        target = fund_target(root, code, load_content(root))
    except SetupError as exc:
        raise SealError(str(exc), 2) from exc
    entries, _errors, _options = load(fund_file)  # seal_month reports the ledger's errors
    seal = sealed_months(entries, code).get(month)
    if seal is not None:
        raise SealError(f"{code} {month} 已经封存（{_rel(root, seal.meta['filename'])}:{seal.meta['lineno']}）")

    try:
        got = propose(target, entries, list(entries), statement, month)
    except StatementError as exc:
        raise SealError(f"{statement}: {exc}", 2) from exc
    closed = Closed(notes=list(got.notes))
    if month not in st.complete_months(got.stmt):
        raise CloseError(f"对账单 {statement} 不含 {month} 的全月（到月末），写不出月末余额", 2, closed)
    balance = st.closings(got.stmt).get(month)
    if balance is None:
        raise CloseError(f"对账单 {statement} 没有余额列，写不出 {month} 的月末余额：请照银行的余额手写 balance，再运行 sunledger close {code} {month}", 2, closed)

    closing = data.Balance(data.new_metadata("<close>", 0), closing_day(month), got.account, data.Amount(balance, target.currency), None, None)
    new = [e for e in got.new if not (isinstance(e, data.Balance) and e.date == closing.date and e.account == got.account)]
    has_closing = any(isinstance(e, data.Balance) and e.date == closing.date and e.account == got.account for e in entries)
    rec = reconcile(got.stmt, [*entries, *new, *([] if has_closing else [closing])], got.account, month)
    title = f"{target.name}（{code}）"
    closed.report = render(rec, title, root)
    if not rec.ok:
        # shown as `sunledger reconcile` shows it, both sides: a wrong amount is a pair of lines, one each side
        closed.report = render(reconcile(got.stmt, entries, got.account, month), title, root)
        lines = sum(1 for e in new if isinstance(e, data.Transaction))
        would = f"（其中对账单有、账本没有的 {lines} 笔，对上之后 close 会导入）" if lines else ""
        raise CloseError(f"{month} 对账不符（见上）{would}，没有写入任何内容、没有封存：改正账本后再运行 sunledger close", 1, closed)

    for path, text in _files(root, code, got, new, statement).items():
        append(path, text)
        closed.written.append(_rel(root, path))
    if not has_closing:
        path = root / "ledger" / "funds" / code / "txns" / f"{closing.date:%Y-%m}.beancount"
        _prepend(path, f"{closing.date} balance {got.account}  {balance} {target.currency}  ; 对账单 {month} 月末余额\n")
        if _rel(root, path) not in closed.written:
            closed.written.append(_rel(root, path))
    imported = [e for e in new if isinstance(e, data.Transaction)]
    if imported:
        raise CloseError(
            f"导入了 {len(imported)} 笔账本没有的交易（标记 !，见 {'、'.join(closed.written)}）：逐笔核对、选定来源或类别、"
            f"支出补 project: 后把 ! 改为 *，再运行 sunledger close {code} {month} --statement {statement}（不会重复导入），"
            "这时才封存",
            1,
            closed,
        )
    try:
        closed.seal = seal_month(root, code, month, on)
    except SealError as exc:
        raise CloseError(str(exc), exc.status, closed) from exc
    return closed


def _files(root: Path, code: str, got, new: list, statement: Path) -> dict[Path, str]:
    """The new entries by the month file their date belongs in (an `open` goes with the first of them)."""
    by_month: dict[str, list] = {}
    for e in new:
        by_month.setdefault(f"{e.date:%Y-%m}", []).append(e)
    txns = root / "ledger" / "funds" / code / "txns"
    return {txns / f"{m}.beancount": render_import(statement, got.account, items, root) for m, items in sorted(by_month.items())}


def _prepend(path: Path, line: str) -> None:
    """The closing assertion opens the next month's file (DEVELOPING.md)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    path.write_text(line + ("\n" + before if before else ""), encoding="utf-8")


def _rel(root: Path, path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


__all__ = ["CloseError", "Closed", "close_month"]
