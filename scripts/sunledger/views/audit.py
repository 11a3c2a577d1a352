"""审计报告: a fund's period as an auditor checks it, and what stands out.

Pure over a loaded district (no file access); the Fava extension
`sunledger.audit` renders it from Fava's own entries
(`sunledger.district.district_from_entries`), so nothing is parsed twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ..district import District, FundBooks
from ..errors import Problem
from ..ledger import deadlines
from ..ledger.accounts import BANK, EXPENSE
from ..ledger.attribution import Flow
from ..ledger.movements import SPENT, meta, movement, units
from ..ledger.shares import share_rate
from ..periods import Period, first_day, month_end, month_of
from .common import ZERO, line_of
from .partner import Due, partner_view

NEAR_BUDGET = Decimal("0.9")  # a project at 90 % of its budget is "near"
KINDS = ("大额支出", "无凭证支出", "项目超支", "接近预算", "缺余额断言", "公示未封存", "冲正")


@dataclass(frozen=True)
class Finding:
    """One exception an auditor should look at, with the entry to open."""

    kind: str  # one of KINDS
    date: dt.date
    text: str
    amount: Decimal | None
    entry: Any  # the ledger entry (Fava links it by hash), or None
    filename: str = ""
    lineno: int = 0
    account: str | None = None
    month: str | None = None
    code: str = ""  # the rule's code when the finding is the rule's (W802, SL105, W302, W901)


def _at(entry: Any) -> tuple[str, int]:
    meta = getattr(entry, "meta", None) or {}
    return str(meta.get("filename", "")), int(meta.get("lineno") or 0)


def _finding(kind: str, day: dt.date, text: str, amount: Decimal | None, entry: Any, **kw: Any) -> Finding:
    return Finding(kind, day, text, amount, entry, *_at(entry), **kw)


def _expense(district: District, txn: data.Transaction) -> Decimal | None:
    total = None
    for p in txn.postings:
        role = district.classify(p.account)
        if role is not None and role.kind == EXPENSE and p.units is not None:
            total = (total or ZERO) + units(p)
    return total


def _project_spending(
    district: District, books: FundBooks, stop: dt.date
) -> dict[str, list[tuple[data.Transaction, Decimal]]]:
    """Project id -> its expense transactions before `stop` with their amounts, in date order."""
    out: dict[str, list[tuple[data.Transaction, Decimal]]] = defaultdict(list)
    for txn in books.txns:
        if txn.date >= stop:
            break
        amounts: dict[str, Decimal] = defaultdict(Decimal)
        for p in txn.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == EXPENSE and p.units is not None:
                pid = (p.meta or {}).get("project") or txn.meta.get("project")
                if pid:
                    amounts[str(pid)] += units(p)
        for pid, amount in amounts.items():
            out[pid].append((txn, amount))
    return out


def _completed(project: Any, period: Period) -> bool:
    return project.completed is not None and project.completed < period.stop


# W302's text (rules/bank.py) names the account and the month; the warning
# itself stands on the account's `open` line, shared by all its months.
_W302 = re.compile(r"银行账户 (\S+) 的 (\d{4}-\d{2}) 没有月末余额断言")


def _located(books: FundBooks) -> dict[tuple[str, int], tuple[data.Transaction, data.Posting | None]]:
    """(file, line) -> the transaction (and posting) there: where the rules put their findings."""
    out: dict[tuple[str, int], tuple[data.Transaction, data.Posting | None]] = {}
    for txn in books.txns:
        out[_at(txn)] = (txn, None)
        for p in txn.postings:
            if p.meta and p.meta.get("lineno"):
                out.setdefault(_at(p), (txn, p))
    return out


def _rule_findings(district: District, books: FundBooks, period: Period) -> list[Finding]:
    """The rules' own findings of this fund (`district.problems`, as `sunledger check` prints
    them) that fall in the period: W802 无凭证支出, SL105 项目超支, W302 缺余额断言."""
    located = _located(books)
    spending = _project_spending(district, books, period.stop)
    last_bank: dict[tuple[str, str], data.Transaction] = {}  # (account, month) -> its last transaction
    for booked in books.txns:
        for p in booked.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == BANK:
                last_bank[(p.account, month_of(booked.date))] = booked
    over: dict[str, Finding] = {}
    out = []
    for problem in district.problems:
        text = problem.message.split(" ", 1)[-1]
        found = located.get((problem.filename, problem.lineno))
        txn, posting = found if found is not None else (None, None)
        if problem.code == "W802" and txn is not None and txn.date in period:
            line = line_of(district, txn)
            what = f"{line.payee}：{line.narration}" if line.payee else line.narration
            text = f"{what}（超过 {district.config.receipt_threshold:,.2f} 元，未附凭证）"
            out.append(Finding("无凭证支出", txn.date, text, _expense(district, txn), txn, problem.filename, problem.lineno, code="W802"))
        elif problem.code == "SL105" and txn is not None and posting is not None and txn.date < period.stop:
            pid = meta(txn, posting, "project") or ""
            rows = spending.get(pid, [])
            if any(t.date in period for t, _ in rows) and (pid not in over or over[pid].date <= txn.date):
                # the last crossing before the period's end, with the spending up to that end
                to_date = sum((a for _, a in rows), ZERO)
                over[pid] = Finding("项目超支", txn.date, text, to_date, txn, problem.filename, problem.lineno, code="SL105")
        elif problem.code == "W302" and (m := _W302.search(problem.message)):
            account, month = m.groups()
            role = district.classify(account)
            if role is not None and role.code == books.code and first_day(month) in period:
                entry = last_bank.get((account, month))
                out.append(
                    Finding("缺余额断言", month_end(month), text, None, entry, problem.filename, problem.lineno, account, month, "W302")
                )
    return out + list(over.values())


def _near_budget(district: District, books: FundBooks, period: Period) -> list[Finding]:
    """Projects within 10 % of their budget by the period's end (no rule: a hint to auditors)."""
    out = []
    for pid, rows in sorted(_project_spending(district, books, period.stop).items()):
        project = books.fc.projects.get(pid)
        if project is None or not any(t.date in period for t, _ in rows):
            continue
        spent = sum((a for _, a in rows), ZERO)
        if project.budget and project.budget * NEAR_BUDGET <= spent <= project.budget and not _completed(project, period):
            txn = rows[-1][0]
            text = f"项目 {pid}「{project.title}」累计支出 {spent:,.2f} 元，已达预算 {project.budget:,.2f} 元的 {spent * 100 / project.budget:.0f}%"
            out.append(_finding("接近预算", txn.date, text, spent, txn))
    return out


