"""SL101/SL102/SL110/SL111: every posting belongs to a fund; income to a
source, spending to a category and a project; one transaction, one fund."""

from __future__ import annotations

from ..errors import error, warning
from ..ledger.accounts import EXPENSE, INCOME
from ..ledger.adopted import history_of
from .context import Ctx, at, context, project_of, rule, where


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    for txn in ctx.txns:
        funds = set()
        # before an adopted fund's cut-over, spending is shown only in the opening balance: no category, no project
        history = history_of(ctx.classify, txn)
        for p, role in ctx.roles(txn):
            here = at(txn, p)
            if role is None:
                errors.append(error(here, "SL110", f"科目 {p.account} 不属于任何基金（检查基金代码或 fund.yml 的科目映射）", txn))
                continue
            funds.add(role.code)
            if role.kind == INCOME and role.source is None:
                names = "、".join(f"{s.name}({s.account})" for s in ctx.config.sources)
                errors.append(error(here, "SL101", f"收入科目 {p.account} 不对应任何收入来源；可用：{names}", txn))
            elif role.kind == EXPENSE and not history:
                if role.category is None:
                    names = "、".join(f"{c.name}({c.account})" for c in ctx.config.categories)
                    errors.append(error(here, "SL111", f"支出科目 {p.account} 不对应任何支出类别；可用：{names}", txn))
                if project_of(txn, p) is None:
                    errors.append(error(here, "SL102", f"支出 {p.account} 没有注明项目（project:）", txn))
        if len(funds) > 1:
            errors.append(error(where(txn), "SL110", f"一笔交易涉及多个基金：{'、'.join(sorted(funds))}；请在各基金分别记账", txn))
    return errors


def warnings(entries: list, options_map: dict, **_kw) -> list:
    """W112: a transaction still flagged `!` (e.g. imported, not yet reviewed)."""
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    return [
        warning(where(t), "W112", f"交易“{t.narration or t.payee or ''}”仍标记为待确认（!）：核对来源、项目后改为 *", t)
        for t in ctx.txns
        if t.flag == "!" and not history_of(ctx.classify, t)  # adopted books' history is not reviewed entry by entry
    ]


sources = rule(check)
__plugins__ = ("sources",)
