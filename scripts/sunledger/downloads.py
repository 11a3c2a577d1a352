"""Downloads for residents and journalists: each fund's transactions as CSV,
XLSX and a (Fiscal) Data Package, for its whole history and for each year.

Pure: a loaded district in, `{relative path: bytes}` out; the site writes the
files. Only what the views publish goes out (payees as `line_of` masks them;
no ledger file names or line numbers), and the same district always gives
the same bytes: no clock, no random zip metadata, keys in a fixed order.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter

from .content.models import LEVEL_NAMES
from .district import District
from .ledger.movements import KINDS, Part, movement
from .views.common import ZERO, line_of
from .views.project import all_project_views

FEN = Decimal("0.01")
ROOT = "downloads"

# (ASCII field name of the data package, Chinese header for residents, Table Schema type, FDP columnType)
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("date", "日期", "date", "date:generic"),
    ("direction", "收支", "string", "direction"),
    ("amount", "金额", "number", "value"),
    ("source", "来源", "string", "fin-source:generic:code"),
    ("category", "类别", "string", "functional-classification:generic:code"),
    ("project", "项目", "string", "activity:generic:project:code"),
    ("counterparty", "对方", "string", "counterparty:generic:name"),
    ("description", "摘要", "string", "transaction:description"),
    ("corrects", "更正月份", "string", "transaction:corrects:fiscal-month"),
    ("correction_reason", "更正原因", "string", "transaction:corrects:reason"),
)
HEADERS = tuple(c[1] for c in COLUMNS)
FIELDS = tuple(c[0] for c in COLUMNS)
DIRECTIONS = KINDS  # 收入 支出 期初结转 转账 往来, as ledger.movements decides them

LICENSE = {
    "name": "ODC-PDDL-1.0",
    "path": "https://opendatacommons.org/licenses/pddl/1-0/",
    "title": "Open Data Commons Public Domain Dedication and License v1.0",
}

_FIELD_DOC = {
    "date": "交易日期",
    "direction": "收入（钱进基金）、支出（钱出基金；退款为正数）、期初结转（建账前的结余转入，不是收入）、"
    "转账（基金自己账户之间的划转，金额为 0）或往来（押金、应付款）",
    "amount": "金额（元），收入为正、支出为负，两位小数",
    "source": "收入来源（政府拨、社区筹、企业捐、居民集、商户分成……）",
    "category": "支出类别",
    "project": "项目编号，见 budgets 资源",
    "counterparty": "付款方或收款方；未同意公开姓名的居民捐赠人已打码（张*）",
    "description": "摘要",
    "corrects": "本笔更正的已封账月份（YYYY-MM）",
    "correction_reason": "更正原因",
}


@dataclass(frozen=True)
class Row:
    date: dt.date
    direction: str
    amount: Decimal
    source: str
    category: str
    project: str
    counterparty: str
    description: str
    corrects: str
    correction_reason: str

    def texts(self) -> tuple[str, ...]:
        return (
            self.date.isoformat(),
            self.direction,
            money(self.amount),
            self.source,
            self.category,
            self.project,
            self.counterparty,
            self.description,
            self.corrects,
            self.correction_reason,
        )


def money(amount: Decimal) -> str:
    """Signed, two decimals, never through float: Decimal("-12.5") -> "-12.50"."""
    q = amount.quantize(FEN)
    return "0.00" if q == 0 else f"{q:f}"


def fund_rows(district: District, code: str) -> list[Row]:
    """The fund's transactions in ledger order, as published: one row for each
    part of a transaction (an income, an expense of one project, an opening
    balance of one source), so that the rows of a kind add up to the fund's
    figures of that kind; a transfer between the fund's own accounts is one
    row of 0."""
    rows = []
    for txn in district.books[code].txns:
        line = line_of(district, txn)
        parts: list[Part | None] = [p for p in movement(district.classify, txn).parts if p.amount] or [None]
        for part in parts:
            rows.append(
                Row(
                    line.date,
                    part.kind if part else line.kind,
                    part.amount if part else line.amount,
                    (part.source if part else line.source) or "",
                    (part.category if part else line.category) or "",
                    (part.project if part else line.project) or "",
                    line.payee,
                    line.narration,
                    line.corrects or "",
                    line.reason or "",
                )
            )
    return rows


# --- CSV ---------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula
# ("=HYPERLINK(…)", "+1+1", "-1+1", "@SUM(A1)"; tab and CR too). "'" is in the
# list so that taking one leading "'" off always gives the text back.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
FORMULA_NOTE = (
    "以 = + - @ 、制表符、回车或 ' 开头的文字前加了一个英文单引号 '，"
    "以免电子表格把它当作公式执行；去掉开头的一个 ' 即为原文。数字和日期列不加。"
)


def defused(text: str) -> str:
    """A TEXT cell as every published CSV writes it: a leading apostrophe when it starts like a formula.

    Payees can come from a bank statement (`sunledger import`), i.e. from whoever
    named the paying account: "=HYPERLINK(…)" must reach a resident's Excel as text.
    Only text columns (Table Schema type "string") go through here; numbers and
    dates (a negative amount "-12.50") are ours and stay as they are."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: Iterable[str], kinds: Iterable[str], rows: Iterable[Iterable[str]], bom: bool) -> bytes:
    """Every CSV of the downloads; `kinds` are the columns' Table Schema types, text cells are `defused`."""
    text = tuple(k == "string" for k in kinds)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(tuple(defused(v) if t else v for v, t in zip(row, text, strict=True)) for row in rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8")


TEXT_COLUMNS = tuple(c[2] for c in COLUMNS)  # which columns are text (defused), in column order


def transactions_csv(rows: list[Row]) -> bytes:
    """For residents: Chinese headers, UTF-8 with BOM (Excel on Chinese Windows), CRLF."""
    return _csv(HEADERS, TEXT_COLUMNS, (r.texts() for r in rows), bom=True)


# --- XLSX --------------------------------------------------------------------

_WIDTHS = (11, 6, 12, 10, 10, 12, 16, 36, 9, 36)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system, for dates after 1900-02-28


def transactions_xlsx(rows: list[Row], title: str, stamp: dt.date) -> bytes:
    """Same rows as the CSV. Dates are date cells and amounts number cells shown
    with two decimals, so that Excel can sum and sort them. The amount goes
    through float only to be written: XlsxWriter prints 16 significant digits,
    which gives back the exact two-decimal text for any amount under 10^13
    (the test reads it back and compares with the CSV). `stamp` fixes the
    document dates; XlsxWriter in memory fixes the zip entry dates (1980-01-01):
    the bytes depend on the data only."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    when = dt.datetime(stamp.year, stamp.month, stamp.day, tzinfo=dt.UTC)
    wb.set_properties({"title": title, "author": "阳光账本", "created": when})
    bold = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    amount = wb.add_format({"num_format": "0.00"})
    ws = wb.add_worksheet("收支明细")
    for col, (head, width) in enumerate(zip(HEADERS, _WIDTHS)):
        ws.write_string(0, col, head, bold)
        ws.set_column(col, col, width)
    for i, r in enumerate(rows, start=1):
        ws.write_number(i, 0, (r.date - EXCEL_EPOCH).days, day)  # the cell write_datetime makes, 10x cheaper
        ws.write_string(i, 1, r.direction)
        ws.write_number(i, 2, float(money(r.amount)), amount)
        for col, text in enumerate(r.texts()[3:], start=3):
            if text:
                ws.write_string(i, col, text)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)
    wb.close()
    return out.getvalue()


# --- Data package ------------------------------------------------------------


def _doc(text: str, kind: str) -> str:
    """A field's description; a text field's says how its cells are kept from running as formulas."""
    return f"{text}。{FORMULA_NOTE}" if kind == "string" else text


def _field(name: str, title: str, kind: str, column_type: str) -> dict:
    f: dict = {"name": name, "title": title, "type": kind, "description": _doc(_FIELD_DOC[name], kind)}
    f["columnType"] = column_type
    if kind == "date":
        f["format"] = "default"
    if name == "direction":
        f["constraints"] = {"required": True, "enum": list(DIRECTIONS)}
    elif name in ("date", "amount"):
        f["constraints"] = {"required": True}
    elif name == "corrects":
        f["constraints"] = {"pattern": r"\d{4}-(0[1-9]|1[0-2])"}
    return f


BUDGET_COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("project", "项目编号", "string", "activity:generic:project:code", "项目编号"),
    ("title", "项目名称", "string", "activity:generic:project:label", "项目名称"),
    ("category", "类别", "string", "functional-classification:generic:code", "支出类别"),
    ("stage", "阶段", "string", "activity:generic:project:status", "点单、派单、接单、实施、完成、评单"),
    ("approved", "批准日期", "date", "date:fiscal:activity-approval", "居民议事会等批准的日期，未批准为空"),
    ("budget", "预算", "number", "", "批准的预算（元）"),
    ("spent", "已支出", "number", "", "至今已支出（元），含更正"),
)


def _budget_rows(district: District, code: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    views = all_project_views(district, code)
    for pid in sorted(views):
        v = views[pid]
        p = v.project
        rows.append(
            (
                p.id,
                p.title,
                p.category,
                p.stage,
                p.approved.date.isoformat() if p.approved else "",
                money(p.budget),
                money(v.spent),
            )
        )
    return rows


def _resource(name: str, title: str, path: str, body: bytes, schema: dict) -> dict:
    return {
        "profile": "tabular-data-resource",
        "name": name,
        "title": title,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(body),
        "hash": hashlib.md5(body, usedforsecurity=False).hexdigest(),  # the spec's default algorithm (md5) for `hash`
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": schema,
    }


def datapackage(district: District, code: str, rows: list[Row]) -> dict[str, bytes]:
    """A Tabular Data Package with the Fiscal Data Package's modelling where it
    fits: `columnType` on every field, the currency as a constant extra field,
    budget and spent as the approved and executed phases of one measure,
    and the package's `fiscalPeriod`, `countryCode` and `granularity`."""
    fc = district.books[code].fc
    fund = fc.fund
    tx_body = _csv(FIELDS, TEXT_COLUMNS, (r.texts() for r in rows), bom=False)
    budgets = _budget_rows(district, code)
    bu_body = _csv((c[0] for c in BUDGET_COLUMNS), (c[2] for c in BUDGET_COLUMNS), budgets, bom=False)
    currency = {
        "name": "currency",
        "title": "币种",
        "type": "string",
        "columnType": "value-currency:code",
        "constant": district.config.currency,
    }
    tx_schema = {
        "fields": [_field(*c) for c in COLUMNS],
        "missingValues": [""],
        "foreignKeys": [{"fields": ["project"], "reference": {"resource": "budgets", "fields": ["project"]}}],
        "extraFields": [currency],
    }
    bu_fields = []
    for name, title, kind, column_type, doc in BUDGET_COLUMNS:
        f: dict = {"name": name, "title": title, "type": kind, "description": _doc(doc, kind)}
        if column_type:
            f["columnType"] = column_type
        if kind == "date":
            f["format"] = "default"
        if name in ("project", "title", "budget", "spent"):
            f["constraints"] = {"required": True}
        if name == "budget":
            f["normalize"] = {"phase": "approved"}
        if name == "spent":
            f["normalize"] = {"phase": "executed"}
        bu_fields.append(f)
    bu_schema = {
        "fields": bu_fields,
        "missingValues": [""],
        "primaryKey": ["project"],
        "extraFields": [
            {"name": "amount", "title": "金额", "type": "number", "columnType": "value", "normalizationTarget": True},
            {"name": "phase", "title": "阶段", "type": "string", "columnType": "phase:id"},
            currency,
        ],
    }
    start = min([fund.opened, *(r.date for r in rows[:1])])
    end = rows[-1].date if rows else start
    level = LEVEL_NAMES[fund.level]
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"sunledger-{code.lower()}",
        "title": f"{fund.name}收支明细",
        "description": (
            f"{district.content.district.name}·{fund.name}（{level}{fund.kind}）"
            f"自 {start.isoformat()} 至 {end.isoformat()} "
            "的每一笔收支与项目预算，取自基金的公开账本。金额单位为元，收入为正、支出为负；"
            "未同意公开姓名的居民捐赠人已打码。"
            f"文字列：{FORMULA_NOTE}"
        ),
        "licenses": [LICENSE],
        "keywords": ["阳光账本", "社区基金", fund.name, "fiscal"],
        "countryCode": "CN",
        "fiscalPeriod": {"start": start.isoformat(), "end": end.isoformat()},
        "granularity": "transactional",
        "resources": [
            _resource("transactions", "收支明细", "transactions.csv", tx_body, tx_schema),
            _resource("budgets", "项目预算与支出", "budgets.csv", bu_body, bu_schema),
        ],
    }
    base = f"{ROOT}/{code}/datapackage"
    return {
        f"{base}/datapackage.json": _json(descriptor),
        f"{base}/transactions.csv": tx_body,
        f"{base}/budgets.csv": bu_body,
    }