def _seal_findings(district: District, books: FundBooks, period: Period, as_of: dt.date) -> list[Finding]:
    """Months with entries, ended by `as_of`, not sealed: those past their deadline are the
    disclosure rule's W901 (`deadlines.notices_overdue`), the others still within it."""
    last: dict[str, data.Transaction] = {}
    for txn in books.txns:
        last[month_of(txn.date)] = txn
    rules = district.config.disclosure
    sealed = {m: seal.date for m, seal in books.seals.items()}
    late = {o.month: o for o in deadlines.notices_overdue(books.fc, sorted(last), sealed, as_of, rules) if o.code == "W901"}
    out = []
    for month, txn in sorted(last.items()):
        end = month_end(month)
        if month in sealed or end >= as_of or first_day(month) not in period:
            continue
        if month in late:
            state, code = f"已逾期（应于 {late[month].due} 前封存）", "W901"
        else:
            state, code = f"公示期内（{deadlines.notice_due(month, rules)} 前封存）", ""
        text = f"{month} 已结束，月度公示未封存：{state}；封存命令 sunledger seal {books.code} {month}"
        out.append(_finding("公示未封存", end, text, None, txn, month=month, code=code))
    return out


def exceptions(district: District, code: str, start: str, end: str, as_of: dt.date | None = None) -> list[Finding]:
    """What an auditor should look at in fund `code` from month `start` to `end`.

    The rules' findings are read, not recomputed (`_rule_findings`), so the
    report and `sunledger check` agree; `as_of` decides which months have
    ended (default: the fund's last entry).
    """
    books = district.books[code]
    period = Period(start, end)
    config = district.config
    out: list[Finding] = []
    for txn in books.txns:
        if txn.date not in period:
            continue
        total = _expense(district, txn)
        line = line_of(district, txn)
        what = f"{line.payee}：{line.narration}" if line.payee else line.narration
        if total is not None and total > config.large_expense:
            out.append(
                _finding("大额支出", txn.date, f"{what}（超过大额线 {config.large_expense:,.2f} 元）", total, txn)
            )
        if txn.meta.get("corrects") is not None:
            text = f"{what}：冲正 {txn.meta['corrects']}，原因：{txn.meta.get('reason', '（未注明）')}"
            moved = line.amount or sum(
                (units(p) for p in txn.postings if p.units is not None and units(p) > 0), ZERO
            )
            out.append(_finding("冲正", txn.date, text, moved, txn))
    out.extend(_rule_findings(district, books, period))
    out.extend(_near_budget(district, books, period))
    last = books.txns[-1].date if books.txns else (district.last_date or dt.date.min)
    out.extend(_seal_findings(district, books, period, as_of or last))
    return sorted(out, key=lambda f: (KINDS.index(f.kind), f.date, f.filename, f.lineno))


