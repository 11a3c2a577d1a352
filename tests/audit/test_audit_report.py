"""The audit report in a real Fava (its test client) on an inline district:
totals equal the ledger's, planted exceptions link to their entries, and the
rule errors are on Fava's error page as `sunledger check` prints them."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import beanquery
import pytest

from auditkit import Served, amounts_by_row, table

PERIOD = {"fund": "Test", "start": "2024-01", "end": "2024-12"}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    return Served(tmp_path_factory.mktemp("audit"))


def bql(served, query: str) -> list[tuple]:
    ledger = served.ledger()
    conn = beanquery.connect("beancount:", entries=ledger.all_entries, errors=ledger.errors, options=ledger.options)
    return conn.execute(query).fetchall()


def num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def by_narration(served, narration: str):
    return next(e for e in served.ledger().all_entries if getattr(e, "narration", None) == narration)


@pytest.fixture(scope="module")
def html(served) -> str:
    return served.report(**PERIOD)


@pytest.fixture(scope="module")
def loaded(served):
    from sunledger.district import load_district

    return load_district(served.district.root)


def test_report_page_renders_in_chinese(html):
    assert "<h1>审计报告：测试社区基金（Test）2024-01 至 2024-12</h1>" in html
    assert '<option value="Test" selected>' in html
    for heading in (
        "收入（按来源）",
        "谁出钱做了什么",
        "定向资金及其使用",
        "项目预算执行",
        "商户分成",
        "例外事项",
        "规则错误",
    ):
        assert heading in html


def test_each_source_income_equals_the_ledger_and_the_views(served, html, loaded):
    from sunledger.views.fund import fund_summary

    shown = amounts_by_row(table(html, "income-by-source"))
    names = {s.account: s.name for s in loaded.config.sources}
    ledger = {
        names[acct.rsplit(":", 1)[1]]: -total
        for acct, total in bql(served, "SELECT account, sum(number) WHERE account ~ '^Income:Test:' GROUP BY account")
    }
    assert (
        shown
        == ledger
        == {
            "政府拨": Decimal("40000.00"),
            "企业捐": Decimal("10000.00"),
            "居民集": Decimal("300.00"),
            "商户分成": Decimal("90.00"),
            "社区筹": Decimal("500.00"),
        }
    )
    # the opening balance is no income in any face: the site carries it apart too (期初结转)
    summary = fund_summary(loaded, "Test")
    assert summary.income_by_source == shown and summary.income_total == sum(ledger.values())
    assert summary.opening_by_source == {"社区筹": Decimal("1000.00")}
    assert num(re.search(r'id="income-total">([-\d,.]+)<', html).group(1)) == sum(ledger.values())


def test_spending_money_and_sources_agree_with_the_ledger(served, html, loaded):
    (spent,) = bql(served, "SELECT sum(number) WHERE account ~ '^Expenses:Test:'")[0]
    (bank,) = bql(served, "SELECT sum(number) WHERE account ~ '^Assets:Test:'")[0]
    assert num(re.search(r'id="spending-total">([-\d,.]+)<', html).group(1)) == spent == Decimal("16850.00")
    assert num(re.search(r'id="money-closing">([-\d,.]+)<', html).group(1)) == bank == Decimal("35040.00")
    assert "与期末资金一致" in html
    # per-source closing balances (restricted included) are the attribution's
    closing = {}
    for row in re.findall(r'<tr data-source="([^"]+)">(.*?)</tr>', table(html, "source-balances"), re.DOTALL):
        closing[row[0]] = num(re.search(r'<td class="num" data-col="closing">([-\d,.]+)</td>', row[1]).group(1))
    att = loaded.attribution
    expected = {
        s: att.balance[("Test", s)] + sum(v for (f, src, _), v in att.restricted.items() if f == "Test" and src == s)
        for s in closing
    }
    assert closing == expected
    assert "期初结转" in table(html, "source-balances")  # the opening balance booked in January


def test_a_later_period_opens_with_the_earlier_balances(served, loaded):
    march = served.report(fund="Test", start="2024-03", end="2024-04")
    balances = table(march, "source-balances")
    assert "期初结转" not in balances  # nothing booked from Equity in the period
    opening = {}
    for source, row in re.findall(r'<tr data-source="([^"]+)">(.*?)</tr>', balances, re.DOTALL):
        opening[source] = num(re.findall(r'<td class="num">([-\d,.]+)</td>', row)[0])
    assert sum(opening.values()) == Decimal("38350.00") - Decimal("4010.00")  # bank on 1 March
    assert amounts_by_row(table(march, "income-by-source")) == {"社区筹": Decimal("500.00")}


def test_restricted_money_and_its_uses(html, loaded):
    section = html.split('id="restricted"', 1)[1].split('id="budgets"', 1)[0]
    assert "企业捐 → T-02「路灯维修」" in section
    left = loaded.attribution.restricted[("Test", "企业捐", "T-02")]
    assert f'期末余额</td><td class="num">{left:,.2f}</td>' in section
    assert section.count("#context-") == 1 + 4  # the gift and the four expenses drawing on it


def test_budget_vs_actual(html):
    rows = table(html, "budget-vs-actual")
    assert re.search(r"<td>T-03</td>.*?<td class=\"sl-bad\">超支</td>", rows, re.DOTALL)
    assert re.search(r"<td>T-01</td>.*?95%.*?接近预算", rows, re.DOTALL)


def test_merchant_dues_and_arrears(html):
    section = html.split('id="merchants"', 1)[1].split('id="exceptions"', 1)[0]
    assert "便民超市（T-M01，分成比例 5%）" in section
    assert "欠缴 1 个月：2024-02" in section
    assert re.search(r"<td>2024-01</td>.*?金额不符", section, re.DOTALL)
    assert re.search(r"<td>2024-03</td>.*?未到期", section, re.DOTALL)


def test_planted_exceptions_link_to_their_entries(served, html):
    from fava.beans.funcs import hash_entry

    large = by_narration(served, "路灯维修工程款")
    no_receipt = by_narration(served, "路灯灯具材料")
    for kind, entry in (("大额支出", large), ("无凭证支出", no_receipt)):
        rows = table(html, kind)
        assert f'href="#context-{hash_entry(entry)}"' in rows, kind
        assert f"ledger/funds/Test/txns/all.beancount:{entry.meta['lineno']}" in rows
        # the link opens Fava's entry context: Fava finds the entry by that hash
        assert served.get("api/context", entry_hash=hash_entry(entry)).status_code == 200
    assert "路灯线缆" not in table(html, "无凭证支出")  # a linked document is its receipt
    assert "路灯维修工程款" not in table(html, "无凭证支出")  # receipt: metadata
    for kind in ("项目超支", "接近预算", "缺余额断言", "公示未封存", "冲正"):
        assert 'href="#context-' in table(html, kind), kind


def test_rule_errors_on_favas_error_page_as_sunledger_check_prints_them(served, html):
    printed = [p for p in served.district.problems() if " SL" in p]
    assert {p.split(": ", 1)[1].split(" ", 1)[0] for p in printed} == {"SL105", "SL201"}
    assert served.get("errors/").status_code == 200
    errors = served.get("api/errors").get_json()["data"]
    root = served.district.root
    fava = {
        f"{e['source']['filename'].removeprefix(str(root) + '/')}:{e['source']['lineno']}: {e['message']}"
        for e in errors
    }
    assert set(printed) <= fava
    # the page's embedded ledger data (what the error page renders) holds them too
    page = served.get("errors/").get_data(as_text=True)
    data = json.loads(
        re.search(r'<script type="application/json" id="ledger-data">(.*?)</script>', page, re.DOTALL).group(1)
    )
    assert {e["message"] for e in data["errors"]} >= {p.split(": ", 1)[1] for p in printed}
    # and the report lists them with the same text
    section = html.split('id="rule-errors"', 1)[1]
    for line in printed:
        assert line in section


def test_period_and_fund_choice(served):
    january = served.report(fund="Test", start="2024-01", end="2024-01")
    assert amounts_by_row(table(january, "income-by-source")) == {
        "政府拨": Decimal("40000.00"),
        "企业捐": Decimal("10000.00"),
        "居民集": Decimal("300.00"),
    }
    assert "路灯灯具材料" not in january
    default = served.report()  # the first fund, the year of its last entry
    assert "测试社区基金（Test）2024-01 至 2024-04" in default
    assert "没有代码为 Nope 的基金" in served.report(fund="Nope")
    assert "晚于截止月份" in served.report(fund="Test", start="2024-05", end="2024-01")
    assert "YYYY-MM" in served.report(fund="Test", start="May")


def test_exceptions_are_pure_and_match_the_checker(loaded):
    from sunledger.views.audit import exceptions

    found = exceptions(loaded, "Test", "2024-01", "2024-12")
    kinds = {}
    for f in found:
        kinds.setdefault(f.kind, []).append(f)
    assert [f.amount for f in kinds["大额支出"]] == [Decimal("12000.00")]
    assert [f.entry.narration for f in kinds["无凭证支出"]] == ["路灯灯具材料"]
    assert [f.text.split("「")[0] for f in kinds["项目超支"]] == ["项目 T-03"]
    assert kinds["项目超支"][0].entry.narration == "邻里运动会奖品"
    assert [f.text.split("「")[0] for f in kinds["接近预算"]] == ["项目 T-01"]
    assert [f.entry.narration for f in kinds["冲正"]] == ["路灯维修款多付退回"]
    # W302 of `sunledger check` and the report's months without an assertion agree
    w302 = sorted(re.search(r"的 (\d{4}-\d{2}) 没有", p.message).group(1) for p in loaded.problems if p.code == "W302")
    assert [f.month for f in kinds["缺余额断言"]] == w302 == ["2024-02"]
    # as of the last entry February and March have ended unsealed; later, April too
    assert [f.month for f in kinds["公示未封存"]] == ["2024-02", "2024-03"]
    later = exceptions(loaded, "Test", "2024-01", "2024-12", as_of=dt.date(2024, 6, 1))
    assert [f.month for f in later if f.kind == "公示未封存"] == ["2024-02", "2024-03", "2024-04"]
    march = exceptions(loaded, "Test", "2024-03", "2024-03")
    assert [(f.kind, f.date) for f in march] == [("公示未封存", dt.date(2024, 3, 31)), ("冲正", dt.date(2024, 3, 5))]


def test_exceptions_of_the_rules_are_the_rules_findings(loaded):
    """W802, SL105 and W302 rows are district.problems (what `sunledger check` prints),
    each at the problem's file and line; late notices are W901 by the same deadline."""
    from sunledger.views.audit import exceptions

    found = exceptions(loaded, "Test", "2024-01", "2024-12", as_of=dt.date(2024, 6, 1))
    codes = ("W802", "SL105", "W302")
    assert sorted((f.code, f.filename, f.lineno) for f in found if f.code in codes) == sorted(
        (p.code, p.filename, p.lineno) for p in loaded.problems if p.code in codes
    )
    assert {f.code for f in found if f.kind == "公示未封存"} == {"W901"}  # all past their deadline by June
    early_april = exceptions(loaded, "Test", "2024-01", "2024-12", as_of=dt.date(2024, 4, 5))
    assert [(f.month, f.code) for f in early_april if f.kind == "公示未封存"] == [("2024-02", "W901"), ("2024-03", "")]


def test_district_from_entries_equals_load_district(served, loaded):
    from sunledger.district import district_from_entries

    ledger = served.ledger()
    built = district_from_entries(ledger.all_entries, ledger.load_errors, ledger.options)
    assert built.books.keys() == loaded.books.keys()
    assert [t.narration for t in built.books["Test"].txns] == [t.narration for t in loaded.books["Test"].txns]
    assert built.attribution.balance == loaded.attribution.balance
    assert built.attribution.restricted == loaded.attribution.restricted
    assert {p.line(loaded.root) for p in built.problems if p.level == "error"} == {
        p.line(loaded.root) for p in loaded.errors
    }
