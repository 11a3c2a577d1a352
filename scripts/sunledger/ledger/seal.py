"""The digest that seals a published month of a fund.

A seal is `custom "sunledger-seal" "<CODE>" "YYYY-MM" "<digest>"`. The digest
covers what a reader sees of every entry of the fund dated in the month:
dates, accounts, amounts, payees, narrations, tags, links and metadata the
treasurer wrote, but not file names or line numbers, so moving or
reformatting entries keeps the seal while any change of content breaks it.

Since the month digest alone can only say *that* a month changed, a seal also
carries `entries:`, one short digest per entry (`DD:xxxxxxxx`, day of month
and the first 8 hex digits of the entry's own digest). With it the checker
names the entry that changed, was added or went missing, without git. Seals
written before it have no `entries:` and keep working: they name the month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.account import TYPE as ACCOUNT_TYPE

from .leftover import LEFTOVER
from .movements import units

SEAL = "sunledger-seal"
ENTRIES_KEY = "entries"  # the seal's metadata: per-entry digests
_SKIP_META = ("filename", "lineno")


def _value(v: Any) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v.is_finite() else str(v)
    if isinstance(v, data.Amount):
        return f"{_value(v.number)} {v.currency}"
    if isinstance(v, dict):
        return _meta(v)
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[" + ",".join(sorted(_value(x) for x in v)) + "]"
    return repr(v)


def _meta(m: dict[str, Any] | None) -> str:
    if not m:
        return "{}"
    return "{" + ",".join(f"{k}={_value(v)}" for k, v in sorted(m.items()) if k not in _SKIP_META and not k.startswith("__")) + "}"


def canonical(entry: data.Directive) -> str:
    kind = type(entry).__name__
    if isinstance(entry, data.Transaction):
        postings = ";".join(
            "|".join((p.account, _value(p.units), _value(p.cost), _value(p.price), str(p.flag), _meta(p.meta)))
            for p in entry.postings
        )
        return "|".join((kind, str(entry.date), str(entry.flag), repr(entry.payee), repr(entry.narration), _value(entry.tags), _value(entry.links), _meta(entry.meta), postings))
    fields = [f"{name}={_value(getattr(entry, name))}" for name in entry._fields if name != "meta"]
    return "|".join((kind, *fields, _meta(entry.meta)))


def sealable(entry: data.Directive) -> bool:
    """Is the entry part of what a seal covers? Not the seals and other custom lines (Fava's options),
    but a leftover move (ledger/leftover.py): it moves money between sources without a transaction."""
    if isinstance(entry, data.Custom):
        return entry.type == LEFTOVER
    return not (isinstance(entry, data.Transaction) and entry.flag == "P")


def accounts_of(entry: data.Directive) -> Iterable[str]:
    if isinstance(entry, data.Transaction):
        return (p.account for p in entry.postings)
    if isinstance(entry, data.Custom):  # a leftover move names its source's income account
        return (str(v.value) for v in entry.values if v.dtype == ACCOUNT_TYPE)
    account = getattr(entry, "account", None)
    return (account,) if isinstance(account, str) else ()


def month_entries(entries: Iterable[data.Directive], belongs: Callable[[str], bool], month: str) -> list[data.Directive]:
    out: list[data.Directive] = []
    for e in entries:
        if not sealable(e):
            continue
        if f"{e.date.year:04d}-{e.date.month:02d}" == month and any(belongs(a) for a in accounts_of(e)):
            out.append(e)
    return out


def digest(entries: Iterable[data.Directive]) -> str:
    lines = sorted(canonical(e) for e in entries)
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:32]


def entry_digest(entry: data.Directive) -> str:
    """`DD:xxxxxxxx`: the entry's day of month and the start of its own digest."""
    return f"{entry.date.day:02d}:{hashlib.sha256(canonical(entry).encode('utf-8')).hexdigest()[:8]}"


def entry_list(entries: Iterable[data.Directive]) -> str:
    """The value of a seal's `entries:`: every entry's digest, sorted, comma-separated.

    Commas, not spaces: digits on both sides of a space would read as one
    long number to the privacy scan (a phone or card number).
    """
    return ",".join(sorted(entry_digest(e) for e in entries))


@dataclass(frozen=True)
class Changes:
    """What differs between a sealed entry list and the month's entries now."""

    changed: list[data.Directive]  # now in the month, not sealed, and a sealed entry of that day is missing
    added: list[data.Directive]  # now in the month, not sealed, nothing of that day missing
    removed: list[str]  # sealed digests (DD:xxxxxxxx) found nowhere now, not explained as changed


def changes(sealed: str, entries: Iterable[data.Directive]) -> Changes:
    """Compare a seal's `entries:` with the month's entries (a multiset: equal entries count twice)."""
    missing = Counter(d for d in re.split(r"[,\s]+", sealed) if d)
    unknown = []
    for e in sorted(entries, key=data.entry_sortkey):
        d = entry_digest(e)
        if missing[d] > 0:
            missing[d] -= 1
        else:
            unknown.append(e)
    left = sorted((missing - Counter()).elements())
    changed, added = [], []
    for e in unknown:
        day = f"{e.date.day:02d}:"
        same_day = next((d for d in left if d.startswith(day)), None)
        if same_day is not None:
            left.remove(same_day)
            changed.append(e)
        else:
            added.append(e)
    return Changes(changed, added, left)


def sealed_months(entries: Iterable[data.Directive], code: str) -> dict[str, data.Custom]:
    """The fund's seals by month ("YYYY-MM"), from well-formed seal entries."""
    out: dict[str, data.Custom] = {}
    for e in entries:
        if isinstance(e, data.Custom) and e.type == SEAL and len(e.values) == 3:
            values = [v.value for v in e.values]
            if values[0] == code and isinstance(values[1], str):
                out.setdefault(values[1], e)
    return out


def month_after(month: str) -> str:
    day = month_end(month) + dt.timedelta(days=1)
    return f"{day.year:04d}-{day.month:02d}"


def open_month(sealed: Iterable[str], day: dt.date) -> str:
    """The month an entry dated `day` can be written in: its own unless sealed, else the first after the last seal."""
    sealed = set(sealed)
    month = f"{day.year:04d}-{day.month:02d}"
    return month if month not in sealed else month_after(max(sealed))


def month_end(month: str) -> dt.date:
    y, m = map(int, month.split("-"))
    return (dt.date(y + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)


def corrected_entries(correction: data.Transaction, month_txns: Iterable[data.Transaction]) -> list[data.Transaction]:
    """The entries of the corrected month that a correction reverses.

    Sealed entries cannot carry a link added later, so the link is found in
    the postings: an entry with the opposite amount on the same account (and
    project, where one is named); failing that, for a partial correction, an
    entry of the opposite sign there.
    """

    def project(txn: data.Transaction, p: data.Posting) -> str | None:
        value = (p.meta or {}).get("project") or txn.meta.get("project")
        return str(value) if value else None

    reversed_ = [(p.account, -units(p), project(correction, p)) for p in correction.postings if p.units is not None]
    candidates = [t for t in month_txns if t is not correction]

    def matching(exact: bool) -> list[data.Transaction]:
        out = []
        for t in candidates:
            for p in t.postings:
                if p.units is None:
                    continue
                for account, amount, pid in reversed_:
                    same_place = p.account == account and project(t, p) == pid
                    if same_place and (units(p) == amount if exact else (units(p) > 0) == (amount > 0)):
                        out.append(t)
                        break
                else:
                    continue
                break
        return out

    return matching(True) or matching(False)
