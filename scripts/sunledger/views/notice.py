"""月度公示: a fund's month, line by line, against the bank statement."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..district import District
from ..ledger.accounts import BANK
from ..ledger.movements import OPENING, OTHER, RECEIVED, SPENT, Movement, movement
from ..ledger.seal import corrected_entries
from ..periods import first_day, month_of, next_month
from .common import ZERO, Line, line_of


@dataclass
class Correction:
    date: dt.date
    corrects: str
    reason: str
    line: Line
    originals: tuple[Line, ...] = ()  # the entries of the corrected month it reverses


@dataclass
class Notice:
    code: str
    name: str
    month: str
    opening: Decimal
    income: Decimal
    spending: Decimal
    closing: Decimal
    lines: list[Line]
    bank_asserted: Decimal | None  # the balance the bank statement says at month end
    bank_closing: Decimal  # what the ledger says the bank holds at month end
    sealed_on: dt.date | None
    corrections: list[Correction]  # entries made later that correct this month
    corrections_made: list[Correction]  # entries in this month that correct earlier ones
    carried: Decimal = ZERO  # 期初结转: old balances brought in this month (not income)
    other: Decimal = ZERO  # 往来: deposits and payables (Liabilities), neither income nor spending

    @property
    def matches_bank(self) -> bool | None:
        return None if self.bank_asserted is None else self.bank_asserted == self.bank_closing


@dataclass(frozen=True)
class MonthTotals:
    """The month's summary lines: opening + carried + income - spending + other = closing."""

    income: Decimal = ZERO  # the Income accounts
    spending: Decimal = ZERO  # the Expenses accounts (a refund lowers it)
    carried: Decimal = ZERO
    other: Decimal = ZERO

    def add(self, m: Movement) -> MonthTotals:
        return MonthTotals(
            self.income + m.total(RECEIVED), self.spending - m.total(SPENT),
            self.carried + m.total(OPENING), self.other + m.total(OTHER),
        )

    @property
    def net(self) -> Decimal:
        return self.carried + self.income - self.spending + self.other


def all_notices(district: District, code: str) -> list[Notice]:
    """Every month of the fund with entries, in one pass over its books (200 funds x years of months)."""
    books = district.books[code]
    by_month: dict[str, list] = defaultdict(list)
    later: dict[str, list] = defaultdict(list)  # corrected month -> correcting txns
    for txn in books.txns:
        by_month[month_of(txn.date)].append(txn)
        if txn.meta.get("corrects") is not None:
            later[str(txn.meta["corrects"])].append(txn)
    asserted: dict = {}
    for b in books.balances:
        role = district.classify(b.account)
        if role is not None and role.kind == BANK:
            asserted[b.date] = asserted.get(b.date, ZERO) + b.amount.number
    lines: dict[int, Line] = {}

    def line(txn) -> Line:
        key = id(txn)
        if key not in lines:
            lines[key] = line_of(district, txn)
        return lines[key]

    def correction(txn) -> Correction:
        named = str(txn.meta["corrects"])
        originals = tuple(line(t) for t in corrected_entries(txn, by_month.get(named, [])))
        return Correction(txn.date, named, str(txn.meta.get("reason", "")), line(txn), originals)

    out: list[Notice] = []
    opening = bank_open = ZERO
    for month in sorted(by_month):
        end = first_day(next_month(month))
        txns = by_month[month]
        shown = [line(t) for t in txns]
        moved = [movement(district.classify, t) for t in txns]
        bank_delta = sum((m.bank for m in moved), ZERO)
        made = [correction(t) for t in txns if t.meta.get("corrects") is not None]
        after = [correction(t) for t in later.get(month, []) if t.date >= end]
        totals = MonthTotals()
        for m in moved:
            totals = totals.add(m)
        seal = books.seals.get(month)
        out.append(
            Notice(
                code, books.fc.fund.name, month, opening, totals.income, totals.spending, opening + totals.net, shown,
                asserted.get(end), bank_open + bank_delta, seal.date if seal is not None else None, after, made,
                totals.carried, totals.other,
            )
        )
        opening += sum((m.money for m in moved), ZERO)
        bank_open += bank_delta
    return out


def notice(district: District, code: str, month: str) -> Notice:
    """The notice of one month with entries (KeyError for a month without)."""
    for n in all_notices(district, code):
        if n.month == month:
            return n
    raise KeyError(f"{code} {month}")


def notice_months(district: District, code: str) -> list[str]:
    return sorted({month_of(t.date) for t in district.books[code].txns})
