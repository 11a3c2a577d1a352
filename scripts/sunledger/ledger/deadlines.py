"""When things are due: monthly notices, progress and final reports, annual
reports, corrections (the disclosure calendar, W901–W906). Merchants' shares
have theirs in `ledger/shares.py`.

`catalogue` is the one list of what a fund must publish (信息公开目录): each
item with its due date, the day it was published (the record its page is made
from, dated on or before `as_of`) and its state. The rules turn its overdue and
late items into warnings (`overdue`); the fund page, the catalogue page, the
annual report and the audit report show the same items and dates.

Pure over a fund's content, the months it has entries in, its seals, its
corrections and a day `as_of`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import Disclosure
from ..content.load import FundContent
from ..errors import meta
from ..periods import add_months, month_end, month_of

# What a required disclosure is (信息公开目录's kinds)
NOTICE, PROGRESS, FINAL, ANNUAL, CORRECTION = "月度公示", "进度报告", "结项报告", "年度报告", "更正说明"
KINDS = (NOTICE, PROGRESS, FINAL, ANNUAL, CORRECTION)
# Its state on `as_of`
ON_TIME, LATE, OVERDUE, NOT_DUE = "按时", "逾期公布", "已逾期未公布", "未到期"
STATES = (ON_TIME, LATE, OVERDUE, NOT_DUE)

Correction = tuple[dt.date, str, dict]  # a correcting entry: its date, the month it corrects, its line


def notice_due(month: str, rules: Disclosure) -> dt.date:
    """The last day to publish (seal) the monthly notice of `month`."""
    return month_end(month) + dt.timedelta(days=rules.notice_days)


def annual_due(year: int, rules: Disclosure) -> dt.date:
    """The last day to publish the annual report of `year` (`annual_report_due` of the next year)."""
    mm, dd = map(int, rules.annual_report_due.split("-"))
    return dt.date(year + 1, mm, dd)


def state_of(due: dt.date, published: dt.date | None, as_of: dt.date) -> str:
    if published is not None:
        return ON_TIME if published <= due else LATE
    return OVERDUE if as_of > due else NOT_DUE


@dataclass(frozen=True)
class Item:
    """One disclosure the rules require, as of a day."""

    kind: str  # one of KINDS
    title: str  # 中文, e.g. "2025年3月收支公示"
    due: dt.date
    published: dt.date | None  # None: not (yet) published by as_of
    state: str  # one of STATES
    source: dict  # the line to fix or to write the record at
    month: str | None = None  # 月度公示: its month; 更正说明: the month whose notice carries it
    project: str | None = None  # 进度报告, 结项报告
    year: int | None = None  # 年度报告
    corrects: str | None = None  # 更正说明: the sealed month it corrects
    day: dt.date | None = None  # 更正说明: the correction's own date

    @property
    def late(self) -> bool:
        return self.state in (LATE, OVERDUE)


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


def _zh_month(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def _notices(fc: FundContent, months: list[str], sealed: dict[str, dt.date], as_of: dt.date, rules: Disclosure) -> list[Item]:
    where = meta(str(fc.path), 1)
    out = []
    for month in months:
        due = notice_due(month, rules)
        published = sealed.get(month)
        published = published if published is not None and published <= as_of else None
        out.append(Item(NOTICE, f"{_zh_month(month)}收支公示", due, published, state_of(due, published, as_of), where, month=month))
    return out


def _progress(pid: str, fc: FundContent, as_of: dt.date, rules: Disclosure) -> list[Item]:
    """Each progress report published, and the next one of a project running longer than
    `long_project_months`, due `progress_months` after the last (or the start).

    A published report is late when W903 would have been raised on some day before it: after
    its due date, after the project had run `long_project_months`, before it was completed."""
    project = fc.projects[pid]
    src = fc.where.get(pid, meta(str(fc.path), 1))
    start = project.started or (project.approved.date if project.approved else None)
    if start is None:
        return []
    long_from = add_months(start, rules.long_project_months)
    out, last = [], start
    shown = sorted(r.date for r in project.reports if r.kind == "进度" and r.date <= as_of)
    for i, day in enumerate(shown, 1):
        due = add_months(last, rules.progress_months)
        first_warned = max(due, long_from) + dt.timedelta(days=1)  # W903 counts a day strictly after both
        warned = first_warned < day and (project.completed is None or first_warned < project.completed)
        out.append(Item(PROGRESS, f"「{project.title}」第 {i} 次进展报告", due, day, LATE if warned else ON_TIME, src, project=pid))
        last = day
    if project.completed is None and long_from < as_of:
        due = add_months(last, rules.progress_months)
        out.append(Item(PROGRESS, f"「{project.title}」第 {len(shown) + 1} 次进展报告", due, None, state_of(due, None, as_of), src, project=pid))
    return out


def _final(pid: str, fc: FundContent, as_of: dt.date, rules: Disclosure) -> list[Item]:
    project = fc.projects[pid]
    if project.completed is None:
        return []
    src = fc.where.get(pid, meta(str(fc.path), 1))
    due = add_months(project.completed, rules.final_report_months)
    published = min((r.date for r in project.reports if r.kind == "结项" and r.date <= as_of), default=None)
    return [Item(FINAL, f"「{project.title}」结项报告", due, published, state_of(due, published, as_of), src, project=pid)]


def _annual(fc: FundContent, years: list[int], as_of: dt.date, rules: Disclosure) -> list[Item]:
    out = []
    for year in years:
        due = annual_due(year, rules)
        record = next((r for r in fc.fund.annual_reports if r.year == year), None)
        published = record.date if record is not None and record.date <= as_of else None
        src = fc.annual_lines.get(year, meta(str(fc.path), 1))
        out.append(Item(ANNUAL, f"{year}年度报告", due, published, state_of(due, published, as_of), src, year=year))
    return out


def _corrections(fc: FundContent, corrections: Sequence[Correction], sealed: dict[str, dt.date],
                 as_of: dt.date, rules: Disclosure) -> list[Item]:
    """A 更正说明 is published with the notice of the month the correction is booked in."""
    out = []
    for day, corrects, src in sorted(corrections, key=lambda c: (c[0], c[1])):
        month = month_of(day)
        due = notice_due(month, rules)
        published = sealed.get(month)
        published = published if published is not None and published <= as_of else None
        out.append(Item(CORRECTION, f"更正{_zh_month(corrects)}的账目（{day.isoformat()}）", due, published,
                        state_of(due, published, as_of), src, month=month, corrects=corrects, day=day))
    return out


def catalogue(fc: FundContent, months: list[str], sealed: dict[str, dt.date], years: list[int], as_of: dt.date,
              rules: Disclosure, corrections: Sequence[Correction] = ()) -> list[Item]:
    """Every disclosure fund `fc` owes by its books and content, with its state on `as_of`:
    the notice of each month with entries (`months`; published = sealed, `sealed` the seal
    date of each month), each project's progress and final reports, the annual report of
    each year with entries (`years`), and each correction (day, month it corrects, its line).
    Items not yet due are listed too (未到期)."""
    out = _notices(fc, months, sealed, as_of, rules)
    for pid in sorted(fc.projects):
        out += _progress(pid, fc, as_of, rules) + _final(pid, fc, as_of, rules)
    out += _annual(fc, years, as_of, rules)
    out += _corrections(fc, corrections, sealed, as_of, rules)
    return out


def warnings_of(items: list[Item], fc: FundContent, rules: Disclosure) -> list[Overdue]:
    """What of the catalogue `sunledger check` warns of (W901–W906), in its words."""
    code, out = fc.fund.code, []
    for it in items:
        project = fc.projects.get(it.project or "")
        if it.kind == NOTICE:
            if it.state == LATE:
                out.append(Overdue("W902", code, f"{it.month} 月度公示晚于期限 {it.due}（{it.published} 封存）", it.due, it.source, month=it.month))
            elif it.state == OVERDUE:
                out.append(Overdue("W901", code, f"{it.month} 月度公示已逾期：应于 {it.due} 前公示并封存", it.due, it.source,
                                   f"sunledger seal {code} {it.month}", it.month))
        elif it.kind == PROGRESS and it.state == OVERDUE and project is not None:
            out.append(Overdue("W903", code, f"项目 {it.project}「{project.title}」实施超过 {rules.long_project_months} 个月，"
                                             f"进展报告已逾期（应于 {it.due} 前）", it.due, it.source))
        elif it.kind == FINAL and it.state == OVERDUE and project is not None:
            out.append(Overdue("W904", code, f"项目 {it.project}「{project.title}」已于 {project.completed} 完成，"
                                             f"结项报告和结余资金说明已逾期（应于 {it.due} 前）", it.due, it.source))
        elif it.kind == ANNUAL and it.state == OVERDUE:
            out.append(Overdue("W905", code, f"{it.year} 年度报告已逾期（应于 {it.due} 前公布）", it.due, it.source))
        elif it.kind == ANNUAL and it.state == LATE:
            out.append(Overdue("W906", code, f"{it.year} 年度报告晚于期限公布（应于 {it.due} 前，{it.published} 才公布）", it.due, it.source))
    return out


def overdue(fc: FundContent, months: list[str], sealed: dict[str, dt.date], years: list[int], as_of: dt.date,
            rules: Disclosure, corrections: Sequence[Correction] = ()) -> list[Overdue]:
    """What fund `fc` should have published by `as_of` and has not, or published late
    (W901–W906): the catalogue's overdue and late items; `years` are those with entries."""
    return warnings_of(catalogue(fc, months, sealed, years, as_of, rules, corrections), fc, rules)


def notices_overdue(fc: FundContent, months: list[str], sealed: dict[str, dt.date], as_of: dt.date, rules: Disclosure) -> list[Overdue]:
    """W901/W902: monthly notices not sealed by their deadline, or sealed after it."""
    return warnings_of(_notices(fc, months, sealed, as_of, rules), fc, rules)
