"""年度报告: a fund's closed year, every figure from the books, beside the words its manager wrote.

The year's money is `views.fund.fund_figures`; the months and their bank checks are
`views.notice.all_notices`; projects `views.project.all_project_views`; merchant shares
`views.partner.partner_view` (ledger/shares.py); who paid `ledger/attribution.py`; late
disclosures `ledger/deadlines.catalogue` (through views/disclosure.py). Nothing is counted
here that one of them knows: this module picks the year out of what they say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..content.models import STAGES, AnnualReport, Project
from ..district import District
from ..ledger import deadlines
from .common import ZERO
from .disclosure import fund_catalogue
from .fund import Figures, Periods, fund_years
from .notice import Correction, Notice, all_notices
from .partner import PartnerView, partner_view
from .project import ProjectView, all_project_views


@dataclass(frozen=True)
class MonthCheck:
    """A month of the year: its money at the end against the bank statement (the monthly notice's check)."""

    month: str
    income: Decimal
    spending: Decimal
    closing: Decimal
    bank_books: Decimal  # what the books say the bank accounts hold at month end
    bank_asserted: Decimal | None  # what the statement says (the closing balance assertion)
    sealed_on: dt.date | None
    other: Decimal = ZERO  # 往来: deposits and payables, neither income nor spending

    @property
    def matches(self) -> bool | None:
        return None if self.bank_asserted is None else self.bank_asserted == self.bank_books


@dataclass(frozen=True)
class ProjectYear:
    view: ProjectView
    stage: str  # the step reached by the year's end
    spent: Decimal  # in the year
    spent_to_end: Decimal  # from the start to the year's end
    by_source: dict[str, Decimal]  # who paid the year's spending (attribution)


@dataclass(frozen=True)
class ShareYear:
    """A merchant's shares for the contract months of the year."""

    partner: str
    name: str
    months: int
    due: Decimal  # of the months whose revenue was declared
    paid: Decimal
    short: Decimal  # paid less than due (金额不符)
    unpaid: tuple[str, ...]  # months due and not paid (未缴; their revenue is not declared, so no amount)

    @property
    def arrears(self) -> bool:
        return bool(self.short or self.unpaid)


@dataclass
class AnnualView:
    code: str
    name: str
    year: int
    record: AnnualReport
    figures: Figures
    months: list[MonthCheck]
    projects: list[ProjectYear]
    shares: list[ShareYear]
    corrections: list[Correction]  # entries booked in the year that correct an earlier month
    late: list[deadlines.Item]  # disclosures of the year that were late, as on the report's date

    @property
    def title(self) -> str:
        return self.record.title or f"{self.name}{self.year}年度报告"

    @property
    def other(self) -> Decimal:
        """往来 of the year (the notices' line), so opening + carried + income − spending + other = closing."""
        return sum((m.other for m in self.months), ZERO)

    @property
    def year_end(self) -> MonthCheck | None:
        """The last month of the year with entries: its bank check is the year-end check."""
        return self.months[-1] if self.months else None


def stage_on(project: Project, day: dt.date) -> str:
    """The step of 点单 → 评单 a project had reached by `day`."""
    reached = [name for name, when in project.stage_dates if when is not None and when <= day]
    return reached[-1] if reached else STAGES[0]


def _of_year(p: ProjectView, year: int, spent: Decimal) -> bool:
    """A project belongs to the year's report when it spent in the year or ran during it."""
    if spent:
        return True
    project = p.project
    begun = project.approved.date if project.approved else None
    return begun is not None and begun.year <= year and (project.completed is None or project.completed.year >= year)


def closed_years(district: District, code: str, as_of: dt.date) -> list[int]:
    """The years of the fund's books that ended before `as_of`."""
    return [y for y in fund_years(district, code) if dt.date(y, 12, 31) < as_of]


def annual_views(district: District, code: str, as_of: dt.date, periods: Periods | None = None, *,
                 notices: list[Notice] | None = None, projects: dict[str, ProjectView] | None = None,
                 partners: dict[str, PartnerView] | None = None) -> dict[int, AnnualView]:
    """The annual report of each closed year whose record (fund.yml `annual_reports:`) is
    dated on or before `as_of`: published, so it has a page. `notices`, `projects`, `partners`
    (id -> view): the fund's, when the caller has them already (site/parts.py)."""
    books = district.books[code]
    closed = set(closed_years(district, code, as_of))
    records = [r for r in books.fc.fund.annual_reports if r.year in closed and r.date <= as_of]
    if not records:
        return {}
    notices = all_notices(district, code) if notices is None else notices
    projects = all_project_views(district, code) if projects is None else projects
    shares = [partners[pid] if partners is not None else partner_view(district, code, pid) for pid in sorted(books.fc.partners)]
    spending = district.attribution.of_fund(code)[1]
    periods = periods or Periods(district)
    figures = {y: periods.figures(code, y) for y in periods.years(code) if y <= max(closed)}
    out = {}
    for record in sorted(records, key=lambda r: r.year):
        out[record.year] = _view(district, code, record, figures, notices, projects, shares, spending)
    return out


def _view(district, code, record: AnnualReport, figures: dict[int, Figures], notices: list[Notice],
          projects: dict[str, ProjectView], partners, spending) -> AnnualView:
    year = record.year
    end = dt.date(year, 12, 31)
    fig = figures[year]
    months = [MonthCheck(n.month, n.income, n.spending, n.closing, n.bank_closing, n.bank_asserted, n.sealed_on, n.other)
              for n in notices if n.month.startswith(f"{year:04d}-")]
    to_end: dict[str, Decimal] = defaultdict(Decimal)
    for y, f in figures.items():
        if y <= year:
            for pid, amount in f.spending_by_project.items():
                to_end[pid] += amount
    paid_by: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for flow in spending:
        if flow.txn.date.year == year and flow.project is not None:
            paid_by[flow.project][flow.source] += flow.amount
    rows = []
    for pid in sorted(projects):
        v = projects[pid]
        spent = fig.spending_by_project.get(pid, ZERO)
        if _of_year(v, year, spent):
            by_source = {s: a for s, a in sorted(paid_by.get(pid, {}).items(), key=lambda kv: (-kv[1], kv[0])) if a}
            rows.append(ProjectYear(v, stage_on(v.project, end), spent, to_end.get(pid, ZERO), by_source))
    shares = []
    for pv in partners:
        if pv.partner.contract is None:
            continue
        dues = [d for d in pv.dues if d.month.startswith(f"{year:04d}-")]
        if not dues:
            continue
        shares.append(ShareYear(
            pv.partner.id, pv.partner.name, len(dues),
            sum((d.due for d in dues if d.due is not None), ZERO),
            sum((d.paid for d in dues), ZERO),
            sum((d.due - d.paid for d in dues if d.status == "金额不符" and d.due is not None and d.due > d.paid), ZERO),
            tuple(d.month for d in dues if d.status == "未缴"),
        ))
    corrections = [c for n in notices if n.month.startswith(f"{year:04d}-") for c in n.corrections_made]
    catalogue = fund_catalogue(district, code, record.date)
    late = [it for it in catalogue.items if it.late and _about(it, year)]
    return AnnualView(code, district.books[code].fc.fund.name, year, record, fig, months, rows, shares, corrections, late)


def _about(it: deadlines.Item, year: int) -> bool:
    """A disclosure of the year: a month of it (notice, correction), else one due in it."""
    if it.month is not None:
        return it.month.startswith(f"{year:04d}-")
    return it.due.year == year
