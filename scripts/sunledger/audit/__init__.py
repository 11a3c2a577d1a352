"""审计报告 in Fava: enable with

    2024-01-01 custom "fava-extension" "sunledger.audit"

The district is built once per load from the entries Fava already holds
(`district.district_from_entries`: the books are not loaded a second time);
each request only picks a fund and a period
(`?fund=Guangming&start=2025-01&end=2025-12`) and renders the pure view
`views.audit.audit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fava.ext import FavaExtensionBase
from flask import request

from ..district import District, district_from_entries
from ..periods import parse_month
from ..views.audit import KINDS, Audit, audit, default_period


@dataclass
class Page:
    """What the template shows: the choices, and the report or why there is none."""

    funds: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of funds with entries
    code: str = ""
    start: str = ""
    end: str = ""
    report: Audit | None = None
    message: str = ""
    kinds: tuple[str, ...] = KINDS


class AuditReport(FavaExtensionBase):
    """审计报告：按基金和期间汇总收支、资金来源、定向资金、预算执行、商户分成与例外事项。"""

    report_title = "审计报告"

    def __init__(self, ledger: Any, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._district: District | None = None
        self._built_from: object = None

    def after_load_file(self) -> None:
        self._district = None
        self._built_from = None

    def district(self) -> District | None:
        entries = self.ledger.all_entries
        if self._built_from is not entries:
            self._district = district_from_entries(  # Fava types them as Sequence/TypedDict; the loader's lists and dict
                entries, self.ledger.load_errors, self.ledger.options, as_of=dt.date.today()  # type: ignore[arg-type]
            )
            self._built_from = entries
        return self._district

    def page(self) -> Page:
        district = self.district()
        if district is None:
            return Page(message="账本所在目录及其上级没有 sunledger.yml：这不是阳光账本的区账本。")
        funds = [(code, b.fc.fund.name) for code, b in district.books.items() if b.txns]
        page = Page(funds)
        if not funds:
            page.message = "账本中还没有任何基金的交易。"
            return page
        wanted = request.args.get("fund") or funds[0][0]
        by_ledger_code = {b.fc.fund.account_code: code for code, b in district.books.items()}
        code = wanted if wanted in district.books else by_ledger_code.get(wanted)
        if code is None:
            page.message = f"没有代码为 {wanted} 的基金。"
            return page
        page.code = code
        first, last = default_period(district, code)
        page.start = parse_month(request.args.get("start"), first) or ""
        page.end = parse_month(request.args.get("end"), last, end=True) or ""
        if not page.start or not page.end:
            page.message = "月份格式应为 YYYY-MM（例如 2025-01）。"
        elif page.start > page.end:
            page.message = f"起始月份 {page.start} 晚于截止月份 {page.end}。"
        else:
            page.report = audit(district, code, page.start, page.end, as_of=dt.date.today())
        return page

    def queries(self) -> list[Any]:
        """The ledger's saved `query` directives (ledger/queries.beancount)."""
        return list(self.ledger.all_entries_by_type.Query)

    def rel(self, filename: str) -> str:
        """A path as `sunledger check` prints it: relative to the district root."""
        district = self.district()
        if district is None or not filename:
            return filename
        try:
            return str(Path(filename).resolve().relative_to(district.root))
        except (ValueError, OSError):
            return filename

    @staticmethod
    def yuan(amount: Decimal | None) -> str:
        return "" if amount is None else f"{amount:,.2f}"

    @staticmethod
    def share(part: Decimal, whole: Decimal) -> str:
        return f"{part * 100 / whole:.1f}%" if whole else ""
