"""SL401/SL402: a published month is sealed; any change to it is an error
naming the month. Corrections go into an open month."""

from __future__ import annotations

import re
from collections import defaultdict

from beancount.core import data

from ..errors import error
from ..ledger.seal import SEAL, digest, month_end
from .context import Ctx, rule, where

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _parse(entries: list, ctx: Ctx):
    found, errors = [], []
    for e in entries:
        if not isinstance(e, data.Custom) or e.type != SEAL:
            continue
        values = [v.value for v in e.values]
        if len(values) != 3 or not all(isinstance(v, str) for v in values):
            errors.append(error(where(e), "SL402", f'封存记录格式应为 custom "{SEAL}" "基金代码" "YYYY-MM" "摘要"', e))
            continue
        code, month, dig = values
        if code not in ctx.content.funds:
            errors.append(error(where(e), "SL402", f"封存记录中的基金 {code} 不存在", e))
        elif not _MONTH.match(month):
            errors.append(error(where(e), "SL402", f"封存月份“{month}”格式应为 YYYY-MM", e))
        elif e.date <= month_end(month):
            errors.append(error(where(e), "SL402", f"{month} 尚未结束（封存日期 {e.date}），不能封存", e))
        else:
            found.append((e, code, month, dig))
    return found, errors


def check(entries: list, ctx: Ctx) -> list:
    found, errors = _parse(entries, ctx)
    if not found:
        return errors
    by_month = defaultdict(list)
    wanted = {(code, month) for _, code, month, _ in found}
    codes = {code for code, _ in wanted}
    for e in entries:
        if isinstance(e, data.Custom) or (isinstance(e, data.Transaction) and e.flag == "P"):
            continue
        month = f"{e.date.year:04d}-{e.date.month:02d}"
        accounts = [p.account for p in e.postings] if isinstance(e, data.Transaction) else [getattr(e, "account", None)]
        for account in accounts:
            role = ctx.classify(account) if isinstance(account, str) else None
            if role is not None and role.code in codes and (role.code, month) in wanted:
                by_month[(role.code, month)].append(e)
                break
    sealed = set()
    for e, code, month, dig in found:
        if (code, month) in sealed:
            errors.append(error(where(e), "SL402", f"基金 {code} 的 {month} 已封存过一次", e))
            continue
        sealed.add((code, month))
        actual = digest(by_month.get((code, month), []))
        if actual != dig:
            name = ctx.content.funds[code].fund.name
            errors.append(
                error(where(e), "SL401", f"{name} {month} 已于 {e.date} 封存公示，其记录已被改动（摘要 {actual} ≠ {dig}）；请恢复原记录，在未封存月份记冲正分录（corrects: \"{month}\"）", e)
            )
    return errors


seals = rule(check)
__plugins__ = ("seals",)
