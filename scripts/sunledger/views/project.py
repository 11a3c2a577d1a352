"""A project: what it answered, what it cost, who paid, what it achieved."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..content.models import Partner, Project
from ..district import District
from ..ledger.accounts import EXPENSE
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

    @property
    def percent(self) -> int:
        return int(self.spent * 100 / self.project.budget) if self.project.budget else 0


def project_view(district: District, code: str, pid: str) -> ProjectView:
    books = district.books[code]
    project = books.fc.projects[pid]
    lines, spent = [], ZERO
    for txn in books.txns:
        amount = ZERO
        for p in txn.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == EXPENSE and p.units is not None:
                if str((p.meta or {}).get("project") or txn.meta.get("project")) == pid:
                    amount += p.units.number
        if amount:
            spent += amount
            lines.append(line_of(district, txn))
    by_source, restricted = defaultdict(Decimal), ZERO
    for flow in district.attribution.of_fund(code)[1]:
        if flow.project == pid:
            by_source[flow.source] += flow.amount
            restricted += flow.restricted
    stages = project.stage_dates
    partner = books.fc.partners.get(project.partner) if project.partner else None
    return ProjectView(code, books.fc.fund.name, project, partner, spent, project.budget - spent, dict(by_source), restricted, lines, stages)
