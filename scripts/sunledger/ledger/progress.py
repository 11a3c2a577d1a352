"""The figures of a project's progress (进度) and final (结项) reports, from the books.

One place for them: the report rule (rules/reports.py: a typed `spent` or
`leftover` that disagrees is SL113) and the project page (views/project.py)
both call `report_figures`. Pure over the attribution (ledger/attribution.py),
so the split by source is the one every other page shows, to the fen.

Everything is as of the report's date (its day included): spent, by source,
share of the budget; for a final report the leftover by source (the plan's
share of the source minus what it paid) and the restricted money (定向) given
for the project and not spent. Where the restricted leftover went is what the
books record for the project on any day (ledger/leftover.py): moved to the
source's free money or to another project, or refunded; what none of them
took is still held for the project. Unrestricted leftover needs no entry: it
was never set aside, it is the source's free money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..content.models import Project
from .attribution import Attribution

ZERO = Decimal("0.00")
TO_FREE, TO_PROJECT, REFUNDED = "转为非定向", "转入其他项目", "退回捐赠方"


@dataclass(frozen=True)
class SourceFigures:
    """One source of a project at a report's date."""

    source: str
    planned: Decimal  # its share in the project's `funding:` (0 when not planned)
    spent: Decimal  # what it paid for the project
    restricted_spent: Decimal  # of which restricted money (定向) given for the project
    restricted_in: Decimal  # restricted money it gave for the project (moved in from another project included)

    @property
    def left(self) -> Decimal:
        """The plan's share not spent (negative: it paid more than planned)."""
        return self.planned - self.spent

    @property
    def restricted_left(self) -> Decimal:
        """Restricted money given for the project and not spent on it."""
        return self.restricted_in - self.restricted_spent


@dataclass(frozen=True)
class Disposition:
    """Restricted leftover leaving the project, as recorded in the books."""

    date: dt.date
    kind: str  # TO_FREE, TO_PROJECT or REFUNDED
    source: str
    amount: Decimal  # positive
    to: str | None  # the project it went to (TO_PROJECT)
    reason: str  # the entry's `reason:` (moves) or narration (refunds)
    where: dict  # file and line of the entry


@dataclass(frozen=True)
class ReportFigures:
    date: dt.date
    kind: str  # 进度 or 结项
    budget: Decimal
    spent: Decimal
    by_source: tuple[SourceFigures, ...]  # planned sources in plan order, then any other that paid
    dispositions: tuple[Disposition, ...] = ()  # of a final report, in date order

    @property
    def final(self) -> bool:
        return self.kind == "结项"

    @property
    def leftover(self) -> Decimal:
        """结余: the budget not spent (what a report's `leftover:` states)."""
        return self.budget - self.spent

    @property
    def share(self) -> Decimal:
        """Spent as a percentage of the budget, to 0.1."""
        if not self.budget:
            return Decimal("0.0")
        return (self.spent * 100 / self.budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def restricted_left(self) -> Decimal:
        return sum((s.restricted_left for s in self.by_source), ZERO)

    @property
    def disposed(self) -> Decimal:
        return sum((d.amount for d in self.dispositions), ZERO)

    @property
    def restricted_open(self) -> Decimal:
        """Restricted leftover no entry has moved or refunded yet: still held for the finished project."""
        return self.restricted_left - self.disposed


def report_figures(att: Attribution, fund: str, project: Project, date: dt.date, kind: str) -> ReportFigures:
    """The figures of `project`'s report of `kind` dated `date`, from the attribution of the books."""
    pid = project.id
    spent: dict[str, Decimal] = dict.fromkeys(project.funding, ZERO)
    drawn: dict[str, Decimal] = {}
    given: dict[str, Decimal] = {}
    income, spending = att.of_fund(fund)
    for flow in spending:
        if flow.project == pid and flow.txn.date <= date:
            spent[flow.source] = spent.get(flow.source, ZERO) + flow.amount
            drawn[flow.source] = drawn.get(flow.source, ZERO) + flow.restricted
    out: list[Disposition] = []
    for flow in income:
        if flow.project != pid:
            continue
        if flow.amount > 0 and flow.txn.date <= date:
            given[flow.source] = given.get(flow.source, ZERO) + flow.amount
        elif flow.amount < 0:
            where = {"filename": flow.txn.meta.get("filename"), "lineno": flow.txn.meta.get("lineno")}
            out.append(Disposition(flow.txn.date, REFUNDED, flow.source, -flow.amount, None, flow.txn.narration or "", where))
    for move in att.moves:
        if move.fund != fund:
            continue
        if move.to == pid and move.date <= date:
            given[move.source] = given.get(move.source, ZERO) + move.amount
        if move.project == pid:
            kind_of = TO_FREE if move.to is None else TO_PROJECT
            out.append(Disposition(move.date, kind_of, move.source, move.amount, move.to, move.reason, move.where))
    names = list(dict.fromkeys([*project.funding, *spent, *given]))
    rows = tuple(
        SourceFigures(name, project.funding.get(name, ZERO), spent.get(name, ZERO), drawn.get(name, ZERO), given.get(name, ZERO))
        for name in names
    )
    total = sum(spent.values(), ZERO)
    final = kind == "结项"
    return ReportFigures(date, kind, project.budget, total, rows, tuple(sorted(out, key=lambda d: d.date)) if final else ())
