"""Who paid for what: every expense posting split over sources, to the fen.

The model (stated in the treasurer's guide): an explicit `source:` on the
posting or transaction wins; else the project's funding plan, shared in
proportion to the planned amounts. Money given for a purpose (`purpose:`)
is a restricted pool drawn first by that project's spending. What is left in a
pool after the project is moved by the books' leftover entries (ledger/leftover.py):
to the source's free money or another project's pool (a `custom` directive, at the
end of its day), or refunded (negative income with `purpose:`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from beancount.core import data

from ..config import Config
from ..errors import FundError, error
from .accounts import Classifier
from .leftover import Move
from .movements import OPENING, RECEIVED, SPENT, meta, movement

FEN = Decimal("0.01")


def split(amount: Decimal, plan: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """Share `amount` in proportion to `plan`, each to the fen, summing exactly.

    Largest remainder: the fen left after rounding down go to the largest
    fractional parts, ties to the plan's order.
    """
    total = sum(plan.values())
    if not plan or total == 0:
        return []
    sign = -1 if amount < 0 else 1
    amount = abs(amount)
    raw = [(name, amount * share / total) for name, share in plan.items()]
    floors = [(name, r.quantize(FEN, rounding=ROUND_DOWN)) for name, r in raw]
    left = int((amount - sum(f for _, f in floors)) / FEN)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i][1] - floors[i][1]), i))
    extra = dict.fromkeys(order[:left], FEN)
    return [(name, sign * (f + extra.get(i, Decimal(0)))) for i, (name, f) in enumerate(floors) if f + extra.get(i, 0)]


@dataclass(frozen=True)
class Flow:
    """Money into a source (income) or out of it (an expense's share)."""

    txn: data.Transaction
    posting: data.Posting
    fund: str
    source: str
    amount: Decimal  # positive: into the source for income, spent for expenses
    project: str | None = None  # the project spent on, or the purpose of restricted income
    restricted: Decimal = Decimal(0)  # of an expense: the part drawn from restricted money
    opening: bool = False  # of income: an opening balance brought in (期初结转), not income


@dataclass
class Attribution:
    income: list[Flow] = field(default_factory=list)
    spending: list[Flow] = field(default_factory=list)
    errors: list[FundError] = field(default_factory=list)
    # (fund, source) -> unrestricted balance; (fund, source, project) -> restricted balance
    balance: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    restricted: dict[tuple[str, str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    moves: list[Move] = field(default_factory=list)  # leftover moves applied, in walk order
    _by_fund: dict[str, tuple[list[Flow], list[Flow]]] | None = field(default=None, repr=False, compare=False)

    def of_fund(self, code: str) -> tuple[list[Flow], list[Flow]]:
        """(income, spending) flows of one fund, in walk order; views of a district of
        hundreds of funds would otherwise each scan every fund's flows."""
        if self._by_fund is None:
            index: dict[str, tuple[list[Flow], list[Flow]]] = {}
            for flow in self.income:
                index.setdefault(flow.fund, ([], []))[0].append(flow)
            for flow in self.spending:
                index.setdefault(flow.fund, ([], []))[1].append(flow)
            self._by_fund = index
        return self._by_fund.get(code, ([], []))


def _at(txn: data.Transaction, posting: data.Posting):
    return posting.meta if posting.meta and posting.meta.get("lineno") else txn.meta


def attribute(txns: list[data.Transaction], classify: Classifier, config: Config, moves: list[Move] | tuple = ()) -> Attribution:
    """Walk the transactions in date order; income of a day before its spending, the day's
    leftover moves and restricted refunds after it (they take what the day's spending left)."""
    names = config.source_by_name()
    out = Attribution()
    events: list[tuple] = []
    for seq, txn in enumerate(txns):
        for part in movement(classify, txn).parts:
            p, role = part.posting, part.role
            if part.kind == RECEIVED and part.source is not None:
                refund = part.amount < 0 and txn.meta.get("purpose") is not None
                events.append((txn.date, 2 if refund else 0, seq, txn, p, role, part.source, part.amount, False))
            elif part.kind == OPENING and part.amount > 0:
                if part.source not in names:
                    out.errors.append(error(_at(txn, p), "SL106", f"期初余额 {part.amount:,.2f} 元须用 source: 注明来源（{'、'.join(names)}）", txn))
                    continue
                events.append((txn.date, 0, seq, txn, p, role, part.source, part.amount, True))
            elif part.kind == SPENT:
                events.append((txn.date, 1, seq, txn, p, role, None, part.spent, False))
    for seq, move in enumerate(moves):
        events.append((move.date, 3, seq, move, None, None, move.source, move.amount, False))
    events.sort(key=lambda ev: ev[:3])

    overdrawn: set[tuple[str, str]] = set()
    used: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)  # restricted money spent so far
    for _date, kind, _seq, txn, p, role, name, amount, opening in events:
        if kind == 3:
            _move(out, txn)
            continue
        fund = role.code
        if kind in (0, 2):
            purpose = txn.meta.get("purpose")
            if purpose is not None:
                purpose = str(purpose)
                if purpose not in role.fund.projects:
                    out.errors.append(error(_at(txn, p), "SL109", f"定向资金指定的项目 {purpose} 不是基金 {fund} 的项目", txn))
                    purpose = None
                elif amount < 0 and -amount > out.restricted.get((fund, name, purpose), Decimal(0)):
                    held = out.restricted.get((fund, name, purpose), Decimal(0))
                    out.errors.append(error(_at(txn, p), "SL117", f"退回{name}定向资金 {-amount:,.2f} 元，超过项目 {purpose} 尚未使用的{name}定向资金"
                                                              f"（{held:,.2f} 元）", txn))
            flow = Flow(txn, p, fund, name, amount, purpose, opening=opening)
            out.income.append(flow)
            if purpose is not None:
                out.restricted[(fund, name, purpose)] += amount
            else:
                out.balance[(fund, name)] += amount
            continue

        pid = meta(txn, p, "project")
        explicit = meta(txn, p, "source")
        if explicit is not None:
            if explicit not in names:
                out.errors.append(error(_at(txn, p), "SL106", f"支出来源“{explicit}”未在 sunledger.yml 中配置；可用：{'、'.join(names)}", txn))
                continue
            shares = [(explicit, amount)]
        else:
            project = role.fund.projects.get(pid) if pid else None
            if project is None:
                continue  # SL102/SL103 already say what is missing
            if not project.funding:
                out.errors.append(error(_at(txn, p), "SL106", f"支出未注明来源（source:），项目 {pid} 也没有资金计划（funding:）", txn))
                continue
            shares = split(amount, project.funding)
        for name, share in shares:
            drawn = Decimal(0)
            if pid is not None:
                pool = (fund, name, pid)
                if share > 0:
                    drawn = min(share, out.restricted.get(pool, Decimal(0)))
                else:  # a refund gives back restricted money first
                    drawn = -min(-share, used.get(pool, Decimal(0)))
                if drawn:
                    out.restricted[pool] -= drawn
                    used[pool] += drawn
            out.balance[(fund, name)] -= share - drawn
            out.spending.append(Flow(txn, p, fund, name, share, pid, drawn))
            key = (fund, name)
            if out.balance[key] < 0 and key not in overdrawn:
                overdrawn.add(key)
                pools = {project: v for (f, s, project), v in out.restricted.items() if f == fund and s == name and v > 0}
                if out.balance[key] + sum(pools.values()) >= 0:
                    named = "、".join(f"{project}（{v:,.2f} 元）" for project, v in sorted(pools.items()))
                    out.errors.append(error(_at(txn, p), "SL108", f"{name}的非定向余额不足，此笔支出动用了指定给项目 {named} 的定向资金"
                                                              f"（差额 {-out.balance[key]:,.2f} 元）；用 sunledger balances {fund} 查看各来源余额", txn))
                else:
                    out.errors.append(error(_at(txn, p), "SL107", f"来源“{name}”在基金 {fund} 的余额变为 {out.balance[key]:,.2f} 元：支出超过了该来源的收入", txn))
            elif out.balance[key] >= 0:
                overdrawn.discard(key)
    return out


def _move(out: Attribution, move: Move) -> None:
    """Apply one leftover move to the pools, or say why it cannot be (SL117, SL118)."""
    here = move.where
    project = move.projects[move.project]
    if project.completed is None or move.date < project.completed:
        when = f"于 {project.completed} 完成" if project.completed else "尚未完成（没有 completed:）"
        out.errors.append(error(here, "SL118", f"项目 {move.project}「{project.title}」{when}：定向资金的结余要在项目完成后才能转出", move.entry))
    if move.to is not None:
        target = move.projects[move.to]
        if target.completed is not None and target.completed < move.date:
            out.errors.append(error(here, "SL118", f"目标项目 {move.to}「{target.title}」已于 {target.completed} 完成，不能再接收定向资金", move.entry))
    pool = (move.fund, move.source, move.project)
    held = out.restricted.get(pool, Decimal(0))
    if move.amount > held:
        out.errors.append(error(here, "SL117", f"转出项目 {move.project} 的{move.source}定向资金 {move.amount:,.2f} 元，超过尚未使用的 {held:,.2f} 元", move.entry))
        return
    out.restricted[pool] -= move.amount
    if move.to is None:
        out.balance[(move.fund, move.source)] += move.amount
    else:
        out.restricted[(move.fund, move.source, move.to)] += move.amount
    out.moves.append(move)


@dataclass(frozen=True)
class SourceBalance:
    """What one source holds in a fund: money free for any project, and money given for one."""

    source: str
    free: Decimal
    restricted: dict[str, Decimal]  # project -> restricted money left

    @property
    def total(self) -> Decimal:
        return self.free + sum(self.restricted.values(), Decimal(0))


def balances_on(att: Attribution, fund: str, day) -> tuple[dict[str, Decimal], dict[tuple[str, str], Decimal]]:
    """(source -> free money, (source, project) -> restricted money) of `fund` at the end of `day`,
    replayed from its flows: what `att.balance` / `att.restricted` held on that day."""
    free: dict[str, Decimal] = defaultdict(Decimal)
    pools: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    income, spending = att.of_fund(fund)
    for flow in income:
        if flow.txn.date > day:
            break
        if flow.project is not None:
            pools[(flow.source, flow.project)] += flow.amount
        else:
            free[flow.source] += flow.amount
    for flow in spending:
        if flow.txn.date > day:
            break
        free[flow.source] -= flow.amount - flow.restricted
        if flow.restricted:
            pools[(flow.source, flow.project or "")] -= flow.restricted
    for move in att.moves:  # leftover moves applied (refunds are income flows above)
        if move.fund != fund or move.date > day:
            continue
        pools[(move.source, move.project)] -= move.amount
        if move.to is None:
            free[move.source] += move.amount
        else:
            pools[(move.source, move.to)] += move.amount
    return dict(free), dict(pools)


def source_balances(att: Attribution, fund: str, sources: list[str]) -> list[SourceBalance]:
    """Per configured source (in `sources` order), its free and restricted balance in `fund`."""
    out = []
    for name in sources:
        pools = {project: v for (f, s, project), v in att.restricted.items() if f == fund and s == name and v}
        free = att.balance.get((fund, name), Decimal(0))
        if free or pools:
            out.append(SourceBalance(name, free, dict(sorted(pools.items()))))
    return out
