"""A district loaded once: the ledger with its plugins run, the content, and
indexes every view reads. Loading (`loading.load_books`, or Fava's own) is the
only I/O; views are pure."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from beancount.core import data

from . import readonce
from .content.load import Content, FundContent, load_content
from .errors import Problem, problem
from .ledger.accounts import Classifier
from .ledger.adopted import fold
from .ledger.attribution import Attribution, attribute
from .ledger.leftover import moves_of
from .ledger.load import fund_file, load
from .ledger.seal import SEAL
from .loading import load_books
from .rules import warnings
from .rules.context import context


@dataclass
class FundBooks:
    """One fund's entries, in date order."""

    fc: FundContent
    txns: list[data.Transaction] = field(default_factory=list)
    balances: list[data.Balance] = field(default_factory=list)
    seals: dict[str, data.Custom] = field(default_factory=dict)  # month -> seal

    @property
    def code(self) -> str:
        return self.fc.fund.code


@dataclass
class District:
    root: Path
    content: Content
    classify: Classifier
    attribution: Attribution
    books: dict[str, FundBooks]
    problems: list[Problem]
    checksum: str  # sha256 of every ledger and content file, in path order
    last_date: dt.date | None

    @property
    def config(self):
        return self.content.config

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def without_entries(self) -> District:
        """The same district with its content and facts but no ledger entries (and no attribution,
        whose flows point at them): for holders of views computed already, so the entries can be freed."""
        books = {code: FundBooks(b.fc) for code, b in self.books.items()}
        return replace(self, books=books, attribution=Attribution())


def checksum(paths: list[str], read: Callable[[str], bytes] = readonce.read) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(os.path.basename(p).encode())
        h.update(read(p))
    return h.hexdigest()


def funds_checksum(sums: dict[str, str]) -> str:
    """The checksum a page about several funds states: sha256 of a line "<code> <its checksum>"
    per fund, in code order (each checksum that of the fund's own ledger files)."""
    return hashlib.sha256("".join(f"{code} {sums[code]}\n" for code in sorted(sums)).encode()).hexdigest()


def district_from_entries(
    entries: list, errors: list, options_map: dict, as_of: dt.date | None = None, content: Content | None = None,
    problems: list[Problem] | None = None,
) -> District | None:
    """The district of an already-loaded ledger (Fava has one): no second load.

    `content` defaults to what the rule plugins read during the load (the
    funds that have a ledger); None when no sunledger.yml is above the ledger.
    `problems`: the load's errors and warnings when the caller has them already.
    """
    ctx = context(entries, options_map)
    if ctx is None:
        return None
    if content is None or content is ctx.content:
        content, classify = ctx.content, ctx.classify
    else:
        classify = Classifier(content.config, content)
    books = {code: FundBooks(fc) for code, fc in content.funds.items()}
    last = None
    for e in entries:
        if isinstance(e, data.Transaction) and e.flag != "P":
            role = next((r for r in map(classify, (p.account for p in e.postings)) if r is not None), None)
            if role is not None and role.code in books:
                books[role.code].txns.append(e)
                last = e.date if last is None or e.date > last else last
        elif isinstance(e, data.Balance):
            role = classify(e.account)
            if role is not None and role.code in books:
                books[role.code].balances.append(e)
        elif isinstance(e, data.Custom) and e.type == SEAL and len(e.values) == 3:
            code, month = e.values[0].value, e.values[1].value
            if code in books:
                books[code].seals[month] = e
    for b in books.values():
        if b.fc.fund.cutover is not None:  # adopted books: their history is one opening balance (ledger/adopted.py)
            b.txns = fold(b.txns, classify)[0]
            b.balances = [x for x in b.balances if x.date >= b.fc.fund.cutover]
    txns = sorted((t for b in books.values() for t in b.txns), key=data.entry_sortkey)
    if problems is None:
        problems = [problem(e) for e in [*errors, *warnings(entries, options_map, as_of)]]
    problems = sorted({*problems, *(problem(e) for e in content.errors)})
    files = [f for f in options_map.get("include", []) if Path(f).is_file()]
    moves = moves_of(entries, classify, content.config.currency)[0]  # the attribution rule reported the malformed ones
    return District(ctx.root, content, classify, attribute(txns, classify, content.config, moves), books, problems, checksum(files), last)


def load_fund(root: Path, code: str, as_of: dt.date | None = None) -> District | None:
    """One fund's books alone, from its own fund.beancount (as `check -j` reads them), with its
    content and problems; None when no sunledger.yml is above it. For `sunledger seal`."""
    return district_from_entries(*load(fund_file(Path(root).resolve(), code)), as_of)


def load_district(root: Path, as_of: dt.date | None = None, jobs: int = 1) -> District:
    """Load the district; with jobs > 1, funds load in separate processes when main.beancount allows it."""
    root = Path(root).resolve()
    entries, errors, options_map = load_books(root, jobs)
    # all funds, also those without a ledger yet
    district = district_from_entries(entries, errors, options_map, as_of, load_content(root))
    if district is None:
        raise FileNotFoundError(f"{root} 下没有 sunledger.yml")
    return district
