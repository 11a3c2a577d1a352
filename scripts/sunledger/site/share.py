"""What a page says of itself when shared (og: tags) and to search engines (meta description).

One line of plain text per generated page, from the facts the page shows; overrides/main.html
writes it escaped with the page's own title. No image: a card with an og:image from another site
would make every chat app fetch it, and the site has no picture of its own to show.
"""

from __future__ import annotations

from ..content.models import LEVEL_NAMES
from . import fmt
from .pages import Portal, fund_url, notice_url, partner_url, project_url, src_of

SUMMARY_CHARS = 120


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text[:SUMMARY_CHARS] + ("……" if len(text) > SUMMARY_CHARS else "")


def summaries(portal: Portal, skip: frozenset[str] = frozenset()) -> dict[str, tuple[str | None, str]]:
    """src_uri of each generated page -> (its fund's code or None, its summary), but the pages of
    the funds in `skip` (their pages come from the page cache as they were drawn: site/pagecache.py)."""
    d = portal.d
    out: dict[str, tuple[str | None, str]] = {}
    funds = len(portal.order)
    out[src_of("")] = (None, f"{d.content.district.name}：{funds} 个基金的收入、支出、项目和每月公示，全部公开")
    out[src_of("projects/")] = (None, f"{len(portal.projects)} 个项目的进度、预算和支出")
    out[src_of("partners/")] = (None, "承接项目和与基金合作的单位、团队")
    for code in portal.order:
        if code in skip:
            continue
        s = portal.summaries[code]
        fund = d.books[code].fc.fund
        level = LEVEL_NAMES.get(fund.level, "")
        out[src_of(fund_url(code))] = (code, _short(
            f"{s.name}（{level}）：余额 {fmt.money(s.balance)} 元，{len(d.books[code].fc.projects)} 个项目。{fund.description}"))
        for n in portal.notices[code]:
            out[src_of(notice_url(code, n.month))] = (code, (
                f"{n.name} {fmt.month_zh(n.month)}：收入 {fmt.money(n.income)} 元，支出 {fmt.money(n.spending)} 元，"
                f"月末余额 {fmt.money(n.closing)} 元"))
        for pv in portal.partners[code]:
            out[src_of(partner_url(code, pv.partner.id))] = (code, _short(
                f"{pv.partner.name}（{pv.partner.kind}，{s.name}）{pv.partner.description}"))
        for pid in portal.own_projects(code):
            v = portal.projects[pid]
            p = v.project
            out[src_of(project_url(pid))] = (v.code, _short(
                f"{v.fund_name} · {p.category} · {p.stage}：预算 {fmt.money(p.budget)} 元，已支出 {fmt.money(v.spent)} 元。{p.need}"))
    return out
