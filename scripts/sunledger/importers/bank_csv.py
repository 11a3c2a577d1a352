"""Account statements (账户明细 / 对账单) exported by Chinese banks, CSV or XLSX.

Banks differ in words, not in shape: a preamble (账号, 户名, 起止日期), then a
header and one row per transaction. Money in and out come as two columns
(收入金额/支出金额, or 贷方发生额/借方发生额: on a bank's statement 贷方 is
money in), or as one amount with a direction (借/贷, 收/支) or a sign.
The counterparty's account number (对方账号) is never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from . import statement as st
from .base import StatementImporter
from .names import public_name, redact
from .statement import BANK, Line, Statement
from .table import StatementError, money, when

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("交易日期", "记账日期", "入账日期", "交易时间", "日期", "发生日期"),
    "time": ("交易时间", "时间"),
    "in": ("收入金额", "贷方发生额", "贷方金额", "收入", "存入金额", "贷方"),
    "out": ("支出金额", "借方发生额", "借方金额", "支出", "支取金额", "借方"),
    "amount": ("交易金额", "发生额", "金额"),
    "direction": ("借贷标志", "借贷方向", "收支标志", "收支方向", "收/支", "借贷"),
    "balance": ("账户余额", "余额", "交易后余额", "当前余额", "联机余额", "帐户余额"),
    "payee": ("对方户名", "对方账户名", "对方账户名称", "对方名称", "对方单位名称", "对方单位", "对方户名称", "交易对方"),
    "summary": ("摘要", "交易摘要", "用途", "交易用途", "业务摘要"),
    "note": ("附言", "备注", "交易附言"),
    "ref": ("交易流水号", "流水号", "凭证号", "交易序号", "柜员流水号", "交易参考号"),
}
NEEDS = (("date", "in", "out"), ("date", "amount", "direction"), ("date", "amount", "balance"))

_IN, _OUT = ("贷", "收", "收入", "存入", "C", "CR"), ("借", "支", "支出", "支取", "D", "DR")


def _signed(row: Sequence[str], cols: st.Columns) -> Decimal | None:
    if "in" in cols and "out" in cols:
        got_in, got_out = money(st.cell(row, cols, "in")), money(st.cell(row, cols, "out"))
        if got_in is None and got_out is None:
            return None
        return (got_in or Decimal(0)) - (got_out or Decimal(0))
    amount = money(st.cell(row, cols, "amount"))
    if amount is None:
        return None
    direction = st.cell(row, cols, "direction").upper()
    if not direction or amount < 0:
        return amount
    if direction in _OUT:
        return -amount
    if direction in _IN:
        return amount
    raise StatementError(f"收支方向“{direction}”无法识别")


def detect(rows: Sequence[Sequence[str]]) -> tuple[int, st.Columns] | None:
    found = st.find_header(rows, ALIASES, NEEDS)
    if found is None:
        return None
    _i, cols = found
    # Alipay and WeChat headers also have 交易时间 and 金额; theirs have 收/支 with 交易对方 and no balance.
    if "balance" not in cols and "in" not in cols and "summary" not in cols:
        return None
    return found


def parse(path: str | Path, rows: Sequence[Sequence[str]], group_words: tuple[str, ...] = ()) -> Statement:
    found = detect(rows)
    if found is None:
        raise StatementError("找不到银行对账单的表头（交易日期、收入/支出金额或借方/贷方发生额）")
    head, cols = found

    def row_to_line(number: int, row: Sequence[str]) -> Line | str | None:
        got = when(st.cell(row, cols, "date"))
        if got is None:
            return None  # totals (合计), footers, separators
        day, time = got
        amount = _signed(row, cols)
        if amount is None or amount == 0:
            return "无金额的行，已跳过"
        person = st.cell(row, cols, "payee")
        summary, note = st.cell(row, cols, "summary"), st.cell(row, cols, "note")
        text = summary if not note or note == summary else f"{summary} {note}".strip()
        return Line(
            line=number,
            date=day,
            amount=amount,
            balance=money(st.cell(row, cols, "balance")),
            payee=public_name(person, group_words),
            narration=redact(text, person),
            ref=redact(st.cell(row, cols, "ref")),
            time=st.cell(row, cols, "time") or time,
        )

    lines, notes = st.parse_lines(rows, head + 1, row_to_line)
    preamble = rows[:head]
    return Statement(Path(path), BANK, lines, st.account_tail(preamble), st.period(preamble), notes)


class Importer(StatementImporter):
    """beangulp importer: a bank statement of the fund's bank account."""

    kind = BANK
    detect = staticmethod(detect)
    parse = staticmethod(parse)
