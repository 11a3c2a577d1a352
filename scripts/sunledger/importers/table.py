"""Reading statement exports into rows of text, and the cells into values.

Chinese banks, Alipay and WeChat Pay export CSV in UTF-8 (often with a BOM)
or GBK/GB18030, or XLSX; all have a few lines of preamble (account, period,
totals) above the header. This module only turns a file into a list of rows
of stripped strings; the dialects decide what the rows mean.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
TEXT_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class StatementError(ValueError):
    """A file that is not a statement we can read; the message is Chinese."""


def decode(raw: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError("文件编码无法识别（应为 UTF-8 或 GBK/GB18030）")


def clean(cell: object) -> str:
    """A cell as text: Excel text guards (`="0012"`, leading tab) and padding removed."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S") if (cell.hour, cell.minute, cell.second) != (0, 0, 0) else cell.strftime("%Y-%m-%d")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float):
        return format(Decimal(repr(round(cell, 6))), "f")  # 0.30000000000000004 from a formula is 0.3
    text = str(cell).strip().strip("\t").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    return text.strip()


def _delimiter(text: str) -> str:
    sample = text[:4096]
    return "\t" if sample.count("\t") > sample.count(",") else ","


def read_rows(path: str | Path) -> list[list[str]]:
    """Every row of the first sheet (XLSX) or the file (CSV), cells cleaned."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    if suffix not in TEXT_SUFFIXES:
        raise StatementError(f"不支持的文件类型 {path.suffix}（支持 CSV 和 XLSX；旧版 XLS 请另存为 XLSX）")
    text = decode(path.read_bytes())
    try:
        return [[clean(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text))]
    except csv.Error as exc:
        raise StatementError(f"CSV 无法读取：{exc}") from exc


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl  # only XLSX needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip or XML errors: not an XLSX we can read
        raise StatementError(f"XLSX 无法读取：{type(exc).__name__}") from exc
    try:
        sheet = book.worksheets[0]
        return [[clean(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def money(text: str) -> Decimal | None:
    """'1,234.50' '¥12.00' '-3.00' '12.00元' → Decimal; '' '-' '/' → None."""
    t = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace("元", "").replace(" ", "")
    if t in ("", "-", "/", "--"):
        return None
    if not _NUMBER.match(t):
        raise StatementError(f"“{text}”不是金额")
    try:
        number = Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already holds
        raise StatementError(f"“{text}”不是金额") from exc
    if number != number.quantize(Decimal("0.01")):
        raise StatementError(f"金额“{text}”超过两位小数")
    return number.quantize(Decimal("0.01"))


_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T]+(\d{1,2}:\d{2}(?::\d{2})?))?")


def when(text: str) -> tuple[dt.date, str] | None:
    """'2026-08-03' '2026/8/3 10:21' '20260803' '2026年8月3日' → (date, time text)."""
    m = _DATE.match(text.strip())
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), m[4] or ""
    except ValueError:
        return None
