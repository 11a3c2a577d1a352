"""`sunledger import FUND FILE...` and `sunledger reconcile FUND FILE...`.

Thin: parse arguments, load the fund's ledger once, call the importers or
the reconciliation, print, set the exit code (0 fine, 1 reconciliation found
differences, 2 usage or unreadable input).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data
from beancount.parser import printer
from beangulp.extract import DUPLICATE

from ..config import find_root
from ..content.load import load_content
from ..ledger.load import load
from ..ledger.seal import sealed_months
from . import importers_for, read_statement
from .base import FLAG, SetupError, fresh, fund_target
from .reconcile import as_json, reconcile, render
from .sealed import proposed_open, relocate
from . import statement as st
from .statement import KIND_ZH, Statement
from .table import StatementError


class _Usage(Exception):
    pass


def _fund(root_arg: str, code: str):
    root = find_root(Path(root_arg))
    if root is None:
        raise _Usage(f"{Path(root_arg).resolve()} 及其上级目录都没有 sunledger.yml（用 --root 指定区级根目录）")
    content = load_content(root)
    target = fund_target(root, code, content)
    ledger = root / "ledger" / "funds" / code / "fund.beancount"
    if not ledger.is_file():
        raise _Usage(f"没有 {ledger.relative_to(root)}")
    entries, _errors, _options = load(ledger)  # the checker reports the errors; here we only need the entries
    return root, target, entries


def _files(paths: list[str]) -> list[Path]:
    out = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise _Usage(f"找不到对账单文件 {p}")
        out.append(path)
    return out


def _import_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="sunledger import",
        description="从银行对账单（CSV/XLSX）、支付宝或微信支付账单导入交易；账本中已有的不再导入",
    )
    ap.add_argument("fund", help="基金代码，如 Guangming")
    ap.add_argument("files", nargs="+", metavar="FILE", help="对账单文件")
    ap.add_argument("--root", default=".", help="区级根目录（含 sunledger.yml），默认当前目录")
    ap.add_argument("--output", "-o", default=None, help="追加到此 .beancount 文件，而不是打印")
    return ap


@dataclass
class Proposal:
    """What importing one statement would add to the fund's ledger."""

    path: Path
    kind: str
    stmt: Statement
    account: str
    new: list  # entries to write: `!` transactions (corrections for sealed months), balances, a proposed open
    skipped: int  # statement transactions the ledger already has
    notes: list[str]  # what to tell the treasurer, one line each


def propose(target, existing: list, known: list, path: Path, month: str | None = None) -> Proposal:
    """Import `path` against `known` (the ledger and what earlier statements of this run add).

    `month` ("YYYY-MM") keeps only that month's lines and its closing balance
    (`close` imports the month it closes). Raises StatementError for a file
    that is no statement of this fund.
    """
    importer = next((imp for imp in importers_for(target, existing) if imp.identify(str(path))), None)
    if importer is None:
        raise StatementError(f"不是{target.name}的银行、支付宝或微信支付账单（表头无法识别，或账号尾号与 fund.yml 不符）")
    stmt = importer.read(str(path))
    entries = importer.extract(str(path), known)
    if month is not None:
        closes = st.next_month_start(dt.date.fromisoformat(month + "-01"))
        entries = [e for e in entries if (e.date == closes if isinstance(e, data.Balance) else st.month_of(e.date) == month)]
    notes = [f"{path}:{row}: {why}" for row, why in stmt.notes]
    account = importer.account(str(path))
    importer.deduplicate(entries, known)
    new, moved = relocate(fresh(entries), sealed_months(existing, target.code))
    notes += [f"{path}:{row}: {why}" for row, why in moved]
    importer.sort(new)
    if not any(isinstance(e, data.Open) and e.account == account for e in existing):
        opening = proposed_open(account, new, target.currency)
        if opening is not None:
            new.insert(0, opening)
            notes.append(f"sunledger: 提示：账本尚未开立 {account}，导入内容开头已写 {opening.date} open（未封存的月份），可移到 fund.beancount")
        else:
            notes.append(f"sunledger: 提示：账本尚未开立 {account}，请在未封存的月份 open 它")
    skipped = sum(1 for e in entries if isinstance(e, data.Transaction) and DUPLICATE in e.meta)
    return Proposal(path, importer.kind, stmt, account, new, skipped, notes)


