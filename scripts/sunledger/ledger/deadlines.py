"""When things are due: monthly notices, progress and final reports, annual
reports (the disclosure calendar, W901–W905). Merchants' shares have theirs
in `ledger/shares.py`.

Pure over a fund's content, the months it has entries in, its seals and a
day `as_of`. The rules turn what is overdue into warnings; the fund page, the
partner page and the audit report show the same dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import Disclosure
from ..content.load import FundContent
from ..errors import meta
from ..periods import add_months, month_end


def notice_due(month: str, rules: Disclosure) -> dt.date:
    """The last day to publish (seal) the monthly notice of `month`."""
    return month_end(month) + dt.timedelta(days=rules.notice_days)


@dataclass(frozen=True)
class Overdue:
    code: str  # W901 …
    fund: str
    what: str  # 中文说明
    due: dt.date
    source: dict
    hint: str = ""  # what the treasurer runs to fix it (not shown to residents)
    month: str | None = None  # the notice's month (W901, W902)

    @property
    def message(self) -> str:
        return f"{self.what}（{self.hint}）" if self.hint else self.what


def notices_overdue(fc: FundContent, months: list[str], sealed: dict[str, dt.date], as_of: dt.date, rules: Disclosure) -> list[Overdue]:
    """W901/W902: monthly notices not sealed by their deadline, or sealed after it.

    `months` are those with entries, `sealed` the seal date of each sealed month;
    a month counts once it has ended by `as_of`.
    """
    code, out = fc.fund.code, []
    where = meta(str(fc.path), 1)
    for month in months:
        if month_end(month) >= as_of:
            continue
        due = notice_due(month, rules)
        if month in sealed:
            if sealed[month] > due:
                out.append(Overdue("W902", code, f"{month} 月度公示晚于期限 {due}（{sealed[month]} 封存）", due, where, month=month))
        elif as_of > due:
            out.append(Overdue("W901", code, f"{month} 月度公示已逾期：应于 {due} 前公示并封存", due, where, f"sunledger seal {code} {month}", month))
    return out


def overdue(fc: FundContent, months: list[str], sealed: dict[str, dt.date], years: list[int], as_of: dt.date, rules: Disclosure) -> list[Overdue]:
    """What fund `fc` should have published by `as_of` and has not, or published late
    (W901–W905); `years` are those with entries."""
    code, where = fc.fund.code, meta(str(fc.path), 1)
    out = notices_overdue(fc, months, sealed, as_of, rules)
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
