"""`sunledger seal FUND YYYY-MM`: append the month's seal to the fund's ledger.

A month is sealed only with its closing balance: every bank account of the
fund that has money moving by the month's end needs its balance assertion on
the first day of the next month (DEVELOPING.md), else what is published was
never checked against the bank.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from beancount.core import data

from .ledger.accounts import BANK
from .ledger.load import load
from .ledger.seal import ENTRIES_KEY, SEAL, digest, entry_list, month_end, month_entries
from .rules.context import context


class SealError(Exception):
    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def seal_month(root: Path, code: str, month: str, on: str | None = None) -> str:
    if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", month):
        raise SealError(f"月份“{month}”格式应为 YYYY-MM", 2)
    fund_file = root / "ledger" / "funds" / code / "fund.beancount"
    if not fund_file.is_file():
        raise SealError(f"没有基金 {code}：找不到 {fund_file.relative_to(root)}", 2)
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError as exc:
        raise SealError(f"日期“{on}”格式应为 YYYY-MM-DD", 2) from exc
    if day <= month_end(month):
        raise SealError(f"{month} 尚未结束，不能封存")
    entries, errors, options_map = load(fund_file)
    # SL907 (an annual report before its year is sealed) is what sealing the year fixes
    blocking = [e for e in errors if not str(e.message).startswith(("SL401", "SL907", "W"))]
    if blocking:
        raise SealError(f"账本有 {len(blocking)} 个错误，先运行 sunledger check 修正后再封存")
    ctx = context(entries, options_map)
    if ctx is None:
        raise SealError("找不到 sunledger.yml")
    fc = ctx.content.funds.get(code)
    if fc is not None and fc.fund.cutover is not None and month_end(month) < fc.fund.cutover:
        raise SealError(f"{month} 在基金 {code} 的接入日期 {fc.fund.cutover} 之前：接入前的账只作为期初余额公示，不用封存；"
                        f"从 {fc.fund.cutover:%Y-%m} 起逐月封存", 2)
    for e in entries:
        if getattr(e, "type", None) == SEAL and [v.value for v in e.values][:2] == [code, month]:
            raise SealError(f"{code} {month} 已经封存（{e.meta['filename']}:{e.meta['lineno']}）")

    def belongs(account: str) -> bool:
        role = ctx.classify(account)
        return role is not None and role.code == code

    def bank(account: str) -> bool:
        role = ctx.classify(account)
        return role is not None and role.code == code and role.kind == BANK

    unasserted = missing_closing_balances(entries, bank, month)
    if unasserted:
        raise SealError(no_closing_balance(code, month, unasserted), 2)
    sealed = month_entries(entries, belongs, month)
    line = f'{day} custom "{SEAL}" "{code}" "{month}" "{digest(sealed)}"\n  {ENTRIES_KEY}: "{entry_list(sealed)}"'
    seals = fund_file.parent / "seals.beancount"
    text = seals.read_text(encoding="utf-8") if seals.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    seals.write_text(text + line + "\n", encoding="utf-8")
    return line


def closing_day(month: str) -> dt.date:
    """The date of a month's closing balance assertion: the first day of the next month."""
    return month_end(month) + dt.timedelta(days=1)


def missing_closing_balances(entries: list, bank, month: str) -> list[str]:
    """Bank accounts (`bank(account)`) with a transaction by the month's end and no balance assertion closing it."""
    end = month_end(month)
    used = sorted({p.account for e in entries if isinstance(e, data.Transaction) and e.date <= end for p in e.postings if bank(p.account)})
    asserted = [e.account for e in entries if isinstance(e, data.Balance) and e.date == end + dt.timedelta(days=1)]
    return [a for a in used if not any(a == b or a.startswith(b + ":") for b in asserted)]


def no_closing_balance(code: str, month: str, accounts: list[str]) -> str:
    day = closing_day(month)
    lines = "\n".join(f"  {day} balance {a}  对账单上 {month} 月末的余额 CNY" for a in accounts)
    return (
        f"{code} {month} 没有月末余额断言，不能封存：请按银行对账单在 txns/{day:%Y-%m}.beancount 开头写\n{lines}\n"
        f"或者用 sunledger close {code} {month} --statement 对账单文件，一步导入、对账、写断言并封存"
    )
