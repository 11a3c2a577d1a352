"""W901–W906: what should have been published by now and was not, or was late; and SL907,
an annual report registered for a year whose books are not closed.

The warnings are reported by `sunledger check` and shown on each fund's page; never an
error, since lateness cannot be fixed by editing the ledger. `as_of` is today for a
treasurer and the commit date for the site, so a build is reproducible. The items
themselves are `ledger/deadlines.py`'s catalogue, which the views read too. SL907 does not
depend on the day: it is raised by the seals plugin (`records`), with the seals it reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from beancount.core import data

from ..errors import error, meta, warning
from ..ledger.deadlines import Correction, Overdue, overdue
from ..ledger.seal import SEAL
from ..periods import month_of
from .context import Ctx, context, where


@dataclass
class Calendar:
    """What the disclosure calendar of one fund is made from, read from the entries."""

    months: set[str] = field(default_factory=set)  # with entries (after a cut-over)
    years: set[int] = field(default_factory=set)
    sealed: dict[str, dt.date] = field(default_factory=dict)  # month -> seal date
    corrections: list[Correction] = field(default_factory=list)


def calendars(entries: list, ctx: Ctx) -> dict[str, Calendar]:
    out: dict[str, Calendar] = {}
    for txn in ctx.txns:
        role = next((r for _, r in ctx.roles(txn) if r is not None), None)
        if role is not None and not role.fund.fund.before_cutover(txn.date):  # adopted books' history: published as one opening
            cal = out.setdefault(role.code, Calendar())
            cal.months.add(month_of(txn.date))
            cal.years.add(txn.date.year)
            if txn.meta.get("corrects") is not None:
                cal.corrections.append((txn.date, str(txn.meta["corrects"]), where(txn)))
    for e in entries:
        if isinstance(e, data.Custom) and e.type == SEAL and len(e.values) == 3:
            out.setdefault(str(e.values[0].value), Calendar()).sealed[str(e.values[1].value)] = e.date
    return out


def fund_calendar(entries: list, ctx, as_of: dt.date) -> list[Overdue]:
    out = []
    cals = calendars(entries, ctx)
    for code, fc in sorted(ctx.content.funds.items()):
        cal = cals.get(code)
        if cal is not None and cal.months:
            out.extend(overdue(fc, sorted(cal.months), cal.sealed, sorted(cal.years), as_of, ctx.config.disclosure, cal.corrections))
    return out


def records(entries: list, ctx: Ctx) -> list:
    """SL907: an annual report is published for a closed year: every month of it with entries
    sealed, on or before the report's date (its figures are final when it appears)."""
    errors = []
    cals = calendars(entries, ctx)
    for code, fc in sorted(ctx.content.funds.items()):
        cal = cals.get(code)
        if cal is None or not cal.months:  # its books are not in this load (a fund checked alone), or empty
            continue
        for r in fc.fund.annual_reports:
            src = fc.annual_lines.get(r.year, meta(str(fc.path), 1))
            months = sorted(m for m in cal.months if m.startswith(f"{r.year:04d}-"))
            if not months:
                errors.append(error(src, "SL907", f"{r.year} 年没有本基金的账目：年度报告只能为有账目的年度登记"))
                continue
            open_ = [m for m in months if m not in cal.sealed]
            if open_:
                errors.append(error(src, "SL907", f"{r.year} 年度尚未结账：{'、'.join(open_)} 还没有封存，"
                                                  f"封存后才能登记年度报告（sunledger seal {code} {open_[0]}）"))
                continue
            last = max(months, key=lambda m: cal.sealed[m])
            if cal.sealed[last] > r.date:
                errors.append(error(src, "SL907", f"{r.year} 年度报告的公布日期 {r.date} 早于 {last} 的封存日期 {cal.sealed[last]}："
                                                  f"年度账目全部封存后才能公布"))
    return errors


def warnings(entries: list, options_map: dict, as_of: dt.date | None = None, **_kw) -> list:
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    as_of = as_of or dt.date.today()
    return [warning(o.source, o.code, o.message) for o in fund_calendar(entries, ctx, as_of)]
