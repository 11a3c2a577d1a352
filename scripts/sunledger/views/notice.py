"""月度公示: a fund's month, line by line, against the bank statement."""

from __future__ import annotations

import datetime as dt
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


def correction(district: District, txn, txns) -> Correction:
    """A `corrects:` entry with the entries it reverses in the month it names."""
    month = str(txn.meta["corrects"])
    in_month = [t for t in txns if month_of(t.date) == month]
    originals = tuple(line_of(district, t) for t in corrected_entries(txn, in_month))
    return Correction(txn.date, month, str(txn.meta.get("reason", "")), line_of(district, txn), originals)


def notice(district: District, code: str, month: str) -> Notice:
    books = district.books[code]
    start, end = first_day(month), first_day(next_month(month))
    opening = bank_open = ZERO
    lines: list[Line] = []
    bank_delta = ZERO
    month_totals = MonthTotals()
    later: list[Correction] = []
    made: list[Correction] = []
    for txn in books.txns:
        m = movement(district.classify, txn)
        if txn.date < start:
            opening += m.money
            bank_open += m.bank
            continue
        corrects = txn.meta.get("corrects")
        if corrects is not None and str(corrects) == month and txn.date >= end:
            later.append(correction(district, txn, books.txns))
        if txn.date >= end:
            continue
        line = line_of(district, txn)
        lines.append(line)
        bank_delta += m.bank
        month_totals = month_totals.add(m)
        if corrects is not None:
            made.append(correction(district, txn, books.txns))
    asserted = None
    for b in books.balances:
        role = district.classify(b.account)
        if b.date == end and role is not None and role.kind == BANK:
            asserted = (asserted or ZERO) + b.amount.number
    seal = books.seals.get(month)
    return Notice(
        code,
        books.fc.fund.name,
        month,
        opening,
        month_totals.income,
        month_totals.spending,
        opening + month_totals.net,
        lines,
        asserted,
        bank_open + bank_delta,
        seal.date if seal is not None else None,
        later,
        made,
        month_totals.carried,
        month_totals.other,
    )


def notice_months(district: District, code: str) -> list[str]:
    books = district.books[code]
    return sorted({month_of(t.date) for t in books.txns})
