"""SL801/W802 (rules/receipts.py): an expense carries its receipt; a receipt named must exist
inside the fund's ledger folder."""

from __future__ import annotations

from .harness import codes
from conftest import PROJECT

LEDGER = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        5000.00 CNY
  Income:Test:Gov

2024-01-20 * "幸福食堂" "老年食堂餐费"
  project: "T-01"
  receipt: "receipts/2024-01-20.pdf"
  Expenses:Test:Elderly    600.00 CNY
  Assets:Test:Bank

2024-01-21 * "幸福食堂" "老年食堂桌椅"
  project: "T-01"
  Expenses:Test:Elderly    400.00 CNY
  Assets:Test:Bank
"""


def test_missing_receipt_file_and_large_expense_without_receipt(district):
    district.project({**PROJECT, "budget": "5000.00", "funding": {"政府拨": "5000.00"}})
    district.ledger(LEDGER.replace("400.00", "1400.00"))
    problems = district.problems()
    assert codes(problems, "SL801") and "receipts/2024-01-20.pdf 不存在" in codes(problems, "SL801")[0]
    assert [p.split(":")[1] for p in codes(problems, "W802")] == ["11"]
    (district.root / "ledger/funds/Test/receipts").mkdir()
    (district.root / "ledger/funds/Test/receipts/2024-01-20.pdf").write_bytes(b"%PDF-1.4\n")
    assert not codes(district.problems(), "SL801")


def test_receipt_path_cannot_leave_the_fund(district):
    district.ledger(LEDGER.replace("receipts/2024-01-20.pdf", "../../../sunledger.yml"))
    assert "超出基金目录" in codes(district.problems(), "SL801")[0]


def with_receipt(district):
    district.write("ledger/funds/Test/receipts/2024-01-20.pdf", "%PDF-1.4\n")
