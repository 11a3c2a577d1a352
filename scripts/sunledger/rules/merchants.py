"""SL201/SL202/W203: a merchant's share is its contract rate times the
revenue it declares, to the fen; every contract month is paid."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from ..errors import error, meta, warning
from ..ledger.accounts import INCOME
from ..ledger.adopted import history_of
from ..ledger.shares import share_due, share_due_by, share_rate
from ..periods import is_month, month_of, months
from .context import Ctx, at, context, rule


def _payments(ctx: Ctx):
    """Yield (txn, posting, role) of each merchant-share income posting.

    Adopted books' history (before the cut-over) is published as one opening balance,
    not as shares: the outside books never had to say merchant, revenue and period."""
    for txn in ctx.txns:
        if history_of(ctx.classify, txn):
            continue
        for p, role in ctx.roles(txn):
            if role is not None and role.kind == INCOME and role.source is not None and role.source.merchant:
                yield txn, p, role


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    for txn, p, role in _payments(ctx):
        here = at(txn, p)
        mid, revenue, period = (txn.meta.get(k) for k in ("merchant", "revenue", "period"))
        missing = [k for k, v in (("merchant", mid), ("revenue", revenue), ("period", period)) if v is None]
        if missing:
            errors.append(error(here, "SL202", f"商户分成缺少 {'、'.join(missing)}（商户编号、申报营业额、所属月份）", txn))
            continue
        partner = role.fund.partners.get(str(mid))
        if partner is None or partner.contract is None:
            errors.append(error(here, "SL202", f"商户 {mid} 不在基金 {role.code} 的合作方名单中，或没有分成合同", txn))
            continue
        period = str(period)
        contract = partner.contract
        if not is_month(period) or period < contract.start or (contract.end and period > contract.end):
            errors.append(error(here, "SL202", f"所属月份 {period} 不在商户 {mid} 的合同期（{contract.start}～{contract.end or '至今'}）内", txn))
            continue
        try:
            revenue = Decimal(str(revenue))
        except InvalidOperation:
            errors.append(error(here, "SL202", f"申报营业额“{revenue}”不是有效金额", txn))
            continue
        rate = share_rate(contract, ctx.config)
        paid = -p.units.number
        expected = share_due(contract, ctx.config, revenue)
        if paid != expected:
            errors.append(
                error(here, "SL201", f"商户 {mid} {period} 分成应为 {rate:%} × {revenue:,.2f} = {expected:,.2f} 元，实收 {paid:,.2f} 元", txn)
            )
    return errors


def warnings(entries: list, options_map: dict, **_kw) -> list:
    """W203: a contract month with no payment, up to the last month whose share is due
    (`shares.share_due_by`)."""
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    paid: dict[tuple[str, str], set[str]] = defaultdict(set)
    last: dict[str, dt.date] = {}
    for txn in ctx.txns:
        for _p, role in ctx.roles(txn):
            if role is not None:
                last[role.code] = max(last.get(role.code, txn.date), txn.date)
    for txn, _p, role in _payments(ctx):
        paid[(role.code, str(txn.meta.get("merchant")))].add(str(txn.meta.get("period")))
    out = []
    for code, fc in ctx.content.funds.items():
        if code not in last:
            continue
        horizon = share_due_by(last[code])
        for pid, partner in fc.partners.items():
            c = partner.contract
            if c is None:
                continue
            end = min(c.end or horizon, horizon)
            start = max(c.start, month_of(fc.fund.cutover)) if fc.fund.cutover else c.start
            for month in months(start, end) if start <= end else ():
                if month not in paid[(code, pid)]:
                    out.append(warning(fc.where.get(pid, meta(str(fc.path), 1)), "W203", f"商户 {pid}「{partner.name}」{month} 在合同期内，未见分成缴纳"))
    return out


merchants = rule(check)
__plugins__ = ("merchants",)