def import_main(argv: list[str] | None = None) -> int:
    """Print (or append) the statement lines the fund's ledger does not have yet."""
    try:
        args = _import_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        root, target, existing = _fund(args.root, args.fund)
        files = _files(args.files)
    except (_Usage, SetupError) as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return 2
    known = list(existing)
    chunks: list[str] = []
    status = 0
    for path in files:
        try:
            got = propose(target, existing, known, path)
        except StatementError as exc:
            print(f"sunledger: {path}: {exc}", file=sys.stderr)
            status = 2
            continue
        for note in got.notes:
            print(note, file=sys.stderr)
        known.extend(got.new)
        txns = sum(1 for e in got.new if isinstance(e, data.Transaction))
        print(f"{path}：{KIND_ZH[got.kind]} → {got.account}，新增 {txns} 笔，账本已有 {got.skipped} 笔（跳过）", file=sys.stderr)
        if got.new:
            chunks.append(render_import(path, got.account, got.new, root))
    text = "\n".join(chunks)
    if args.output and text:
        append(Path(args.output), text)
    elif text:
        sys.stdout.write(text)
    return status


def append(out: Path, text: str) -> None:
    """Add `text` at the end of `out`, a blank line apart from what is there."""
    out.parent.mkdir(parents=True, exist_ok=True)
    before = out.read_text(encoding="utf-8") if out.is_file() else ""
    sep = "" if not before or before.endswith("\n\n") else ("\n" if before.endswith("\n") else "\n\n")
    with out.open("a", encoding="utf-8") as fh:
        fh.write(sep + text)


def render_import(path: Path, account: str, entries: list, root: Path) -> str:
    try:
        shown = path.resolve().relative_to(root).as_posix()
    except ValueError:
        shown = path.name
    head = [
        f"; 由 sunledger import 自 {shown} 导入（{account}）",
        f"; 标记 {FLAG} 的交易待出纳核对：选定收入来源或支出类别（替换 Unclassified），支出补 project:，核对无误后改为 *",
    ]
    return "\n".join(head) + "\n\n" + "".join(_format(e) + "\n" for e in entries)


def _format(entry) -> str:
    if isinstance(entry, data.Balance):  # as the ledger writes them, not padded to beancount's 47 columns
        amount = entry.amount
        return f"{entry.date} balance {entry.account}  {amount.number} {amount.currency}  ; 对账单月末余额\n"
    if isinstance(entry, data.Open):
        return f"{entry.date} open {entry.account} {' '.join(entry.currencies or [])}\n"
    return printer.format_entry(entry)


def _reconcile_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="sunledger reconcile",
        description="以对账单核对账本：逐月余额，以及只在一边出现的交易；有不符时退出码为 1",
    )
    ap.add_argument("fund", help="基金代码，如 Guangming")
    ap.add_argument("files", nargs="+", metavar="FILE", help="对账单文件（可多个，逐个核对）")
    ap.add_argument("--month", default=None, help="只核对此月 YYYY-MM")
    ap.add_argument("--root", default=".", help="区级根目录（含 sunledger.yml），默认当前目录")
    ap.add_argument("--json", action="store_true", help="以 JSON 输出，供程序读取")
    return ap


def reconcile_main(argv: list[str] | None = None) -> int:
    """Print the reconciliation of each statement; 1 when anything differs."""
    try:
        args = _reconcile_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.month is not None and not (len(args.month) == 7 and args.month[4] == "-" and args.month.replace("-", "").isdigit()):
        print(f"sunledger: --month 应为 YYYY-MM，而不是“{args.month}”", file=sys.stderr)
        return 2
    try:
        root, target, entries = _fund(args.root, args.fund)
        files = _files(args.files)
    except (_Usage, SetupError) as exc:
        print(f"sunledger: {exc}", file=sys.stderr)
        return 2
    status = 0
    reports = []
    for path in files:
        importer = next((imp for imp in importers_for(target, entries) if imp.identify(str(path))), None)
        try:
            stmt = importer.read(str(path)) if importer else read_statement(path, target.group_words)
            account = importer.account(str(path)) if importer else target.bank
            rec = reconcile(stmt, entries, account, args.month)
        except (StatementError, ValueError) as exc:
            print(f"sunledger: {path}: {exc}", file=sys.stderr)
            status = 2
            continue
        if importer is None:
            print(f"sunledger: {path}: 账号尾号与 fund.yml（{target.bank_tail}）不符，仍按 {account} 核对", file=sys.stderr)
        if args.json:
            reports.append(as_json(rec, root))
        else:
            if reports:
                print()
            print(render(rec, f"{target.name}（{target.code}）", root), end="")
            reports.append(rec)
        if not rec.ok and status == 0:
            status = 1
    if args.json:
        json.dump(reports, sys.stdout, ensure_ascii=False, indent=1)
        print()
    return status
