"""W901–W905 (rules/disclosure.py): the disclosure calendar: monthly notices, project progress
and final reports, annual reports, each by its deadline."""

from __future__ import annotations

import datetime as dt

from .harness import codes
from .test_receipts import LEDGER, with_receipt
from conftest import PROJECT


def _calendar(district, as_of):
    from sunledger.check import check_root

    return [p.line(district.root) for p in check_root(district.root, as_of=as_of)]


def test_overdue_notice_then_sealed_late(district):
    district.ledger(LEDGER + "\n2024-02-01 balance Assets:Test:Bank 4000.00 CNY\n")  # a month is sealed with its closing balance
    with_receipt(district)
    assert not codes(_calendar(district, dt.date(2024, 2, 10)), "W901")  # still within 10 days
    late = codes(_calendar(district, dt.date(2024, 2, 11)), "W901")
    assert late and "2024-01 月度公示已逾期" in late[0]
    from sunledger.sealing import seal_month

    seal_month(district.root, "Test", "2024-01", "2024-02-20")
    after = _calendar(district, dt.date(2024, 3, 1))
    assert not codes(after, "W901")
    assert "晚于期限 2024-02-10" in codes(after, "W902")[0]


def test_project_reports_and_annual_report(district):
    district.project({**PROJECT, "started": "2024-01-15"})
    district.ledger(LEDGER)
    out = _calendar(district, dt.date(2024, 9, 1))
    assert codes(out, "W903")  # running > 6 months, no progress report
    district.project({**PROJECT, "started": "2024-01-15", "reports": [{"date": "2024-07-01", "kind": "进度", "title": "半年进展"}]})
    assert not codes(_calendar(district, dt.date(2024, 9, 1)), "W903")
    district.project({**PROJECT, "started": "2024-01-15", "completed": "2024-03-01"})
    assert codes(_calendar(district, dt.date(2024, 6, 2)), "W904")
    assert not codes(_calendar(district, dt.date(2025, 5, 31)), "W905")
    assert codes(_calendar(district, dt.date(2025, 6, 1)), "W905")


SEALED_JANUARY = LEDGER + "\n2024-02-01 balance Assets:Test:Bank 4000.00 CNY\n"


def _fund(district, **extra):
    data = {"code": "Test", "name": "测试社区基金", "level": "community", "parent": "street", "opened": "2024-01-01", **extra}
    return district.write_yaml("content/funds/Test/fund.yml", data)


def _sealed(district):
    from sunledger.sealing import seal_month

    district.ledger(SEALED_JANUARY)
    with_receipt(district)
    seal_month(district.root, "Test", "2024-01", "2024-02-05")


def test_an_annual_report_published_late_is_w906_at_its_record(district):
    _sealed(district)
    path = _fund(district, annual_reports=[{"year": 2024, "date": "2025-06-20", "title": "2024年度报告"}])
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "year: 2024" in row)
    before = _calendar(district, dt.date(2025, 6, 1))
    assert codes(before, "W905") and not codes(before, "W906")  # due 31 May, not yet published
    after = _calendar(district, dt.date(2025, 7, 1))
    assert not codes(after, "W905")
    late = codes(after, "W906")
    assert late == [f"content/funds/Test/fund.yml:{line}: W906 2024 年度报告晚于期限公布（应于 2025-05-31 前，2025-06-20 才公布）（sunledger explain W906）"]
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-05-20"}])
    assert not codes(_calendar(district, dt.date(2025, 7, 1)), "W905") + codes(_calendar(district, dt.date(2025, 7, 1)), "W906")


def test_a_record_dated_after_as_of_is_not_yet_published(district):
    """'Published' means the record exists and is dated on or before the day: W905 until its date."""
    _sealed(district)
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-08-01"}])
    assert codes(_calendar(district, dt.date(2025, 7, 1)), "W905")
    assert codes(_calendar(district, dt.date(2025, 8, 1)), "W906")


