"""The audit report rendered by a real Fava for each demo fund shows the same
totals as the ledger (beanquery over the same files)."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import beanquery
import pytest

from auditkit import EXTRA, amounts_by_row, table
from conftest import REPO, copy_demo

pytestmark = pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from fava.application import create_app

    root = tmp_path_factory.mktemp("demo")
    copy_demo(root)
    main = root / "ledger" / "main.beancount"
    text = main.read_text(encoding="utf-8")
    if '"sunledger.audit"' not in text:
        main.write_text(text + "\n" + EXTRA, encoding="utf-8")
    if not (root / "ledger" / "queries.beancount").exists():
        shutil.copy(Path(__file__).parents[2] / "ledger" / "queries.beancount", root / "ledger")
    app = create_app([main], load=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    return client, slug, ledger


def test_demo_reports_equal_the_ledger(demo):
    from sunledger.district import district_from_entries

    client, slug, ledger = demo
    assert [e.message for e in ledger.errors] == []
    district = district_from_entries(ledger.all_entries, ledger.load_errors, ledger.options)
    conn = beanquery.connect("beancount:", entries=ledger.all_entries, errors=ledger.errors, options=ledger.options)
    funds = [code for code, b in district.books.items() if b.txns]
    assert funds
    for code in funds:
        books = district.books[code]
        start, end = f"{books.txns[0].date:%Y-%m}", f"{books.txns[-1].date:%Y-%m}"
        for first, last in ((start, end), (end[:4] + "-01", end)):
            response = client.get(f"/{slug}/extension/AuditReport/?fund={code}&start={first}&end={last}")
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            rows = conn.execute(
                f"SELECT account, sum(number) WHERE date >= {first}-01 AND date < {_after(last)} GROUP BY account"
            ).fetchall()
            income: dict[str, Decimal] = {}
            spent = money = Decimal(0)
            for account, total in rows:
                role = district.classify(account)
                if role is None or role.code != code:
                    continue
                if role.kind == "income":
                    income[role.source.name] = income.get(role.source.name, Decimal(0)) - total
                elif role.kind == "expense":
                    spent += total
            for account, total in conn.execute(
                f"SELECT account, sum(number) WHERE date < {_after(last)} GROUP BY account"
            ).fetchall():
                role = district.classify(account)
                if role is not None and role.code == code and role.kind in ("bank", "asset"):
                    money += total
            shown = amounts_by_row(table(html, "income-by-source"))
            assert shown == {k: v for k, v in income.items() if v}, (code, first, last)
            assert _num(html, "spending-total") == spent
            assert _num(html, "money-closing") == money
            assert "与期末资金一致" in html


def _after(month: str) -> str:
    y, m = map(int, month.split("-"))
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01"


def _num(html: str, ident: str) -> Decimal:
    return Decimal(re.search(rf'id="{ident}">([-\d,.]+)<', html).group(1).replace(",", ""))
