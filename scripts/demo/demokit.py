"""Toolkit of the demo builder (see build_demo.py): the model of a fund's
books, the rules of DEVELOPING.md kept while building, and the writers."""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

FEN = Decimal("0.01")
D = Decimal
FIRST_MONTH = (2024, 9)
LAST_MONTH = (2026, 10)
LAST_DAY = dt.date(2026, 10, 31)
# Published (sealed) through October, the 10th of November being the deadline;
# 玉蟾 is late with October, so the demo shows an overdue notice (W901).
SEALED_THROUGH = {"Guangming": "2026-10", "Tuanjiebeilu": "2026-10", "Yuchan": "2026-09"}
RATE = D("0.05")  # merchant share in every contract of the demo
# 活期存款年利率 of the big banks, by the day it took effect; paid quarterly on the 21st
INTEREST_RATES = ((dt.date(2024, 7, 25), D("0.0015")), (dt.date(2024, 10, 18), D("0.0010")), (dt.date(2025, 5, 20), D("0.0005")))
MISSING_SHARE = ("bianmin-lifa", "2026-02")  # the one W203 the audit shows

GENERATED = "由 scripts/demo/build_demo.py 生成的示范数据；改动请改脚本后重新生成"


def money(x: Any) -> Decimal:
    return D(str(x)).quantize(FEN, rounding=ROUND_HALF_UP)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def ym(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months(first: tuple[int, int] = FIRST_MONTH, last: tuple[int, int] = LAST_MONTH) -> list[tuple[int, int]]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def next_month(y: int, m: int) -> tuple[int, int]:
    return (y + 1, 1) if m == 12 else (y, m + 1)


def workday(day: dt.date) -> dt.date:
    """Banks pay on weekdays: a Saturday or Sunday moves to the Monday."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def saturday(y: int, m: int, nth: int) -> dt.date:
    first = dt.date(y, m, 1)
    return first + dt.timedelta(days=(5 - first.weekday()) % 7 + 7 * (nth - 1))


def cn_month(y: int, m: int) -> str:
    return f"{y}年{m}月"


def prev_quarter(y: int, m: int) -> tuple[int, int]:
    """The quarter that ended before month m: (year, 1..4)."""
    q = (m - 1) // 3
    return (y - 1, 4) if q == 0 else (y, q)


def cn_quarter(y: int, q: int) -> str:
    return f"{y}年第{'一二三四'[q - 1]}季度"


def cents(rng: random.Random, low: int, high: int, step: int = 1) -> Decimal:
    """A random amount in [low, high] yuan, in steps of `step` fen."""
    return (D(rng.randrange(low * 100 // step, high * 100 // step + 1) * step) / 100).quantize(FEN)


def due(revenue: Decimal, rate: Decimal = RATE) -> Decimal:
    return (rate * revenue).quantize(FEN, rounding=ROUND_HALF_UP)


# the package's own split: the demo's funding plans must attribute exactly as the rules do
from sunledger.ledger.attribution import split  # noqa: E402
from sunledger.rules import RULES  # noqa: E402

# ---------------------------------------------------------------- model


@dataclass
class Posting:
    account: str
    amount: Decimal
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Txn:
    date: dt.date
    payee: str | None
    narration: str
    postings: list[Posting]
    meta: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass
class Project:
    id: str
    title: str
    category: str
    need: str
    requested: dt.date
    budget: int
    funding: dict[str, int]
    approved: tuple[str, str, str] | None = None  # date, by, ref
    partner: str | None = None
    accepted: str | None = None
    started: str | None = None
    completed: str | None = None
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    rating: tuple[str, str, int] | None = None  # score, raters, date
    description: str = ""
    # how the money is spent: (what, payee, weight); amounts and dates are generated
    payments: list[tuple[str, str, int]] = field(default_factory=list)
    spend: tuple[str, str] = ("0.94", "1.00")  # share of the budget spent (completed projects)
    source: str | None = None  # explicit `source:` on every payment
    reports: list[dict[str, Any]] = field(default_factory=list)  # filled by Book.report_projects
    final_note: str = ""  # the fund manager's words on the leftover, in the final report (Book.report_projects)

    @property
    def approved_date(self) -> dt.date | None:
        return d(self.approved[0]) if self.approved else None

    def as_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "category": self.category, "need": self.need}
        out["requested"] = self.requested
        if self.approved:
            out["approved"] = {"date": d(self.approved[0]), "by": self.approved[1], "ref": self.approved[2]}
        if self.partner:
            out["partner"] = self.partner
        for key in ("accepted", "started", "completed"):
            if getattr(self, key):
                out[key] = d(getattr(self, key))
        out["budget"] = self.budget
        out["funding"] = dict(self.funding)
        if self.outcomes:
            out["outcomes"] = self.outcomes
        if self.rating:
            out["rating"] = {"score": float(self.rating[0]), "raters": self.rating[1], "date": d(self.rating[2])}
        if self.reports:
            out["reports"] = self.reports
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class Partner:
    id: str
    name: str
    kind: str
    description: str = ""
    contract: dict[str, Any] | None = None  # start, end, space; rate is RATE
    revenue: tuple[int, int] = (0, 0)  # declared monthly revenue range (yuan)

    def as_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind}
        if self.contract:
            c = {"rate": str(RATE), "start": self.contract["start"]}
            if self.contract.get("end"):
                c["end"] = self.contract["end"]
            c["space"] = self.contract["space"]
            out["contract"] = c
        if self.description:
            out["description"] = self.description
        return out


class RuleBroken(Exception):
    pass


class Book:
    """One fund: its content and its transactions, checked as they are built."""

    def __init__(self, code: str, *, ledger_code: str | None = None, bank: str | None = None,
                 sources: dict[str, str] | None = None, categories: dict[str, str] | None = None,
                 equity: str | None = None):
        """`sources` and `categories` map account -> name, as fund.yml does; default: DEVELOPING.md names."""
        self.code = code
        self.lc = ledger_code or code
        self.bank = bank or f"Assets:{self.lc}:Bank"
        config = yaml.safe_load((ROOT / "sunledger.yml").read_text(encoding="utf-8"))
        self.income_accounts = sources or {f"Income:{self.lc}:{s['account']}": s["name"] for s in config["sources"]}
        self.category_accounts = categories or {f"Expenses:{self.lc}:{c['account']}": c["name"] for c in config["categories"]}
        self.src: dict[str, str] = {}  # source name -> its first account
        for acct, name in self.income_accounts.items():
            self.src.setdefault(name, acct)
        self.cat = {name: acct for acct, name in self.category_accounts.items()}
        self.equity = equity or f"Equity:{self.lc}:Opening"
        self.rng = random.Random(f"sunledger-demo-{code}")
        self.txns: list[Txn] = []
        self.projects: dict[str, Project] = {}
        self.partners: dict[str, Partner] = {}
        self.receipt_names: dict[str, int] = {}
        self.customs: list[tuple[dt.date, str]] = []  # leftover directives (ledger/leftover.py), written with their month

    # -- building

    def add(self, txn: Txn) -> Txn:
        txn.seq = len(self.txns)
        self.txns.append(txn)
        return txn

    def income(self, day: dt.date, source: str, amount: Decimal, payee: str | None, narration: str,
               account: str | None = None, **meta: Any) -> Txn:
        account = account or self.src[source]
        assert self.income_accounts[account] == source, (account, source)
        return self.add(Txn(day, payee, narration, [Posting(self.bank, amount), Posting(account, -amount)], meta))

    def opening(self, day: dt.date, source: str, amount: Decimal, payee: str, narration: str) -> Txn:
        return self.add(Txn(day, payee, narration,
                            [Posting(self.bank, amount), Posting(self.equity, -amount, {"source": source})]))

    def transfer(self, day: dt.date, to: str, amount: Decimal, payee: str | None, narration: str) -> Txn:
        """Money moved between the fund's own accounts (bank -> `to`; negative: back): neither income nor spending."""
        return self.add(Txn(day, payee, narration, [Posting(to, amount), Posting(self.bank, -amount)]))

    def expense(self, day: dt.date, pid: str, amount: Decimal, payee: str, narration: str, source: str | None = None,
                **meta: Any) -> Txn:
        project = self.projects[pid]
        head: dict[str, Any] = {"project": pid}
        if source:
            head["source"] = source
        head.update(meta)
        stem = f"{day}-{pid}"
        n = self.receipt_names.get(stem, 0) + 1
        self.receipt_names[stem] = n
        head["receipt"] = f"receipts/{ym(day)}/{stem}{'' if n == 1 else f'-{n}'}.pdf"
        if project.category not in PRIVATE_CATEGORIES:  # a receipt naming a helped resident stays in the books
            head["receipt-public"] = True
        return self.add(Txn(day, payee, narration,
                            [Posting(self.cat[project.category], amount), Posting(self.bank, -amount)], head))

    def restricted_left(self, source: str, pid: str) -> Decimal:
        """Restricted money of `source` given for `pid` and not spent on it: the gifts less the source's
        share of each payment (its plan split as the attribution splits it, drawn from the gifts first)."""
        given = sum((-p.amount for t in self.txns if t.meta.get("purpose") == pid
                     for p in t.postings if self.income_accounts.get(p.account) == source), D(0))
        project = self.projects[pid]
        shares = D(0)
        for t in self.ordered():
            for p in t.postings:
                if p.account.startswith("Expenses:") and (p.meta.get("project") or t.meta.get("project")) == pid:
                    explicit = p.meta.get("source") or t.meta.get("source")
                    parts = [(explicit, p.amount)] if explicit else split(p.amount, {k: D(v) for k, v in project.funding.items()})
                    shares += sum((a for name, a in parts if name == source), D(0))
        return max(given - shares, D(0))

    def leftover(self, day: dt.date, pid: str, source: str, amount: Decimal, to: str | None, reason: str) -> None:
        """Restricted leftover of a finished project moved without money leaving the bank: to the
        source's free money (`to` None) or to another project's pool (`custom "sunledger-leftover"`)."""
        account = self.src[source]
        target = q(to) if to else q("非定向")
        self.customs.append((day, f'{day} custom "sunledger-leftover" {q(pid)} {account} {amount:.2f} CNY {target}\n  reason: {q(reason)}'))

    def share(self, day: dt.date, pid: str, y: int, m: int) -> Txn:
        partner = self.partners[pid]
        revenue = cents(self.rng, *partner.revenue, step=10)
        return self.income(day, "商户分成", due(revenue), partner.name,
                           f"{cn_month(y, m)}营业收入分成 {RATE * 100:.0f}%",
                           merchant=pid, revenue=revenue, period=f"{y:04d}-{m:02d}")

    def project(self, p: Project) -> None:
        assert p.id not in self.projects
        assert sum(p.funding.values()) == p.budget, p.id
        self.projects[p.id] = p

    def partner(self, p: Partner) -> None:
        assert p.id not in self.partners
        self.partners[p.id] = p

    def spend_projects(self) -> None:
        """Payments of every started project, between its start and its end (or today)."""
        for p in self.projects.values():
            if not p.started:
                continue
            start = d(p.started)
            end = d(p.completed) if p.completed else LAST_DAY
            if p.completed:
                lo, hi = p.spend
            else:  # still running: part of the budget spent so far
                lo, hi = p.spend if p.spend != ("0.94", "1.00") else ("0.35", "0.60")
            ratio = D(self.rng.randrange(int(D(lo) * 1000), int(D(hi) * 1000) + 1)) / 1000
            total = min((p.budget * ratio).quantize(D(1), rounding=ROUND_DOWN), D(p.budget))
            weights = [w for _, _, w in p.payments]
            n = len(p.payments)
            amounts = []
            for i, w in enumerate(weights):
                if i == n - 1:
                    amounts.append(total - sum(amounts))
                else:
                    a = (total * w / sum(weights)).quantize(D(10), rounding=ROUND_DOWN)
                    a += D(self.rng.randrange(0, 10)) + D(self.rng.choice((0, 0, 50))) / 100
                    amounts.append(a)
            span = (end - start).days
            for i, ((what, payee, _), amount) in enumerate(zip(p.payments, amounts)):
                if p.completed and i == n - 1:
                    day = end
                else:
                    offset = span * (i + 1) // (n + (0 if p.completed else 1))
                    day = start + dt.timedelta(days=offset if i else min(offset, 6))
                day = workday(day)
                if day > end:
                    day = end - dt.timedelta(days=max(0, end.weekday() - 4))
                day = max(day, start)
                self.expense(day, p.id, money(amount), payee, f"{p.title} {what}", source=p.source)

    def report_projects(self) -> None:
        """Quarterly progress reports (published with the notices of Jan/Apr/Jul/Oct) while a project
        runs, and a final report with the money left a month after a project ends."""
        spent_by: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for t in self.txns:
            for p in t.postings:
                if p.account.startswith("Expenses:"):
                    spent_by[p.meta.get("project") or t.meta["project"]].append((t.date, p.amount))
        for p in self.projects.values():
            if not p.started:
                continue

            def spent(until: dt.date) -> Decimal:
                return sum((a for day, a in spent_by[p.id] if day <= until), D(0))  # noqa: B023 - used in this iteration only

            start = d(p.started)
            end = d(p.completed) if p.completed else LAST_DAY
            for y, m in months():
                day = workday(dt.date(y, m, 10))
                if m % 3 != 1 or day <= start + dt.timedelta(days=45) or day >= end:
                    continue
                total = spent(day)
                p.reports.append({
                    "date": day, "kind": "进度", "title": f"{p.title} {cn_quarter(*prev_quarter(y, m))}进展",
                    "summary": f"截至 {day}，累计支出 {total:.2f} 元，占预算 {total * 100 / p.budget:.1f}%，项目按计划推进。",
                })
            if p.completed:
                day = workday(end + dt.timedelta(days=30))
                total = spent(end)
                p.reports.append({
                    "date": day, "kind": "结项", "title": f"{p.title} 结项报告",
                    "summary": f"项目已完成，实际支出 {total:.2f} 元，占预算 {total * 100 / p.budget:.1f}%。" + (
                        p.final_note or f"结余 {D(p.budget) - total:.2f} 元未动用，仍按原来源计入基金余额，由议事会统筹安排。"
                        if total < p.budget else "预算全部使用，无结余。"),
                    "leftover": D(p.budget) - total,
                })

    def interest(self, payee: str) -> None:
        """Quarterly interest on the 21st of Mar/Jun/Sep/Dec: each day-end balance of the
        period (积数) times that day's current-deposit rate over a 360-day year."""
        flows: dict[dt.date, Decimal] = defaultdict(D)
        for t in self.txns:
            for p in t.postings:
                if p.account == self.bank:
                    flows[t.date] += p.amount
        start = min(flows)
        for y, m in months():
            if m % 3:
                continue
            day = dt.date(y, m, 21)
            balance = sum((a for f, a in flows.items() if f < start), D(0))
            accrued, cur = D(0), start
            while cur < day:
                balance += flows.get(cur, D(0))
                accrued += balance * max(r for since, r in INTEREST_RATES if since <= cur) / 360
                cur += dt.timedelta(days=1)
            amount = money(accrued)
            if amount > 0:
                self.income(day, "利息", amount, payee, f"{cn_quarter(y, m // 3)}存款结息")
                flows[day] += amount
            start = day

    # -- checking: the rules of DEVELOPING.md, kept while building

    def ordered(self) -> list[Txn]:
        return sorted(self.txns, key=lambda t: (t.date, t.seq))

    def check(self) -> dict[str, Decimal]:
        txns = self.ordered()
        # bank never negative at the end of a day
        balance, by_day = D(0), defaultdict(D)
        for t in txns:
            for p in t.postings:
                if p.account == self.bank:
                    by_day[t.date] += p.amount
        for day in sorted(by_day):
            balance += by_day[day]
            if balance < 0:
                raise RuleBroken(f"{self.code}: bank below zero on {day}: {balance}")
        # projects: approval, budget, category account
        spent: dict[str, Decimal] = defaultdict(D)
        for t in txns:
            for p in t.postings:
                if p.account.startswith("Expenses:"):
                    pid = p.meta.get("project") or t.meta["project"]
                    project = self.projects[pid]
                    if project.approved_date is None or t.date < project.approved_date:
                        raise RuleBroken(f"{self.code}: {pid} spent on {t.date} before approval")
                    spent[pid] += p.amount
                    if spent[pid] > project.budget:
                        raise RuleBroken(f"{self.code}: {pid} over budget: {spent[pid]} > {project.budget}")
        # sources: income of a day before its spending; restricted pools first
        events = []
        for t in txns:
            for p in t.postings:
                if p.account in self.income_accounts:
                    events.append((t.date, 0, t.seq, t, p, self.income_accounts[p.account], -p.amount))
                elif p.account == self.equity and p.amount < 0:
                    events.append((t.date, 0, t.seq, t, p, p.meta["source"], -p.amount))
                elif p.account.startswith("Expenses:"):
                    events.append((t.date, 1, t.seq, t, p, None, p.amount))
        events.sort(key=lambda e: e[:3])
        free: dict[str, Decimal] = defaultdict(D)
        pools: dict[tuple[str, str], Decimal] = defaultdict(D)
        for day, kind, _, t, p, name, amount in events:
            if kind == 0:
                purpose = t.meta.get("purpose")
                if purpose:
                    assert purpose in self.projects, purpose
                    pools[(name, purpose)] += amount
                else:
                    free[name] += amount
                continue
            pid = p.meta.get("project") or t.meta["project"]
            explicit = p.meta.get("source") or t.meta.get("source")
            shares = [(explicit, amount)] if explicit else split(amount, {k: D(v) for k, v in self.projects[pid].funding.items()})
            for name, share in shares:
                drawn = min(share, pools[(name, pid)]) if share > 0 else D(0)
                pools[(name, pid)] -= drawn
                free[name] -= share - drawn
                if free[name] < 0:
                    raise RuleBroken(f"{self.code}: source {name} below zero on {day}: {free[name]} ({t.narration})")
        # merchants: every contract month paid once, except the intended gap
        paid = defaultdict(set)
        for t in txns:
            if "merchant" in t.meta:
                assert -t.postings[1].amount == due(t.meta["revenue"])
                assert t.meta["period"] not in paid[t.meta["merchant"]], (t.meta["merchant"], t.meta["period"])
                paid[t.meta["merchant"]].add(t.meta["period"])
        horizon = "{:04d}-{:02d}".format(*months((2000, 1), LAST_MONTH)[-3])  # due by the end of M+1
        for partner in self.partners.values():
            if partner.contract:
                end = min(partner.contract.get("end") or horizon, horizon)
                for y, m in months(tuple(map(int, partner.contract["start"].split("-"))), tuple(map(int, end.split("-")))):
                    month = f"{y:04d}-{m:02d}"
                    if month not in paid[partner.id] and (partner.id, month) != MISSING_SHARE:
                        raise RuleBroken(f"{self.code}: {partner.id} {month} not paid")
        return dict(free)

    def month_end_balances(self) -> dict[tuple[int, int], Decimal]:
        """Bank balance at the start of the 1st of each month after the first."""
        out, txns = {}, self.ordered()
        for y, m in months():
            ny, nm = next_month(y, m)
            first = dt.date(ny, nm, 1)
            out[(ny, nm)] = sum((p.amount for t in txns if t.date < first for p in t.postings if p.account == self.bank), D(0))
        return out


# ---------------------------------------------------------------- writing


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Spending that names residents (hardship aid, points redeemed): receipts are not published.
PRIVATE_CATEGORIES = frozenset({"困难帮扶", "积分兑换"})


def meta_value(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return q(str(v))


def render_txn(t: Txn, width: int) -> str:
    head = f"{t.date} *" + (f" {q(t.payee)}" if t.payee else "") + f" {q(t.narration)}"
    lines = [head]
    lines += [f"  {k}: {meta_value(v)}" for k, v in t.meta.items()]
    for p in t.postings:
        lines.append(f"  {p.account:<{width}} {p.amount:>12.2f} CNY")
        lines += [f"    {k}: {meta_value(v)}" for k, v in p.meta.items()]
    return "\n".join(lines)


def header(options_title: str) -> list[str]:
    lines = [f'option "title" {q(options_title)}', 'option "operating_currency" "CNY"', ""]
    lines += [f'plugin "sunledger.rules.{name}"' for name in RULES]
    return lines


@dataclass
class FundInfo:
    book: Book
    yaml: dict[str, Any]
    name: str


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, v: dumper.represent_scalar("tag:yaml.org,2002:float", f"{v:.2f}"))


def dump_yaml(data: Any, comment: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"# {comment}\n# {GENERATED}\n{body}"


def write_fund(info: FundInfo) -> None:
    book, code = info.book, info.book.code
    folder = ROOT / "ledger" / "funds" / code
    own = sorted({p.account for t in book.txns for p in t.postings if p.account.startswith("Assets:")} - {book.bank})
    accounts = [book.bank, *own, *book.income_accounts, *book.category_accounts]
    if any(p.account == book.equity for t in book.txns for p in t.postings):
        accounts.append(book.equity)
    opened = info.yaml["opened"]
    lines = [f"; {info.name}（{code}）：可单独检查 bean-check ledger/funds/{code}/fund.beancount", f"; {GENERATED}", ""]
    lines += header(info.name)
    lines += ["", *(f"{opened} open {a:<32} CNY" for a in accounts), ""]
    lines += ['include "txns/*.beancount"', 'include "seals.beancount"', ""]
    write(folder / "fund.beancount", "\n".join(lines))

    width = max(max(len(a) for a in accounts) + 2, len(book.bank) + 17)  # balance lines align too
    by_month: dict[tuple[int, int], list[str]] = defaultdict(list)
    closing = book.month_end_balances()
    for (y, m), amount in closing.items():
        by_month[(y, m)].append(
            f"{dt.date(y, m, 1)} balance {book.bank:<{width - 17}} {amount:>12.2f} CNY"
        )
    for t in book.ordered():
        by_month[(t.date.year, t.date.month)].append(render_txn(t, width))
    for day, text in book.customs:
        by_month[(day.year, day.month)].append(text)
    for (y, m), chunks in sorted(by_month.items()):
        title = f"; {info.name} {cn_month(y, m)}" + ("（上月末余额断言）" if (y, m) > LAST_MONTH else "")
        write(folder / "txns" / f"{y:04d}-{m:02d}.beancount", "\n\n".join([title, *chunks]) + "\n")
    for t in book.txns:
        if "receipt" in t.meta:
            write_bytes(folder / t.meta["receipt"], receipt_pdf(t, info.name))
    write(folder / "seals.beancount", f"; {info.name} 封存记录：每个已公示月份一行，由 sunledger seal 写入\n")

    cfolder = ROOT / "content" / "funds" / code
    write(cfolder / "fund.yml", dump_yaml(info.yaml, f"{info.name}"))
    write(cfolder / "partners.yml", dump_yaml([p.as_yaml() for p in book.partners.values()], f"{info.name} 合作方（合伙人）"))
    for p in book.projects.values():
        write(cfolder / "projects" / f"{p.id}.yml", dump_yaml(p.as_yaml(), f"{info.name} 项目 {p.id}"))


UPPER = "零壹贰叁肆伍陆柒捌玖"


def rmb_upper(amount: Decimal) -> str:
    """5939.50 -> 伍仟玖佰叁拾玖元伍角 (人民币大写, as written on a receipt)."""
    fen = int((amount * 100).to_integral_value())
    n, jiao, fen = fen // 100, fen // 10 % 10, fen % 10
    out, zero, text = [], False, str(n)
    for i, ch in enumerate(text):
        pos, digit = len(text) - 1 - i, int(ch)
        if digit == 0:
            zero = True
        else:
            if zero:
                out.append("零")
            zero = False
            out.append(UPPER[digit] + ("", "拾", "佰", "仟")[pos % 4])
        if pos % 4 == 0 and pos > 0 and any(c != "0" for c in text[max(0, i - 3):i + 1]):
            out.append(("", "万", "亿")[pos // 4])
            zero = False
    out.append("元" if n else "")
    if jiao:
        out.append(UPPER[jiao] + "角")
    if fen:
        out.append(("零" if n and not jiao else "") + UPPER[fen] + "分")
    if not fen:
        out.append("整")
    return "".join(out)


# The receipt is a PDF, as an e-invoice or a scan would be (the site publishes no SVG: it can carry
# script). Its text uses STSong-Light, one of the CJK fonts every PDF viewer must supply, so the file
# embeds no font and stays small; like the SVG it replaced, the reader's viewer draws the Chinese.
_CJK_FONT = {
    "/Type": "/Font", "/Subtype": "/Type0", "/BaseFont": "/STSong-Light", "/Encoding": "/UniGB-UCS2-H",
    "/DescendantFonts": [{
        "/Type": "/Font", "/Subtype": "/CIDFontType0", "/BaseFont": "/STSong-Light",
        "/CIDSystemInfo": {"/Registry": "Adobe", "/Ordering": "GB1", "/Supplement": 2},
        "/FontDescriptor": {"/Type": "/FontDescriptor", "/FontName": "/STSong-Light", "/Flags": 6,
                            "/FontBBox": [-25, -254, 1000, 880], "/ItalicAngle": 0, "/Ascent": 880,
                            "/Descent": -120, "/CapHeight": 880, "/StemV": 93},
        "/DW": 1000, "/W": [1, 95, 500],  # CIDs 1-95 are the half-width Latin letters and digits
    }],
}


def _pdf_object(value: Any):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    if isinstance(value, dict):
        return DictionaryObject({NameObject(k): _pdf_object(v) for k, v in value.items()})
    if isinstance(value, list):
        return ArrayObject(_pdf_object(v) for v in value)
    if isinstance(value, str):
        return NameObject(value) if value.startswith("/") else TextStringObject(value)
    return NumberObject(value)


def _pdf_text(x: float, y: float, size: int, text: str, rgb: str = "0 0 0", anchor: str = "start") -> str:
    width = sum(0.5 if ord(c) < 0x7F else 1.0 for c in text) * size
    x -= {"start": 0, "middle": width / 2, "end": width}[anchor]
    return f"BT {rgb} rg /F1 {size} Tf {x:.1f} {y:.1f} Td <{text.encode('utf-16-be').hex()}> Tj ET"


def receipt_pdf(t: Txn, fund: str) -> bytes:
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    amount = t.postings[0].amount
    rows = [
        f"日期：{t.date}",
        f"收款单位：{t.payee}",
        f"付款单位：{fund}",
        f"事由：{t.narration}",
        f"金额：￥{amount:.2f}（{rmb_upper(amount)}）",
        f"项目编号：{t.meta['project']}",
    ]
    red, grey = "0.753 0.224 0.169", "0.533 0.533 0.533"
    ops = [f"{red} RG 1 w 1 1 478 268 re S", _pdf_text(240, 230, 20, "收 款 收 据", red, "middle")]
    ops += [_pdf_text(24, 194 - 28 * i, 14, r) for i, r in enumerate(rows)]
    ops.append(_pdf_text(456, 14, 11, "阳光账本示范数据，非真实凭证", grey, "end"))
    writer = PdfWriter()
    page = writer.add_blank_page(480, 270)
    content = DecodedStreamObject()
    content.set_data("\n".join(ops).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = _pdf_object({"/Font": {"/F1": _CJK_FONT}})
    writer.metadata = None  # no producer line: the demo's files are byte-identical on every run
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_main() -> None:
    lines = ["; 阳光账本 示范区：三个示范基金的总账，每个基金也可单独检查", f"; {GENERATED}", ""]
    lines += header("阳光账本 示范区")
    # Fava: Chinese menus, the 审计报告 extension and the saved audit queries
    lines += [
        "",
        '2024-01-01 custom "fava-option" "language" "zh_CN"',
        '2024-01-01 custom "fava-extension" "sunledger.audit"',
        'include "queries.beancount"',
        'include "funds/*/fund.beancount"',
        "",
    ]
    write(ROOT / "ledger" / "main.beancount", "\n".join(lines))


DISTRICT = {
    "name": "阳光账本 示范区",
    "nodes": [
        {"id": "gaotang", "name": "高唐县", "level": "district"},
        {"id": "yuqiuhu", "name": "鱼邱湖街道", "level": "street", "parent": "gaotang"},
        {"id": "qindu", "name": "秦都区", "level": "district"},
        {"id": "renminlu", "name": "人民路街道", "level": "street", "parent": "qindu"},
        {"id": "luxian", "name": "泸县", "level": "district"},
        {"id": "yuchan-jiedao", "name": "玉蟾街道", "level": "street", "parent": "luxian"},
        {"id": "yuchan-shequ", "name": "玉蟾社区", "level": "community", "parent": "yuchan-jiedao"},
    ],
    # At the foot of every page; each fund.yml adds its own office. Demo numbers: a local number never
    # starts with 0, so 0635-0123456 is no one's line; 12345 is the public 政务服务便民热线.
    "contact": {
        "phones": [{"label": "政务服务便民热线", "number": "12345"}],
        "address": "各社区党群服务中心（各基金的地址、监督电话和意见箱写在该基金的页面下方）",
    },
    "notice": {"signatures": ["经办人", "审核人", "居务监督委员会"], "days": 7},
}




def stage(p: Project) -> str:
    """The stage the content models derive from the dates present (Project.stage)."""
    if p.rating:
        return "评单"
    for name, value in (("完成", p.completed), ("实施", p.started), ("接单", p.accepted), ("派单", p.approved)):
        if value:
            return name
    return "点单"
