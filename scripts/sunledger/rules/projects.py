"""SL103/SL104/SL105: spending goes to an existing project, approved on or
before the expense, within its budget."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..errors import error
from ..ledger.accounts import EXPENSE
from ..ledger.adopted import history_of
from ..ledger.movements import units
from .context import Ctx, at, project_of, rule


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    spent: dict[str, Decimal] = defaultdict(Decimal)
    over: set[str] = set()
    for txn in ctx.txns:
        if history_of(ctx.classify, txn):
            continue  # adopted books before their cut-over: spent before any project existed
        for p, role in ctx.roles(txn):
            if role is None or role.kind != EXPENSE or p.units is None:
                continue
            pid = project_of(txn, p)
            if pid is None:
                continue  # SL102 is the sources rule's
            here = at(txn, p)
            project = role.fund.projects.get(pid)
            if project is None:
                errors.append(error(here, "SL103", f"项目 {pid} 不存在于基金 {role.code} 的 content/funds/{role.code}/projects/", txn))
                continue
            if project.approved is None:
                errors.append(error(here, "SL104", f"项目 {pid}「{project.title}」尚未经议事会批准（approved:），不能支出", txn))
            elif txn.date < project.approved.date:
                errors.append(
                    error(here, "SL104", f"支出日期 {txn.date} 早于项目 {pid} 的批准日期 {project.approved.date}", txn)
                )
            spent[pid] += units(p)
            if spent[pid] > project.budget and pid not in over:
                over.add(pid)
                errors.append(
                    error(here, "SL105", f"项目 {pid}「{project.title}」累计支出 {spent[pid]:,.2f} 元，超出预算 {project.budget:,.2f} 元", txn)
                )
            elif spent[pid] <= project.budget:
                over.discard(pid)
    return errors


projects = rule(check)
__plugins__ = ("projects",)
