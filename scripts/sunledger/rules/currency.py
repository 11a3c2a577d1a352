"""SL601/SL602: amounts are CNY (元), to the fen."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

from ..errors import error
from .context import Ctx, rule, where

FEN = Decimal("0.01")


def _amount_errors(ctx: Ctx, obj, number, currency, what: str):
    if currency != ctx.config.currency:
        yield error(where(obj), "SL601", f"{what}币种为 {currency}，只允许 {ctx.config.currency}")
    if number is not None and isinstance(number, Decimal) and number.is_finite() and number != number.quantize(FEN):
        yield error(where(obj), "SL602", f"{what}金额 {number} 超过两位小数（精确到分）")


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    for e in entries:
        if isinstance(e, data.Transaction) and e.flag != "P":
            for p in e.postings:
                if isinstance(p.cost, data.Cost) and p.cost.currency == ctx.config.currency:
                    # goods held at cost (cards for aid, booked FIFO): worth their CNY cost, counted in units
                    errors.extend(_amount_errors(ctx, p if p.meta else e, p.cost.number, p.cost.currency, f"科目 {p.account} 的成本"))
                elif p.units is not None and p.units.currency is not None:
                    errors.extend(_amount_errors(ctx, p if p.meta else e, p.units.number, p.units.currency, f"科目 {p.account} 的"))
        elif isinstance(e, data.Balance):
            errors.extend(_amount_errors(ctx, e, e.amount.number, e.amount.currency, "余额断言"))
    return errors


currency = rule(check)
__plugins__ = ("currency",)
