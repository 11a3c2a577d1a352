"""信息公开目录: every disclosure a fund owes, when it was due, when and where it was published.

The items are `ledger/deadlines.catalogue`'s, the same the disclosure rule warns of
(W901–W906); this module only feeds it a fund's books."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..district import District
from ..errors import meta
from ..ledger import deadlines
from ..periods import month_of


@dataclass(frozen=True)
class Catalogue:
    code: str
    name: str
    as_of: dt.date
    items: list[deadlines.Item]

    @property
    def overdue(self) -> list[deadlines.Item]:
        """Due and not published by `as_of` (已逾期未公布)."""
        return [it for it in self.items if it.state == deadlines.OVERDUE]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for it in self.items if it.state == s) for s in deadlines.STATES}


def inputs(district: District, code: str) -> tuple[list[str], dict[str, dt.date], list[int], list[deadlines.Correction]]:
    """The months and years the fund has entries in, its seals and its corrections, as the rule reads them."""
    books = district.books[code]
    months = sorted({month_of(t.date) for t in books.txns})
    sealed = {m: seal.date for m, seal in books.seals.items()}
    years = sorted({t.date.year for t in books.txns})
    corrections = [(t.date, str(t.meta["corrects"]), meta(t.meta.get("filename", ""), t.meta.get("lineno", 0)))
                   for t in books.txns if t.meta.get("corrects") is not None]
    return months, sealed, years, corrections


def fund_catalogue(district: District, code: str, as_of: dt.date) -> Catalogue:
    """The fund's 信息公开目录 on `as_of`: each item's due date, publication and state."""
    months, sealed, years, corrections = inputs(district, code)
    books = district.books[code]
    items = deadlines.catalogue(books.fc, months, sealed, years, as_of, district.config.disclosure, corrections)
    return Catalogue(code, books.fc.fund.name, as_of, items)
