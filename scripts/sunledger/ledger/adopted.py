"""Books kept elsewhere and brought in unchanged (`sunledger adopt`): how sunledger reads them.

Two settings of `fund.yml` say it, and every face reads them here:

- `metadata: {outside key: name}`: the fund's entries are read with their
  metadata keys renamed, once per load, before any rule looks at them (a
  converter's `source:` naming a bank becomes the note `bank_source:`, not a
  fund source);
- `cutover: YYYY-MM-01`: what happened before that day is history. The books
  keep it (beancount books and asserts it as written), but residents are shown
  one opening balance (期初结转) per source on the cut-over day, and the rules
  that judge how money was spent and published (projects, attribution, receipts,
  disclosure, seals) start from the cut-over.

The source of the money at the cut-over is the source of the income before it:
`accounts.sources` maps historic income as it maps current income (and an
opening posting with `source:` counts as that source's), and the balance is
split over those sources in proportion to what each brought in (largest
remainder to the fen). Spending before the cut-over had no project, so which
source paid for it cannot be known; in proportion is the fair reading.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from ..errors import FundError, error, meta
from .accounts import ASSET, BANK, LIABILITY, Classifier
from .attribution import split
from .movements import OPENING, RECEIVED, ZERO, movement, weight

MARK = "__sunledger_keys__"  # on an entry whose keys were renamed: a second pass must not rename again
OPENING_ACCOUNT = "Equity:{code}:Opening"


def _fund_of(classify: Classifier, txn: data.Transaction):
    return next((r.fund for r in map(classify, (p.account for p in txn.postings)) if r is not None), None)


def _renamed(values: dict | None, keys: dict[str, str]) -> dict | None:
    """The metadata with keys renamed all at once (so `{a: b, b: a}` swaps); a key whose new
    name the entry already uses for a key that stays keeps its outside name (the entry's own wins)."""
    if not values or not any(k in keys for k in values):
        return values
    staying = {k for k in values if k not in keys}
    out = {}
    for k, v in values.items():
        target = keys.get(k, k)
        out[k if k in keys and target in staying else target] = v
    return out


def rename_keys(entries: list, classify: Classifier) -> None:
    """Rename, in place, the metadata keys of each transaction of a fund with `metadata:`.

    In place, because the plugins hand one entry list from rule to rule: the
    first rule's context renames, every later rule, Fava and the site read the
    renamed entries. Marked, so a context built again on the same entries (the
    parallel check merges the funds' loads) leaves them as they are.
    """
    for i, e in enumerate(entries):
        if not isinstance(e, data.Transaction) or MARK in e.meta:
            continue
        fund = _fund_of(classify, e)
        keys = fund.fund.metadata if fund is not None else None
        if not keys:
            continue
        postings = [p._replace(meta=_renamed(p.meta, keys)) for p in e.postings]
        entries[i] = e._replace(meta={**(_renamed(e.meta, keys) or {}), MARK: True}, postings=postings)


def history_of(classify: Classifier, txn: data.Transaction) -> bool:
    """Is this transaction dated before its fund's cut-over?"""
    fund = _fund_of(classify, txn)
    return fund is not None and fund.fund.before_cutover(txn.date)


def fold(txns: list[data.Transaction], classify: Classifier) -> tuple[list[data.Transaction], list[FundError]]:
    """The transactions as published: each adopted fund's history replaced by its opening balance.

    Pure: the ledger keeps its entries; this is what views, downloads and the
    attribution read. Returns the new list (in date order) and the errors of
    openings that cannot be told by source.
    """
    history: dict[str, list[data.Transaction]] = defaultdict(list)
    funds = {}
    out: list[data.Transaction] = []
    for txn in txns:
        fund = _fund_of(classify, txn)
        if fund is not None and fund.fund.before_cutover(txn.date):
            history[fund.fund.code].append(txn)
            funds[fund.fund.code] = fund
        else:
            out.append(txn)
    if not history:
        return txns, []
    errors = []
    for code, old in history.items():
        opening, errs = opening_of(funds[code], old, classify)
        errors += errs
        if opening is not None:
            out.append(opening)
    out.sort(key=data.entry_sortkey)
    return out, errors


def opening_of(fc, txns: list[data.Transaction], classify: Classifier):
    """One transaction on the cut-over day: the money of the fund's accounts then, against
    `Equity:<CODE>:Opening` split by source (see the module's note). None if nothing is left."""
    held: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (account, currency) -> weight held
    brought: dict[str, Decimal] = defaultdict(Decimal)  # source -> what it brought in before
    for txn in txns:
        for part in movement(classify, txn).parts:
            if (part.kind == RECEIVED and part.source is not None) or (part.kind == OPENING and part.source is not None and part.amount > 0):
                brought[part.source] += part.amount
        for p in txn.postings:
            role = classify(p.account)
            if role is not None and role.kind in (BANK, ASSET, LIABILITY) and (w := weight(p)) is not None:
                held[(p.account, w.currency)] += w.number or 0
    held = {k: v for k, v in held.items() if v}
    total = sum(held.values(), ZERO)
    fund = fc.fund
    here = meta(str(fc.path), fc.cutover_line)
    if not held:
        return None, []
    weights = {s: v for s, v in sorted(brought.items()) if v > 0}
    shares = split(total, weights) if total else []
    errors = []
    if total and not shares:
        errors.append(error(here, "SL106", f"接入日期 {fund.cutover} 时的余额 {total:,.2f} 元说不出来源：此前的账里没有映射到来源的收入；"
                                           f"请在 accounts.sources 里把此前的收入科目映射到来源（sunledger adopt {fund.code} 会列出它们）"))
    currency = next(iter(held))[1]
    postings = [data.Posting(account, data.Amount(number, cur), None, None, None, None) for (account, cur), number in sorted(held.items())]
    equity = OPENING_ACCOUNT.format(code=fund.account_code)
    postings += [data.Posting(equity, data.Amount(-share, currency), None, None, None, {"source": source}) for source, share in shares]
    narration = f"{fund.cutover} 之前的账结转（接入前的余额，按此前收入的来源划分）"
    return data.Transaction({**here, "cutover": True}, fund.cutover, "*", None, narration, frozenset(), frozenset(), postings), errors
