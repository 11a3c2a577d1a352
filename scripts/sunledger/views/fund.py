"""A fund at a glance: balance, where its money came from and went."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..content.models import IN_PROGRESS, LEVEL_NAMES, Project
from ..district import District
from ..ledger import deadlines
from ..ledger.attribution import balances_on
from ..ledger.movements import SPENT, movement
from ..periods import month_of
from .common import ZERO, fund_months, line_of
from .disclosure import inputs


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


@dataclass
class Figures:
    """A fund's money over one period: a calendar year, or its whole history (`year` None).

    The one place the fund page's year selector, the levels above funds and the annual
    report take a period's figures from, so that they cannot disagree."""

    code: str
    year: int | None
    opening: Decimal  # money at the start of the period (0 for the whole history)
    carried: Decimal  # 期初结转 brought in during the period (not income)
    income_by_source: dict[str, Decimal]
    spending_by_category: dict[str, Decimal]
    spending_by_project: dict[str, Decimal]
    closing: Decimal  # money at the end of the period
    bank_closing: Decimal  # of which on bank accounts
    sources: list[SourceBalance]  # per source: within the period, and its balance at the end
    carried_by_source: dict[str, Decimal] = field(default_factory=dict)

    @property
    def income_total(self) -> Decimal:
        return sum(self.income_by_source.values(), ZERO)

    @property
    def spending_total(self) -> Decimal:
        return sum(self.spending_by_category.values(), ZERO)

    @property
    def free_total(self) -> Decimal:
        return sum((x.balance for x in self.sources), ZERO)

    @property
    def restricted_total(self) -> Decimal:
        return sum((sum(x.restricted.values(), ZERO) for x in self.sources), ZERO)


def fund_years(district: District, code: str) -> list[int]:
    """The calendar years the fund has entries in, oldest first."""
    return sorted({t.date.year for t in district.books[code].txns})


def fund_figures(district: District, code: str, year: int | None = None) -> Figures:
    """The fund's figures for `year` (None: its whole history)."""
    books = district.books[code]
    if year is not None and (not books.txns or books.txns[0].date.year > year):
        return empty_figures(code, year)  # nothing yet: no money, no flows, no pools

    def within(day: dt.date) -> bool:
        return year is None or day.year == year

    income: dict[str, Decimal] = defaultdict(Decimal)
    carried: dict[str, Decimal] = defaultdict(Decimal)
    fund_income, fund_spending = district.attribution.of_fund(code)
    for flow in fund_income:
        if within(flow.txn.date):
            (carried if flow.opening else income)[flow.source] += flow.amount
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for flow in fund_spending:
        if within(flow.txn.date):
            spent[flow.source] += flow.amount
    by_cat: dict[str, Decimal] = defaultdict(Decimal)
    by_project: dict[str, Decimal] = defaultdict(Decimal)
    opening = closing = bank = ZERO
    for txn in books.txns:
        if year is not None and txn.date.year > year:
            break
        m = movement(district.classify, txn)
        if year is not None and txn.date.year < year:
            opening += m.money
        closing += m.money
        bank += m.bank
        if not within(txn.date):
            continue
        for part in m.parts:
            if part.kind == SPENT:
                by_cat[part.category or part.posting.account] += part.spent
                if part.project:
                    by_project[part.project] += part.spent
    end = dt.date(year, 12, 31) if year is not None else dt.date.max
    free, pools = balances_on(district.attribution, code, end)
    restricted: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (source, pid), amount in sorted(pools.items()):
        if amount:
            restricted[source][pid] = amount
    order = [s.name for s in district.config.sources]
    sources = [
        SourceBalance(s, income.get(s, ZERO), spent.get(s, ZERO), free.get(s, ZERO), restricted.get(s, {}), carried.get(s, ZERO))
        for s in order
        if s in income or s in spent or s in carried or free.get(s) or s in restricted
    ]
    return Figures(
        code, year, opening, sum(carried.values(), ZERO), _sorted(income), _sorted(by_cat), _sorted(by_project),
        closing, bank, sources, _sorted(carried),
    )


