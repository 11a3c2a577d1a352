"""What a transaction does to its fund: income, spending, an opening balance
brought in, a transfer between the fund's own accounts.

The one place where a posting becomes a figure residents read. The site's
fund page and notices, the downloads, the attribution of sources and the audit
report all take their kinds from here, so that an opening balance
(`Equity:<CODE>:Opening`) is never income, a transfer (Bank → Cash) is neither
income nor spending, and the income of a fund is exactly its Income accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from .accounts import ASSET, BANK, EQUITY, EXPENSE, INCOME, LIABILITY, Classifier, Role

# Kinds as published (the downloads' 收支 column holds these words).
RECEIVED, SPENT, OPENING, TRANSFER, OTHER = "收入", "支出", "期初结转", "转账", "往来"
KINDS = (RECEIVED, SPENT, OPENING, TRANSFER, OTHER)
_OF_ROLE = {INCOME: RECEIVED, EXPENSE: SPENT, EQUITY: OPENING, LIABILITY: OTHER}
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Part:
    """One posting on the other side of the fund's money."""

    kind: str  # one of KINDS but TRANSFER
    amount: Decimal  # what it brings into the fund's money (+) or takes out of it (-)
    posting: data.Posting
    role: Role
    source: str | None  # income: the source of its account; opening: the `source:` it names
    category: str | None  # spending: the category of its account (None if unmapped)
    project: str | None  # spending: the project it is for

    @property
    def spent(self) -> Decimal:
        """Spending as counted (a refund is negative spending, not income)."""
        return -self.amount


@dataclass(frozen=True)
class Movement:
    fund: str  # code of the first classified posting ("" if none)
    money: Decimal  # change of the fund's money: bank and other assets
    bank: Decimal  # of which on bank accounts
    parts: tuple[Part, ...]

    @property
    def kind(self) -> str:
        """The transaction's kind: its parts' kind when they agree; money alone moving is a transfer."""
        kinds = {p.kind for p in self.parts if p.amount}
        if len(kinds) == 1:
            return kinds.pop()
        if not kinds:
            return TRANSFER
        return RECEIVED if self.money > 0 else SPENT if self.money < 0 else TRANSFER

    def total(self, kind: str) -> Decimal:
        return sum((p.amount for p in self.parts if p.kind == kind), ZERO)


def meta(txn: data.Transaction, posting: data.Posting, key: str) -> str | None:
    """A posting's metadata, else the transaction's."""
    value = (posting.meta or {}).get(key)
    if value is None:
        value = txn.meta.get(key)
    return None if value is None else str(value)


def units(posting: data.Posting) -> Decimal:
    """The posting's number of units. Beancount types it Optional for input not yet booked;
    after the loader's booking every posting has one."""
    assert posting.units is not None, posting
    assert posting.units.number is not None, posting
    return posting.units.number


def weight(posting: data.Posting) -> data.Amount | None:
    """What a posting is worth to the fund: its amount, or for goods held at cost (cards
    bought for aid, `2 LYK {100.00 CNY}`, booked FIFO) what they cost."""
    units, cost = posting.units, posting.cost
    if units is None or units.number is None:
        return None
    if isinstance(cost, data.Cost) and cost.number is not None:
        return data.Amount(units.number * cost.number, cost.currency)
    return units


def movement(classify: Classifier, txn: data.Transaction) -> Movement:
    fund = ""
    money = bank = ZERO
    parts = []
    for p in txn.postings:
        role = classify(p.account)
        worth = weight(p)
        if role is None or worth is None:
            continue
        fund = fund or role.code
        number = worth.number
        assert number is not None  # booked: see units()
        if role.kind in (BANK, ASSET):
            money += number
            if role.kind == BANK:
                bank += number
            continue
        kind = _OF_ROLE[role.kind]
        source = category = project = None
        if kind == RECEIVED:
            source = role.source.name if role.source is not None else None
        elif kind == OPENING:
            source = meta(txn, p, "source")
        elif kind == SPENT:
            category = role.category.name if role.category is not None else None
            project = meta(txn, p, "project")
        parts.append(Part(kind, -number, p, role, source, category, project))
    return Movement(fund, money, bank, tuple(parts))
