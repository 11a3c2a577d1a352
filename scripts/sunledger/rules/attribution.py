"""SL106–SL109: every expense is attributed to sources; no source overdrawn;
money given for a purpose spent only on it. SL116–SL118: what is left of that
money once its project is done is moved (to free money, another project) or
refunded as the books' leftover entries say (ledger/leftover.py)."""

from __future__ import annotations

from .context import Ctx, rule


def check(entries: list, ctx: Ctx) -> list:
    att, errors = ctx.attributed(entries)
    return errors + att.errors


attribution = rule(check)
__plugins__ = ("attribution",)
