"""SL501–SL504 (rules/privacy.py): no phone, ID-card or bank-card number in the books; a resident
donor's name is masked unless the donor agreed to be named."""

from __future__ import annotations

import pytest

from .harness import INCOME, Broken, assert_named

CASES = {
    "SL501": Broken(INCOME + """
2024-01-09 * "社区志愿者" "联系电话 13812345678"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", "13812345678"),
    "SL502": Broken(INCOME + """
2024-01-09 * "社区志愿者" "义卖"
  note: "身份证 11010519491231002X"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", "2024-01-09 *"),
    "SL503": Broken(INCOME + """
2024-01-09 * "社区志愿者" "义卖 转入卡号 6222020200112233446"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Community
""", "6222"),
    "SL504": Broken(INCOME + """
2024-01-09 * "张三丰" "爱心捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident
""", "张三丰"),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_names_file_line_and_code(district, code):
    assert_named(district, code, CASES[code])


def test_masked_or_consenting_donors_pass(district):
    district.ledger(INCOME + """
2024-01-09 * "张*" "爱心捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident

2024-01-10 * "李四" "爱心捐款"
  consent: "2024-01-10 书面同意"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident
""")
    assert not [p for p in district.problems() if " SL50" in p]


def test_one_decision_for_the_rule_the_site_and_the_importers(district):
    """An organisation (built-in words) or a group (sunledger.yml's group_words) giving
    through a personal source is no private person: SL504, the published payee and the
    importers' public_name decide it alike (privacy.shows_name)."""
    from sunledger.district import load_district
    from sunledger.importers.names import public_name
    from sunledger.views.common import public_payee

    names = ("阳光科技有限公司", "幸福小区全体业主", "康宁理疗馆", "赵六六")
    district.ledger(INCOME + "".join(f"""
2024-01-{10 + i} * "{name}" "爱心捐款"
  Assets:Test:Bank        10.00 CNY
  Income:Test:Resident
""" for i, name in enumerate(names)))
    d = load_district(district.root)
    flagged = [p.message for p in d.errors if p.code == "SL504"]
    assert len(flagged) == 1 and "赵**" in flagged[0]
    published = [public_payee(d, t) for t in d.books["Test"].txns if t.payee in names]
    imported = [public_name(n, d.config.group_words) for n in names]
    assert published == imported == ["阳光科技有限公司", "幸福小区全体业主", "康宁理疗馆", "赵**"]