def test_an_annual_report_of_a_year_not_sealed_is_sl907(district):
    district.ledger(SEALED_JANUARY)
    with_receipt(district)
    path = _fund(district, annual_reports=[{"year": 2024, "date": "2025-03-01"}, {"year": 2023, "date": "2024-03-01"}])
    text = path.read_text(encoding="utf-8").splitlines()
    line = {y: next(i for i, row in enumerate(text, 1) if f"year: {y}" in row) for y in (2023, 2024)}
    problems = district.problems()
    assert f"content/funds/Test/fund.yml:{line[2024]}: SL907 2024 年度尚未结账：2024-01 还没有封存" in "\n".join(problems)
    assert f"content/funds/Test/fund.yml:{line[2023]}: SL907 2023 年没有本基金的账目" in "\n".join(problems)
    out = district.check("--jobs", "1")
    assert out.returncode == 1 and f"fund.yml:{line[2024]}: SL907" in out.stdout
    bc = district.bean_check()
    assert bc.returncode == 1 and "SL907" in bc.stdout + bc.stderr
    from sunledger.sealing import seal_month

    seal_month(district.root, "Test", "2024-01", "2024-02-05")  # SL907 does not stop the seal that fixes it
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-03-01"}])
    assert not codes(district.problems(), "SL907")
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-01-02"}])
    seal_late = district.write("ledger/funds/Test/seals.beancount",
                               (district.root / "ledger/funds/Test/seals.beancount").read_text(encoding="utf-8").replace("2024-02-05", "2025-01-03"))
    assert seal_late.is_file()
    assert any("早于 2024-01 的封存日期 2025-01-03" in p for p in codes(district.problems(), "SL907"))


def test_an_annual_report_dated_within_its_year_or_twice_is_sl702(district):
    district.ledger(LEDGER)
    path = _fund(district, annual_reports=[{"year": 2024, "date": "2024-12-31"}])
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "year: 2024" in row)
    problems = district.problems()
    assert any(p.startswith(f"content/funds/Test/fund.yml:{line}: SL702 ") and "不在 2024 年结束之后" in p for p in problems), problems
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-03-01", "income": "9999.00"}])
    assert any("SL702" in p and "未知字段" in p for p in district.problems())  # a typed figure has no field
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-03-01"}, {"year": 2024, "date": "2025-04-01"}])
    assert any("SL702" in p and "登记了不止一次" in p for p in district.problems())
    _fund(district, annual_reports=[{"year": 2024, "date": "2025-03-01", "approved": {"date": "2025-03-05", "by": "理事会"}}])
    assert any("SL702" in p and "审议日期" in p for p in district.problems())


def test_the_catalogue_is_what_the_warnings_are_made_of(district):
    """Each state of each kind, and W901–W906 exactly the catalogue's overdue and late items."""
    from sunledger.config import Disclosure
    from sunledger.content.load import load_content
    from sunledger.ledger import deadlines

    district.project({**PROJECT, "started": "2024-01-15", "completed": "2024-12-20",
                      "reports": [{"date": "2024-05-01", "kind": "进度"}, {"date": "2024-09-20", "kind": "进度"},
                                  {"date": "2025-09-01", "kind": "结项"}]})
    fc = load_content(district.root).funds["Test"]
    rules = Disclosure()
    months = ["2024-01", "2024-02", "2024-03", "2025-04"]
    sealed = {"2024-01": dt.date(2024, 2, 5), "2024-02": dt.date(2024, 3, 20)}
    corrections = [(dt.date(2024, 3, 3), "2024-01", {"filename": "x", "lineno": 1})]
    items = deadlines.catalogue(fc, months, sealed, [2024, 2025], dt.date(2025, 4, 20), rules, corrections)
    state = {(it.kind, it.month or it.year or it.title): it.state for it in items}
    assert state[("月度公示", "2024-01")] == deadlines.ON_TIME
    assert state[("月度公示", "2024-02")] == deadlines.LATE
    assert state[("月度公示", "2024-03")] == deadlines.OVERDUE
    assert state[("月度公示", "2025-04")] == deadlines.NOT_DUE
    assert state[("更正说明", "2024-03")] == deadlines.OVERDUE  # published with March's notice, which is not sealed
    assert state[("年度报告", 2024)] == deadlines.NOT_DUE and state[("年度报告", 2025)] == deadlines.NOT_DUE
    progress = [it for it in items if it.kind == deadlines.PROGRESS]
    # started 15 Jan: the first report due 15 Apr, W903 from 16 Jul (over 6 months): 1 May is on time;
    # the next due 1 Aug, warned from 2 Aug: 20 Sep is late; completed 20 Dec: no further report
    assert [(it.due, it.published, it.state) for it in progress] == [
        (dt.date(2024, 4, 15), dt.date(2024, 5, 1), deadlines.ON_TIME),
        (dt.date(2024, 8, 1), dt.date(2024, 9, 20), deadlines.LATE),
    ]
    final = next(it for it in items if it.kind == deadlines.FINAL)
    assert (final.due, final.published, final.state) == (dt.date(2025, 3, 20), None, deadlines.OVERDUE)  # dated after as_of
    warned = {o.code for o in deadlines.overdue(fc, months, sealed, [2024, 2025], dt.date(2025, 4, 20), rules, corrections)}
    assert warned == {"W901", "W902", "W904"}
