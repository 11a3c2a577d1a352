"""Adopted books' history (before the cut-over) is published as one opening balance:
rules about what residents would read of each entry (merchant shares, donor names) do not
apply to it, and apply again from the cut-over on."""

from __future__ import annotations

import datetime as dt

import yaml

from conftest import OPENS as BASE_OPENS

HISTORY = """\
2023-11-03 * "王小明" "捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident

2023-11-20 * "便民超市" "场地分成"
  Assets:Test:Bank        50.00 CNY
  Income:Test:Merchant

2024-01-08 * "王大明" "捐款"
  Assets:Test:Bank        100.00 CNY
  Income:Test:Resident

2024-01-20 * "便民超市" "场地分成"
  Assets:Test:Bank        50.00 CNY
  Income:Test:Merchant
"""

# the test fund's accounts, opened before the history starts
OPENS = BASE_OPENS.replace("2024-01-01", "2023-10-01")


def _fund(district, **extra):
    path = district.root / "content/funds/Test/fund.yml"
    fund = yaml.safe_load(path.read_text(encoding="utf-8"))
    district.write_yaml("content/funds/Test/fund.yml", {**fund, "opened": "2023-10-01", **extra})
    partners = [{"id": "T-M01", "name": "便民超市", "kind": "商户", "contract": {"rate": "0.05", "start": "2023-10", "end": "2024-03"}}]
    district.write_yaml("content/funds/Test/partners.yml", partners)


def _codes(lines: list[str], code: str) -> list[str]:
    return [line for line in lines if f" {code} " in line]


def test_history_is_exempt_from_name_and_share_rules(district):
    _fund(district, cutover="2024-01-01")
    district.ledger(HISTORY, OPENS)
    found = district.problems(dt.date(2024, 2, 5))
    names, shares, missing = _codes(found, "SL504"), _codes(found, "SL202"), _codes(found, "W203")
    assert len(names) == 1 and "王**" in names[0] and "all.beancount:9:" in names[0], found
    assert len(shares) == 1 and "all.beancount:15:" in shares[0], found
    assert not any(m for m in missing if "2023-" in m), missing  # no unpaid months before the cut-over


def test_without_cutover_the_same_history_is_checked(district):
    _fund(district)
    district.ledger(HISTORY, OPENS)
    found = district.problems(dt.date(2024, 2, 5))
    assert len(_codes(found, "SL504")) == 2 and len(_codes(found, "SL202")) == 2, found
    assert any("2023-10" in m for m in _codes(found, "W203")), found
