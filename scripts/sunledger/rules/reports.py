"""SL113–SL115: a project's progress and final reports (`reports:` in its YAML) agree with the books.

The figures are the books' (ledger/progress.py, the same the project page
shows); a number the fund manager typed into a report too (`spent:`,
`leftover:`) must equal them to the fen (SL113). A report is dated on or after
the project started, or its approval while it waits to start (SL114, the start
W903 counts from); a final report (结项) needs the project's
`completed:` on or before its date, and there is one (SL115). Each error names
the report's line in the project's YAML.

W908: money given for a finished project and not spent must be dealt with, like its final
report, within `final_report_months` of the end: released to free money, moved to another
project or refunded (ledger/leftover.py). Until then it is a warning at the project's YAML.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..errors import error, warning
from ..ledger.progress import report_figures
from ..periods import add_months
from .context import Ctx, context, rule


def check(entries: list, ctx: Ctx) -> list:
    att = None
    errors = []
    for code, fc in sorted(ctx.content.funds.items()):
        for pid, project in sorted(fc.projects.items()):
            finals = 0
            for i, report in enumerate(project.reports):

                def at(key: str, i: int = i, pid: str = pid, fc=fc):
                    return fc.report_lines.get((pid, i, key)) or fc.where.get(pid) or {}

                if fc.fund.before_cutover(report.date):
                    continue  # adopted books' history: published as one opening balance
                name = f"项目 {pid}「{project.title}」的{report.kind}报告（{report.date}）"
                # a project reports from its start, or from its approval while it waits to start (as W903 counts)
                start, what = (project.started, "开始实施") if project.started else (project.approved.date if project.approved else None, "批准")
                if start is None:
                    errors.append(error(at("date"), "SL114", f"{name}：项目尚未批准（没有 approved:），还没有可报告的进展"))
                elif report.date < start:
                    errors.append(error(at("date"), "SL114", f"{name}早于项目{what}的日期 {start}"))
                if report.kind == "结项":
                    finals += 1
                    if finals > 1:
                        errors.append(error(at("kind"), "SL115", f"{name}：一个项目只有一份结项报告，这是第 {finals} 份；进展请写成“进度”报告"))
                    elif project.completed is None:
                        errors.append(error(at("kind"), "SL115", f"{name}：项目还没有完成日期（completed:），不能结项"))
                    elif report.date < project.completed:
                        errors.append(error(at("date"), "SL115", f"{name}早于项目完成日期 {project.completed}"))
                if report.spent is None and report.leftover is None:
                    continue
                if att is None:
                    att = ctx.attributed(entries)[0]
                figures = report_figures(att, code, project, report.date, report.kind)
                for key, typed, books in (("spent", report.spent, figures.spent), ("leftover", report.leftover, figures.leftover)):
                    if typed is not None and Decimal(typed) != books:
                        what = "累计支出" if key == "spent" else "结余（预算减支出）"
                        errors.append(error(at(key), "SL113", f"{name}写的{what} {typed:,.2f} 元与账上截至 {report.date} 的 {books:,.2f} 元不符；"
                                                              f"删去这一行（页面上的数字由账本生成），或改为 {books:.2f}"))
    return errors


reports = rule(check)
__plugins__ = ("reports",)


def warnings(entries: list, options_map: dict, as_of: dt.date | None = None, **_kw) -> list:
    """W908: restricted money of a finished project still held after the final report's deadline."""
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    as_of = as_of or dt.date.today()
    att = ctx.attributed(entries)[0]
    months = ctx.config.disclosure.final_report_months
    out = []
    for (code, source, pid), held in sorted(att.restricted.items()):
        fc = ctx.content.funds.get(code)
        if fc is None or held <= 0:
            continue
        project = fc.projects.get(pid)
        if project is None or project.completed is None:
            continue
        due = add_months(project.completed, months)
        if as_of > due:
            out.append(warning(fc.where.get(pid) or {}, "W908",
                               f"项目 {pid}「{project.title}」已于 {project.completed} 完成，{source}的定向结余 {held:,.2f} 元仍未处理："
                               f"应于 {due} 前转为非定向、转给其他项目或退还捐赠方（custom \"sunledger-leftover\"，见填报指南）"))
    return out
