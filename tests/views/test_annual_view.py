"""views/annual.py: each closed year's report is the other views' figures for that year, and
views/disclosure.py the catalogue the disclosure rule warns from."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from sunledger.district import load_district
from sunledger.views.annual import annual_views, stage_on
from sunledger.views.fund import fund_figures, overdue
from sunledger.views.notice import all_notices

from conftest import REPO

AS_OF = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo():
    return load_district(REPO)


def test_a_report_for_each_published_record_of_a_closed_year(demo):
    for code, books in demo.books.items():
        views = annual_views(demo, code, AS_OF)
        assert sorted(views) == sorted(r.year for r in books.fc.fund.annual_reports) == [2024, 2025]
        assert annual_views(demo, code, dt.date(2025, 3, 1)) == {}  # before any record's date: nothing published
        for year, a in views.items():
            assert a.figures == fund_figures(demo, code, year)
            notices = [n for n in all_notices(demo, code) if n.month.startswith(str(year))]
            assert [m.month for m in a.months] == [n.month for n in notices]
            end = a.year_end
            assert end is not None and end.closing == a.figures.closing and end.bank_books == a.figures.bank_closing
            assert end.matches  # the demo's year ends agree with the bank
            assert a.figures.opening + a.figures.carried + a.figures.income_total - a.figures.spending_total + a.other == a.figures.closing
            spent = {p.view.project.id: p.spent for p in a.projects}
            assert {k: v for k, v in spent.items() if v} == a.figures.spending_by_project  # every project that spent is listed
            for p in a.projects:
                assert sum(p.by_source.values()) == p.spent
                assert p.spent <= p.spent_to_end <= p.view.spent


def test_the_stage_is_the_one_reached_by_the_year_end(demo):
    project = demo.books["Yuchan"].fc.projects["YC-2025-05"]  # approved Nov 2025, completed Mar 2026
    assert stage_on(project, dt.date(2025, 12, 31)) == "实施"
    assert stage_on(project, dt.date(2026, 12, 31)) == "评单"
    assert stage_on(project, dt.date(2025, 1, 1)) == "点单"


def test_late_disclosures_and_corrections_of_the_year(demo):
    late = annual_views(demo, "Yuchan", AS_OF)
    assert [(it.title, it.state) for it in late[2025].late] == [("2024年度报告", "逾期公布")]
    assert late[2024].late == []
    assert [(c.date, c.corrects) for c in late[2025].corrections] == [(dt.date(2025, 7, 8), "2025-05")]
    assert [w.code for w in overdue(demo, "Yuchan", AS_OF) if w.code.startswith("W90")] == ["W901", "W906"]


def test_the_guide_example_is_a_valid_record():
    from sunledger.content.models import AnnualReport

    guide = (REPO / "content" / "guide" / "treasurer.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"^```yml\n(.*?)^```", guide, re.M | re.S) if "annual_reports:" in b)
    records = [AnnualReport.model_validate(r) for r in yaml.safe_load(block)["annual_reports"]]
    assert records[0].approved is not None and records[0].sections
