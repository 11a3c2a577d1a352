"""Sample bank statements for the demo funds, derived from their ledgers.

Run from the repository root, after scripts/demo/build_demo.py (which clears
`ledger/funds/`, statements included):

    .venv/bin/python scripts/demo/make_statements.py

For each fund it writes `ledger/funds/<CODE>/statements/<YYYY-MM>.csv`, the
bank's account statement (账户明细) of each of the last three months with bank
activity, in the export format of a Chinese bank: a preamble (账号, 户名,
开户行, 起止日期), then 交易日期, 交易时间, 摘要, 收入金额, 支出金额, 账户余额,
对方户名, 对方账号, 交易流水号, 附言. The lines are the ledger's bank postings,
so `sunledger reconcile` finds them equal and `sunledger import` adds nothing.

A fund that keeps an Alipay or WeChat balance account (`Assets:<CODE>:Alipay`)
also gets `<YYYY-MM>.alipay.csv` / `<YYYY-MM>.wechat.csv` in the format of
those exports. The demo funds bank their market takings directly, so none has
one today.

Counterparty account numbers are written masked (****1234): a sample should
not invent numbers that look like real cards. Output is byte-identical on
every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import sys
from decimal import Decimal
from pathlib import Path

from beancount.core import data

ROOT = Path(__file__).resolve().parents[2]
MONTHS = 3

from sunledger.content.load import load_content  # noqa: E402
from sunledger.importers import ALIPAY, WECHAT, wallet_account  # noqa: E402
from sunledger.importers.base import FundTarget, fund_target  # noqa: E402
from sunledger.importers.match import amount_on, on_account  # noqa: E402
from sunledger.importers.statement import month_end, month_of  # noqa: E402
from sunledger.ledger.load import load  # noqa: E402

BANK_HEADER = ["交易日期", "交易时间", "摘要", "收入金额", "支出金额", "账户余额", "对方户名", "对方账号", "交易流水号", "附言"]
ALIPAY_HEADER = ["交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式", "交易状态", "交易订单号", "商家订单号", "备注", ""]
WECHAT_HEADER = ["交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态", "交易单号", "商户单号", "备注"]


def digits(text: str, n: int) -> str:
    """n digits that depend only on `text`: stable pseudo numbers."""
    h = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    return str(h)[:n].rjust(n, "0")


def yuan(number: Decimal) -> str:
    return f"{number:.2f}"


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def last_months(txns: list[data.Transaction]) -> list[str]:
    return sorted({month_of(t.date) for t in txns})[-MONTHS:]


def times(txns: list[data.Transaction]) -> list[str]:
    """A clock time per transaction, increasing within each day in ledger order."""
    out, day, k = [], None, 0
    for t in txns:
        k = k + 1 if t.date == day else 0
        day = t.date
        minute = 9 * 60 + 7 + k * 41 + int(digits(f"{t.date}{t.narration}", 2)) % 30
        minute = min(minute, 23 * 60 + 59)
        out.append(f"{minute // 60:02d}:{minute % 60:02d}:{int(digits(t.narration or '', 2)) % 60:02d}")
    return out


def bank_statement(target: FundTarget, fund, txns: list[data.Transaction], month: str, opening: Decimal) -> tuple[str, Decimal]:
    first = dt.date.fromisoformat(month + "-01")
    holder = fund.name
    bank = fund.bank
    rows = [
        ["账户明细查询"],
        ["账号", f"6217 **** **** {target.bank_tail or '0000'}"],
        ["户名", holder],
        ["开户行", bank.name if bank else ""],
        ["起止日期", f"{first} 至 {month_end(first)}"],
        ["币种", "人民币"],
        [],
        BANK_HEADER,
    ]
    balance = opening
    total_in = total_out = Decimal(0)
    for seq, (t, clock) in enumerate(zip(txns, times(txns)), 1):
        amount = amount_on(t, target.bank)
        balance += amount
        interest = amount > 0 and any(w in (t.narration or "") for w in ("结息", "利息"))
        summary = "结息" if interest else ("转账存入" if amount > 0 else "转账支出")
        payee = "" if interest else (t.payee or "")
        if amount > 0:
            total_in += amount
        else:
            total_out -= amount
        rows.append([
            t.date.isoformat(),
            clock,
            summary,
            yuan(amount) if amount > 0 else "",
            yuan(-amount) if amount < 0 else "",
            yuan(balance),
            payee,
            f"****{digits(payee, 4)}" if payee else "",
            f"{t.date:%Y%m%d}{seq:06d}",
            t.narration or "",
        ])
    rows.append(["合计", "", "", yuan(total_in), yuan(total_out), "", "", "", "", ""])
    return csv_text(rows), balance


def wallet_statement(kind: str, fund, account: str, bank: str, txns: list[data.Transaction], month: str) -> str:
    """An Alipay (GBK) or WeChat (UTF-8) export of the fund's wallet account, newest first."""
    first = dt.date.fromisoformat(month + "-01")
    clocks = times(txns)
    lines = []
    for t, clock in zip(txns, clocks):
        amount = amount_on(t, account)
        out_to_bank = amount < 0 and amount_on(t, bank) == -amount
        ref = f"{t.date:%Y%m%d}2200140{digits(str(t.meta.get('lineno')) + (t.narration or ''), 14)}"
        if kind == ALIPAY:
            direction = "不计收支" if out_to_bank else ("收入" if amount > 0 else "支出")
            text = "余额提现-实时提现" if out_to_bank else (t.narration or "")
            status = "提现成功" if out_to_bank else "交易成功"
            lines.append([f"{t.date} {clock}", "转账提现" if out_to_bank else "其他", t.payee or "", "/", text, direction, yuan(abs(amount)), "余额", status, ref, "", "", ""])
        else:
            direction = "/" if out_to_bank else ("收入" if amount > 0 else "支出")
            kind_zh = "零钱提现" if out_to_bank else ("二维码收款" if amount > 0 else "商户消费")
            status = "提现已到账" if out_to_bank else ("已存入零钱" if amount > 0 else "支付成功")
            lines.append([f"{t.date} {clock}", kind_zh, t.payee or "", t.narration or "/", direction, f"¥{yuan(abs(amount))}", "零钱", status, ref, "/", "/"])
    lines.reverse()
    period = f"起始时间：[{first} 00:00:00]    终止时间：[{month_end(first)} 23:59:59]"
    if kind == ALIPAY:
        head = [["-" * 60], ["导出信息："], [f"姓名：{fund.name}"], [period], ["导出交易类型：[全部]"], [f"共{len(lines)}笔记录"], [],
                ["-" * 24 + "支付宝（中国）网络技术有限公司  电子客户回单" + "-" * 24], ALIPAY_HEADER]
    else:
        head = [["微信支付账单明细"], [f"微信昵称：[{fund.name}]"], [period], ["导出类型：[全部]"], [f"共{len(lines)}笔记录"], [],
                ["----------------------微信支付账单明细列表--------------------"], WECHAT_HEADER]
    return csv_text(head + lines)


