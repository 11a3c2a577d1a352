"""Downloads for residents, journalists and auditors: every table a fund's
pages show, as CSV, XLSX and a resource of the fund's (Fiscal) Data Package.

- transactions (收支明细), for the whole history and for each year, each row
  with a stable `row_id` and the source(s) that paid a spending row;
- spending_sources (支出来源分摊): each spending row split over the sources
  that paid it, to the fen (`ledger/attribution.py`), joined back by `row_id`;
- projects (项目), project_outcomes (项目成效), partners (合作方),
  merchant_dues (商户分成), as the project and partner views give them;
- budgets (项目预算与支出), kept for readers of the first data packages.

The tables that span funds (projects, outcomes, partners, dues) are also
published for the whole district under `downloads/district/`.

A table is a `Table` (typed rows + columns); `table_files` and
`package_resource` turn one into CSV/XLSX and a data package resource, so a
new table (the annual report's, see `annual_tables`) is one more `Table`.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import xlsxwriter

from .content.models import LEVEL_NAMES, STAGES
from .district import District
from .ledger.attribution import Flow
from .ledger.movements import KINDS, SPENT, Part, meta, movement
from .views.common import ZERO, line_of
from .views.partner import PartnerView, partner_view
from .views.project import ProjectView, all_project_views

if TYPE_CHECKING:  # views.annual reads this module's tables
    from .views.annual import AnnualView

FEN = Decimal("0.01")
ROOT = "downloads"
T = TypeVar("T")
DISTRICT = "district"  # downloads/district/: the tables spanning funds (fund codes start with a capital)

LICENSE = {
    "name": "ODC-PDDL-1.0",
    "path": "https://opendatacommons.org/licenses/pddl/1-0/",
    "title": "Open Data Commons Public Domain Dedication and License v1.0",
}

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


def money(amount: Decimal) -> str:
    """Signed, two decimals, never through float: Decimal("-12.5") -> "-12.50"."""
    q = amount.quantize(FEN)
    return "0.00" if q == 0 else f"{q:f}"


def _plain(number: Decimal) -> str:
    """A number that is not money (a rate, an outcome's value, a score) as typed: 0.05, 136, 4.7."""
    text = f"{number.normalize():f}"
    return "0" if Decimal(text) == 0 else text


# --- Tables ------------------------------------------------------------------

Cell = str | Decimal | dt.date | int | None


@dataclass(frozen=True)
class Column:
    """One column: its ASCII field name, its Chinese header and description, its Table Schema type.

    kind "number" is money (two decimals, "0.00" in Excel) unless `money=False` (rates,
    outcome values, scores: written as typed). `schema` adds Table Schema / Fiscal Data
    Package properties (columnType, constraints, normalize)."""

    name: str
    title: str
    kind: str  # string | number | integer | date
    doc: str
    width: int = 12
    money: bool = True
    schema: dict = field(default_factory=dict, compare=False)

    def text(self, value: Cell) -> str:
        """The cell as text: money with two decimals, dates ISO, nothing as "" (a CSV defuses text, `_csv`)."""
        if value is None:
            return ""
        if self.kind == "date":
            assert isinstance(value, dt.date), (self.name, value)
            return value.isoformat()
        if self.kind == "number":
            assert isinstance(value, Decimal), (self.name, value)
            return money(value) if self.money else _plain(value)
        if self.kind == "integer":
            return str(value)
        return str(value)

    def field(self) -> dict:
        doc = f"{self.doc}。{FORMULA_NOTE}" if self.kind == "string" else self.doc
        f: dict = {"name": self.name, "title": self.title, "type": self.kind, "description": doc}
        if self.kind == "date":
            f["format"] = "default"
        f.update(self.schema)
        return f


@dataclass(frozen=True)
class Table:
    """Typed rows and their columns: everything needed for a CSV, a worksheet and a resource.

    `name` is the resource name and the file stem (`spending_sources.csv`), `title` the
    Chinese name residents read (the worksheet's and the download table's label)."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()  # (fields, resource, fields)
    extra_fields: tuple[dict, ...] = ()

    def with_fund(self, code: str, name: str) -> Table:
        """The same table with the fund's code and name in front, for the district's tables."""
        cols = (FUND_COLUMN, FUND_NAME_COLUMN, *self.columns)
        keys = ("fund", *self.primary_key) if self.primary_key else ()
        # A composite key with an empty part is still looked up (frictionless), so only keys of required fields stay.
        required = {c.name for c in self.columns if c.schema.get("constraints", {}).get("required")}
        fks = tuple((("fund", *a), res, ("fund", *b)) for a, res, b in self.foreign_keys if set(a) <= required)
        return replace(self, columns=cols, rows=tuple((code, name, *r) for r in self.rows), primary_key=keys, foreign_keys=fks)


FUND_COLUMN = Column("fund", "基金代码", "string", "基金代码（ASCII），即网址 funds/<代码>/ 中的代码", 12, schema={"constraints": {"required": True}})
FUND_NAME_COLUMN = Column("fund_name", "基金名称", "string", "基金名称", 16)


def concat(tables: Sequence[Table]) -> Table:
    """Tables of the same columns, one after the other (the district's table from its funds')."""
    first = tables[0]
    assert all(t.columns == first.columns for t in tables), first.name
    return replace(first, rows=tuple(r for t in tables for r in t.rows))


def _csv(header: Iterable[str], kinds: Iterable[str], rows: Iterable[Iterable[str]], bom: bool) -> bytes:
    """Every CSV of the downloads; `kinds` are the columns' Table Schema types, text cells are `defused`."""
    text = tuple(k == "string" for k in kinds)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(tuple(defused(v) if t else v for v, t in zip(row, text, strict=True)) for row in rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8")


def table_csv(table: Table, residents: bool = True) -> bytes:
    """For residents: Chinese headers, UTF-8 with BOM (Excel on Chinese Windows), CRLF.
    For the data package (`residents=False`): the ASCII field names, no BOM."""
    cols = table.columns
    header = (c.title if residents else c.name for c in cols)
    rows = (tuple(c.text(v) for c, v in zip(cols, r, strict=True)) for r in table.rows)
    return _csv(header, (c.kind for c in cols), rows, bom=residents)


EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system, for dates after 1900-02-28


def table_xlsx(table: Table, title: str, stamp: dt.date) -> bytes:
    """The CSV's rows in a worksheet named for the table. Dates are date cells and
    amounts number cells shown with two decimals, so that Excel can sum and sort
    them. A number is handed to XlsxWriter as the Decimal of its CSV text: XlsxWriter
    writes `f"{number:.16G}"`, which for a Decimal is that text ("98480.18"), where
    a float gives "98480.17999999999" (the same double when read back, but 11 digits
    starting 179 that the output scan rightly takes for a phone number). Text is always
    a string cell (never a formula). `stamp` fixes the document dates; XlsxWriter
    in memory fixes the zip entry dates (1980-01-01): the bytes depend on the data only."""
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
    ws = wb.add_worksheet(table.title[:31])  # Excel's limit for a sheet name
    for col, c in enumerate(table.columns):
        ws.write_string(0, col, c.title, bold)
        ws.set_column(col, col, c.width)
    for i, row in enumerate(table.rows, start=1):
        for col, (c, v) in enumerate(zip(table.columns, row, strict=True)):
            if v is None or v == "":
                continue
            if c.kind == "date":
                assert isinstance(v, dt.date), (c.name, v)
                ws.write_number(i, col, (v - EXCEL_EPOCH).days, day)  # the cell write_datetime makes, 10x cheaper
            elif c.kind == "number":
                ws.write_number(i, col, Decimal(c.text(v)), amount if c.money else None)  # see above
            elif c.kind == "integer":
                assert isinstance(v, int), (c.name, v)
                ws.write_number(i, col, v)
            else:
                ws.write_string(i, col, str(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
    wb.close()
    return out.getvalue()


def table_files(table: Table, base: str, title: str, stamp: dt.date, stem: str | None = None) -> dict[str, bytes]:
    """`<base>/<stem>.csv` and `.xlsx` of one table (stem: the table's name)."""
    stem = stem or table.name
    return {f"{base}/{stem}.csv": table_csv(table), f"{base}/{stem}.xlsx": table_xlsx(table, title, stamp)}


def table_schema(table: Table, currency: dict) -> dict:
    schema: dict = {"fields": [c.field() for c in table.columns], "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [{"fields": list(a), "reference": {"resource": res, "fields": list(b)}}
                                 for a, res, b in table.foreign_keys]
    schema["extraFields"] = [*table.extra_fields, currency]
    return schema


def package_resource(table: Table, currency: dict) -> tuple[str, bytes, dict]:
    """(file name, CSV, resource descriptor) of a table in a data package."""
    path = f"{table.name}.csv"
    body = table_csv(table, residents=False)
    resource = {
        "profile": "tabular-data-resource",
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(body),
        "hash": hashlib.md5(body, usedforsecurity=False).hexdigest(),  # the spec's default algorithm (md5) for `hash`
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": table_schema(table, currency),
    }
    return path, body, resource


def _currency(district: District) -> dict:
    return {"name": "currency", "title": "币种", "type": "string", "columnType": "value-currency:code",
            "constant": district.config.currency}


# --- Transactions (收支明细) ----------------------------------------------------

_REQUIRED = {"constraints": {"required": True}}

TX_COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", "date", "交易日期", 11, schema={"columnType": "date:generic", **_REQUIRED}),
    Column("direction", "收支", "string",
           "收入（钱进基金）、支出（钱出基金；退款为正数）、期初结转（建账前的结余转入，不是收入）、"
           "转账（基金自己账户之间的划转，金额为 0）或往来（押金、应付款）", 6,
           schema={"columnType": "direction", "constraints": {"required": True, "enum": list(KINDS)}}),
    Column("amount", "金额", "number", "金额（元），收入为正、支出为负，两位小数", 12, schema={"columnType": "value", **_REQUIRED}),
    Column("source", "来源", "string", "收入来源（政府拨、社区筹、企业捐、居民集、商户分成……）", 10,
           schema={"columnType": "fin-source:generic:code"}),
    Column("category", "类别", "string", "支出类别", 10, schema={"columnType": "functional-classification:generic:code"}),
    Column("project", "项目", "string", "项目编号，见 projects 资源", 12, schema={"columnType": "activity:generic:project:code"}),
    Column("counterparty", "对方", "string", "付款方或收款方；未同意公开姓名的居民捐赠人已打码（张*）", 16,
           schema={"columnType": "counterparty:generic:name"}),
    Column("description", "摘要", "string", "摘要", 36, schema={"columnType": "transaction:description"}),
    Column("corrects", "更正月份", "string", "本笔更正的已封账月份（YYYY-MM）", 9,
           schema={"columnType": "transaction:corrects:fiscal-month", "constraints": {"pattern": r"\d{4}-(0[1-9]|1[0-2])"}}),
    Column("correction_reason", "更正原因", "string", "更正原因", 36, schema={"columnType": "transaction:corrects:reason"}),
    Column("paid_by", "付款来源", "string",
           "支出由哪个来源的钱支付（按账本注明的 source: 或项目资金计划分摊到分）：一个来源时为该来源，"
           "几个来源分摊时列出各来源（以“、”分隔），各自金额见 spending_sources（支出来源分摊）资源；收入等为空", 12,
           schema={"columnType": "fin-source:expenditure:code"}),
    Column("row_id", "行编号", "string",
           "本行的编号：基金代码-年月-当月第几笔-该笔第几行（如 Guangming-202503-007-1），按账本顺序编号，"
           "月份封账后不再改变；支出来源分摊表用它对应到本表", 24,
           schema={"columnType": "transaction:id", "constraints": {"required": True, "unique": True}}),
)
COLUMNS: tuple[tuple[str, str, str, str], ...] = tuple(
    (c.name, c.title, c.kind, c.schema.get("columnType", "")) for c in TX_COLUMNS
)  # (ASCII field name of the data package, Chinese header for residents, Table Schema type, FDP columnType)
HEADERS = tuple(c.title for c in TX_COLUMNS)
FIELDS = tuple(c.name for c in TX_COLUMNS)
TEXT_COLUMNS = tuple(c.kind for c in TX_COLUMNS)  # which columns are text (defused), in column order
DIRECTIONS = KINDS  # 收入 支出 期初结转 转账 往来, as ledger.movements decides them


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
    paid_by: str = ""
    row_id: str = ""

    def cells(self) -> tuple[Cell, ...]:
        return (self.date, self.direction, self.amount, self.source, self.category, self.project, self.counterparty,
                self.description, self.corrects, self.correction_reason, self.paid_by, self.row_id)

    def texts(self) -> tuple[str, ...]:
        return tuple(c.text(v) for c, v in zip(TX_COLUMNS, self.cells(), strict=True))


@dataclass(frozen=True)
class Spent:
    """A spending row of the transactions table and the flows that paid it."""

    row: Row
    flows: tuple[Flow, ...]


def row_id(code: str, month: str, n: int, k: int) -> str:
    """`Guangming-202503-007-1`: the fund, the month, the n-th transaction of that month in
    ledger order, its k-th row. A sealed month cannot change (SL401), so neither can its ids;
    the id starts with a letter so that a spreadsheet never reads it as a date or a number."""
    return f"{code}-{month.replace('-', '')}-{n:03d}-{k}"


def _walk(district: District, code: str) -> tuple[list[Row], list[Spent]]:
    """The fund's transactions in ledger order, as published: one row for each part of a
    transaction (an income, an expense of one project, an opening balance of one source),
    so that the rows of a kind add up to the fund's figures of that kind; a transfer between
    the fund's own accounts is one row of 0. With them, each spending row's flows."""
    paid: dict[int, list[Flow]] = {}
    for flow in district.attribution.of_fund(code)[1]:
        if flow.amount:
            paid.setdefault(id(flow.posting), []).append(flow)
    rows: list[Row] = []
    spent: list[Spent] = []
    month, n = "", 0
    for txn in district.books[code].txns:
        this = txn.date.isoformat()[:7]
        n = n + 1 if this == month else 1
        month = this
        line = line_of(district, txn)
        parts: list[Part | None] = [p for p in movement(district.classify, txn).parts if p.amount] or [None]
        for k, part in enumerate(parts, start=1):
            flows = tuple(paid.get(id(part.posting), ())) if part is not None and part.kind == SPENT else ()
            row = Row(
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
                "、".join(dict.fromkeys(f.source for f in flows)),
                row_id(code, month, n, k),
            )
            rows.append(row)
            if part is not None and part.kind == SPENT:
                spent.append(Spent(row, flows))
    return rows, spent


def fund_rows(district: District, code: str) -> list[Row]:
    """The fund's transactions table (see `_walk`)."""
    return _walk(district, code)[0]


def transactions_table(rows: Sequence[Row]) -> Table:
    return Table(
        "transactions", "收支明细", "基金的每一笔收支，一行为一笔交易的一个部分（一项收入、一个项目的一笔支出、一个来源的期初结转）",
        TX_COLUMNS, tuple(r.cells() for r in rows), ("row_id",),
        ((("project",), "projects", ("project",)),),
    )


def transactions_csv(rows: list[Row]) -> bytes:
    """For residents: Chinese headers, UTF-8 with BOM (Excel on Chinese Windows), CRLF."""
    return table_csv(transactions_table(rows))


def transactions_xlsx(rows: list[Row], title: str, stamp: dt.date) -> bytes:
    return table_xlsx(transactions_table(rows), title, stamp)


# --- Spending by source (支出来源分摊) ------------------------------------------

BASIS_EXPLICIT, BASIS_PLAN = "账本注明", "资金计划分摊"

SPLIT_COLUMNS: tuple[Column, ...] = (
    Column("row_id", "行编号", "string", "收支明细中这笔支出的行编号（transactions 资源的 row_id）", 24, schema=_REQUIRED),
    Column("date", "日期", "date", "交易日期", 11, schema={"columnType": "date:generic", **_REQUIRED}),
    Column("project", "项目", "string", "项目编号，见 projects 资源", 12, schema={"columnType": "activity:generic:project:code"}),
    Column("category", "类别", "string", "支出类别", 10, schema={"columnType": "functional-classification:generic:code"}),
    Column("source", "付款来源", "string", "支付这一份的来源", 10, schema={"columnType": "fin-source:generic:code", **_REQUIRED}),
    Column("amount", "分摊金额", "number",
           "这个来源支付的金额（元），与收支明细同号：支出为负，退款为正；同一行编号的各份相加恰等于该行金额", 12,
           schema={"columnType": "value", **_REQUIRED}),
    Column("restricted", "其中定向资金", "number",
           "分摊金额中动用指定给本项目的定向资金（purpose:）的部分（元），同号", 12, schema=_REQUIRED),
    Column("unrestricted", "其中非定向资金", "number", "分摊金额中来自该来源非定向余额的部分（元），同号；定向与非定向相加等于分摊金额", 12,
           schema=_REQUIRED),
    Column("basis", "分摊依据", "string",
           f"{BASIS_EXPLICIT}：账本在这笔支出上注明了来源（source:）；{BASIS_PLAN}：按项目资金计划（funding:）各来源计划金额的比例分到分，"
           "余下的分给小数部分最大的来源", 12, schema={"constraints": {"required": True, "enum": [BASIS_EXPLICIT, BASIS_PLAN]}}),
    Column("row_amount", "该行金额", "number", "收支明细中这一行的金额（元），核对用：同一行编号的分摊金额合计等于它", 12, schema=_REQUIRED),
    Column("counterparty", "对方", "string", "收款方，与收支明细相同", 16),
    Column("description", "摘要", "string", "摘要，与收支明细相同", 36),
)


def split_table(spent: Sequence[Spent]) -> Table:
    rows = []
    for s in spent:
        for f in s.flows:
            explicit = meta(f.txn, f.posting, "source") is not None
            rows.append((s.row.row_id, s.row.date, s.row.project or None, s.row.category or None, f.source,
                         -f.amount, -f.restricted, f.restricted - f.amount, BASIS_EXPLICIT if explicit else BASIS_PLAN,
                         s.row.amount, s.row.counterparty, s.row.description))
    return Table(
        "spending_sources", "支出来源分摊",
        "每一笔支出由哪些来源支付：一行为收支明细中一行支出的一个来源的一份，分到分；其中动用定向资金的部分单列",
        SPLIT_COLUMNS, tuple(rows), ("row_id", "source"),
        ((("row_id",), "transactions", ("row_id",)), (("project",), "projects", ("project",))),
    )


# --- Projects (项目) ------------------------------------------------------------

STAGE_FIELDS = dict(zip(STAGES, ("requested", "approved", "accepted", "started", "completed", "rated"), strict=True))


def _source_field(account: str) -> str:
    return f"spent_{account.lower()}"


def project_columns(district: District) -> tuple[Column, ...]:
    stage_cols = tuple(Column(STAGE_FIELDS[s], f"{s}日期", "date", f"到达“{s}”的日期，未到为空", 11) for s in STAGES)
    by_source = tuple(
        Column(_source_field(src.account), f"已支出·{src.name}", "number", f"已支出中由{src.name}支付的部分（元）", 12, schema=_REQUIRED)
        for src in district.config.sources
    )
    return (
        Column("project", "项目编号", "string", "项目编号", 12, schema={"columnType": "activity:generic:project:code", **_REQUIRED}),
        Column("title", "项目名称", "string", "项目名称", 24, schema={"columnType": "activity:generic:project:label", **_REQUIRED}),
        Column("category", "类别", "string", "支出类别", 10, schema={"columnType": "functional-classification:generic:code"}),
        Column("stage", "阶段", "string", "走到的最后一步：点单、派单、接单、实施、完成、评单", 6,
               schema={"columnType": "activity:generic:project:status", "constraints": {"enum": list(STAGES)}}),
        *stage_cols,
        Column("approved_by", "批准机构", "string", "派单（批准）的机构，如居民议事会", 16),
        Column("approval_ref", "批准文号", "string", "批准的会议纪要或文号", 16),
        Column("budget", "预算", "number", "批准的预算（元）", 12, schema={**_REQUIRED, "normalize": {"phase": "approved"}}),
        Column("spent", "已支出", "number", "至今已支出（元），含更正和退款", 12, schema={**_REQUIRED, "normalize": {"phase": "executed"}}),
        Column("remaining", "余额", "number", "预算减已支出（元）", 12, schema=_REQUIRED),
        Column("restricted", "其中定向资金", "number", "已支出中由指定给本项目的定向资金支付的部分（元）", 12, schema=_REQUIRED),
        *by_source,
        Column("partner", "承接方编号", "string", "承接项目的合作方编号，见 partners 资源", 16),
        Column("partner_name", "承接方", "string", "承接项目的合作方名称", 16),
        Column("outcomes", "成效数", "integer", "登记的成效条数，各条见 project_outcomes 资源", 6, schema=_REQUIRED),
        Column("rating_score", "评分", "number", "居民评单的平均分（0–5）", 6, money=False,
               schema={"constraints": {"minimum": 0, "maximum": 5}}),
        Column("rating_raters", "评价人数", "integer", "参与评单的居民人数", 6, schema={"constraints": {"minimum": 0}}),
    )


def projects_table(district: District, views: dict[str, ProjectView]) -> Table:
    """One row per project, every figure as the project page shows it (`all_project_views`)."""
    rows = []
    for pid in sorted(views):
        v = views[pid]
        p = v.project
        rating = p.rating
        rows.append((
            p.id, p.title, p.category, p.stage, *(day for _, day in v.stages),
            p.approved.by if p.approved else None, (p.approved.ref or None) if p.approved else None,
            p.budget, v.spent, v.remaining, v.restricted,
            *(v.by_source.get(src.name, ZERO) for src in district.config.sources),
            p.partner, v.partner.name if v.partner else None, len(p.outcomes),
            rating.score if rating else None, rating.raters if rating else None,
        ))
    return Table(
        "projects", "项目", "每个项目：阶段与各步日期、预算、已支出与各来源支付的部分、承接方、成效条数和居民评分",
        project_columns(district), tuple(rows), ("project",), ((("partner",), "partners", ("partner",)),),
        ({"name": "amount", "title": "金额", "type": "number", "columnType": "value", "normalizationTarget": True},
         {"name": "phase", "title": "阶段", "type": "string", "columnType": "phase:id"}),
    )


OUTCOME_COLUMNS: tuple[Column, ...] = (
    Column("project", "项目编号", "string", "项目编号，见 projects 资源", 12, schema=_REQUIRED),
    Column("n", "序号", "integer", "项目的第几条成效", 6, schema=_REQUIRED),
    Column("metric", "指标", "string", "成效指标，如“更换楼道声控灯”", 20),
    Column("value", "数值", "number", "指标的数值（按登记的原样）", 10, money=False),
    Column("unit", "单位", "string", "数值的单位", 8),
    Column("text", "说明", "string", "文字说明", 40),
)


def outcomes_table(views: dict[str, ProjectView]) -> Table:
    rows = tuple((pid, i, o.metric, o.value, o.unit, o.text)
                 for pid in sorted(views) for i, o in enumerate(views[pid].project.outcomes, start=1))
    return Table("project_outcomes", "项目成效", "项目页上登记的每一条成效（照片见项目页）", OUTCOME_COLUMNS, rows,
                 ("project", "n"), ((("project",), "projects", ("project",)),))


# --- Partners and merchant shares (合作方、商户分成) ----------------------------------

PARTNER_COLUMNS: tuple[Column, ...] = (
    Column("partner", "编号", "string", "合作方编号", 16, schema=_REQUIRED),
    Column("name", "名称", "string", "合作方名称", 20, schema=_REQUIRED),
    Column("kind", "类型", "string", "商户、社会企业、社会组织……", 10),
    Column("contributed", "给基金的钱", "number", "分成、捐赠等给基金的钱合计（元）", 12, schema=_REQUIRED),
    Column("projects", "承接项目", "string", "承接的项目编号，以“、”分隔", 20),
    Column("rate", "分成比例", "number", "分成合同的比例（营业收入的几分之几，0.05 即 5%）；没有合同为空", 8, money=False),
    Column("contract_start", "合同开始", "string", "分成合同开始月份（YYYY-MM）", 9, schema={"constraints": {"pattern": r"\d{4}-(0[1-9]|1[0-2])"}}),
    Column("contract_end", "合同结束", "string", "分成合同结束月份（YYYY-MM），空为未约定", 9, schema={"constraints": {"pattern": r"\d{4}-(0[1-9]|1[0-2])"}}),
    Column("space", "使用场地", "string", "合同使用的场地", 16),
    Column("months", "合同月数", "integer", "至今的合同月数（含未到期的月份）", 6),
    Column("due", "应缴合计", "number", "已申报营业收入的月份按合同应缴的合计（元）", 12),
    Column("paid", "已缴合计", "number", "已缴分成合计（元）", 12),
    Column("months_unpaid", "未缴月数", "integer", "已到缴费期限仍未缴的月数", 6),
    Column("months_wrong", "金额不符月数", "integer", "实缴与应缴不符的月数", 6),
)

DUE_STATUSES = ("已缴", "未缴", "金额不符", "未到期")

DUE_COLUMNS: tuple[Column, ...] = (
    Column("partner", "商户编号", "string", "合作方编号，见 partners 资源", 16, schema=_REQUIRED),
    Column("name", "商户", "string", "合作方名称", 20),
    Column("month", "月份", "string", "营业月份（YYYY-MM）", 9,
           schema={"constraints": {"required": True, "pattern": r"\d{4}-(0[1-9]|1[0-2])"}}),
    Column("rate", "分成比例", "number", "分成比例（0.05 即 5%）", 8, money=False),
    Column("revenue", "营业收入", "number", "商户申报的营业收入（元）；未缴的月份没有申报，为空", 12),
    Column("due", "应缴", "number", "营业收入×分成比例，到分，四舍五入（元）；未申报为空", 12),
    Column("paid", "已缴", "number", "实缴（元）", 12, schema=_REQUIRED),
    Column("status", "状态", "string", "已缴（足额）、未缴（已过缴费期限）、金额不符，或未到期（还没到缴费期限：次月底）", 8,
           schema={"constraints": {"required": True, "enum": list(DUE_STATUSES)}}),
    Column("arrears", "欠缴", "number", "应缴减已缴（元），负数为多缴；已缴足额为 0，未缴（应缴未知）和未到期为空", 12),
)


def partners_tables(views: Sequence[PartnerView]) -> tuple[Table, Table]:
    """(partners, merchant_dues), every figure as the partner pages and the fund page's dues table show it."""
    partners, dues = [], []
    for pv in sorted(views, key=lambda v: v.partner.id):
        p, c = pv.partner, pv.partner.contract
        months = due = paid = unpaid = wrong = None
        if c is not None:
            months = len(pv.dues)
            due = sum((d.due for d in pv.dues if d.due is not None), ZERO)
            paid = sum((d.paid for d in pv.dues), ZERO)
            unpaid = sum(1 for d in pv.dues if d.status == "未缴")
            wrong = sum(1 for d in pv.dues if d.status == "金额不符")
        partners.append((p.id, p.name, p.kind, pv.contributed, "、".join(x.id for x in pv.projects) or None,
                         pv.rate, c.start if c else None, c.end if c else None, (c.space or None) if c else None,
                         months, due, paid, unpaid, wrong))
        for d in pv.dues:
            arrears = d.due - d.paid if d.due is not None and d.status in ("已缴", "金额不符") else None
            dues.append((p.id, p.name, d.month, pv.rate, d.revenue, d.due, d.paid, d.status, arrears))
    return (
        Table("partners", "合作方", "每个合作方：给基金的钱、承接的项目；有分成合同的，合同与应缴、已缴合计",
              PARTNER_COLUMNS, tuple(partners), ("partner",)),
        Table("merchant_dues", "商户分成", "有分成合同的商户每月的营业收入、应缴、已缴和状态（合同开始至今）",
              DUE_COLUMNS, tuple(dues), ("partner", "month"), ((("partner",), "partners", ("partner",)),)),
    )


# --- Budgets (the first data packages' table, kept) -------------------------------

BUDGET_COLUMNS: tuple[Column, ...] = (
    Column("project", "项目编号", "string", "项目编号", schema={"columnType": "activity:generic:project:code", **_REQUIRED}),
    Column("title", "项目名称", "string", "项目名称", schema={"columnType": "activity:generic:project:label", **_REQUIRED}),
    Column("category", "类别", "string", "支出类别", schema={"columnType": "functional-classification:generic:code"}),
    Column("stage", "阶段", "string", "点单、派单、接单、实施、完成、评单", schema={"columnType": "activity:generic:project:status"}),
    Column("approved", "批准日期", "date", "居民议事会等批准的日期，未批准为空", schema={"columnType": "date:fiscal:activity-approval"}),
    Column("budget", "预算", "number", "批准的预算（元）", schema={**_REQUIRED, "normalize": {"phase": "approved"}}),
    Column("spent", "已支出", "number", "至今已支出（元），含更正", schema={**_REQUIRED, "normalize": {"phase": "executed"}}),
)


def budgets_table(views: dict[str, ProjectView]) -> Table:
    rows = tuple((v.project.id, v.project.title, v.project.category, v.project.stage,
                  v.project.approved.date if v.project.approved else None, v.project.budget, v.spent)
                 for v in (views[pid] for pid in sorted(views)))
    return Table("budgets", "项目预算与支出", "每个项目批准的预算和至今的支出（早期数据包的表，新的读者请用 projects）",
                 BUDGET_COLUMNS, rows, ("project",), (),
                 ({"name": "amount", "title": "金额", "type": "number", "columnType": "value", "normalizationTarget": True},
                  {"name": "phase", "title": "阶段", "type": "string", "columnType": "phase:id"}))


# --- A fund's tables ---------------------------------------------------------------


# --- Annual reports (年度报告): the tables of each published report, one row per year and item ----

_YEAR = Column("year", "年度", "integer", "报告的年度", 6, schema=_REQUIRED)

ANNUAL_SUMMARY_COLUMNS: tuple[Column, ...] = (
    _YEAR,
    Column("published", "公布日期", "date", "年度报告公布的日期", 11),
    Column("opening", "年初余额", "number", "上年末基金的钱（元）", 12),
    Column("carried", "期初结转", "number", "本年转入的建账前结余（元），不是收入", 12),
    Column("income", "本年收入", "number", "本年收入合计（元）", 12),
    Column("spending", "本年支出", "number", "本年支出合计（元；退款冲减）", 12),
    Column("closing", "年末余额", "number", "年末基金的钱（元）", 12),
    Column("bank_books", "年末银行存款（账面）", "number", "账上银行存款的年末余额（元）", 14),
    Column("bank_asserted", "年末银行对账单", "number", "12 月银行对账单的余额（元）；未核对为空", 14),
    Column("free", "年末非定向结余", "number", "年末各来源可用于任何项目的钱合计（元）", 14),
    Column("restricted", "年末定向结余", "number", "年末指定给项目、尚未用完的钱合计（元）", 14),
)

ANNUAL_SOURCE_COLUMNS: tuple[Column, ...] = (
    _YEAR,
    Column("source", "来源", "string", "资金来源（政府拨、社区筹、企业捐、居民集、商户分成……）", 12, schema=_REQUIRED),
    Column("carried", "期初结转", "number", "本年转入的该来源的建账前结余（元）", 12),
    Column("income", "本年收入", "number", "本年该来源的收入（元）", 12),
    Column("spent", "本年支出", "number", "本年由该来源支付的支出（元）", 12),
    Column("free", "年末非定向结余", "number", "年末该来源可用于任何项目的钱（元）", 14),
    Column("restricted", "年末定向结余", "number", "年末该来源指定给项目、尚未用完的钱（元）", 14),
)

ANNUAL_CATEGORY_COLUMNS: tuple[Column, ...] = (
    _YEAR,
    Column("category", "类别", "string", "支出类别", 14, schema=_REQUIRED),
    Column("spending", "本年支出", "number", "本年该类别的支出（元）", 12),
)

ANNUAL_PROJECT_COLUMNS: tuple[Column, ...] = (
    _YEAR,
    Column("project", "项目编号", "string", "项目编号，见 projects 资源", 14, schema=_REQUIRED),
    Column("title", "项目", "string", "项目名称", 24),
    Column("stage", "年末所处环节", "string", "到年末走到的环节（点单、派单、接单、实施、完成、评单）", 8),
    Column("budget", "预算", "number", "项目预算（元）", 12),
    Column("spent", "本年支出", "number", "本年在该项目上的支出（元）", 12),
    Column("spent_to_end", "截至年末累计支出", "number", "从开始到年末在该项目上的支出（元）", 14),
    Column("paid_by", "本年支付来源", "string", "本年支出由哪些来源支付，各来源金额以“、”分隔", 28),
)

ANNUAL_SHARE_COLUMNS: tuple[Column, ...] = (
    _YEAR,
    Column("partner", "商户编号", "string", "合作方编号，见 partners 资源", 16, schema=_REQUIRED),
    Column("name", "商户", "string", "合作方名称", 20),
    Column("months", "合同月数", "integer", "本年在合同期内的月数", 6),
    Column("due", "应缴", "number", "已申报营业收入的月份按合同应缴的合计（元）", 12),
    Column("paid", "已缴", "number", "本年已缴分成合计（元）", 12),
    Column("short", "少缴", "number", "实缴少于应缴的合计（元）", 12),
    Column("unpaid", "未缴月份", "string", "已到期限仍未缴的月份，以“、”分隔", 24),
)


def annual_tables(district: District, code: str, as_of: dt.date | None = None,
                  views: dict[int, AnnualView] | None = None) -> list[Table]:
    """The tables of the fund's published annual reports (views/annual.py, the same view as the
    report pages: `views` when the caller has them), one row per year and item; none when no
    report is published by `as_of`."""
    from .views.annual import annual_views

    if views is None:
        views = annual_views(district, code, as_of or district.last_date or dt.date.today())
    if not views:
        return []
    years = [views[y] for y in sorted(views)]
    summary = tuple(
        (v.year, v.record.date, v.figures.opening, v.figures.carried, v.figures.income_total, v.figures.spending_total,
         v.figures.closing, v.figures.bank_closing, v.months[-1].bank_asserted if v.months else None,
         v.figures.free_total, v.figures.restricted_total)
        for v in years
    )
    sources = tuple(
        (v.year, x.source, x.opening, x.income, x.spent, x.balance, sum(x.restricted.values(), Decimal(0)))
        for v in years for x in v.figures.sources
    )
    categories = tuple((v.year, cat, amount) for v in years for cat, amount in v.figures.spending_by_category.items())
    projects = tuple(
        (v.year, p.view.project.id, p.view.project.title, p.stage, p.view.project.budget, p.spent, p.spent_to_end,
         "、".join(f"{s} {money(a)}" for s, a in p.by_source.items()))
        for v in years for p in v.projects
    )
    shares = tuple((v.year, x.partner, x.name, x.months, x.due, x.paid, x.short, "、".join(x.unpaid)) for v in years for x in v.shares)
    key = (("year",), "annual_summary", ("year",))
    return [
        Table("annual_summary", "年度报告·收支概况", "每份已公布的年度报告：年初、年末余额，本年收支，年末银行存款和对账单，年末结余",
              ANNUAL_SUMMARY_COLUMNS, summary, ("year",)),
        Table("annual_sources", "年度报告·各来源", "每份年度报告中各来源的本年收入、支出和年末结余（非定向、定向）",
              ANNUAL_SOURCE_COLUMNS, sources, ("year", "source"), (key,)),
        Table("annual_categories", "年度报告·支出类别", "每份年度报告中各支出类别的本年支出",
              ANNUAL_CATEGORY_COLUMNS, categories, ("year", "category"), (key,)),
        Table("annual_projects", "年度报告·项目", "每份年度报告列出的项目：年末环节、预算、本年支出、累计支出和支付来源",
              ANNUAL_PROJECT_COLUMNS, projects, ("year", "project"), (key, (("project",), "projects", ("project",)))),
        Table("annual_shares", "年度报告·商户分成", "每份年度报告中各商户本年的应缴、已缴、少缴和未缴月份",
              ANNUAL_SHARE_COLUMNS, shares, ("year", "partner"), (key, (("partner",), "partners", ("partner",)))),
    ]


@dataclass(frozen=True)
class FundTables:
    rows: list[Row]  # transactions, whole history
    tables: list[Table]  # every table of the fund's pages but transactions, in download order


def fund_tables(district: District, code: str, as_of: dt.date | None = None, *,
                projects: dict[str, ProjectView] | None = None, partners: dict[str, PartnerView] | None = None,
                annuals: dict[int, AnnualView] | None = None) -> FundTables:
    """`projects`, `partners` (id -> view), `annuals`: the fund's views, when the caller has them
    (site/parts.py computes them for the pages; the tables are the same views, not made again)."""
    rows, spent = _walk(district, code)
    views = all_project_views(district, code) if projects is None else projects
    fc = district.books[code].fc
    shown, dues = partners_tables([partners[pid] if partners is not None else partner_view(district, code, pid) for pid in fc.partners])
    tables = [split_table(spent), projects_table(district, views), outcomes_table(views), shown, dues]
    return FundTables(rows, [*tables, *annual_tables(district, code, as_of, annuals), budgets_table(views)])


# These tables span funds on the site's lists (projects, partners): the district has them too.
DISTRICT_TABLES = ("projects", "project_outcomes", "partners", "merchant_dues")


Memo = Callable[[tuple, Callable[[], object]], object]  # (key parts, make) -> made, or kept from an earlier build


def _made(memo: Memo | None, key: tuple, make: Callable[[], T]) -> T:
    return make() if memo is None else memo(key, make)  # type: ignore[return-value]


def _package(district: District, name: str, title: str, description: str, keywords: list[str],
             start: dt.date, end: dt.date, tables: Sequence[Table], base: str, memo: Memo | None = None) -> dict[str, bytes]:
    """A Tabular Data Package with the Fiscal Data Package's modelling where it
    fits: `columnType` on the fields, the currency as a constant extra field,
    budget and spent as the approved and executed phases of one measure,
    and the package's `fiscalPeriod`, `countryCode` and `granularity`."""
    currency = _currency(district)
    out: dict[str, bytes] = {}
    resources = []
    for table in tables:
        path, body, resource = _made(memo, ("resource", table, currency),
                                     lambda table=table: package_resource(table, currency))  # type: ignore[misc]
        out[f"{base}/{path}"] = body
        resources.append(resource)
    descriptor = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "licenses": [LICENSE],
        "keywords": ["阳光账本", "社区基金", *keywords, "fiscal"],
        "countryCode": "CN",
        "fiscalPeriod": {"start": start.isoformat(), "end": end.isoformat()},
        "granularity": "transactional",
        "resources": resources,
    }
    out[f"{base}/datapackage.json"] = _json(descriptor)
    return out


def _span(district: District, code: str, rows: list[Row]) -> tuple[dt.date, dt.date]:
    fund = district.books[code].fc.fund
    start = min([fund.opened, *(r.date for r in rows[:1])])
    return start, rows[-1].date if rows else start


def datapackage(district: District, code: str, rows: list[Row], tables: Sequence[Table] | None = None) -> dict[str, bytes]:
    """The fund's data package: transactions and every other table of its pages."""
    fund = district.books[code].fc.fund
    if tables is None:
        tables = fund_tables(district, code).tables
    start, end = _span(district, code, rows)
    level = LEVEL_NAMES[fund.level]
    description = (
        f"{district.content.district.name}·{fund.name}（{level}{fund.kind}）"
        f"自 {start.isoformat()} 至 {end.isoformat()} "
        "的每一笔收支、每笔支出由哪些来源支付、项目（预算、支出、各步日期、成效、评分）、合作方和商户分成，"
        "取自基金的公开账本。金额单位为元，收支明细中收入为正、支出为负；"
        "未同意公开姓名的居民捐赠人已打码。"
        f"文字列：{FORMULA_NOTE}"
    )
    return _package(district, f"sunledger-{code.lower()}", f"{fund.name}收支明细", description, [fund.name], start, end,
                    [transactions_table(rows), *tables], f"{ROOT}/{code}/datapackage")


def _json(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- Public API ----------------------------------------------------------------


def fund_years(rows: list[Row]) -> list[int]:
    return sorted({r.date.year for r in rows})


def fund_downloads(district: District, code: str, as_of: dt.date | None = None) -> dict[str, bytes]:
    """Relative output path -> bytes: the transactions for the whole history and each
    calendar year that has transactions, every other table, as CSV and XLSX, and the data package."""
    return _fund_downloads(district, code, fund_tables(district, code, as_of))


def _fund_downloads(district: District, code: str, ft: FundTables) -> dict[str, bytes]:
    fund = district.books[code].fc.fund
    rows = ft.rows
    base = f"{ROOT}/{code}"
    stamp = rows[-1].date if rows else fund.opened
    out = table_files(transactions_table(rows), base, f"{fund.name}收支明细", stamp)
    for year in fund_years(rows):
        part = [r for r in rows if r.date.year == year]
        out.update(table_files(transactions_table(part), base, f"{fund.name}{year}年收支明细", part[-1].date,
                               f"transactions-{year}"))
    for table in ft.tables:
        if table.name != "budgets":  # in the data package only, as before
            out.update(table_files(table, base, f"{fund.name}{table.title}", stamp))
    out.update(datapackage(district, code, rows, ft.tables))
    return out


def _index_entry(district: District, code: str, ft: FundTables, files: dict[str, bytes]) -> dict:
    fund = district.books[code].fc.fund
    rows = ft.rows
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
        "tables": {
            t.name: {"title": t.title, "rows": len(t.rows), "csv": ref(f"{base}/{t.name}.csv"), "xlsx": ref(f"{base}/{t.name}.xlsx")}
            for t in ft.tables if f"{base}/{t.name}.csv" in files
        },
        "datapackage": ref(f"{base}/datapackage/datapackage.json"),
    }


def district_tables(funds: dict[str, FundFiles]) -> list[Table]:
    """The tables that span funds, each fund's rows with its code and name in front."""
    out = []
    for name in DISTRICT_TABLES:
        parts = [ff.shared[name] for ff in funds.values() if name in ff.shared]
        if parts:
            out.append(concat(parts))
    return out


def _district_files(district: District, funds: dict[str, FundFiles], memo: Memo | None = None) -> dict[str, bytes]:
    tables = district_tables(funds)
    if not tables:
        return {}
    name = district.content.district.name
    base = f"{ROOT}/{DISTRICT}"
    stamp = district.last_date or min(district.books[c].fc.fund.opened for c in funds)
    out: dict[str, bytes] = {}
    for t in tables:  # each table spans every fund: kept while its rows are the same (`memo`)
        made: dict[str, bytes] = _made(memo, ("files", t, base, name, stamp),
                                       lambda t=t: table_files(t, base, f"{name}{t.title}", stamp))  # type: ignore[misc]
        out.update(made)
    spans = [ff.span for ff in funds.values()]
    description = (f"{name}各基金的项目（预算、支出、各步日期、各来源支付的部分、成效、评分）、合作方和商户分成，"
                   f"每行注明基金代码与名称；各基金的收支明细见各自的数据包。文字列：{FORMULA_NOTE}")
    out.update(_package(district, "sunledger-district", f"{name}项目、合作方与商户分成", description, [name],
                        min(s for s, _ in spans), max(e for _, e in spans), tables, f"{base}/datapackage", memo))
    return out


@dataclass(frozen=True)
class FundFiles:
    """One fund's downloads, and what the district's files take from them: its line of
    downloads/index.json, its rows of the tables that span funds, and its span of days.
    Made where the fund's books are loaded (site/parts.py), so the district's files need no entries."""

    files: dict[str, bytes]
    entry: dict
    shared: dict[str, Table]  # DISTRICT_TABLES name -> the fund's table with its code and name in front
    span: tuple[dt.date, dt.date]


def fund_files(district: District, code: str, as_of: dt.date | None = None, **known) -> FundFiles:
    """`known`: the fund's views the caller has already (`fund_tables`)."""
    ft = fund_tables(district, code, as_of, **known)
    files = _fund_downloads(district, code, ft)
    name = district.books[code].fc.fund.name
    shared = {t.name: t.with_fund(code, name) for t in ft.tables if t.name in DISTRICT_TABLES}
    return FundFiles(files, _index_entry(district, code, ft, files), shared, _span(district, code, ft.rows))


def district_files(district: District, funds: dict[str, FundFiles], memo: Memo | None = None) -> dict[str, bytes]:
    """The district's tables, their package, and `downloads/index.json` listing every fund's files
    (`funds` in code order; `district` needs its content and last date, not its entries). `memo`
    keeps a table's files by its rows: a build after an edit that left them alone writes them again
    without making them (an XLSX of every project of 200 funds takes seconds)."""
    out = _district_files(district, funds, memo)
    index: dict = {
        "title": f"{district.content.district.name} 基金收支数据下载",
        "last_date": district.last_date.isoformat() if district.last_date else None,
        "license": LICENSE,
        "columns": [{"name": n, "title": t} for n, t, _, _ in COLUMNS],
        "funds": [ff.entry for ff in funds.values()],
    }
    if out:
        rel = len(ROOT) + 1
        index["district"] = {
            "tables": sorted(k[rel:] for k in out if "/datapackage/" not in k),
            "datapackage": f"{DISTRICT}/datapackage/datapackage.json",
        }
    out[f"{ROOT}/index.json"] = _json(index)
    return out


def district_downloads(district: District, as_of: dt.date | None = None) -> dict[str, bytes]:
    """Every fund's downloads, the district's tables, and `downloads/index.json` listing them for machines."""
    funds = {code: fund_files(district, code, as_of) for code in sorted(district.books)}
    out = {path: data for ff in funds.values() for path, data in ff.files.items()}
    out.update(district_files(district, funds))
    return dict(sorted(out.items()))
