"""Every notice and every project of a fund in one pass over its books.

`notice()` and `project_view()` each walk the whole fund, so calling them for
every month and every project grows with months x transactions. The site
needs all of them at once: these give the same objects (tests compare them
with the single views on the demo) in time linear in the fund's entries.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..district import District
from ..ledger.accounts import BANK, EXPENSE
from ..ledger.movements import movement
from ..ledger.seal import corrected_entries
from ..periods import first_day, month_of, next_month
from .common import ZERO, Line, line_of
from .notice import Correction, MonthTotals, Notice
from .project import ProjectView


def all_notices(district: District, code: str) -> list[Notice]:
    """`[notice(district, code, m) for m in notice_months(district, code)]`, in one pass."""
    books = district.books[code]
    by_month: dict[str, list] = defaultdict(list)
    later: dict[str, list] = defaultdict(list)  # corrected month -> correcting txns
    for txn in books.txns:
        by_month[month_of(txn.date)].append(txn)
        if txn.meta.get("corrects") is not None:
            later[str(txn.meta["corrects"])].append(txn)
    asserted: dict = {}
    for b in books.balances:
        role = district.classify(b.account)
        if role is not None and role.kind == BANK:
            asserted[b.date] = asserted.get(b.date, ZERO) + b.amount.number
    lines: dict[int, Line] = {}

    def line(txn) -> Line:
        key = id(txn)
        if key not in lines:
            lines[key] = line_of(district, txn)
        return lines[key]

    def correction(txn) -> Correction:
        named = str(txn.meta["corrects"])
        originals = tuple(line(t) for t in corrected_entries(txn, by_month.get(named, [])))
        return Correction(txn.date, named, str(txn.meta.get("reason", "")), line(txn), originals)

    out: list[Notice] = []
    opening = bank_open = ZERO
    for month in sorted(by_month):
        end = first_day(next_month(month))
        txns = by_month[month]
        shown = [line(t) for t in txns]
        moved = [movement(district.classify, t) for t in txns]
        bank_delta = sum((m.bank for m in moved), ZERO)
        made = [correction(t) for t in txns if t.meta.get("corrects") is not None]
        after = [correction(t) for t in later.get(month, []) if t.date >= end]
        totals = MonthTotals()
        for m in moved:
            totals = totals.add(m)
        seal = books.seals.get(month)
        out.append(
            Notice(
                code, books.fc.fund.name, month, opening, totals.income, totals.spending, opening + totals.net, shown,
                asserted.get(end), bank_open + bank_delta, seal.date if seal is not None else None, after, made,
                totals.carried, totals.other,
            )
        )
        opening += sum((m.money for m in moved), ZERO)
        bank_open += bank_delta
    return out


def all_project_views(district: District, code: str) -> dict[str, ProjectView]:
    """`{pid: project_view(district, code, pid)}` for every project of the fund, in one pass."""
    books = district.books[code]
    spent: dict[str, Decimal] = defaultdict(Decimal)
    lines: dict[str, list[Line]] = defaultdict(list)
    for txn in books.txns:
        amounts: dict[str, Decimal] = {}
        for p in txn.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == EXPENSE and p.units is not None:
                pid = str((p.meta or {}).get("project") or txn.meta.get("project"))
                amounts[pid] = amounts.get(pid, ZERO) + p.units.number
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
        out[pid] = ProjectView(
            code, books.fc.fund.name, project, partner, cost, project.budget - cost,
            dict(by_source.get(pid, {})), restricted.get(pid, ZERO), lines.get(pid, []), stages,
        )
    return out
