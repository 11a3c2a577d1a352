"""A project: what it answered, what it cost, who paid, what it achieved."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..content.models import Partner, Project, Report
from ..district import District
from ..ledger.accounts import EXPENSE
from ..ledger.movements import units
from ..ledger.progress import ReportFigures, report_figures
from .common import ZERO, Line, line_of


@dataclass
class ProjectView:
    code: str
    fund_name: str
    project: Project
    partner: Partner | None
    spent: Decimal
    remaining: Decimal
    by_source: dict[str, Decimal]
    restricted: Decimal  # part paid from money given for this project
    lines: list[Line]
    stages: list[tuple[str, dt.date | None]]
    reports: list[tuple[Report, ReportFigures]] = field(default_factory=list)  # in date order, figures from the books

    @property
    def percent(self) -> int:
        return percent(self.spent, self.project)

    def anchor(self, i: int) -> str:
        """The id of the i-th report (in `reports`' date order) on the project page: its date and
        kind, and a number when two of one kind share a day (feeds link to it)."""
        report = self.reports[i][0]
        kind = "final" if report.kind == "结项" else "progress"
        same = sum(1 for r, _ in self.reports[:i] if (r.date, r.kind) == (report.date, report.kind))
        return f"report-{report.date.isoformat()}-{kind}" + (f"-{same + 1}" if same else "")


def percent(spent: Decimal, project: Project) -> int:
    """Of its budget, the whole percent a project has spent."""
    return int(spent * 100 / project.budget) if project.budget else 0


@dataclass(frozen=True)
class ProjectBrief:
    """What a list of projects shows of one (the home page, a node's page, the project list):
    content/'s facts and what its fund's books say it spent, not its lines and reports."""

    code: str
    fund_name: str
    project: Project
    spent: Decimal

    @property
    def percent(self) -> int:
        return percent(self.spent, self.project)


def all_project_views(district: District, code: str) -> dict[str, ProjectView]:
    """Every project of the fund, in one pass over its books."""
    books = district.books[code]
    spent: dict[str, Decimal] = defaultdict(Decimal)
    lines: dict[str, list[Line]] = defaultdict(list)
    for txn in books.txns:
        amounts: dict[str, Decimal] = {}
        for p in txn.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == EXPENSE and p.units is not None:
                pid = str((p.meta or {}).get("project") or txn.meta.get("project"))
                amounts[pid] = amounts.get(pid, ZERO) + units(p)
        shown = None
        for pid, amount in amounts.items():
            if amount:
                shown = shown or line_of(district, txn)
                spent[pid] += amount
                lines[pid].append(shown)
    by_source: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    restricted: dict[str, Decimal] = defaultdict(Decimal)
    for flow in district.attribution.of_fund(code)[1]:
        if flow.project is not None:
            by_source[flow.project][flow.source] += flow.amount
            restricted[flow.project] += flow.restricted
    out = {}
    for pid, project in books.fc.projects.items():
        stages = project.stage_dates
        partner = books.fc.partners.get(project.partner) if project.partner else None
        cost = spent.get(pid, ZERO)
        reports = [(r, report_figures(district.attribution, code, project, r.date, r.kind))
                   for r in sorted(project.reports, key=lambda r: (r.date, r.kind == "结项"))]
        out[pid] = ProjectView(
            code, books.fc.fund.name, project, partner, cost, project.budget - cost,
            dict(by_source.get(pid, {})), restricted.get(pid, ZERO), lines.get(pid, []), stages, reports,
        )
    return out


def project_view(district: District, code: str, pid: str) -> ProjectView:
    return all_project_views(district, code)[pid]
