"""Imported entries that would land in a sealed month, moved to an open one.

A statement line the ledger lacks but dated in a sealed month cannot be
written with its own date: that changes the sealed month (SL401). It becomes a
proposed correction (冲正, DEVELOPING.md `corrects:`/`reason:`) dated the
first day of the month after the last seal, still flagged `!` for the
treasurer to review; from that day on the ledger's balance is the bank's
again. A balance assertion dated inside a sealed month is dropped (the month
is closed; its assertion was written when it was). An account the ledger has
not opened is proposed with an `open` dated in an open month too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from beancount.core import data

from ..ledger.seal import month_after
from .statement import month_of


def relocate(entries: Sequence, sealed: Iterable[str]) -> tuple[list, list[tuple[int, str]]]:
    """(entries fit to write, notes (statement row, what was done)) for `entries` and the sealed months."""
    sealed = set(sealed)
    if not sealed:
        return list(entries), []
    first_open = dt.date.fromisoformat(month_after(max(sealed)) + "-01")
    out, notes = [], []
    for e in entries:
        month = month_of(e.date)
        row = int(e.meta.get("lineno", 0) or 0)
        if month not in sealed:
            out.append(e)
        elif isinstance(e, data.Transaction):
            meta = dict(e.meta)
            meta["corrects"] = month
            meta["reason"] = f"{e.date} 对账单上的这笔交易在 {month} 封账时漏记，在此补记"
            out.append(e._replace(meta=meta, date=first_open, narration=f"补记 {e.date}：{e.narration}"))
            notes.append((row, f"{e.date} 属于已封存的 {month}：改为 {first_open} 的冲正分录（corrects: \"{month}\"），请核对 reason: 后再确认"))
        else:
            notes.append((row, f"{e.date} 属于已封存的 {month}：不导入这条{'余额断言' if isinstance(e, data.Balance) else '记录'}"))
    return out, notes


def proposed_open(account: str, entries: Sequence, currency: str) -> data.Open | None:
    """An `open` for `account`, on the first day of the month of its first new entry (never in a sealed month: those moved)."""
    days = [e.date for e in entries if isinstance(e, data.Transaction)]
    if not days:
        return None
    return data.Open(data.new_metadata("<import>", 0), min(days).replace(day=1), account, [currency], None)
