"""Pairing statement lines with ledger transactions: one to one, to the fen.

The importer's duplicate check and the reconciliation use this one rule, so
what the reconciliation calls matched is exactly what an import skips.
Amounts must be equal; dates may differ by up to `window` days (a transfer
booked by the bank a day after the treasurer wrote it down). Closest dates
pair first; two equal lines need two equal transactions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from beancount.core import data

WINDOW = 3  # days

Item = tuple[dt.date, Decimal]


def pairs(left: Sequence[Item], right: Sequence[Item], window: int = WINDOW, late: Mapping[int, str] | None = None) -> list[tuple[int, int]]:
    """Indexes (i, j) of left[i] matched with right[j], sorted by i.

    `late` maps right[j] that are corrections of a sealed month (`corrects:`)
    to that month. They pair only with what the others leave (a correction is
    seldom a line of the statement and must not take the line of the entry
    beside it), and also with a line dated anywhere in the month they correct:
    a line missed when that month was sealed, booked later in an open month.
    """
    late = late or {}
    first = [j for j in range(len(right)) if j not in late]
    found = [(i, first[k]) for i, k in _pairs(left, [right[j] for j in first], window)]
    if not late:
        return found
    taken = {i for i, _ in found}
    rest_left = [i for i in range(len(left)) if i not in taken]
    rest_right = sorted(late)
    more = _pairs([left[i] for i in rest_left], [right[j] for j in rest_right], window, [late[j] for j in rest_right])
    return sorted(found + [(rest_left[a], rest_right[b]) for a, b in more])


def is_correction(txn: data.Transaction) -> bool:
    return "corrects" in (txn.meta or {})


def _pairs(left: Sequence[Item], right: Sequence[Item], window: int, months: Sequence[str] | None = None) -> list[tuple[int, int]]:
    by_amount: dict[Decimal, list[int]] = defaultdict(list)
    for j, (_day, amount) in enumerate(right):
        by_amount[amount].append(j)
    candidates = []
    for i, (day, amount) in enumerate(left):
        for j in by_amount.get(amount, ()):
            gap = abs((right[j][0] - day).days)
            if months is not None and f"{day.year:04d}-{day.month:02d}" == months[j]:
                gap = 0
            if gap <= window:
                candidates.append((gap, i, j))
    candidates.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    out = []
    for _gap, i, j in candidates:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            out.append((i, j))
    return sorted(out)


def within(account: str, candidate: str) -> bool:
    return candidate == account or candidate.startswith(account + ":")


def amount_on(txn: data.Transaction, account: str) -> Decimal:
    """What a transaction moves in or out of `account` (and its sub-accounts)."""
    total = Decimal(0)
    for p in txn.postings:
        if within(account, p.account) and p.units is not None and isinstance(p.units.number, Decimal):
            total += p.units.number
    return total


def on_account(entries: Sequence, account: str) -> list[data.Transaction]:
    """Transactions that change `account`, in date order; internal moves between its sub-accounts net to zero and drop out."""
    txns = [e for e in entries if isinstance(e, data.Transaction) and amount_on(e, account) != 0]
    return sorted(txns, key=data.entry_sortkey)
