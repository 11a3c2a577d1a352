"""Atom feeds a resident follows a fund with: each sealed month, each report, each correction.

    funds/<CODE>/feed.xml   one fund
    feed.xml                the district (every fund's entries, the fund's name before each title)

Written at build time as static files (plugin.on_files), by feedgen (lxml escapes the text).
Everything in them comes from the ledger and content/, never from the build's clock: an entry is
dated by its seal (月度公示), its report's date (项目报告, 年度报告 at its own page) or its own entry date (冲正),
and a feed's <updated> is its newest entry's date. Ids are the pages' absolute addresses (plus a
fragment naming the report or correction), so a reader sees the same entry across builds.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from . import fmt
from .pages import Portal, annual_url, fund_url, notice_url, project_url

FEED = "feed.xml"
MAX_ENTRIES = 100  # the newest; a reader has the rest already, the pages have everything
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
ATOM = "application/atom+xml"
# XML 1.0 allows no control characters but tab and line breaks; lxml refuses them (a build error)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def fund_feed_url(code: str) -> str:
    return f"{fund_url(code)}{FEED}"


_WRITTEN = re.compile(rf"(?:funds/[^/]+/)?{re.escape(FEED)}")  # FEED, fund_feed_url(code)


def is_feed(rel: str) -> bool:
    """Whether site path `rel` is where the plugin writes a feed (a file of content/ there is refused
    at build time, plugin._add), for the output scan, which refuses other .xml files."""
    return bool(_WRITTEN.fullmatch(rel))


@dataclass(frozen=True)
class Item:
    id: str  # absolute: site_url + page (+ #fragment)
    title: str
    link: str  # absolute
    date: dt.date
    summary: str


def _text(value: str) -> str:
    return _NOT_XML.sub("", " ".join(str(value).split()))


def _stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), CHINA)


def fund_items(portal: Portal, code: str) -> list[Item]:
    """The fund's entries, newest first."""
    site = portal.site_url
    fund = portal.d.books[code].fc.fund
    items: list[Item] = []
    for n in portal.notices[code]:
        url = site + notice_url(code, n.month)
        if n.sealed_on is not None:
            items.append(Item(url, f"{fmt.month_zh(n.month)}收支公示（已封账）", url, n.sealed_on,
                              f"收入 {fmt.money(n.income)} 元，支出 {fmt.money(n.spending)} 元，"
                              f"月末余额 {fmt.money(n.closing)} 元。"))
        for c in n.corrections_made:
            line = c.line
            # the entry itself names the correction: the same entry keeps its id whatever moves around it
            key = hashlib.sha256("\x1f".join(map(str, (line.date, c.corrects, line.payee, line.narration,
                                                         line.amount, c.reason))).encode()).hexdigest()[:12]
            target = site + notice_url(code, c.corrects)
            items.append(Item(f"{target}#冲正-{key}", f"冲正：更正{fmt.month_zh(c.corrects)}的账目", target, c.date,
                              f"{fmt.date_zh(c.date)}：{c.reason}（{line.payee} {line.narration}，"
                              f"{fmt.money(line.amount)} 元）"))
    for pid in portal.own_projects(code):
        v = portal.projects[pid]
        url = site + project_url(pid)
        for shown, (r, _figures) in enumerate(v.reports):  # the page's order; the id keeps the YAML's index
            i = v.project.reports.index(r)
            items.append(Item(f"{url}#报告-{r.date.isoformat()}-{r.kind}-{i}", r.title or f"{v.project.title} {r.kind}报告",
                              f"{url}#{v.anchor(shown)}", r.date, r.summary or f"{v.project.title}的{r.kind}报告"))
    for year, a in portal.annuals[code].items():  # the published ones: each has its page
        url = site + annual_url(code, year)
        items.append(Item(url, a.title, url, a.record.date, f"{fund.name} {year} 年的收支与项目"))
    return sorted(items, key=lambda it: (it.date, it.id), reverse=True)


def atom(portal: Portal, feed_id: str, title: str, page: str, items: list[Item], opened: dt.date) -> bytes:
    """One Atom document: `page` is the site page it follows, `feed_id` its own address."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(_text(title))
    fg.author({"name": _text(portal.d.content.district.name)})
    fg.link(href=page, rel="alternate", type="text/html")
    fg.link(href=feed_id, rel="self", type=ATOM)
    fg.language("zh-CN")
    fg.generator("阳光账本 sunledger")
    shown = items[:MAX_ENTRIES]
    fg.updated(_stamp(max((it.date for it in shown), default=opened)))
    for it in shown:
        fe = fg.add_entry(order="append")
        fe.id(it.id)
        fe.title(_text(it.title))
        fe.link(href=it.link, rel="alternate", type="text/html")
        fe.updated(_stamp(it.date))
        fe.published(_stamp(it.date))
        fe.summary(_text(it.summary))
    return fg.atom_str(pretty=True)


def feeds(portal: Portal, skip: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Site path -> Atom document, for every fund but those in `skip` (their page group holds theirs:
    site/pagecache.py) and the district."""
    site = portal.site_url
    out: dict[str, bytes] = {}
    everything: list[Item] = []
    first = min((portal.d.books[c].fc.fund.opened for c in portal.order), default=dt.date(2000, 1, 1))
    for code in portal.order:
        name = portal.summaries[code].name
        # made from the fund's part and the site's address alone: kept by its key
        items = portal.fragment(code, ("feed", site), functools.partial(fund_items, portal, code))
        if code not in skip:
            out[fund_feed_url(code)] = atom(portal, site + fund_feed_url(code), f"{name} 公示与报告",
                                            site + fund_url(code), items, portal.d.books[code].fc.fund.opened)
        everything += [Item(it.id, f"{name}：{it.title}", it.link, it.date, it.summary) for it in items]
    everything.sort(key=lambda it: (it.date, it.id), reverse=True)
    out[FEED] = atom(portal, site + FEED, f"{portal.d.content.district.name} 公示与报告", site, everything, first)
    return out


def links(code: str | None) -> list[tuple[str, str]]:
    """(title, site path) of the feeds a page of fund `code` (None: of no fund) offers."""
    fund = [("本基金的公示与报告（Atom）", fund_feed_url(code))] if code else []
    return [*fund, ("全区的公示与报告（Atom）", FEED)]
