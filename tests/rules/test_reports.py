"""SL113–SL115 (rules/reports.py): a project's reports agree with the books, at their YAML lines;
SL116–SL118 (the attribution): the books' record of where restricted leftover went, at its line,
and the pools it moves (ledger/leftover.py, ledger/progress.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from .harness import INCOME, Broken, assert_named
from conftest import CLEAN, PROJECT

REL = "content/funds/Test/projects/T-01.yml"
DONE = {**PROJECT, "accepted": "2024-01-12", "started": "2024-01-15", "completed": "2024-01-25"}

# 500 given for T-01 by 企业捐, 300 of it spent (T-01's plan is all 企业捐 here): 200 left in the pool
GIFT = INCOME + """
2024-01-09 * "爱心企业" "定向捐赠老年食堂"
  purpose: "T-01"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise

2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank
"""
ENTERPRISE = {"funding": {"企业捐": "1000.00"}}


def project_yaml(reports: str, **fields: str) -> str:
    """T-01's YAML written out by hand, so the test knows each report's lines."""
    head = {**DONE, **fields}
    lines = [f"id: {head['id']}", f"title: {head['title']}", f"category: {head['category']}", f"need: {head['need']}",
             f"requested: {head['requested']}", "approved:", f"  date: {head['approved']['date']}", f"  by: {head['approved']['by']}",
             f"budget: {head['budget']}", "funding:", "  政府拨: 1000.00"]
    lines += [f"{k}: {head[k]}" for k in ("accepted", "started", "completed") if head.get(k)]
    return "\n".join(lines) + "\nreports:\n" + reports


def line_of(text: str, marker: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if marker in row)


def assert_yaml_line(district, code: str, text: str, marker: str) -> str:
    """The problem is `T-01.yml:<line of marker>: CODE …` in the library, `sunledger check` and bean-check."""
    district.write(REL, text)
    expected = f"{REL}:{line_of(text, marker)}: {code} "
    ours = next((p for p in district.problems() if p.startswith(expected)), None)
    assert ours is not None, f"want {expected!r} in:\n" + "\n".join(district.problems())
    out = district.check("--jobs", "1")
    assert out.returncode == 1 and expected in out.stdout, out.stdout + out.stderr
    bc = district.bean_check()
    assert bc.returncode == 1 and ours.split(": ", 1)[1] in bc.stdout + bc.stderr, bc.stdout + bc.stderr
    return ours


# ---------------------------------------------------------------- SL113–SL115: the YAML


YAML_CASES = {
    # CLEAN spends 300.00 of the 1000.00 budget on 2024-01-20: the leftover is 700.00
    "SL113-leftover": ("SL113", "  - date: 2024-01-26\n    kind: 结项\n    title: 结项\n    leftover: 9999.00\n", "leftover: 9999"),
    "SL113-spent": ("SL113", "  - date: 2024-01-18\n    kind: 进度\n    spent: 300.00\n", "spent: 300"),  # nothing spent by the 18th
    "SL114": ("SL114", "  - date: 2024-01-12\n    kind: 进度\n", "date: 2024-01-12"),
    "SL115-two": ("SL115", "  - date: 2024-01-26\n    kind: 结项\n  - date: 2024-01-28\n    kind: 结项  # 第二份\n", "# 第二份"),
    "SL115-before": ("SL115", "  - date: 2024-01-24\n    kind: 结项\n", "date: 2024-01-24"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_report_problems_at_their_yaml_line(district, case):
    code, reports, marker = YAML_CASES[case]
    district.ledger(CLEAN)
    assert_yaml_line(district, code, project_yaml(reports), marker)


def test_final_report_without_completion(district):
    district.ledger(CLEAN)
    text = project_yaml("  - date: 2024-01-26\n    kind: 结项\n", completed="")
    assert "completed" not in text
    assert_yaml_line(district, "SL115", text, "kind: 结项")


def test_report_of_a_project_waiting_to_start(district):
    """Approved, not started: it reports from its approval, as W903 counts (ledger/deadlines.py)."""
    district.ledger("")
    district.write(REL, project_yaml("  - date: 2024-01-26\n    kind: 进度\n", accepted="", started="", completed=""))
    assert [p for p in district.problems() if " SL114 " in p] == []
    text = project_yaml("  - date: 2024-01-09\n    kind: 进度\n", accepted="", started="", completed="")
    assert_yaml_line(district, "SL114", text, "date: 2024-01-09")  # approved on the 10th


def test_right_figures_pass(district):
    district.ledger(CLEAN)
    district.write(REL, project_yaml("  - date: 2024-01-20\n    kind: 进度\n    spent: 300.00\n"
                                     "  - date: 2024-01-26\n    kind: 结项\n    spent: 300.00\n    leftover: 700.00\n"))
    assert [p for p in district.problems() if " SL11" in p] == []


# ---------------------------------------------------------------- SL116–SL118: the ledger


def _move(amount: str = "200.00", to: str = "非定向", pid: str = "T-01", account: str = "Income:Test:Enterprise", day: str = "2024-01-27") -> str:
    return f'\n{day} custom "sunledger-leftover" "{pid}" {account} {amount} CNY "{to}"\n  reason: "捐赠方同意"\n'


LEDGER_CASES = {
    "SL116": Broken(GIFT + _move(pid="T-77"), 'custom "sunledger-leftover" "T-77"'),
    "SL117": Broken(GIFT + _move(amount="250.00"), "250.00 CNY"),
    "SL118": Broken(GIFT + _move(day="2024-01-24"), "2024-01-24 custom"),
}
REFUND = GIFT + """
2024-01-28 * "爱心企业" "退回定向捐赠结余"
  purpose: "T-01"
  Income:Test:Enterprise   260.00 CNY
  Assets:Test:Bank
