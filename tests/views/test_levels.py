"""The levels above the funds: a node's figures are the sum of its funds' figures, every node, every
year and the whole history, and a 小区 fund under a community fund is counted once."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from levelkit import compound_district
from sunledger.district import load_district
from sunledger.views.common import ZERO
from sunledger.views.fund import Figures, Periods, fund_figures, fund_years
from sunledger.views.level import level_view, level_years, tree

from conftest import REPO


def funds_under(district, node: str) -> set[str]:
    """The funds whose chain of parents (content/, read here without the view) passes through `node`."""
    parent = {n.id: n.parent for n in district.content.district.nodes}
    parent.update({code: b.fc.fund.parent for code, b in district.books.items()})
    out = set()
    for code in district.books:
        up, seen = parent.get(code), {code}
        while up is not None and up not in seen:
            if up == node:
                out.add(code)
                break
            seen.add(up)
            up = parent.get(up)
    return out


def summed(figures: list[Figures]) -> dict:
    """Every amount of the figures, added up independently of views.level.sum_figures."""
    out: dict = defaultdict(lambda: ZERO)
    for f in figures:
        for name in ("opening", "carried", "closing", "bank_closing", "income_total", "spending_total", "free_total",
                     "restricted_total"):
            out[name] += getattr(f, name)
        for name in ("income_by_source", "spending_by_category", "spending_by_project", "carried_by_source"):
            for k, v in getattr(f, name).items():
                out[(name, k)] += v
        for x in f.sources:
            for name in ("income", "spent", "balance", "opening"):
                out[("source", x.source, name)] += getattr(x, name)
            for pid, v in x.restricted.items():
                out[("restricted", x.source, pid)] += v
    return {k: v for k, v in out.items() if v}


def check_district(d) -> int:
    """Every node, every year and the whole history: totals = the sum of the funds below; the parts
    (the rows of a node's page) split the same funds, each once. Returns how many views were checked."""
    t, periods = tree(d), Periods(d)
    checked = 0
    for node in t.nodes():
        below = funds_under(d, node)
        years = sorted({y for c in below for y in fund_years(d, c)})
        assert level_years(d, node) == years
        for year in [None, *years]:
            v = level_view(d, node, year, periods, t)
            assert set(v.funds) == below and len(v.funds) == len(below), (node, year)
            assert summed([v.totals]) == summed([fund_figures(d, c, year) for c in below]), (node, year)
            assert {c: v.by_fund[c] for c in below} == {c: fund_figures(d, c, year) for c in below}
            counted = [c for part in v.parts for c in part.funds]
            assert sorted(counted) == sorted(below), (node, year, counted)  # each fund in one part, once
            assert summed([p.figures for p in v.parts]) == summed([v.totals]), (node, year)
            # the default (no shared Periods) computes the same
            assert summed([level_view(d, node, year).totals]) == summed([v.totals])
            checked += 1
    return checked


def test_demo_levels_add_up():
    d = load_district(REPO)
    assert check_district(d) >= len(d.content.district.nodes) * 2
    # the street's page counts what its fund shows, for the whole history and each year
    v = level_view(d, "yuqiuhu")
    assert v.funds == ["Guangming"] and [p.name for p in v.path] == ["高唐县"]
    assert v.totals.closing == fund_figures(d, "Guangming").closing


# ---------------------------------------------------------------- a 小区 fund under a community fund (levelkit)

@pytest.fixture
def compound(district):
    return compound_district(district)


def test_a_compound_fund_under_a_community_fund_is_counted_once(compound):
    d = compound
    assert check_district(d) == 3 + 3 + 1  # qu and street: whole + 2023 + 2024; the empty node: whole
    street = level_view(d, "street")
    assert street.funds == ["Test", "Xiao"]
    assert street.totals.income_total == Decimal("2860.00")  # 2000 + 800 + 60, Xiao once
    assert street.totals.closing == Decimal("1700.00") + Decimal("720.00")
    # the rows of the street's page: the empty community, the fund, and the fund under it, apart
    assert [(p.place.key, p.under.key if p.under else None) for p in street.parts] == [
        ("empty", None), ("Test", None), ("Xiao", "Test")]
    # the community fund's own books never include the fund under it
    assert fund_figures(d, "Test").income_total == Decimal("2000.00")
    y2023 = level_view(d, "qu", 2023)
    assert (y2023.totals.opening, y2023.totals.income_total, y2023.totals.closing) == (ZERO, Decimal("800.00"), Decimal("700.00"))
    y2024 = level_view(d, "qu", 2024)
    assert y2024.totals.opening == Decimal("700.00") and y2024.totals.closing == Decimal("2420.00")
    # year-end money by source: free and restricted (定向) of both funds
    resident = next(x for x in y2024.totals.sources if x.source == "居民集")
    # (the spending is 政府拨's by X-01's funding plan, so the 60.00 given for X-01 is still there)
    assert resident.restricted == {"X-01": Decimal("60.00")} and resident.balance == ZERO
    assert level_view(d, "empty").funds == [] and level_view(d, "empty").totals.closing == ZERO
    assert [p.name for p in level_view(d, "empty").path] == ["测试区", "测试街道"]
    assert [p.key for p in tree(d).ancestors("Xiao")] == ["qu", "street", "Test"]
