"""SL401–SL403, W404: a published month is sealed; any change to it is an
error naming the month, and, when the seal lists its entries (`entries:`),
each entry that changed or was added at its own line, and what went missing.
Corrections go into a later month, say why, and reverse an entry of the
month they name."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from beancount.core import data

from ..errors import error, warning
from ..ledger.seal import (
    ENTRIES_KEY,
    SEAL,
    accounts_of,
    changes,
    corrected_entries,
    digest,
    month_after,
    month_end,
    sealable,
)
from . import disclosure  # SL907: an annual report needs its year's seals
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
        elif (cutover := ctx.content.funds[code].fund.cutover) is not None and month_end(month) < cutover:
            errors.append(error(where(e), "SL402", f"{month} 在基金 {code} 的接入日期 {cutover} 之前：接入前的账只作为期初余额公示，"
                                                   f"不逐月封存；请删除这条封存记录", e))
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
        if not sealable(e):
            continue
        month = f"{e.date.year:04d}-{e.date.month:02d}"
        accounts: list = list(accounts_of(e))
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
        now = by_month.get((code, month), [])
        actual = digest(now)
        if actual != dig:
            errors += _changed(e, ctx, month, actual, dig, now, month_after(max(m for c, m in wanted if c == code)))
    return errors


def _changed(seal: data.Custom, ctx: Ctx, month: str, actual: str, dig: str, now: list, later: str) -> list:
    """SL401 at the seal, and at each entry that changed or was added when the seal lists its entries."""
    name = ctx.content.funds[seal.values[0].value].fund.name
    head = f"{name} {month} 已于 {seal.date} 封存公示，其记录已被改动（摘要 {actual} ≠ {dig}）"
    listed = seal.meta.get(ENTRIES_KEY)
    if not isinstance(listed, str):  # a seal written before entries were listed: only the month is known
        return [error(where(seal), "SL401", f"{head}；请恢复原记录，在未封存月份记冲正分录（corrects: \"{month}\"）", seal)]
    found = changes(listed, now)
    parts = []
    if found.changed or found.added:
        parts.append("改动或补记的记录：" + "、".join(_at(x.meta, ctx) for x in (*found.changed, *found.added)))
    if found.removed:
        days = "、".join(f"{month}-{d.split(':')[0]}" for d in found.removed)
        parts.append(f"封存后删除了 {len(found.removed)} 条记录（日期 {days}），请照已公示的月报恢复")
    out = [error(where(seal), "SL401", f"{head}；{'；'.join(parts)}", seal)]
    for kind, items in (("封存后被改动", found.changed), ("封存后补记", found.added)):
        out += [
            error(where(x), "SL401", f"这条记录属于 {name} 已封存的 {month}（{_at(seal.meta, ctx)}），{kind}；{_advice(x, month, later)}", x)
            for x in items
        ]
    return out


def _at(meta: dict, ctx: Ctx) -> str:
    """`file:line` as the checker prints locations: relative to the district root."""
    path = Path(str(meta.get("filename", "")))
    try:
        path = path.resolve().relative_to(ctx.root.resolve())
    except (ValueError, OSError):
        pass
    return f"{path.as_posix()}:{meta.get('lineno', 0)}"


def _advice(entry, month: str, later: str) -> str:
    """What to do instead, by kind of entry: a reversing entry only makes sense for a transaction."""
    if isinstance(entry, data.Transaction):
        return f"请恢复原记录；更正写在 {later} 的冲正分录里（corrects: \"{month}\" 和 reason:）"
    if isinstance(entry, data.Open):
        return f"新科目的 open 请写在未封存的月份，例如 {later}-01"
    if isinstance(entry, data.Balance):
        return f"已封存月份不能再补余额断言：删除它，或改到 {later}"
    return f"请恢复原状，或把它的日期改到未封存的 {later}"


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


seals = rule(lambda entries, ctx: check(entries, ctx) + check_corrections(entries, ctx) + disclosure.records(entries, ctx))
__plugins__ = ("seals",)
