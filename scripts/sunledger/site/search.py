"""What residents search for: one short entry per fund, project and partner.

Material's search plugin indexes every section of every page. On a district
that meant each project's transaction table, the project list and the home
page's fund table: 7.5 MB for 20 funds, and a third of the build time spent
parsing generated HTML to feed jieba. Generated pages are therefore kept out
of Material's index (`search: exclude`) and these entries are added to the
index it wrote: the names a resident types (fund, project, partner, payee)
and a line of context, segmented the way Material segments Chinese.
"""

from __future__ import annotations

import json
import re
from html import escape
from collections.abc import Iterable
from pathlib import Path

from ..content.models import LEVEL_NAMES
from . import fmt
from .pages import Portal, fund_url, partner_url, project_url

try:  # the search plugin segments Chinese with jieba when it is installed; so do we
    import jieba
except ImportError:  # pragma: no cover - jieba is a dependency
    jieba = None

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Size: at 200 funds (10k projects) every byte of an entry is 10 kB of the index a phone
# downloads; numbers are read on the page, not searched for.
NEED_CHARS = 40  # enough of the need to recognise it in a result
MAX_PAYEES = 8


def segment(text: str) -> str:
    """Han runs cut into words joined by U+200B, as Material's SearchIndex._segment_chinese does."""
    if jieba is None:
        return text
    return _HAN.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut(m.group(0))) + "\u200b", text).strip("\u200b")


# Material's per-document boost: short partner entries otherwise outrank the project a resident
# typed a word of (lunr favours short fields), e.g. "退休教师" above "家庭教育课堂" for 家庭教育.
BOOST = {"funds": 3, "projects": 2}


def _entry(location: str, title: str, parts: Iterable[str]) -> dict:
    """One index entry. Material shows an entry's title and text as HTML (as its own index holds
    them: the HTML of headings and paragraphs), so names and needs go in escaped."""
    text = " · ".join(p for p in parts if p)
    entry = {"location": location, "title": segment(escape(title)), "text": segment(escape(text))}
    boost = BOOST.get(location.split("/", 1)[0])
    if boost:
        entry["boost"] = boost
    return entry


def entries(portal: Portal) -> list[dict]:
    """Index entries for every fund, project and partner page, in page order."""
    out = []
    for code in portal.order:
        s = portal.summaries[code]
        fund = portal.d.books[code].fc.fund
        out.append(_entry(fund_url(code), s.name, [
            LEVEL_NAMES.get(fund.level, ""),
            portal.parent_name(code) or "",
            f"余额 {fmt.money(s.balance)} 元",
            f"{len(portal.d.books[code].fc.projects)} 个项目",
        ]))
    for pid, v in portal.projects.items():
        p = v.project
        payees = []
        for line in v.lines:
            if line.payee and line.payee not in payees:
                payees.append(line.payee)
        need = p.need.strip().replace("\n", " ")
        out.append(_entry(project_url(pid), p.title, [
            v.fund_name,
            p.category,
            p.stage,
            # a space, not "：": Material's separator has no "：", and "：名称" is no word a resident types
            f"承接方 {v.partner.name}" if v.partner else "",
            need[:NEED_CHARS] + ("……" if len(need) > NEED_CHARS else ""),
            "收款方 " + "、".join(payees[:MAX_PAYEES]) if payees else "",
        ]))
    for code in portal.order:
        for pv in portal.partners[code]:
            out.append(_entry(partner_url(code, pv.partner.id), pv.partner.name, [
                pv.partner.kind,
                portal.summaries[code].name,
                f"承接 {len(pv.projects)} 个项目" if pv.projects else "",  # the titles are their own entries
            ]))
    return out


def add_to_index(path: Path, extra: list[dict]) -> int:
    """Append `extra` to Material's search_index.json; returns its new size in bytes.

    Written without \\u escapes: each Chinese character then costs 3 bytes, not 6.
    """
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = list(index.get("docs", [])) + extra
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(data)
    return len(data)
