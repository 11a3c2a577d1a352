"""Where a finished project's leftover money went (结余去向), as the books record it.

What is left of a project's plan needs no entry when it was never set aside:
a source's unrestricted money stays that source's free money, for any later
project. Only restricted money (定向, given with `purpose: PID`) is held for
one project (a pool in ledger/attribution.py), so only it needs an entry once
the project is done:

- moved without leaving the bank, to the source's free money or to another
  project's pool: a custom directive (shown in Fava's journal, sealed with its
  month like a transaction, applied by the attribution at the end of its day)::

      2026-05-20 custom "sunledger-leftover" "GM-2025-03" Income:Guangming:Enterprise 420.00 CNY "非定向"
        reason: "捐赠方书面同意结余转为非定向资金"
      2026-05-20 custom "sunledger-leftover" "GM-2025-03" Income:Guangming:Enterprise 420.00 CNY "GM-2026-05"

  The account is the source's income account (it names the fund and the source);
  the last value is `"非定向"` or the project the money is now given for;

- refunded to the donor: a real transaction, money leaving the bank, booked as
  negative income of the source with `purpose: PID` (it lowers the pool)::

      2026-05-25 * "某医药连锁公司" "退回定向捐赠结余"
        purpose: "GM-2025-03"
        Income:Guangming:Enterprise     300.00 CNY
        Assets:Guangming:Bank

SL116 (a malformed directive, an unknown project, source or target), SL117 (more
than the pool holds) and SL118 (the project not completed, or the target finished)
are raised by the attribution, which applies them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ..errors import FundError, error, meta
from .accounts import INCOME, Classifier

LEFTOVER = "sunledger-leftover"
FREE = "非定向"  # the target word: back to the source's free money
SYNTAX = f'custom "{LEFTOVER}" "项目编号" Income:<基金>:<来源> 金额 CNY "{FREE}"（或另一个项目编号）'


@dataclass(frozen=True)
class Move:
    """Restricted money of one source moved off a project's pool, no money leaving the fund."""

    entry: data.Custom
    fund: str
    project: str
    source: str
    amount: Decimal
    to: str | None  # the project it is now given for; None: the source's free money
    projects: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the fund's, by id

    @property
    def date(self) -> dt.date:
        return self.entry.date

    @property
    def reason(self) -> str:
        return str(self.entry.meta.get("reason") or "")


    @property
    def where(self) -> dict:
        return _where(self.entry)


def _where(e: data.Custom) -> dict:
    return meta(e.meta.get("filename"), e.meta.get("lineno"))


def moves_of(entries: list, classify: Classifier, currency: str = "CNY") -> tuple[list[Move], list[FundError]]:
    """The well-formed leftover directives, in the order given; SL116 for the others."""
    out: list[Move] = []
    errors: list[FundError] = []
    for e in entries:
        if not isinstance(e, data.Custom) or e.type != LEFTOVER:
            continue
        values = [v.value for v in e.values]
        if (len(values) != 4 or not isinstance(values[0], str) or not isinstance(values[1], str)
                or not isinstance(values[2], data.Amount) or not isinstance(values[3], str)):
            errors.append(error(_where(e), "SL116", f"结余处理记录格式应为 {SYNTAX}", e))
            continue
        pid, account, amount, target = values
        role = classify(account)
        if role is None or role.kind != INCOME or role.source is None:
            errors.append(error(_where(e), "SL116", f"{account} 不是某个基金的收入来源科目：结余处理要写出钱原来所属来源的收入科目（如 Income:<基金>:Enterprise）", e))
            continue
        fund = role.fund
        if pid not in fund.projects:
            errors.append(error(_where(e), "SL116", f"项目 {pid} 不是基金 {role.code} 的项目", e))
            continue
        number = amount.number
        if amount.currency != currency or number is None or number <= 0:
            errors.append(error(_where(e), "SL116", f"结余处理金额应为正数 {currency}（写的是 {amount}）", e))
            continue
        if target != FREE and (target not in fund.projects or target == pid):
            errors.append(error(_where(e), "SL116", f"去向“{target}”应为“{FREE}”（转为该来源的非定向资金）或本基金另一个项目的编号", e))
            continue
        plan = fund.projects[target].funding if target != FREE else {}
        if plan and role.source.name not in plan:
            errors.append(error(_where(e), "SL116", f"项目 {target} 的资金计划（funding:）里没有{role.source.name}，转入的定向资金不会被它的支出用到："
                                                   f"请转给计划里有{role.source.name}的项目，或转为“{FREE}”", e))
            continue
        out.append(Move(e, role.code, pid, role.source.name, number, None if target == FREE else target, fund.projects))
    return out, errors