# --- the report around the exceptions ---------------------------------------------------------


@dataclass
class SourceRoll:
    """期初 + 结转 + 收入 − 支出 = 期末 of one source (restricted money included)."""

    source: str
    opening: Decimal = ZERO
    carried: Decimal = ZERO  # opening balances booked inside the period (Equity)
    income: Decimal = ZERO
    restricted_income: Decimal = ZERO  # of `income`: given for a purpose
    spent: Decimal = ZERO
    spent_restricted: Decimal = ZERO  # of `spent`: drawn from money given for the project
    restricted_closing: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.carried + self.income - self.spent


@dataclass
class Pool:
    """定向资金: money of one source given for one project."""

    source: str
    project: str
    title: str
    opening: Decimal = ZERO
    received: Decimal = ZERO
    used: Decimal = ZERO
    gifts: list[Flow] = field(default_factory=list)  # in the period
    uses: list[Flow] = field(default_factory=list)  # in the period

    @property
    def closing(self) -> Decimal:
        return self.opening + self.received - self.used


@dataclass
class BudgetLine:
    id: str
    title: str
    category: str
    stage: str
    budget: Decimal
    spent: Decimal  # in the period
    to_date: Decimal  # up to the period's end
    completed: bool = False  # by the period's end: being near the budget is then no concern

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.to_date

    @property
    def percent(self) -> int:
        return int(self.to_date * 100 / self.budget) if self.budget else (100 if self.to_date else 0)

    @property
    def status(self) -> str:
        if self.to_date > self.budget:
            return "超支"
        if self.completed:
            return "已完成"
        return "接近预算" if self.budget and self.to_date >= self.budget * NEAR_BUDGET else "正常"


@dataclass
class MerchantLine:
    id: str
    name: str
    rate: Decimal
    dues: list[Due]  # months of the period under contract; status 未到期 when not due yet

    @property
    def paid(self) -> Decimal:
        return sum((d.paid for d in self.dues), ZERO)

    @property
    def due(self) -> Decimal:
        return sum((d.due for d in self.dues if d.due is not None), ZERO)

    @property
    def arrears(self) -> list[str]:
        return [d.month for d in self.dues if d.status == "未缴"]


@dataclass
class Audit:
    code: str
    name: str
    period: Period
    income_by_source: dict[str, Decimal]
    income_by_month: dict[str, dict[str, Decimal]]  # month -> source -> amount
    spending_by_project: dict[str, Decimal]
    spending_by_category: dict[str, Decimal]
    flows: dict[tuple[str, str], Decimal]  # (source, project) -> spent in the period
    sources: list[SourceRoll]
    pools: list[Pool]
    budgets: list[BudgetLine]
    merchants: list[MerchantLine]
    findings: list[Finding]
    errors: list[Problem]  # rule errors in this fund's files
    money_closing: Decimal  # the fund's money (bank and other assets) at the period's end
    titles: dict[str, str]  # project id -> title

    @property
    def income_total(self) -> Decimal:
        return sum(self.income_by_source.values(), ZERO)

    @property
    def spending_total(self) -> Decimal:
        return sum(self.spending_by_category.values(), ZERO)

    @property
    def sources_closing(self) -> Decimal:
        return sum((s.closing for s in self.sources), ZERO)


