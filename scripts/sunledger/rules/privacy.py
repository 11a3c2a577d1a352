"""SL501–SL504: no phone, ID-card or bank-card number in any field; resident
donors masked (张*) unless their consent is recorded."""

from __future__ import annotations

from typing import Any

from beancount.core import data

from .. import privacy
from ..errors import error
from ..ledger.accounts import INCOME
from ..ledger.adopted import history_of
from ..ledger.seal import SEAL
from .context import Ctx, rule, where


def _texts(e: Any):
    """Every free-text field of an entry with the object that locates it."""
    for name in ("payee", "narration", "comment", "description", "filename"):
        v = getattr(e, name, None)
        if isinstance(v, str) and not (name == "filename" and not isinstance(e, data.Document)):
            yield e, v
    for k, v in (e.meta or {}).items():
        if isinstance(v, str) and k not in ("filename",):
            yield e, v
    if getattr(e, "type", None) != SEAL:  # a seal's hex digest is no one's phone number
        for v in getattr(e, "values", None) or ():
            if isinstance(getattr(v, "value", None), str):
                yield e, v.value
    for p in getattr(e, "postings", None) or ():
        for k, v in (p.meta or {}).items():
            if isinstance(v, str) and k != "filename":
                yield (p if p.meta.get("lineno") else e), v


def check(entries: list, ctx: Ctx) -> list:
    errors = []
    for e in entries:
        if isinstance(e, data.Transaction) and e.flag == "P":
            continue
        for obj, text in _texts(e):
            for code, found in privacy.find_private(text):
                errors.append(error(where(obj), code, f"含有{privacy.KIND_ZH[code]}（{privacy.mask_hint(found)}），不得录入账本", e))
    for txn in ctx.txns:
        payee = txn.payee
        if history_of(ctx.classify, txn):  # adopted books' history is published as one opening, without names
            continue
        if not payee or privacy.shows_name(payee, ctx.config.group_words, bool(txn.meta.get("consent"))):
            continue
        for _p, role in ctx.roles(txn):
            if role is not None and role.kind == INCOME and role.source is not None and role.source.personal:
                errors.append(
                    error(where(txn), "SL504", f"居民捐赠人姓名未打码：应写成“{privacy.mask_name(payee)}”，或用 consent: 记录本人同意公开", txn)
                )
                break
    return errors


privacy_rule = rule(check)
__plugins__ = ("privacy_rule",)
