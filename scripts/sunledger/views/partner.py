"""A partner: what it contributed (shares, donations) and what it carried out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..content.models import Partner, Project
from ..district import District
from ..ledger.accounts import INCOME
from ..ledger.movements import units
from ..ledger.shares import share_due, share_due_by, share_rate
from ..periods import month_of, months
from .common import ZERO, Line, line_of


@dataclass
class Due:
    month: str
    revenue: Decimal | None
    due: Decimal | None
    paid: Decimal
    status: str  # 已缴 | 未缴 | 金额不符 | 未到期


@dataclass
class PartnerView:
    code: str
    partner: Partner
    contributions: list[Line] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    dues: list[Due] = field(default_factory=list)
    rate: Decimal | None = None  # the share rate, for a partner with a contract

    @property
    def contributed(self) -> Decimal:
        return sum((c.amount for c in self.contributions), ZERO)


def partner_view(district: District, code: str, partner_id: str) -> PartnerView:
    books = district.books[code]
    partner = books.fc.partners[partner_id]
    view = PartnerView(code, partner)
    paid: dict[str, tuple[Decimal, Decimal | None]] = {}
    for txn in books.txns:
        mine = str(txn.meta.get("merchant", "")) == partner_id or str(txn.meta.get("partner", "")) == partner_id or txn.payee == partner.name
        if not mine:
            continue
        for p in txn.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == INCOME and p.units is not None:
                view.contributions.append(line_of(district, txn))
                if role.source is not None and role.source.merchant and txn.meta.get("period"):
                    revenue = txn.meta.get("revenue")
                    prev, _ = paid.get(str(txn.meta["period"]), (ZERO, None))
                    paid[str(txn.meta["period"])] = (prev - units(p), Decimal(str(revenue)) if revenue is not None else None)
                break
    view.projects = sorted((p for p in books.fc.projects.values() if p.partner == partner_id), key=lambda p: p.id)
    contract = partner.contract
    if contract is not None:
        view.rate = share_rate(contract, district.config)
    if contract is not None and books.txns:
        last = books.txns[-1].date
        horizon = month_of(last)
        due_by = share_due_by(last)  # the same months W203 counts
        for month in months(contract.start, min(contract.end or horizon, horizon)):
            amount, revenue = paid.get(month, (ZERO, None))
            due = share_due(contract, district.config, revenue) if revenue is not None else None
            if month in paid:
                status = "已缴" if due == amount else "金额不符"
            else:
                status = "未缴" if month <= due_by else "未到期"
            view.dues.append(Due(month, revenue, due, amount, status))
    return view
