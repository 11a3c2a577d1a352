"""审计报告: a fund's period as an auditor checks it, and what stands out.

Pure over a loaded district (no file access); the Fava extension
`sunledger.audit` renders it from Fava's own entries
(`sunledger.district.district_from_entries`), so nothing is parsed twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ..errors import Problem
from ..district import District, FundBooks, district_from_entries  # noqa: F401 - re-exported for the extension
from ..ledger.accounts import BANK, EXPENSE
from ..ledger.movements import SPENT, movement
from ..ledger.attribution import Flow
from ..ledger.seal import month_end
from .common import ZERO, first_day, line_of, month_of, months, next_month
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


@dataclass(frozen=True)
class Period:
    start: str  # "YYYY-MM"
    end: str

    @property
    def first(self) -> dt.date:
        return first_day(self.start)

    @property
    def stop(self) -> dt.date:  # first day after the period
        return first_day(next_month(self.end))

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day < self.stop


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
            total = (total or ZERO) + p.units.number
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
                    amounts[str(pid)] += p.units.number
        for pid, amount in amounts.items():
            out[pid].append((txn, amount))
    return out


def _completed(project: Any, period: Period) -> bool:
    return project.completed is not None and project.completed < period.stop


def _budget_findings(district: District, books: FundBooks, period: Period) -> list[Finding]:
    out = []
    for pid, rows in sorted(_project_spending(district, books, period.stop).items()):
        project = books.fc.projects.get(pid)
        if project is None or not any(t.date in period for t, _ in rows):
            continue
        spent, crossed = ZERO, None
        for txn, amount in rows:
            spent += amount
            if crossed is None and spent > project.budget:
                crossed = txn
        title = f"{pid}「{project.title}」"
        if spent > project.budget:
            text = f"项目 {title} 累计支出 {spent:,.2f} 元，超出预算 {project.budget:,.2f} 元（超 {spent - project.budget:,.2f} 元）"
            out.append(_finding("项目超支", crossed.date, text, spent, crossed))
        elif project.budget and spent >= project.budget * NEAR_BUDGET and not _completed(project, period):
            txn = rows[-1][0]
            text = f"项目 {title} 累计支出 {spent:,.2f} 元，已达预算 {project.budget:,.2f} 元的 {spent * 100 / project.budget:.0f}%"
            out.append(_finding("接近预算", txn.date, text, spent, txn))
    return out


def _assertion_findings(district: District, books: FundBooks, period: Period) -> list[Finding]:
    """W302 within the period: a bank account's month without a balance assertion."""
    first: dict[str, dt.date] = {}
    last_txn: dict[tuple[str, str], data.Transaction] = {}
    for txn in books.txns:
        for p in txn.postings:
            role = district.classify(p.account)
            if role is not None and role.kind == BANK:
                first.setdefault(p.account, txn.date)
                last_txn[(p.account, month_of(txn.date))] = txn
    dates = [t.date for t in books.txns] + [b.date for b in books.balances]
    if not dates:
        return []
    stop = month_of(max(dates))
    asserted = {(b.account, month_of(b.date - dt.timedelta(days=1))) for b in books.balances}
    out = []
    for account, start in sorted(first.items()):
        for month in months(month_of(start), stop):
            if month == stop or (account, month) in asserted or first_day(month) not in period:
                continue
            txn = last_txn.get((account, month))
            text = f"银行账户 {account} 的 {month} 没有月末余额断言（应在次月1日记 balance）"
            out.append(_finding("缺余额断言", month_end(month), text, None, txn, account=account, month=month))
    return out


def _seal_findings(district: District, books: FundBooks, period: Period, as_of: dt.date) -> list[Finding]:
    """Months with entries, ended by `as_of`, whose notice is out but no seal was made."""
    last: dict[str, data.Transaction] = {}
    for txn in books.txns:
        last[month_of(txn.date)] = txn
    days = district.config.disclosure.notice_days
    out = []
    for month, txn in sorted(last.items()):
        end = month_end(month)
        if month in books.seals or end >= as_of or first_day(month) not in period:
            continue
        due = end + dt.timedelta(days=days)
        state = f"已逾期（应于 {due} 前封存）" if as_of > due else f"公示期内（{due} 前封存）"
        text = f"{month} 已结束，月度公示未封存：{state}；封存命令 sunledger seal {books.code} {month}"
        out.append(_finding("公示未封存", end, text, None, txn, month=month))
    return out


def exceptions(district: District, code: str, start: str, end: str, as_of: dt.date | None = None) -> list[Finding]:
    """What an auditor should look at in fund `code` from month `start` to `end`.

    `as_of` decides which months have ended (default: the fund's last entry).
    An expense lacks its receipt when the checker said so (W802: no `receipt:`
    and no linked `document`), so the report and `sunledger check` agree.
    """
    books = district.books[code]
    period = Period(start, end)
    config = district.config
    no_receipt = {(p.filename, p.lineno) for p in district.problems if p.code == "W802"}
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
        if total is not None and _at(txn) in no_receipt:
            out.append(
                _finding(
                    "无凭证支出", txn.date, f"{what}（超过 {config.receipt_threshold:,.2f} 元，未附凭证）", total, txn
                )
            )
        if txn.meta.get("corrects") is not None:
            text = f"{what}：冲正 {txn.meta['corrects']}，原因：{txn.meta.get('reason', '（未注明）')}"
            moved = line.amount or sum(
                (p.units.number for p in txn.postings if p.units is not None and p.units.number > 0), ZERO
            )
            out.append(_finding("冲正", txn.date, text, moved, txn))
    out.extend(_budget_findings(district, books, period))
    out.extend(_assertion_findings(district, books, period))
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
            out.append(MerchantLine(pid, partner.name, partner.contract.rate or district.config.merchant_rate, dues))
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
    return f"{last.year:04d}-01", month_of(last)