def statements(root: Path = ROOT) -> dict[Path, bytes]:
    """Every sample statement of the district at `root`: path -> file content."""
    content = load_content(root)
    out: dict[Path, bytes] = {}
    for code, fc in sorted(content.funds.items()):
        ledger = root / "ledger" / "funds" / code / "fund.beancount"
        if not ledger.is_file():
            continue
        entries, _errors, _ = load(ledger)
        target = fund_target(root, code, content)
        folder = ledger.parent / "statements"
        bank_txns = on_account(entries, target.bank)
        for month in last_months(bank_txns):
            first = dt.date.fromisoformat(month + "-01")
            opening = sum((amount_on(t, target.bank) for t in bank_txns if t.date < first), Decimal(0))
            txns = [t for t in bank_txns if month_of(t.date) == month]
            text, _closing = bank_statement(target, fc.fund, txns, month, opening)
            out[folder / f"{month}.csv"] = text.encode("utf-8-sig")
        opened = {e.account for e in entries if isinstance(e, data.Open)}
        for kind, encoding in ((ALIPAY, "gb18030"), (WECHAT, "utf-8-sig")):
            account = wallet_account(entries, target, kind)
            wallet_txns = on_account(entries, account) if account in opened else []
            for month in last_months(wallet_txns):
                txns = [t for t in wallet_txns if month_of(t.date) == month]
                out[folder / f"{month}.{kind}.csv"] = wallet_statement(kind, fc.fund, account, target.bank, txns, month).encode(encoding)
    return out


def make(root: Path = ROOT) -> list[Path]:
    written = []
    for path, raw in statements(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        print(path.relative_to(root))
        written.append(path)
    return written


if __name__ == "__main__":
    make()
    sys.exit(0)
