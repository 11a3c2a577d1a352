"""W901–W905: what should have been published by now and was not.

Reported by `sunledger check` and shown on each fund's page; never an error,
since lateness cannot be fixed by editing the ledger. `as_of` is today for a
treasurer and the commit date for the site, so a build is reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from beancount.core import data

from ..content.load import FundContent
from ..errors import meta, warning
from ..ledger.seal import SEAL, month_end
from .context import context


def add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    y, m = day.year + y, m + 1
    last = month_end(f"{y:04d}-{m:02d}").day
    return dt.date(y, m, min(day.day, last))


@dataclass(frozen=True)
class Overdue:
    code: str  # W901 …
    fund: str
    what: str  # 中文说明
    due: dt.date
    source: dict
    hint: str = ""  # what the treasurer runs to fix it (not shown to residents)

    @property
    def message(self) -> str:
        return f"{self.what}（{self.hint}）" if self.hint else self.what


def overdue(fc: FundContent, months: list[str], sealed: dict[str, dt.date], years: list[int], as_of: dt.date, rules) -> list[Overdue]:
    """Pure: a fund's months with entries, their seal dates, its years, today."""
    code, out = fc.fund.code, []
    where = meta(str(fc.path), 1)
    for month in months:
        due = month_end(month) + dt.timedelta(days=rules.notice_days)
        if month in sealed:
            if sealed[month] > due:
                out.append(Overdue("W902", code, f"{month} 月度公示晚于期限 {due}（{sealed[month]} 封存）", due, where))
        elif as_of > due:
            out.append(Overdue("W901", code, f"{month} 月度公示已逾期：应于 {due} 前公示并封存", due, where, f"sunledger seal {code} {month}"))
    for pid, project in sorted(fc.projects.items()):
        src = fc.where.get(pid, where)
        start = project.started or (project.approved.date if project.approved else None)
        if start is None:
            continue
        end = project.completed or as_of
        if add_months(start, rules.long_project_months) < end and project.completed is None:
            progress = [r.date for r in project.reports if r.kind == "进度"]
            last = max(progress, default=start)
            due = add_months(last, rules.progress_months)
            if as_of > due:
                out.append(Overdue("W903", code, f"项目 {pid}「{project.title}」实施超过 {rules.long_project_months} 个月，进展报告已逾期（应于 {due} 前）", due, src))
        if project.completed is not None and not any(r.kind == "结项" for r in project.reports):
            due = add_months(project.completed, rules.final_report_months)
            if as_of > due:
                out.append(Overdue("W904", code, f"项目 {pid}「{project.title}」已于 {project.completed} 完成，结项报告和结余资金说明已逾期（应于 {due} 前）", due, src))
    published = {r.year for r in fc.fund.annual_reports}
    mm, dd = map(int, rules.annual_report_due.split("-"))
    for year in years:
        due = dt.date(year + 1, mm, dd)
        if year not in published and as_of > due:
            out.append(Overdue("W905", code, f"{year} 年度报告已逾期（应于 {due} 前公布）", due, where))
    return out


def fund_calendar(entries: list, ctx, as_of: dt.date) -> list[Overdue]:
    months: dict[str, set[str]] = {}
    years: dict[str, set[int]] = {}
    sealed: dict[str, dict[str, dt.date]] = {}
    for txn in ctx.txns:
        role = next((r for _, r in ctx.roles(txn) if r is not None), None)
        if role is not None and not role.fund.fund.before_cutover(txn.date):  # adopted books' history: published as one opening
            months.setdefault(role.code, set()).add(f"{txn.date:%Y-%m}")
            years.setdefault(role.code, set()).add(txn.date.year)
    for e in entries:
        if isinstance(e, data.Custom) and e.type == SEAL and len(e.values) == 3:
            sealed.setdefault(str(e.values[0].value), {})[str(e.values[1].value)] = e.date
    out = []
    for code, fc in sorted(ctx.content.funds.items()):
        if code in months:
            ended = [m for m in sorted(months[code]) if month_end(m) < as_of]
            out.extend(overdue(fc, ended, sealed.get(code, {}), sorted(years[code]), as_of, ctx.config.disclosure))
    return out


def warnings(entries: list, options_map: dict, as_of: dt.date | None = None, **_kw) -> list:
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    as_of = as_of or dt.date.today()
    return [warning(o.source, o.code, o.message) for o in fund_calendar(entries, ctx, as_of)]
