"""W901–W905: what should have been published by now and was not.

Reported by `sunledger check` and shown on each fund's page; never an error,
since lateness cannot be fixed by editing the ledger. `as_of` is today for a
treasurer and the commit date for the site, so a build is reproducible. The
deadlines themselves are `ledger/deadlines.py`'s, which the views read too.
"""

from __future__ import annotations

import datetime as dt

from beancount.core import data

from ..errors import warning
from ..ledger.deadlines import Overdue, overdue
from ..ledger.seal import SEAL
from ..periods import month_of
from .context import context


def fund_calendar(entries: list, ctx, as_of: dt.date) -> list[Overdue]:
    months: dict[str, set[str]] = {}
    years: dict[str, set[int]] = {}
    sealed: dict[str, dict[str, dt.date]] = {}
    for txn in ctx.txns:
        role = next((r for _, r in ctx.roles(txn) if r is not None), None)
        if role is not None and not role.fund.fund.before_cutover(txn.date):  # adopted books' history: published as one opening
            months.setdefault(role.code, set()).add(month_of(txn.date))
            years.setdefault(role.code, set()).add(txn.date.year)
    for e in entries:
        if isinstance(e, data.Custom) and e.type == SEAL and len(e.values) == 3:
            sealed.setdefault(str(e.values[0].value), {})[str(e.values[1].value)] = e.date
    out = []
    for code, fc in sorted(ctx.content.funds.items()):
        if code in months:
            out.extend(overdue(fc, sorted(months[code]), sealed.get(code, {}), sorted(years[code]), as_of, ctx.config.disclosure))
    return out


def warnings(entries: list, options_map: dict, as_of: dt.date | None = None, **_kw) -> list:
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    as_of = as_of or dt.date.today()
    return [warning(o.source, o.code, o.message) for o in fund_calendar(entries, ctx, as_of)]
