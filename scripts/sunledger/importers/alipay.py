"""支付宝 交易明细 exports (CSV, usually GBK), for funds that collect by Alipay.

Above the header: 姓名, 支付宝账户, 起始时间/终止时间 and totals. Columns:
交易时间, 交易分类, 交易对方, 对方账号, 商品说明, 收/支, 金额, 收/付款方式,
交易状态, 交易订单号 …; newest first; no balance column. 收/支 is 收入,
支出 or 不计收支 (提现 to the bank, 充值, refunds, transfers to 余额宝 …).
The statement is of the fund's Alipay balance (余额): a payment made with a
bank card never touched it and is left to the bank statement.
"""

from __future__ import annotations

from .base import StatementImporter
from .names import redact
from .statement import ALIPAY
from .wallet import Wallet, neutral_sign

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

WALLET = Wallet(
    kind=ALIPAY,
    own_word="支付宝",
    other_word="微信",
    header_error="找不到支付宝账单的表头（交易时间、交易对方、商品说明、收/支、金额）",
    aliases=ALIASES,
    needs=NEEDS,
    skip_status=SKIP_STATUS,
    status_label="交易状态",
    card_words=CARD_WORDS,
    card_note="以银行卡付款，未动用支付宝余额，见银行对账单",
    neutral_from=("summary", "category", "status"),
    neutral_note=lambda summary, category: f"不计收支（{redact(summary) or '未注明'}），已跳过",
    category_for_blank_summary=False,
)
detect = WALLET.detect
parse = WALLET.parse


class Importer(StatementImporter):
    """beangulp importer: the fund's Alipay balance (give the account, see base.wallet_account)."""

    kind = ALIPAY
    detect = staticmethod(detect)
    parse = staticmethod(parse)


__all__ = ["ALIASES", "CARD_WORDS", "NEEDS", "SKIP_STATUS", "WALLET", "Importer", "detect", "neutral_sign", "parse"]