def _json(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- Public API ----------------------------------------------------------------


def fund_years(rows: list[Row]) -> list[int]:
    return sorted({r.date.year for r in rows})


def fund_downloads(district: District, code: str) -> dict[str, bytes]:
    """Relative output path -> bytes: the whole history and each calendar year
    that has transactions, as CSV and XLSX, and the data package."""
    return _fund_downloads(district, code, fund_rows(district, code))


def _fund_downloads(district: District, code: str, rows: list[Row]) -> dict[str, bytes]:
    fund = district.books[code].fc.fund
    base = f"{ROOT}/{code}"
    stamp = rows[-1].date if rows else fund.opened
    out = {
        f"{base}/transactions.csv": transactions_csv(rows),
        f"{base}/transactions.xlsx": transactions_xlsx(rows, f"{fund.name}收支明细", stamp),
    }
    for year in fund_years(rows):
        part = [r for r in rows if r.date.year == year]
        out[f"{base}/transactions-{year}.csv"] = transactions_csv(part)
        out[f"{base}/transactions-{year}.xlsx"] = transactions_xlsx(part, f"{fund.name}{year}年收支明细", part[-1].date)
    out.update(datapackage(district, code, rows))
    return out


def _index_entry(district: District, code: str, rows: list[Row], files: dict[str, bytes]) -> dict:
    fund = district.books[code].fc.fund
    rel = len(ROOT) + 1

    def ref(path: str) -> dict:
        return {"path": path[rel:], "bytes": len(files[path]), "sha256": hashlib.sha256(files[path]).hexdigest()}

    base = f"{ROOT}/{code}"
    return {
        "code": code,
        "name": fund.name,
        "kind": fund.kind,
        "level": LEVEL_NAMES[fund.level],
        "parent": fund.parent,
        "rows": len(rows),
        "first": rows[0].date.isoformat() if rows else None,
        "last": rows[-1].date.isoformat() if rows else None,
        "net": money(sum((r.amount for r in rows), ZERO)),
        "all": {"csv": ref(f"{base}/transactions.csv"), "xlsx": ref(f"{base}/transactions.xlsx")},
        "years": {
            str(y): {"csv": ref(f"{base}/transactions-{y}.csv"), "xlsx": ref(f"{base}/transactions-{y}.xlsx")}
            for y in fund_years(rows)
        },
        "datapackage": ref(f"{base}/datapackage/datapackage.json"),
    }


def district_downloads(district: District) -> dict[str, bytes]:
    """Every fund's downloads, plus `downloads/index.json` listing them for machines."""
    out: dict[str, bytes] = {}
    funds = []
    for code in sorted(district.books):
        rows = fund_rows(district, code)
        files = _fund_downloads(district, code, rows)
        out.update(files)
        funds.append(_index_entry(district, code, rows, files))
    index = {
        "title": f"{district.content.district.name} 基金收支数据下载",
        "last_date": district.last_date.isoformat() if district.last_date else None,
        "license": LICENSE,
        "columns": [{"name": n, "title": t} for n, t, _, _ in COLUMNS],
        "funds": funds,
    }
    out[f"{ROOT}/index.json"] = _json(index)
    return dict(sorted(out.items()))
