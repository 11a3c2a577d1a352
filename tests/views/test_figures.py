"""A fund's figures per year add up to its whole history, and its year-end balances
replay the attribution: the numbers the year selector, the levels and the annual report share."""

from __future__ import annotations

import datetime as dt

import pytest

from sunledger.district import load_district
from sunledger.ledger.attribution import balances_on
from sunledger.ledger.movements import movement
from sunledger.views.common import ZERO
from sunledger.views.fund import fund_figures, fund_summary, fund_years

from conftest import REPO


@pytest.fixture(scope="module")
def demo():
    return load_district(REPO)


def _add(target: dict, part: dict) -> None:
    for k, v in part.items():
        target[k] = target.get(k, ZERO) + v


def test_years_add_up_to_the_whole(demo):
    for code in demo.books:
        whole = fund_figures(demo, code)
        income: dict = {}
        spending: dict = {}
        projects: dict = {}
        carried = ZERO
        previous = ZERO
        for year in fund_years(demo, code):
            f = fund_figures(demo, code, year)
            assert f.opening == previous, (code, year)  # one year's closing is the next one's opening
            previous = f.closing
            _add(income, f.income_by_source)
            _add(spending, f.spending_by_category)
            _add(projects, f.spending_by_project)
            carried += f.carried
        assert previous == whole.closing
        assert income == whole.income_by_source
        assert spending == whole.spending_by_category
        assert projects == whole.spending_by_project
        assert carried == whole.carried
        # the whole history's source balances are the attribution's
        for x in whole.sources:
            assert x.balance == demo.attribution.balance.get((code, x.source), ZERO)
            for pid, amount in x.restricted.items():
                assert demo.attribution.restricted[(code, x.source, pid)] == amount


def test_year_end_balances_are_money_by_source(demo):
    """At each year's end the per-source free and restricted money add up to the fund's
    money that came through sources (all money but 往来 and the like)."""
    for code in demo.books:
        for year in fund_years(demo, code):
            f = fund_figures(demo, code, year)
            by_source = f.free_total + f.restricted_total
            # money moved by income, opening and spending only (what the sources account for)
            sourced = ZERO
            for txn in demo.books[code].txns:
                if txn.date.year > year:
                    break
                m = movement(demo.classify, txn)
                sourced += sum((p.amount for p in m.parts if p.kind in ("收入", "期初结转", "支出")), ZERO)
            assert by_source == sourced, (code, year)


def test_balances_on_a_day_before_anything_is_empty(demo):
    code = next(iter(demo.books))
    assert balances_on(demo.attribution, code, dt.date(2000, 1, 1)) == ({}, {})


def test_summary_is_the_figures(demo):
    for code in demo.books:
        s = fund_summary(demo, code)
        whole = fund_figures(demo, code)
        assert (s.balance, s.income_total, s.spending_total) == (whole.closing, whole.income_total, whole.spending_total)
        assert s.year_income_by_source == fund_figures(demo, code, s.year).income_by_source