def _sources(district: District, code: str, period: Period) -> tuple[list[SourceRoll], list[Pool]]:
    rolls: dict[str, SourceRoll] = {}
    pools: dict[tuple[str, str], Pool] = {}
    projects = district.books[code].fc.projects
    for flow in district.attribution.of_fund(code)[0]:
        if flow.txn.date >= period.stop:
            continue
        roll = rolls.setdefault(flow.source, SourceRoll(flow.source))
        before = flow.txn.date < period.first
        if before:
            roll.opening += flow.amount
        elif flow.opening:
            roll.carried += flow.amount
        else:
            roll.income += flow.amount
            roll.restricted_income += flow.amount if flow.project else ZERO
        if flow.project:
            pool = pools.setdefault(
                (flow.source, flow.project), Pool(flow.source, flow.project, _title(projects, flow.project))
            )
            if before:
                pool.opening += flow.amount
            else:
                pool.received += flow.amount
                pool.gifts.append(flow)
    for flow in district.attribution.of_fund(code)[1]:
        if flow.txn.date >= period.stop:
            continue
        roll = rolls.setdefault(flow.source, SourceRoll(flow.source))
        before = flow.txn.date < period.first
        if before:
            roll.opening -= flow.amount
        else:
            roll.spent += flow.amount
            roll.spent_restricted += flow.restricted
        if flow.restricted and flow.project:
            pool = pools.setdefault(
                (flow.source, flow.project), Pool(flow.source, flow.project, _title(projects, flow.project))
            )
            if before:
                pool.opening -= flow.restricted
            else:
                pool.used += flow.restricted
                pool.uses.append(flow)
    for (source, _pid), pool in pools.items():
        rolls[source].restricted_closing += pool.closing
    order = {s.name: i for i, s in enumerate(district.config.sources)}
    live = [p for p in pools.values() if p.opening or p.received or p.used]
    return sorted(rolls.values(), key=lambda r: order.get(r.source, len(order))), sorted(
        live, key=lambda p: (p.project, order.get(p.source, 0))
    )


def _title(projects: dict, pid: str) -> str:
    project = projects.get(pid)
    return project.title if project is not None else ""


def _merchants(district: District, code: str, period: Period) -> list[MerchantLine]:
    books = district.books[code]
    if not books.txns:
        return []
    out = []
    for pid, partner in sorted(books.fc.partners.items()):
        if partner.contract is None:
            continue
        view = partner_view(district, code, pid)
        dues = [d for d in view.dues if period.start <= d.month <= period.end]  # 未到期 as W203 counts
        if dues:
            out.append(MerchantLine(pid, partner.name, share_rate(partner.contract, district.config), dues))
    return out


def _sorted(d: dict[str, Decimal]) -> dict[str, Decimal]:
    return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))


def audit(district: District, code: str, start: str, end: str, as_of: dt.date | None = None) -> Audit:
    """The audit report of fund `code` for the months `start` … `end` ("YYYY-MM")."""
    books = district.books[code]
    period = Period(start, end)
    income: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for flow in district.attribution.of_fund(code)[0]:
        if flow.txn.date in period and not flow.opening:
            income[flow.source] += flow.amount
            by_month[month_of(flow.txn.date)][flow.source] += flow.amount
    by_project: dict[str, Decimal] = defaultdict(Decimal)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    money = ZERO
    for txn in books.txns:
        if txn.date >= period.stop:
            break
        m = movement(district.classify, txn)
        money += m.money
        if txn.date < period.first:
            continue
        for part in m.parts:
            if part.kind == SPENT:
                by_category[part.category or part.posting.account] += part.spent
                by_project[part.project or "（无项目）"] += part.spent
    flows: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for flow in district.attribution.of_fund(code)[1]:
        if flow.txn.date in period:
            flows[(flow.source, flow.project or "")] += flow.amount
    sources, pools = _sources(district, code, period)
    spending_to_date = _project_spending(district, books, period.stop)
    budgets = []
    for pid, project in sorted(books.fc.projects.items()):
        rows = spending_to_date.get(pid, [])
        approved = project.approved is not None and project.approved.date < period.stop
        if not rows and not approved:
            continue
        spent = sum((a for t, a in rows if t.date in period), ZERO)
        to_date = sum((a for _, a in rows), ZERO)
        budgets.append(
            BudgetLine(
                pid,
                project.title,
                project.category,
                project.stage,
                project.budget,
                spent,
                to_date,
                _completed(project, period),
            )
        )
    marker = f"/funds/{code}/"
    errors = [p for p in district.problems if p.level == "error" and marker in p.filename.replace("\\", "/")]
    return Audit(
        code,
        books.fc.fund.name,
        period,
        _sorted(income),
        {m: dict(v) for m, v in sorted(by_month.items())},
        _sorted(by_project),
        _sorted(by_category),
        dict(sorted(flows.items())),
        sources,
        pools,
        budgets,
        _merchants(district, code, period),
        exceptions(district, code, start, end, as_of),
        errors,
        money,
        {pid: p.title for pid, p in books.fc.projects.items()},
    )


def default_period(district: District, code: str) -> tuple[str, str]:
    """The calendar year of the fund's last entry, up to that month."""
    books = district.books[code]
    last = books.txns[-1].date if books.txns else district.last_date or dt.date.today()
    return month_of(last.replace(month=1)), month_of(last)
