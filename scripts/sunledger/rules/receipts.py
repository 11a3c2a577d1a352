"""SL801/W802/SL804: an expense carries its receipt; a receipt named must exist.

`receipt:` on the transaction is a path under the fund's ledger folder
(`ledger/funds/<CODE>/receipts/…`); a `document` directive linked to the
transaction by a shared link (^…) counts too. A receipt is a readable file of
that folder, not a symlink (SL801); one marked `receipt-public: TRUE` is
published, so it must be in a format that carries no script (SL804, media.py).
Both are reported at the `receipt:` line.
"""

from __future__ import annotations

from pathlib import Path

from beancount.core import data

from .. import media
from ..errors import error, warning
from ..ledger.accounts import EXPENSE
from ..ledger.adopted import history_of
from ..ledger.movements import units
from .context import Ctx, context, key_line, rule, where


def fund_folder(ctx: Ctx, code: str) -> Path:
    return ctx.root / "ledger" / "funds" / code


def _expense_total(ctx: Ctx, txn: data.Transaction):
    total, role_seen = None, None
    for p, role in ctx.roles(txn):
        if role is not None and role.kind == EXPENSE and p.units is not None:
            total = (total or 0) + units(p)
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
        folder = fund_folder(ctx, code)
        if (why := media.place(folder, str(receipt))) is not None:
            text = f"凭证路径 {receipt} 超出基金目录 ledger/funds/{code}/" if why == "超出基金目录" else f"凭证文件 ledger/funds/{code}/{receipt} {why}"
            errors.append(error(key_line(txn, "receipt"), "SL801", text, txn))
        elif txn.meta.get("receipt-public") is True:
            try:
                if (why := media.refusal(folder / str(receipt))) is not None:
                    errors.append(error(key_line(txn, "receipt"), "SL804", f"公开凭证 ledger/funds/{code}/{receipt} 不能公开：{why}", txn))
            except OSError as exc:
                errors.append(error(key_line(txn, "receipt"), "SL801", f"凭证文件 ledger/funds/{code}/{receipt} 无法读取（{exc.strerror or exc}）", txn))
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
        total, _role = _expense_total(ctx, txn)
        if total is not None and total > limit and not has_receipt(txn, linked) and not history_of(ctx.classify, txn):
            out.append(warning(where(txn), "W802", f"支出 {total:,.2f} 元超过 {limit:,.2f} 元，未附凭证（receipt:）", txn))
    return out


receipts = rule(check)
__plugins__ = ("receipts",)
