"""SL801/W802: an expense carries its receipt; a receipt named must exist.

`receipt:` on the transaction is a path under the fund's ledger folder
(`ledger/funds/<CODE>/receipts/…`); a `document` directive linked to the
transaction by a shared link (^…) counts too.
"""

from __future__ import annotations

from pathlib import Path

from beancount.core import data

from ..errors import error, warning
from ..ledger.accounts import EXPENSE
from .context import Ctx, context, rule, where


def fund_folder(ctx: Ctx, code: str) -> Path:
    return ctx.root / "ledger" / "funds" / code


def _expense_total(ctx: Ctx, txn: data.Transaction):
    total, role_seen = None, None
    for p, role in ctx.roles(txn):
        if role is not None and role.kind == EXPENSE and p.units is not None:
            total = (total or 0) + p.units.number
            role_seen = role
    return total, role_seen


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    for txn in ctx.txns:
        receipt = txn.meta.get("receipt")
        if receipt is None:
            continue
        _total, role = _expense_total(ctx, txn)
        code = role.code if role else next((r.code for _, r in ctx.roles(txn) if r is not None), None)
        if code is None:
            continue
        path = fund_folder(ctx, code) / str(receipt)
        if not path.resolve().is_relative_to(fund_folder(ctx, code).resolve()):
            errors.append(error(where(txn), "SL801", f"凭证路径 {receipt} 超出基金目录 ledger/funds/{code}/", txn))
        elif not path.is_file():
            errors.append(error(where(txn), "SL801", f"凭证文件 ledger/funds/{code}/{receipt} 不存在", txn))
    return errors


def has_receipt(txn: data.Transaction, linked: set[str]) -> bool:
    return bool(txn.meta.get("receipt")) or bool(txn.links & linked)


def warnings(entries: list, options_map: dict, **_kw) -> list:
    ctx = context(entries, options_map)
    if ctx is None:
        return []
    linked = {link for e in entries if isinstance(e, data.Document) for link in (e.links or ())}
    limit = ctx.config.receipt_threshold
    out = []
    for txn in ctx.txns:
        total, role = _expense_total(ctx, txn)
        if total is not None and total > limit and not has_receipt(txn, linked):
            out.append(warning(where(txn), "W802", f"支出 {total:,.2f} 元超过 {limit:,.2f} 元，未附凭证（receipt:）", txn))
    return out


receipts = rule(check)
__plugins__ = ("receipts",)
