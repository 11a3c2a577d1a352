"""微信支付 账单明细 exports (CSV in UTF-8, or XLSX), for funds paid by WeChat.

Above the header: 微信昵称, 起始时间/终止时间, totals and notes, then a
`----微信支付账单明细列表----` line. Columns: 交易时间, 交易类型, 交易对方,
商品, 收/支, 金额(元) (with ¥), 支付方式, 当前状态, 交易单号, 商户单号, 备注;
newest first; no balance. 收/支 is 收入, 支出 or / (零钱提现, 零钱充值 …).
The statement is of the fund's 零钱 balance: a payment by bank card is left
to the bank statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import statement as st
from .base import StatementImporter
from .names import public_name, redact
from .statement import WECHAT, Line, Statement
from .table import StatementError, money, when

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("交易时间",),
    "category": ("交易类型",),
    "payee": ("交易对方",),
    "summary": ("商品", "商品名称"),
    "direction": ("收/支",),
    "amount": ("金额",),
    "method": ("支付方式",),
    "status": ("当前状态", "交易状态"),
    "ref": ("交易单号",),
    "note": ("备注",),
}
NEEDS = (("date", "category", "payee", "direction", "amount", "status"),)

SKIP_STATUS = ("失败", "关闭", "已退回", "待", "撤销")
CARD_WORDS = ("银行", "储蓄卡", "信用卡", "借记卡")


def detect(rows: Sequence[Sequence[str]]) -> tuple[int, st.Columns] | None:
    found = st.find_header(rows, ALIASES, NEEDS)
    if found is None:
        return None
    head = "".join("".join(r) for r in rows[: found[0]])
    if "支付宝" in head and "微信" not in head:
        return None
    return found


def neutral_sign(kind: str) -> int | None:
    if "提现" in kind:
        return -1
    if "充值" in kind or "退款" in kind:
        return 1
    return None


def parse(path: str | Path, rows: Sequence[Sequence[str]], group_words: tuple[str, ...] = ()) -> Statement:
    found = detect(rows)
    if found is None:
        raise StatementError("找不到微信支付账单的表头（交易时间、交易类型、交易对方、收/支、金额、当前状态）")
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
            return f"状态“{status}”，未成交，已跳过"
        direction, kind = st.cell(row, cols, "direction"), st.cell(row, cols, "category")
        summary = st.cell(row, cols, "summary")
        if direction.startswith("收"):
            sign = 1
        elif direction.startswith("支"):
            if any(w in st.cell(row, cols, "method") for w in CARD_WORDS):
                return "以银行卡付款，未动用零钱，见银行对账单"
            sign = -1
        else:
            sign = neutral_sign(kind + status)
            if sign is None:
                return f"中性交易（{kind or '未注明'}），已跳过"
        person = st.cell(row, cols, "payee")
        text = summary if summary not in ("", "/") else kind
        return Line(
            line=number,
            date=day,
            amount=sign * abs(amount),
            balance=None,
            payee=public_name(person, group_words),
            narration=redact(text, person),
            ref=redact(st.cell(row, cols, "ref")),
            time=time,
        )

    lines, notes = st.parse_lines(rows, head + 1, row_to_line)
    preamble = rows[:head]
    return Statement(Path(path), WECHAT, lines, None, st.period(preamble), notes)


class Importer(StatementImporter):
    """beangulp importer: the fund's WeChat Pay 零钱 (give the account, see base.wallet_account)."""

    kind = WECHAT
    detect = staticmethod(detect)
    parse = staticmethod(parse)
