"""Bank, Alipay and WeChat Pay statements: import them (beangulp) and reconcile
the ledger against them.

- `table`: files (CSV in UTF-8/GBK, XLSX) to rows of text.
- `bank_csv`, `alipay`, `wechat`: the dialects, each a parser and an importer.
- `wallet`: the parsing Alipay and WeChat Pay share; they differ only in wording.
- `statement`: the parsed statement every dialect yields.
- `base`: the fund an import books into; lines to entries; duplicates.
- `match`: the one-to-one pairing of statement lines and ledger transactions.
- `reconcile`: statement vs ledger, per month, and what is on one side only.
- `cli`: `sunledger import` and `sunledger reconcile`.

Nothing a statement says about private persons reaches the ledger beyond a
masked name: account numbers are not read, phone/ID/card numbers in free
text are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import alipay, bank_csv, wechat
from .base import FundTarget, StatementImporter, fund_target, wallet_account
from .statement import ALIPAY, BANK, WECHAT, Statement
from .table import StatementError, read_rows

DIALECTS = (wechat, alipay, bank_csv)  # the most specific header first


def importers_for(target: FundTarget, entries: Sequence = ()) -> list[StatementImporter]:
    """One importer per dialect for the fund; Alipay/WeChat book into the fund's wallet accounts."""
    return [
        wechat.Importer(target, wallet_account(entries, target, WECHAT)),
        alipay.Importer(target, wallet_account(entries, target, ALIPAY)),
        bank_csv.Importer(target),
    ]


def read_statement(path: str | Path, group_words: tuple[str, ...] = ()) -> Statement:
    """Parse a statement of any known dialect."""
    rows = read_rows(path)
    for dialect in DIALECTS:
        if dialect.detect(rows) is not None:
            return dialect.parse(path, rows, group_words)
    raise StatementError("不是可识别的银行、支付宝或微信支付账单（找不到表头）")


__all__ = [
    "ALIPAY",
    "BANK",
    "WECHAT",
    "FundTarget",
    "Statement",
    "StatementError",
    "StatementImporter",
    "fund_target",
    "importers_for",
    "read_statement",
    "wallet_account",
]
