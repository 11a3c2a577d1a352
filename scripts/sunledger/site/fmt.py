"""How numbers, dates and links look on the site."""

from __future__ import annotations

import datetime as dt
import posixpath
from decimal import Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | None) -> str:
    """12345.6 -> '12,345.60' (always two decimals, the fen is part of the record)."""
    if value is None:
        return "—"
    q = Decimal(value).quantize(CENT)
    sign = "-" if q < 0 else ""
    return f"{sign}{abs(q):,.2f}"


def plain(value: Decimal | int) -> str:
    """Machine-readable amount for data attributes: '12345.60'."""
    return str(Decimal(value).quantize(CENT))


def short_money(value: Decimal | float) -> str:
    """Axis labels: 12000 -> '1.2万', 800 -> '800'."""
    v = float(value)
    if abs(v) >= 10000:
        text = f"{v / 10000:.1f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return f"{v:,.0f}"


def month_zh(month: str) -> str:
    """'2025-03' -> '2025年3月'."""
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def date_zh(day: dt.date | None) -> str:
    if day is None:
        return "—"
    return f"{day.year}年{day.month}月{day.day}日"


def href(from_url: str, to_url: str) -> str:
    """Relative link between two site urls ('funds/A/' -> 'projects/X/' = '../../projects/X/').

    Urls are mkdocs page urls (directory style, '' for the home page); the
    result works from a file:// copy and any sub-path the site is served at.
    """
    base = from_url if from_url.endswith("/") or from_url == "" else posixpath.dirname(from_url) + "/"
    target, _, anchor = to_url.partition("#")
    rel = posixpath.relpath("/" + target, "/" + base)
    if target.endswith("/") or target == "":
        rel = "./" if rel == "." else rel + "/"
    return rel + ("#" + anchor if anchor else "")
