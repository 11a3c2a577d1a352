"""SL401–SL403, W404: a published month is sealed; any change to it is an
error naming the month. Corrections go into a later month, say why, and
reverse an entry of the month they name."""

from __future__ import annotations

import re
from collections import defaultdict

from beancount.core import data

from ..errors import error, warning
from ..ledger.seal import SEAL, corrected_entries, digest, month_end
from .context import Ctx, context, rule, where

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


def _corrections(ctx: Ctx):
    """(correction, the month it names, that fund's transactions of the month) for each `corrects:`."""
    by_month: dict[tuple[str, str], list] = defaultdict(list)
    fund_of = {}
    for txn in ctx.txns:
        role = next((r for _, r in ctx.roles(txn) if r is not None), None)
        if role is not None:
            fund_of[id(txn)] = role.code
            by_month[(role.code, f"{txn.date:%Y-%m}")].append(txn)
    for txn in ctx.txns:
        if "corrects" in txn.meta and id(txn) in fund_of:
            month = str(txn.meta["corrects"])
            yield txn, month, by_month.get((fund_of[id(txn)], month), [])


def check_corrections(entries: list, ctx: Ctx) -> list:
    """SL403: a correction names an earlier month, in YYYY-MM, and says why."""
    errors = []
    for txn, month, _ in _corrections(ctx):
        if not _MONTH.match(month) or month >= f"{txn.date:%Y-%m}":
            errors.append(error(where(txn), "SL403", f"corrects: “{month}” 应为本笔之前的某个月份（YYYY-MM）", txn))
        elif not txn.meta.get("reason"):
            errors.append(error(where(txn), "SL403", f"更正 {month} 的分录须用 reason: 写明原因（网站公示更正说明）", txn))
    return errors


def warnings(entries: list, options_map: dict, **_kw) -> list:
    """W404: a correction whose original entry cannot be found in the month it names."""
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    return [
        warning(where(txn), "W404", f"在 {month} 找不到这笔更正所冲销的原分录（同一科目、相反金额）", txn)
        for txn, month, month_txns in _corrections(ctx)
        if _MONTH.match(month) and month < f"{txn.date:%Y-%m}" and not corrected_entries(txn, month_txns)
    ]


seals = rule(lambda entries, ctx: check(entries, ctx) + check_corrections(entries, ctx))
__plugins__ = ("seals",)
