"""Every saved query of ledger/queries.beancount runs in beanquery and on
Fava's query page, on the inline district and on the demo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import beanquery
import pytest
from beancount import loader
from beancount.parser import parser

from auditkit import EXTRA, Served
from conftest import REPO, copy_demo

QUERIES = REPO / "ledger" / "queries.beancount"
ASKED = ("主要收款方", "无凭证支出", "合作方支出", "各来源月度收入")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    return Served(tmp_path_factory.mktemp("audit"))


def saved() -> list:
    entries, errors, _ = parser.parse_file(str(QUERIES))
    assert errors == []
    return [e for e in entries if type(e).__name__ == "Query"]


def run_all(entries, errors, options) -> dict[str, list[tuple]]:
    conn = beanquery.connect("beancount:", entries=entries, errors=errors, options=options)
    return {q.name: conn.execute(q.query_string).fetchall() for q in saved()}


def test_the_saved_queries_cover_the_common_audit_questions():
    names = [q.name for q in saved()]
    assert names[: len(ASKED)] == list(ASKED)  # Fava's sidebar shows the first ones
    assert len(set(names)) == len(names)


def test_each_query_runs_in_beanquery_on_an_inline_ledger(served):
    ledger = served.ledger()
    results = run_all(ledger.all_entries, ledger.errors, ledger.options)
    by_source: dict[str, Decimal] = {}
    for _year, _month, fund, source, total in results["各来源月度收入"]:
        if fund == "Test":
            by_source[source] = by_source.get(source, Decimal(0)) + total
    assert by_source == {
        "Gov": Decimal("40000.00"),
        "Enterprise": Decimal("10000.00"),
        "Resident": Decimal("300.00"),
        "Merchant": Decimal("90.00"),
        "Community": Decimal("500.00"),
    }
    unreceipted = {row[3] for row in results["无凭证支出"]}
    assert "路灯灯具材料" in unreceipted and "路灯维修工程款" not in unreceipted
    assert [row[3] for row in results["大额支出"]] == ["路灯维修工程款"]
    assert {row[1] for row in results["合作方支出"]} == {"T-01", "T-02", "T-03"}
    assert results["主要收款方"][0][1] == "施工队"


def test_each_query_runs_on_favas_query_page(served):
    for q in saved():
        response = served.get("api/query", query_string=f'.run "{q.name}"')
        assert response.status_code == 200, (q.name, response.get_data(as_text=True)[:500])
        assert response.get_json()["data"]["t"] == "table", q.name


@pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")
def test_each_query_runs_on_the_demo(tmp_path: Path):
    copy_demo(tmp_path)
    main = tmp_path / "ledger" / "main.beancount"
    text = main.read_text(encoding="utf-8")
    if 'include "queries.beancount"' not in text:
        main.write_text(text + "\n" + EXTRA, encoding="utf-8")
    entries, errors, options = loader.load_file(str(main))
    assert [e.message for e in errors] == []
    results = run_all(entries, errors, options)
    assert all(
        results[name]
        for name in ("主要收款方", "合作方支出", "各来源月度收入", "各项目支出", "商户分成明细", "银行余额断言")
    )