"""


@pytest.fixture
def done(district):
    district.project({**DONE, **ENTERPRISE})
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": {"企业捐": "1000.00"}})
    district.project({**PROJECT, "id": "T-03", "title": "楼道粉刷"})  # paid by 政府拨 only
    return district


@pytest.mark.parametrize("code", sorted(LEDGER_CASES))
def test_leftover_entry_problems_at_their_line(done, code):
    assert_named(done, code, LEDGER_CASES[code])


@pytest.mark.parametrize("wrong", [
    'custom "sunledger-leftover" "T-01" 200.00 CNY',  # no account, no target
    'custom "sunledger-leftover" "T-01" Income:Test:Nowhere 200.00 CNY "非定向"',  # not a source's account
    'custom "sunledger-leftover" "T-01" Income:Test:Enterprise -5.00 CNY "非定向"',
    'custom "sunledger-leftover" "T-01" Income:Test:Enterprise 200.00 CNY "T-01"',  # to itself
    'custom "sunledger-leftover" "T-01" Income:Test:Enterprise 200.00 CNY "T-99"',
    'custom "sunledger-leftover" "T-01" Income:Test:Enterprise 200.00 CNY "T-03"',  # its plan has no 企业捐: stuck there
])
def test_malformed_leftover_entries(done, wrong):
    path = done.ledger(GIFT + f"\n2024-01-27 {wrong}\n")
    line = line_of(path.read_text(encoding="utf-8"), wrong)
    assert any(p.startswith(f"ledger/funds/Test/txns/all.beancount:{line}: SL116 ") for p in done.problems()), done.problems()


def test_refund_beyond_the_pool(done):
    assert_named(done, "SL117", Broken(REFUND, "Income:Test:Enterprise   260.00"))


def test_move_to_a_finished_project(done):
    done.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": {"企业捐": "1000.00"},
                  "started": "2024-01-15", "completed": "2024-01-20"})
    assert_named(done, "SL118", Broken(GIFT + _move(to="T-02"), '"T-02"\n'))


# ---------------------------------------------------------------- the pools move


def _loaded(district, body: str):
    from sunledger.district import load_district

    district.ledger(body)
    return load_district(district.root, as_of=dt.date(2024, 2, 5))


def test_release_makes_restricted_money_free(done):
    before = _loaded(done, GIFT)
    assert before.attribution.restricted[("Test", "企业捐", "T-01")] == Decimal("200.00")
    assert before.attribution.balance[("Test", "企业捐")] == Decimal("0.00")
    after = _loaded(done, GIFT + _move())
    assert after.errors == []
    assert after.attribution.restricted[("Test", "企业捐", "T-01")] == 0
    assert after.attribution.balance[("Test", "企业捐")] == Decimal("200.00")


def test_moved_money_pays_the_other_project(done):
    spend = '\n2024-01-29 * "施工队" "路灯维修"\n  project: "T-02"\n  Expenses:Test:Infrastructure    150.00 CNY\n  Assets:Test:Bank\n'
    without = _loaded(done, GIFT + spend)
    assert [p.code for p in without.errors] == ["SL108"]  # T-01's money spent on T-02
    district = _loaded(done, GIFT + _move(to="T-02") + spend)
    assert district.errors == []
    att = district.attribution
    assert att.restricted[("Test", "企业捐", "T-01")] == 0
    assert att.restricted[("Test", "企业捐", "T-02")] == Decimal("50.00")
    t02 = [f for f in att.spending if f.project == "T-02"]
    assert [(f.amount, f.restricted) for f in t02] == [(Decimal("150.00"), Decimal("150.00"))]


def test_refund_lowers_the_pool_and_the_final_report_says_where_it_went(done):
    from sunledger.ledger.progress import REFUNDED, TO_FREE, report_figures

    refund = REFUND.replace("260.00", "50.00")
    district = _loaded(done, refund + _move(amount="150.00"))
    assert district.errors == []
    att = district.attribution
    assert att.restricted[("Test", "企业捐", "T-01")] == 0
    assert att.balance[("Test", "企业捐")] == Decimal("150.00")
    project = district.books["Test"].fc.projects["T-01"]
    f = report_figures(att, "Test", project, dt.date(2024, 1, 30), "结项")
    assert (f.spent, f.leftover, f.share, f.restricted_left, f.restricted_open) == (Decimal("300.00"), Decimal("700.00"), Decimal("30.0"),
                                                                                   Decimal("200.00"), Decimal("0.00"))
    assert [(s.source, s.planned, s.spent, s.restricted_spent, s.left, s.restricted_left) for s in f.by_source] == [
        ("企业捐", Decimal("1000.00"), Decimal("300.00"), Decimal("300.00"), Decimal("700.00"), Decimal("200.00"))]
    assert [(d.kind, d.amount, d.date) for d in f.dispositions] == [(TO_FREE, Decimal("150.00"), dt.date(2024, 1, 27)),
                                                                    (REFUNDED, Decimal("50.00"), dt.date(2024, 1, 28))]
    progress = report_figures(att, "Test", project, dt.date(2024, 1, 19), "进度")
    assert (progress.spent, progress.dispositions) == (Decimal("0.00"), ())


def test_the_guides_leftover_examples_are_the_syntax_the_rule_reads():
    """The treasurer's guide shows the three ways (非定向, another project, refund): each parses as the rule reads it."""
    import re

    from beancount import loader
    from beancount.core import data

    from conftest import REPO

    guide = (REPO / "content/guide/treasurer.md").read_text(encoding="utf-8")
    text = "\n".join(b for b in re.findall(r"^```text\n(.*?)^```", guide, re.M | re.S) if "sunledger-leftover" in b or "退回定向捐赠" in b)
    entries, errors, _ = loader.load_string("2026-01-01 open Income:Guangming:Enterprise CNY\n2026-01-01 open Assets:Guangming:Bank CNY\n" + text)
    assert errors == []
    moves = [e for e in entries if isinstance(e, data.Custom)]
    assert [[type(v.value).__name__ for v in e.values] for e in moves] == [["str", "str", "Amount", "str"]] * 2
    assert {e.values[3].value for e in moves} == {"非定向", "GM-2026-02"} and all(e.meta.get("reason") for e in moves)
    refund = next(e for e in entries if isinstance(e, data.Transaction))
    assert refund.meta["purpose"] == "GM-2025-07" and refund.postings[0].units.number > 0


