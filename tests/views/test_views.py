"""Views on a small inline district: totals equal the ledger's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import PROJECT

LEDGER = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-01-09 * "爱心企业" "定向捐赠路灯维修"
  purpose: "T-02"
  Assets:Test:Bank        500.00 CNY
  Income:Test:Enterprise

2024-01-10 * "王小明" "爱心捐款"
  consent: "2024-01-10 书面同意"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident

2024-01-11 * "李*" "爱心捐款"
  Assets:Test:Bank        50.00 CNY
  Income:Test:Resident

2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank

2024-01-25 * "施工队" "路灯维修"
  project: "T-02"
  Expenses:Test:Infrastructure    700.00 CNY
  Assets:Test:Bank

2024-02-01 balance Assets:Test:Bank 1650.00 CNY

2024-02-03 * "施工队" "路灯维修款多付退回"
  project: "T-02"
  corrects: "2024-01"
  reason: "1月路灯维修多付 50 元，施工队退回"
  Expenses:Test:Infrastructure    -50.00 CNY
  Assets:Test:Bank
"""


@pytest.fixture
def loaded(district):
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": {"企业捐": "500.00", "政府拨": "500.00"}})
    district.ledger(LEDGER)
    from sunledger.district import load_district

    d = load_district(district.root)
    assert d.errors == [], d.errors
    return d


def test_fund_summary_totals(loaded):
    from sunledger.views.fund import fund_summary

    s = fund_summary(loaded, "Test")
    assert s.income_total == Decimal("2650.00")
    assert s.spending_total == Decimal("950.00")
    assert s.balance == s.bank_balance == Decimal("1700.00")
    assert s.income_by_source["政府拨"] == Decimal("2000.00")
    assert s.spending_by_category == {"基础设施": Decimal("650.00"), "养老助老": Decimal("300.00")}
    # T-02 split 50/50 by its plan; the enterprise half came from the money given for it
    assert s.flows[("企业捐", "T-02")] == Decimal("325.00")
    assert s.flows[("政府拨", "T-02")] == Decimal("325.00")
    ent = next(x for x in s.sources if x.source == "企业捐")
    assert ent.restricted == {"T-02": Decimal("175.00")}
    assert ent.balance == Decimal("0.00")
    assert [m for m, _ in s.series] == ["2024-01", "2024-02"]
    assert sum(x.balance + sum(x.restricted.values()) for x in s.sources) == s.balance


def test_notice_matches_bank_and_shows_corrections(loaded):
    from sunledger.views.notice import notice

    jan = notice(loaded, "Test", "2024-01")
    assert jan.opening == 0 and jan.closing == Decimal("1650.00")
    assert jan.matches_bank is True
    assert [c.reason for c in jan.corrections] == ["1月路灯维修多付 50 元，施工队退回"]
    payees = [x.payee for x in jan.lines]
    assert "王小明" in payees  # consent recorded
    assert "李*" in payees
    feb = notice(loaded, "Test", "2024-02")
    assert feb.opening == Decimal("1650.00") and feb.closing == Decimal("1700.00")
    assert feb.corrections_made and feb.corrections_made[0].corrects == "2024-01"
    # a partial refund is linked to the entry it corrects by account, project and sign
    assert [o.narration for o in jan.corrections[0].originals] == ["路灯维修"]
    assert [o.narration for o in feb.corrections_made[0].originals] == ["路灯维修"]


def test_project_view(loaded):
    from sunledger.views.project import project_view

    v = project_view(loaded, "Test", "T-02")
    assert v.spent == Decimal("650.00")
    assert v.by_source == {"企业捐": Decimal("325.00"), "政府拨": Decimal("325.00")}
    assert v.restricted == Decimal("500.00") - Decimal("175.00")
    assert len(v.lines) == 2


def test_partner_dues_are_what_sl201_holds_payments_to(district):
    """A contract without a rate takes the district's merchant_rate; a half fen rounds up.
    The partner page's dues and the rule SL201 come from one function (ledger/shares.py)."""
    from sunledger.district import load_district
    from sunledger.views.partner import partner_view

    from conftest import MERCHANT

    district.write_yaml("content/funds/Test/partners.yml", [{**MERCHANT, "contract": {"start": "2024-01", "end": "2024-02"}}])
    district.ledger("""\
        2024-02-05 * "便民超市" "1月营业额分成"
          merchant: "T-M01"
          revenue: 12345.70
          period: "2024-01"
          Assets:Test:Bank        617.29 CNY
          Income:Test:Merchant

        2024-03-05 * "便民超市" "2月营业额分成"
          merchant: "T-M01"
          revenue: 12345.70
          period: "2024-02"
          Assets:Test:Bank        617.28 CNY
          Income:Test:Merchant
        """)
    d = load_district(district.root)
    assert [p.code for p in d.errors] == ["SL201"]  # February's 617.28 is a fen short
    assert "617.29" in d.errors[0].message
    v = partner_view(d, "Test", "T-M01")
    assert v.rate == d.config.merchant_rate == Decimal("0.05")
    assert [(x.month, x.due, x.status) for x in v.dues] == [
        ("2024-01", Decimal("617.29"), "已缴"), ("2024-02", Decimal("617.29"), "金额不符"),
    ]
