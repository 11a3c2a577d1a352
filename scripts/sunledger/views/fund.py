"""A fund at a glance: balance, where its money came from and went."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..content.models import LEVEL_NAMES, Project
from ..district import District
from ..ledger import deadlines
from ..ledger.movements import SPENT, movement
from ..periods import month_of
from .common import ZERO, fund_months, line_of


@dataclass
class SourceBalance:
    source: str
    income: Decimal  # Income accounts only
    spent: Decimal
    balance: Decimal  # unrestricted
    restricted: dict[str, Decimal]  # project id -> unspent money given for it
    opening: Decimal = ZERO  # 期初结转: old balance of this source brought in (not income)


@dataclass
class FundSummary:
    code: str
    name: str
    kind: str
    level: str
    parent: str | None
    balance: Decimal
    bank_balance: Decimal
    income_by_source: dict[str, Decimal]
    spending_by_category: dict[str, Decimal]
    spending_by_project: dict[str, Decimal]
    year_income_by_source: dict[str, Decimal]
    year_spending_by_category: dict[str, Decimal]
    sources: list[SourceBalance]
    flows: dict[tuple[str, str], Decimal]  # (source, project) -> amount
    series: list[tuple[str, Decimal]]  # month -> closing balance
    year: int | None
    income_total: Decimal = ZERO
    spending_total: Decimal = ZERO
    active_projects: list[Project] = field(default_factory=list)
    opening_by_source: dict[str, Decimal] = field(default_factory=dict)  # 期初结转, not income
    opening_total: Decimal = ZERO


def _sorted(d: dict[str, Decimal]) -> dict[str, Decimal]:
    return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))


def fund_summary(district: District, code: str, year: int | None = None) -> FundSummary:
    books = district.books[code]
    fund = books.fc.fund
    if year is None and district.last_date is not None:
        year = (books.txns[-1].date if books.txns else district.last_date).year
    income: dict[str, Decimal] = defaultdict(Decimal)
    year_income: dict[str, Decimal] = defaultdict(Decimal)
    opening: dict[str, Decimal] = defaultdict(Decimal)
    fund_income, fund_spending = district.attribution.of_fund(code)
    for flow in fund_income:
        if flow.opening:
            opening[flow.source] += flow.amount
            continue
        income[flow.source] += flow.amount
        if flow.txn.date.year == year:
            year_income[flow.source] += flow.amount
    by_cat: dict[str, Decimal] = defaultdict(Decimal)
    year_cat: dict[str, Decimal] = defaultdict(Decimal)
    by_project: dict[str, Decimal] = defaultdict(Decimal)
    series, running, bank = [], ZERO, ZERO
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for txn in books.txns:
        m = movement(district.classify, txn)
        by_month[month_of(txn.date)] += m.money
        bank += m.bank
        for part in m.parts:
            if part.kind != SPENT:
                continue
            cat = part.category or part.posting.account
            by_cat[cat] += part.spent
            if txn.date.year == year:
                year_cat[cat] += part.spent
            if part.project:
                by_project[part.project] += part.spent
    spent: dict[str, Decimal] = defaultdict(Decimal)
    flows: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for flow in fund_spending:
        spent[flow.source] += flow.amount
        flows[(flow.source, flow.project or "")] += flow.amount
    restricted: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (f, source, pid), amount in district.attribution.restricted.items():
        if f == code and amount:
            restricted[source][pid] = amount
    order = [s.name for s in district.config.sources]
    sources = [
        SourceBalance(
            s, income.get(s, ZERO), spent.get(s, ZERO), district.attribution.balance.get((code, s), ZERO),
            restricted.get(s, {}), opening.get(s, ZERO),
        )
        for s in order
        if s in income or s in spent or s in opening
    ]
    for month in fund_months(books):
        running += by_month.get(month, ZERO)
        series.append((month, running))
    active = [p for p in books.fc.projects.values() if p.stage in ("派单", "接单", "实施")]
    return FundSummary(
        code,
        fund.name,
        fund.kind,
        LEVEL_NAMES[fund.level],
        fund.parent,
        running,
        bank,
        _sorted(income),
        _sorted(by_cat),
        _sorted(by_project),
        _sorted(year_income),
        _sorted(year_cat),
        sources,
        dict(flows),
        series,
        year,
        sum(income.values(), ZERO),
        sum(by_cat.values(), ZERO),
        sorted(active, key=lambda p: p.id),
        _sorted(opening),
        sum(opening.values(), ZERO),
    )


def lines(district: District, code: str):
    return [line_of(district, t) for t in district.books[code].txns]


def overdue(district: District, code: str, as_of: dt.date) -> list[deadlines.Overdue]:
    """What this fund should have published by `as_of` and has not (or late)."""
    books = district.books[code]
    months = sorted({month_of(t.date) for t in books.txns})
    sealed = {m: seal.date for m, seal in books.seals.items()}
    years = sorted({t.date.year for t in books.txns})
    return deadlines.overdue(books.fc, months, sealed, years, as_of, district.config.disclosure)