def test_a_leftover_move_is_sealed_with_its_month(done):
    """A move changes who holds money without a transaction: adding one to a sealed month breaks its seal (SL401)."""
    from sunledger.sealing import seal_month

    path = done.ledger(GIFT + "\n2024-02-01 balance Assets:Test:Bank 2200.00 CNY\n")
    seal_month(done.root, "Test", "2024-01", "2024-02-03")
    assert [p for p in done.problems() if " SL401 " in p] == []
    path.write_text(path.read_text(encoding="utf-8") + _move(), encoding="utf-8")
    line = line_of(path.read_text(encoding="utf-8"), 'custom "sunledger-leftover"')
    found = [p for p in done.problems() if " SL401 " in p]
    assert any(p.startswith(f"ledger/funds/Test/txns/all.beancount:{line}: SL401 ") for p in found), found


# ---------------------------------------------------------------- W908: restricted leftover left unhandled


def _w908(district, body: str, as_of: dt.date) -> list[str]:
    district.ledger(body)
    return [p for p in district.problems(as_of) if " W908 " in p]


def test_unhandled_restricted_leftover_is_W908_after_the_final_reports_deadline(done):
    # T-01 completed 2024-01-25 with 200.00 of 企业捐's gift unspent; the deadline is three months on
    assert _w908(done, GIFT, dt.date(2024, 4, 25)) == []  # on the deadline: still in time
    [late] = _w908(done, GIFT, dt.date(2024, 4, 26))
    assert late.startswith(f"{REL}:1: W908 ") and "200.00 元" in late and "2024-04-25" in late, late


@pytest.mark.parametrize("handled", [_move(), REFUND.replace("260.00", "200.00")[len(GIFT):], _move(to="T-02")])
def test_a_release_a_refund_or_a_move_ends_W908(done, handled):
    assert _w908(done, GIFT + handled, dt.date(2024, 6, 1)) == []


def test_a_partly_handled_pool_still_warns_with_what_is_left(done):
    [late] = _w908(done, GIFT + _move(amount="150.00"), dt.date(2024, 6, 1))
    assert "50.00 元" in late
