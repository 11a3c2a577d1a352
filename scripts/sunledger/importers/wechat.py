"""微信支付 账单明细 exports (CSV in UTF-8, or XLSX), for funds paid by WeChat.

Above the header: 微信昵称, 起始时间/终止时间, totals and notes, then a
`----微信支付账单明细列表----` line. Columns: 交易时间, 交易类型, 交易对方,
商品, 收/支, 金额(元) (with ¥), 支付方式, 当前状态, 交易单号, 商户单号, 备注;
newest first; no balance. 收/支 is 收入, 支出 or / (零钱提现, 零钱充值 …).
The statement is of the fund's 零钱 balance: a payment by bank card is left
to the bank statement.
"""

from __future__ import annotations

from .base import StatementImporter
from .statement import WECHAT
from .wallet import Wallet, neutral_sign

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

WALLET = Wallet(
    kind=WECHAT,
    own_word="微信",
    other_word="支付宝",
    header_error="找不到微信支付账单的表头（交易时间、交易类型、交易对方、收/支、金额、当前状态）",
    aliases=ALIASES,
    needs=NEEDS,
    skip_status=SKIP_STATUS,
    status_label="状态",
    card_words=CARD_WORDS,
    card_note="以银行卡付款，未动用零钱，见银行对账单",
    neutral_from=("category", "status"),
    neutral_note=lambda summary, category: f"中性交易（{category or '未注明'}），已跳过",
    category_for_blank_summary=True,
)
detect = WALLET.detect
parse = WALLET.parse


class Importer(StatementImporter):
    """beangulp importer: the fund's WeChat Pay 零钱 (give the account, see base.wallet_account)."""

    kind = WECHAT
    detect = staticmethod(detect)
    parse = staticmethod(parse)


__all__ = ["ALIASES", "CARD_WORDS", "NEEDS", "SKIP_STATUS", "WALLET", "Importer", "detect", "neutral_sign", "parse"]
