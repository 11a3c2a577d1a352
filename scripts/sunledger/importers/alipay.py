"""支付宝 交易明细 exports (CSV, usually GBK), for funds that collect by Alipay.

Above the header: 姓名, 支付宝账户, 起始时间/终止时间 and totals. Columns:
交易时间, 交易分类, 交易对方, 对方账号, 商品说明, 收/支, 金额, 收/付款方式,
交易状态, 交易订单号 …; newest first; no balance column. 收/支 is 收入,
支出 or 不计收支 (提现 to the bank, 充值, refunds, transfers to 余额宝 …).
The statement is of the fund's Alipay balance (余额): a payment made with a
bank card never touched it and is left to the bank statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import statement as st
from .base import StatementImporter
from .names import public_name, redact
from .statement import ALIPAY, Line, Statement
from .table import StatementError, money, when

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("交易时间", "交易创建时间", "付款时间", "创建时间"),
    "category": ("交易分类", "交易类型", "类型"),
    "payee": ("交易对方", "对方"),
    "summary": ("商品说明", "商品名称", "商品"),
    "direction": ("收/支", "收支"),
    "amount": ("金额", "交易金额"),
    "method": ("收/付款方式", "支付方式", "付款方式"),
    "status": ("交易状态", "状态"),
    "ref": ("交易订单号", "交易号", "订单号"),
    "note": ("备注",),
}
NEEDS = (("date", "payee", "summary", "direction", "amount"),)

SKIP_STATUS = ("关闭", "失败", "撤销", "等待", "处理中")
CARD_WORDS = ("银行", "储蓄卡", "信用卡", "借记卡", "花呗")


def detect(rows: Sequence[Sequence[str]]) -> tuple[int, st.Columns] | None:
    found = st.find_header(rows, ALIASES, NEEDS)
    if found is None:
        return None
    head = "".join("".join(r) for r in rows[: found[0]])
    if "微信" in head and "支付宝" not in head:
        return None
    return found


def neutral_sign(kind: str) -> int | None:
    """收/支 = 不计收支: which of these move money in or out of the balance."""
    if "提现" in kind:
        return -1
    if "充值" in kind or "退款" in kind:
        return 1
    return None


def parse(path: str | Path, rows: Sequence[Sequence[str]], group_words: tuple[str, ...] = ()) -> Statement:
    found = detect(rows)
    if found is None:
        raise StatementError("找不到支付宝账单的表头（交易时间、交易对方、商品说明、收/支、金额）")
    head, cols = found

    def row_to_line(number: int, row: Sequence[str]) -> Line | str | None:
        got = when(st.cell(row, cols, "date"))
        if got is None:
            return None
        day, time = got
        amount = money(st.cell(row, cols, "amount"))
        if amount is None or amount == 0:
            return "无金额的行，已跳过"
        status = st.cell(row, cols, "status")
        if any(w in status for w in SKIP_STATUS):
            return f"交易状态“{status}”，未成交，已跳过"
        direction = st.cell(row, cols, "direction")
        summary = st.cell(row, cols, "summary")
        if direction.startswith("收"):
            sign = 1
        elif direction.startswith("支"):
            if any(w in st.cell(row, cols, "method") for w in CARD_WORDS):
                return "以银行卡付款，未动用支付宝余额，见银行对账单"
            sign = -1
        else:
            sign = neutral_sign(summary + st.cell(row, cols, "category") + status)
            if sign is None:
                return f"不计收支（{redact(summary) or '未注明'}），已跳过"
        person = st.cell(row, cols, "payee")
        return Line(
            line=number,
            date=day,
            amount=sign * abs(amount),
            balance=None,
            payee=public_name(person, group_words),
            narration=redact(summary, person),
            ref=redact(st.cell(row, cols, "ref")),
            time=time,
        )

    lines, notes = st.parse_lines(rows, head + 1, row_to_line)
    preamble = rows[:head]
    return Statement(Path(path), ALIPAY, lines, None, st.period(preamble), notes)


class Importer(StatementImporter):
    """beangulp importer: the fund's Alipay balance (give the account, see base.wallet_account)."""

    kind = ALIPAY
    detect = staticmethod(detect)
    parse = staticmethod(parse)