def empty_figures(code: str, year: int) -> Figures:
    """A year before the fund's first entry (or of a fund without entries)."""
    return Figures(code, year, ZERO, ZERO, {}, {}, {}, ZERO, ZERO, [], {})


class Periods:
    """Each fund's years and figures per period, computed once and shared by every view
    that shows them (the fund page, its year pages, every node above it, the annual reports).

    Backed by a district, or by figures computed already (`Periods.of`): the site computes
    each fund's figures where its books are loaded (site/parts.py) and keeps only these."""

    def __init__(self, district: District | None):
        self.district = district
        self._years: dict[str, list[int]] = {}
        self._figures: dict[tuple[str, int | None], Figures] = {}

    @classmethod
    def of(cls, years: dict[str, list[int]], figures: dict[tuple[str, int | None], Figures]) -> Periods:
        done = cls(None)
        done._years, done._figures = dict(years), dict(figures)
        return done

    def years(self, code: str) -> list[int]:
        if code not in self._years:
            assert self.district is not None, f"no years of {code}"
            self._years[code] = fund_years(self.district, code)
        return self._years[code]

    def figures(self, code: str, year: int | None = None) -> Figures:
        key = (code, year)
        if key not in self._figures:
            if self.district is None and year is not None and year < min(self.years(code), default=year + 1):
                return empty_figures(code, year)  # what fund_figures gives for it, without the entries
            assert self.district is not None, f"no figures of {code} for {year}"
            self._figures[key] = fund_figures(self.district, code, year)
        return self._figures[key]


@dataclass(frozen=True)
class Movements:
    """What a fund's summary reads of its entries beside the period figures."""

    flows: dict[tuple[str, str], Decimal]  # (source, project) -> spent
    series: list[tuple[str, Decimal]]  # month -> closing balance


def movements(district: District, code: str) -> Movements:
    books = district.books[code]
    flows: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for flow in district.attribution.of_fund(code)[1]:
        flows[(flow.source, flow.project or "")] += flow.amount
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for txn in books.txns:
        by_month[month_of(txn.date)] += movement(district.classify, txn).money
    series, running = [], ZERO
    for month in fund_months(books):
        running += by_month.get(month, ZERO)
        series.append((month, running))
    return Movements(dict(flows), series)


def fund_summary(district: District, code: str, year: int | None = None, periods: Periods | None = None) -> FundSummary:
    if year is None and district.last_date is not None:
        year = (district.books[code].txns[-1].date if district.books[code].txns else district.last_date).year
    return summary(district.books[code].fc, year, periods or Periods(district), movements(district, code))


def summary(fc, year: int | None, periods: Periods, m: Movements) -> FundSummary:
    """The fund page's figures: the whole history, `year`'s income and spending (the site's year,
    that of the district's last entry), and the balance month by month."""
    fund, code = fc.fund, fc.fund.code
    whole = periods.figures(code)
    this_year = periods.figures(code, year) if year is not None else None
    active = [p for p in fc.projects.values() if p.stage in IN_PROGRESS]
    return FundSummary(
        code,
        fund.name,
        fund.kind,
        LEVEL_NAMES[fund.level],
        fund.parent,
        whole.closing,
        whole.bank_closing,
        whole.income_by_source,
        whole.spending_by_category,
        whole.spending_by_project,
        this_year.income_by_source if this_year else {},
        this_year.spending_by_category if this_year else {},
        whole.sources,
        m.flows,
        m.series,
        year,
        whole.income_total,
        whole.spending_total,
        sorted(active, key=lambda p: p.id),
        whole.carried_by_source,
        whole.carried,
    )


def lines(district: District, code: str):
    return [line_of(district, t) for t in district.books[code].txns]


def overdue(district: District, code: str, as_of: dt.date) -> list[deadlines.Overdue]:
    """What this fund should have published by `as_of` and has not (or late): the catalogue's warnings."""
    months, sealed, years, corrections = inputs(district, code)
    return deadlines.overdue(district.books[code].fc, months, sealed, years, as_of, district.config.disclosure, corrections)
