"""`sunledger seal FUND YYYY-MM`: append the month's seal to the fund's ledger."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .ledger.load import load
from .ledger.seal import SEAL, digest, month_end, month_entries
from .rules.context import context


class SealError(Exception):
    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def seal_month(root: Path, code: str, month: str, on: str | None = None) -> str:
    if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", month):
        raise SealError(f"月份“{month}”格式应为 YYYY-MM", 2)
    fund_file = root / "ledger" / "funds" / code / "fund.beancount"
    if not fund_file.is_file():
        raise SealError(f"没有基金 {code}：找不到 {fund_file.relative_to(root)}", 2)
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError as exc:
        raise SealError(f"日期“{on}”格式应为 YYYY-MM-DD", 2) from exc
    if day <= month_end(month):
        raise SealError(f"{month} 尚未结束，不能封存")
    entries, errors, options_map = load(fund_file)
    blocking = [e for e in errors if not str(e.message).startswith(("SL401", "W"))]
    if blocking:
        raise SealError(f"账本有 {len(blocking)} 个错误，先运行 sunledger check 修正后再封存")
    ctx = context(entries, options_map)
    if ctx is None:
        raise SealError("找不到 sunledger.yml")
    for e in entries:
        if getattr(e, "type", None) == SEAL and [v.value for v in e.values][:2] == [code, month]:
            raise SealError(f"{code} {month} 已经封存（{e.meta['filename']}:{e.meta['lineno']}）")

    def belongs(account: str) -> bool:
        role = ctx.classify(account)
        return role is not None and role.code == code

    line = f'{day} custom "{SEAL}" "{code}" "{month}" "{digest(month_entries(entries, belongs, month))}"'
    seals = fund_file.parent / "seals.beancount"
    text = seals.read_text(encoding="utf-8") if seals.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    seals.write_text(text + line + "\n", encoding="utf-8")
    return line
