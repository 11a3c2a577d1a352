"""The levels above the funds: a node of `content/district.yml` and every fund below it.

A node's figures are the sum of `fund.fund_figures` over the funds below it, found
by walking the tree (node and fund `parent:`s) down from it. A fund whose parent is
another fund (a 小区 fund under a community fund) is one more fund below the node:
counted once, beside its parent fund, whose own figures never include it (each
fund keeps its own books).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..content.models import IN_PROGRESS, LEVEL_NAMES, Project
from ..district import District
from .common import ZERO
from .fund import Figures, Periods, SourceBalance


@dataclass(frozen=True)
class Place:
    """A node or a fund as a place in the tree."""

    key: str  # node id or fund code
    name: str
    level: str  # district | street | community | compound
    fund: bool

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass(frozen=True)
class Tree:
    """The district's tree: who is under whom, in the order the site lists them
    (nodes in district.yml order, then funds by code, as the home page's tree)."""

    places: dict[str, Place]
    parent: dict[str, str | None]  # None: a root (or a parent that does not exist)
    children: dict[str | None, list[str]]

    def ancestors(self, key: str) -> list[Place]:
        """The places above `key`, from the root down to its parent."""
        out: list[Place] = []
        seen = {key}
        up = self.parent.get(key)
        while up is not None and up not in seen:  # a loop of parents (refused by no rule yet) ends here
            seen.add(up)
            out.append(self.places[up])
            up = self.parent.get(up)
        return out[::-1]

    def funds_below(self, key: str) -> list[str]:
        """Every fund under `key` (not `key` itself), each once, in tree order."""
        out: list[str] = []
        seen = {key}
        stack = list(reversed(self.children.get(key, [])))
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            if self.places[k].fund:
                out.append(k)
            stack.extend(reversed(self.children.get(k, [])))
        return out

    def nodes(self) -> list[str]:
        """Every node (not fund) in tree order: parents before their children."""
        out: list[str] = []

        def walk(keys: Iterable[str], seen: set[str]) -> None:
            for k in keys:
                if k in seen:
                    continue
                seen.add(k)
                if not self.places[k].fund:
                    out.append(k)
                walk(self.children.get(k, []), seen)

        walk(self.children.get(None, []), set())
        return out


def tree(district: District) -> Tree:
    places: dict[str, Place] = {}
    parent: dict[str, str | None] = {}
    for n in district.content.district.nodes:
        places[n.id] = Place(n.id, n.name, n.level, False)
        parent[n.id] = n.parent
    for code in sorted(district.books):
        f = district.books[code].fc.fund
        places[code] = Place(code, f.name, f.level, True)
        parent[code] = f.parent
    children: dict[str | None, list[str]] = defaultdict(list)
    for key in places:
        up = parent[key]
        if up not in places or up == key:
            parent[key] = up = None
        children[up].append(key)
    return Tree(places, parent, dict(children))


def sum_figures(key: str, year: int | None, parts: Iterable[Figures], source_order: Iterable[str] = ()) -> Figures:
    """Figures of several funds together: every amount is the sum of theirs."""
    parts, source_order = list(parts), list(source_order)

    def add(dicts: Iterable[dict[str, Decimal]]) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for d in dicts:
            for k, v in d.items():
                out[k] += v
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    by_source: dict[str, list[SourceBalance]] = defaultdict(list)
    for f in parts:
        for x in f.sources:
            by_source[x.source].append(x)
    order = [s for s in source_order if s in by_source] + sorted(set(by_source) - set(source_order))
    sources = []
    for s in order:
        xs = by_source[s]
        restricted: dict[str, Decimal] = defaultdict(Decimal)
        for x in xs:
            for pid, amount in x.restricted.items():
                restricted[pid] += amount
        sources.append(SourceBalance(
            s, sum((x.income for x in xs), ZERO), sum((x.spent for x in xs), ZERO), sum((x.balance for x in xs), ZERO),
            dict(sorted(restricted.items())), sum((x.opening for x in xs), ZERO),
        ))
    return Figures(
        key, year,
        sum((f.opening for f in parts), ZERO),
        sum((f.carried for f in parts), ZERO),
        add(f.income_by_source for f in parts),
        add(f.spending_by_category for f in parts),
        add(f.spending_by_project for f in parts),
        sum((f.closing for f in parts), ZERO),
        sum((f.bank_closing for f in parts), ZERO),
        sources,
        add(f.carried_by_source for f in parts),
    )


@dataclass
class Part:
    """One row of a node's page: a node directly below it, or a fund whose nearest node it is."""

    place: Place
    figures: Figures
    funds: list[str]  # the funds counted in it (a fund: itself)
    under: Place | None = None  # a fund under another fund: that fund (its books are apart)


@dataclass
class LevelView:
    place: Place
    year: int | None  # None: the whole history
    years: list[int]  # years any fund below has entries in, oldest first
    path: list[Place]  # the places above, from the root down
    totals: Figures
    funds: list[str]  # every fund below, each once, in tree order
    by_fund: dict[str, Figures]
    parts: list[Part]
    in_progress: list[tuple[str, Project]] = field(default_factory=list)  # (fund code, project), now


def level_years(district: District, node: str, t: Tree | None = None, periods: Periods | None = None) -> list[int]:
    """The years any fund below `node` has entries in, oldest first."""
    t, periods = t or tree(district), periods or Periods(district)
    return sorted({y for code in t.funds_below(node) for y in periods.years(code)})


def level_view(district: District, node: str, year: int | None = None, periods: Periods | None = None,
               t: Tree | None = None) -> LevelView:
    """Node `node`'s figures for `year` (None: the whole history).

    A caller drawing many pages passes one `Periods` (and `Tree`), so that each fund's
    figures for a period are computed once."""
    t, periods = t or tree(district), periods or Periods(district)
    get = periods.figures
    place = t.places[node]
    order = [s.name for s in district.config.sources]
    funds = t.funds_below(node)
    by_fund = {code: get(code, year) for code in funds}
    parts: list[Part] = []
    for key in t.children.get(node, []):
        child = t.places[key]
        if child.fund:
            # the fund, then the funds hanging from it (and from those), each a part of its own
            for code in [key, *t.funds_below(key)]:
                up = t.parent[code]
                under = t.places[up] if code != key and up is not None else None
                parts.append(Part(t.places[code], by_fund[code], [code], under))
        else:
            below = t.funds_below(key)
            parts.append(Part(child, sum_figures(key, year, (by_fund[c] for c in below), order), below))
    in_progress = [
        (code, p)
        for code in funds
        for p in sorted(district.books[code].fc.projects.values(), key=lambda p: p.id)
        if p.stage in IN_PROGRESS
    ]
    return LevelView(
        place, year, level_years(district, node, t, periods), t.ancestors(node),
        sum_figures(node, year, by_fund.values(), order), funds, by_fund, parts, in_progress,
    )
