"""Small shared pieces: money, and how a line of the ledger is shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ..district import District, FundBooks
from ..ledger.accounts import INCOME
from ..ledger.movements import OPENING, RECEIVED, SPENT, movement
from ..periods import month_of, months
from ..privacy import mask_name, shows_name

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    """One movement of a fund's money, as a resident reads it."""

    date: dt.date
    payee: str
    narration: str
    amount: Decimal  # + into the fund, - out of it
    kind: str  # one of ledger.movements.KINDS: 收入 支出 期初结转 转账 往来
    source: str | None  # income source, or the source an opening balance belongs to
    category: str | None  # expense category
    project: str | None
    filename: str
    lineno: int
    corrects: str | None = None
    reason: str | None = None
    receipt: bool = False
    public_receipt: str | None = None  # the receipt's path under the fund's folder, when marked public
    fund: str = ""


def public_payee(district: District, txn: data.Transaction) -> str:
    """Payee as published: a resident donor is masked unless `privacy.shows_name` (as SL504 decides)."""
    payee = txn.payee or ""
    if not payee or shows_name(payee, district.config.group_words, bool(txn.meta.get("consent"))):
        return payee
    for p in txn.postings:
        role = district.classify(p.account)
        if role is not None and role.kind == INCOME and role.source is not None and role.source.personal:
            return mask_name(payee)
    return payee


def line_of(district: District, txn: data.Transaction) -> Line:
    m = movement(district.classify, txn)
    source = next((p.source for p in m.parts if p.kind in (RECEIVED, OPENING) and p.source), None)
    category = next((p.category for p in m.parts if p.kind == SPENT and p.category), None)
    project = next((p.project for p in m.parts if p.kind == SPENT and p.project), None)
    return Line(
        txn.date,
        public_payee(district, txn),
        txn.narration or "",
        m.money,
        m.kind,
        source,
        category,
        project,
        txn.meta.get("filename", ""),
        txn.meta.get("lineno", 0),
        str(txn.meta["corrects"]) if txn.meta.get("corrects") else None,
        str(txn.meta["reason"]) if txn.meta.get("reason") else None,
        bool(txn.meta.get("receipt")),
        str(txn.meta["receipt"]) if txn.meta.get("receipt") and txn.meta.get("receipt-public") is True else None,
        m.fund,
    )


def fund_months(books: FundBooks) -> list[str]:
    if not books.txns:
        return []
    return months(month_of(books.txns[0].date), month_of(books.txns[-1].date))
