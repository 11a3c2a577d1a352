"""SL106–SL109: every expense is attributed to sources; no source overdrawn;
money given for a purpose spent only on it."""

from __future__ import annotations

from ..ledger.adopted import fold
from ..ledger.attribution import attribute
from .context import Ctx, rule


def check(entries: list, ctx: Ctx) -> list:
    # adopted books: from the cut-over on, each source starts from its share of the opening balance
    txns, errors = fold(ctx.txns, ctx.classify)
    return errors + attribute(txns, ctx.classify, ctx.config).errors


attribution = rule(check)
__plugins__ = ("attribution",)
