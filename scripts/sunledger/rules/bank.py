"""SL301/W302/SL303/SL304: the bank balance never goes below zero, is
asserted every month to the fen, and is never papered over with `pad`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from ..errors import error, warning
from ..ledger.accounts import BANK
from ..periods import month_of, months
from .context import Ctx, context, rule, where


def _bank(ctx: Ctx, account: str) -> bool:
    role = ctx.classify(account)
    return role is not None and role.kind == BANK


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    balance: dict[str, Decimal] = defaultdict(Decimal)
    first_txn: dict[str, dt.date] = {}
    touched: dict[str, data.Transaction] = {}  # account -> last transaction of the current day
    day = None

    def close_day() -> None:
        for account, txn in touched.items():
            if balance[account] < 0:
                errors.append(error(where(txn), "SL301", f"银行账户 {account} 在 {day} 日终余额为 {balance[account]:,.2f} 元，不能为负", txn))
        touched.clear()

    for e in entries:
        if isinstance(e, data.Balance) and _bank(ctx, e.account):
            # beancount lets a balance pass within ±0.01; a fund's books must match to the fen
            held = sum((v for a, v in balance.items() if a == e.account or a.startswith(e.account + ":")), Decimal(0))
            assert e.amount.number is not None  # a balance always states its amount
            diff = e.amount.number - held
            if diff and abs(diff) <= Decimal("0.01"):
                errors.append(error(where(e), "SL304", f"余额断言 {e.amount.number:,.2f} 元与账面 {held:,.2f} 元相差 {diff:+.2f} 元；须与银行对账单分毫不差", e))
            continue
        if not isinstance(e, data.Transaction):
            continue
        if e.date != day:
            close_day()
            day = e.date
        for p in e.postings:
            if p.units is not None and p.units.number is not None and _bank(ctx, p.account):
                balance[p.account] += p.units.number
                touched[p.account] = e
                if e.flag != "P":
                    first_txn.setdefault(p.account, e.date)
    close_day()

    for e in entries:
        if isinstance(e, data.Pad):
            role = ctx.classify(e.account)
            first = first_txn.get(e.account)
            if role is not None and first is not None and e.date > first:
                errors.append(
                    error(where(e), "SL303", f"{e.account} 在 {first} 已有交易，之后不得使用 pad（它会自动补平差额、掩盖错误）；请查明差额并如实记账", e)
                )
    return errors


def warnings(entries: list, options_map: dict, **_kw) -> list:
    """W302: a month of a bank account with activity but no balance assertion.

    An assertion dated D checks the balance at the start of D, so it closes
    the month of D minus one day; months before the last entry's month count.
    """
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    first: dict[str, tuple[dt.date, data.Open | None]] = {}
    last: dict[str, dt.date] = {}  # per fund, so a fund checked alone warns the same
    asserted: dict[str, set[str]] = defaultdict(set)
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}

    def seen(account: str, day: dt.date) -> None:
        role = ctx.classify(account)
        if role is not None and (role.code not in last or day > last[role.code]):
            last[role.code] = day

    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                seen(p.account, e.date)
                if p.account not in first and _bank(ctx, p.account):
                    first[p.account] = (e.date, opens.get(p.account))
        elif isinstance(e, data.Balance):
            seen(e.account, e.date)
            if _bank(ctx, e.account):
                asserted[e.account].add(month_of(e.date - dt.timedelta(days=1)))
    out = []
    for account, (start, opened) in sorted(first.items()):
        role = ctx.classify(account)
        assert role is not None  # a bank account is one of a fund's
        fund = role.fund.fund
        stop = month_of(last[fund.code])
        start = max(start, fund.cutover or start)  # adopted books assert from their cut-over on
        for month in months(month_of(start), stop)[:-1]:
            if month not in asserted[account]:
                out.append(warning(where(opened) if opened else {}, "W302", f"银行账户 {account} 的 {month} 没有月末余额断言（应在次月1日记 balance）"))
    return out


bank = rule(check)
__plugins__ = ("bank",)
