"""Every page of the portal, rendered from one loaded district.

No mkdocs here: `Portal.pages()` yields (src_uri, title, markdown) triples the
plugin turns into `File.generated`. The markdown holds the headings (for the
table of contents, anchors and search sections) and HTML blocks for tables and
charts, which Python-Markdown passes through without parsing them.

URL scheme (browser tests depend on it):
    /                                   home
    /funds/<CODE>/                      fund
    /funds/<CODE>/notices/<YYYY-MM>/    monthly notice (print for the 公示栏)
    /funds/<CODE>/reports/<YYYY>/       annual report of a closed year (print on A4)
    /funds/<CODE>/disclosures/          信息公开目录: every disclosure, its deadline and state
    /funds/<CODE>/<YYYY>/               a fund's year
    /levels/<ID>/  /levels/<ID>/<YYYY>/ a node of content/district.yml (区, 街道, 社区), whole and per year
    /projects/  /projects/<ID>/         projects
    /partners/  /partners/<CODE>/<ID>/  partners
    /downloads/<CODE>/...               downloads (from sunledger.downloads)
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

from ..config import Disclosure
from ..content.models import IN_PROGRESS, LEVEL_NAMES, STAGES, Contact, NoticeBoard
from ..district import District, funds_checksum
from ..ledger import deadlines
from ..periods import month_of
from ..views.annual import AnnualView
from ..views.common import ZERO
from ..views.disclosure import Catalogue
from ..views.fund import Figures, FundSummary, Periods, summary
from ..views.level import LevelView, Place, level_view
from ..views.level import tree as level_tree
from ..views.notice import Notice
from ..views.partner import PartnerView
from ..views.project import ProjectBrief, ProjectView
from . import charts, fmt, glossary
from .qr import qr_svg

if TYPE_CHECKING:
    from .parts import FundPart, FundViews
from .text import html_text, md_inline, paragraphs

# Templates are Jinja producing Markdown: headings for the toc and search, HTML blocks for the rest.
TEMPLATES = Path(__file__).parent / "templates"


def fund_url(code: str) -> str:
    return f"funds/{code}/"


def notice_url(code: str, month: str) -> str:
    return f"funds/{code}/notices/{month}/"


def annual_url(code: str, year: int) -> str:
    return f"funds/{code}/reports/{year}/"


def disclosures_url(code: str) -> str:
    return f"funds/{code}/disclosures/"


# A node's page lists this many projects (the largest spending, the first in progress); the rest are
# one line each, and on their funds' pages: a district of 200 funds has thousands of projects.
LEVEL_PROJECTS = 20


def fund_year_url(code: str, year: int) -> str:
    return f"funds/{code}/{year}/"


def level_url(node: str, year: int | None = None) -> str:
    return f"levels/{node}/{year}/" if year is not None else f"levels/{node}/"


def project_url(pid: str) -> str:
    return f"projects/{pid}/"


def partner_url(code: str, pid: str) -> str:
    return f"partners/{code}/{pid}/"


def level_group(node: str, year: int | None) -> str:
    """The page cache's name for one page of a node (site/pagecache.py)."""
    return f"level.{node}.{year if year is not None else 'all'}"


def src_of(url: str) -> str:
    """The generated file behind a directory url: 'funds/A/' -> 'funds/A/index.md'."""
    return f"{url}index.md" if url else "index.md"


@dataclass
class Page:
    src_uri: str
    title: str
    markdown: str  # headings and prose; each HTML block replaced by a token paragraph
    in_nav: bool  # detail pages stay out of the global nav
    blocks: list[str] = field(default_factory=list)  # the HTML blocks, put back by `unstash`
    group: str | None = None  # the page group (site/pagecache.py) it is kept in: its fund's, or its own (a level's)


TOKEN = "SLBLOCK{:05d}"  # noqa: S105 - a placeholder, not a password
_TOKEN_P = re.compile(r"<p>SLBLOCK(\d{5})</p>")


def stash(text: str) -> tuple[str, list[str]]:
    """Take the HTML blocks out of generated Markdown.

    Python-Markdown would run every block through html.parser only to pass it
    through unchanged; that was half of the build time of a large district.
    A block is a blank-line separated chunk starting with '<' (the templates
    never put a blank line inside one, and text from content or a ledger is
    written on one line by site/text.py, so it cannot end a block either).
    """
    blocks: list[str] = []
    out = []
    for chunk in text.split("\n\n"):
        body = chunk.strip("\n")
        if body.startswith("<"):
            out.append(TOKEN.format(len(blocks)))
            blocks.append(body)
        else:
            out.append(chunk)
    return "\n\n".join(out), blocks


def unstash(html: str, blocks: list[str]) -> str:
    """Put the blocks back into the page's HTML (`on_page_content`)."""
    return _TOKEN_P.sub(lambda m: blocks[int(m.group(1))], html)


@dataclass
class Node:
    id: str
    name: str
    level: str
    level_name: str
    summary: FundSummary | None = None
    children: list[Node] = field(default_factory=list)


def bank_mark(n: Notice) -> Markup:
    if n.matches_bank is None:
        return Markup('<span class="sl-muted" title="本月没有银行余额核对">–</span>')
    if n.matches_bank:
        return Markup('<span class="sl-ok" title="与银行对账单一致">✓</span>')
    return Markup('<span class="sl-bad" title="与银行对账单不一致">✗</span>')


@dataclass(frozen=True)
class NoticeState:
    """What a resident must know about a month's notice at the site's as-of date."""

    kind: str  # sealed | late | open | overdue
    due: dt.date  # sealed by this day at the latest (W901's deadline)
    short: str  # the mark on a month tile
    text: str  # the sentence where a notice is listed


def notice_state(n: Notice, as_of: dt.date, rules: Disclosure) -> NoticeState:
    """Sealed, sealed late, open (its deadline has not come) or overdue, as W901/W902 count it
    (the deadline is the disclosure calendar's, `deadlines.notice_due`)."""
    due = deadlines.notice_due(n.month, rules)
    if n.sealed_on is not None and n.sealed_on <= due:
        return NoticeState("sealed", due, "封", f"已封存（{fmt.date_zh(n.sealed_on)}）")
    if n.sealed_on is not None:
        return NoticeState("late", due, "封", f"已封存（{fmt.date_zh(n.sealed_on)}，晚于期限 {fmt.date_zh(due)}）")
    if as_of > due:
        return NoticeState("overdue", due, "逾期", f"逾期未封存：应于 {fmt.date_zh(due)} 前公示并封存")
    return NoticeState("open", due, "未封", f"尚未封存，账目可能调整（期限 {fmt.date_zh(due)}）")


# Type size of the printed notice (sunledger.css: sl-print-s 14pt, -m 12pt, -l 10.5pt), the largest
# whose lines fit the room the A4 sheet leaves beside the head and the foot. Measured in Chromium at
# A4 width (tests/site/test_print.py): (name, characters per line of the 摘要 column, px per text line,
# px per table row besides its text, px of room for the rows).
PRINT_SIZES = (("s", 22, 24.5, 6.0, 430), ("m", 28, 20.0, 6.0, 525))


def print_density(texts: list[int], extra_lines: int = 0) -> str:
    """The print size for a month whose table rows hold `texts` characters each, plus
    `extra_lines` lines of corrections below the table; "l" (10.5pt) when no larger size fits."""
    for name, per_line, line_px, row_px, room in PRINT_SIZES:
        need = sum(max(1, -(-n // per_line)) * line_px + row_px for n in texts) + extra_lines * line_px * 1.3
        if need <= room:
            return name
    return "l"


def _print_chars(line, title: str) -> int:
    """How many characters a line of the notice prints in its 摘要 cell (templates/_macros.html line_cells)."""
    parts = [line.payee or "—", line.narration, line.source or line.category or "", title]
    if line.kind == "期初结转":
        parts.append("期初结转")
    if line.corrects:
        parts.append(f"更正 {line.corrects}：{line.reason or ''}")
    if line.receipt:
        parts.append("有凭证（不公开）")
    return sum(len(p) + 2 for p in parts if p)


def _finalize(value):
    """Every `{{ … }}` of a template: text through `html_text`, markup made by the templates as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return html_text(value)
    return value


def _out(value) -> Markup:
    """What `{{ value }}` writes: finalized, then autoescaped."""
    return escape(_finalize(value))


def money_html(value, total=None, cls="", key=None) -> Markup:
    """An amount in its span, marked for the page's own check (a11y.js) when `total` names the figure
    it is part of: what the macro of the same name wrote, byte for byte, for a tenth of its cost
    (a macro call is ~50 µs, and a level or notice page holds hundreds of amounts)."""
    marks = ""
    if total:
        marks = f' data-sl-total="{_out(total)}" data-sl-value="{_out(fmt.plain(value))}"'
        if key:
            marks += f' data-sl-key="{_out(key)}"'
    return Markup(f'<span class="sl-money {_out(cls)}"{marks}>{_out(fmt.money(value))}</span>')  # noqa: S704 - each part escaped


def _stars(score: Decimal) -> str:
    full = int(score + Decimal("0.5"))
    return "★" * full + "☆" * (5 - full)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    env.filters.update(
        md_text=md_inline,
        paragraphs=paragraphs,
        money=fmt.money,
        plain=fmt.plain,
        month_zh=fmt.month_zh,
        date_zh=fmt.date_zh,
        md=lambda d: f"{d.month}月{d.day}日",
        ymd=lambda d: d.isoformat(),
        num=_num,
    )
    env.globals.update(
        money_html=money_html,
        fund_url=fund_url,
        fund_year_url=fund_year_url,
        level_url=level_url,
        notice_url=notice_url,
        annual_url=annual_url,
        disclosures_url=disclosures_url,
        project_url=project_url,
        partner_url=partner_url,
        bank_mark=bank_mark,
        explain_url=glossary.url,
        month_of=month_of,
        star_text=_stars,
        stage_index=lambda s: STAGES.index(s) if s in STAGES else 0,
    )
    return env


def front_matter(title: str, *, search: bool = True, hide: tuple[str, ...] = (), **extra) -> str:
    # Material writes page.title as it is into <title>, the header and the nav: escape it here.
    meta: dict = {"title": str(escape(title))}
    if not search:
        meta["search"] = {"exclude": True}
    if hide:
        meta["hide"] = list(hide)
    meta.update(extra)
    # JSON is YAML: quoting every value keeps titles like "2025-03" strings.
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


class Portal:
    """The district as the site shows it; views are computed once and shared by pages."""

    def __init__(
        self,
        district: District,
        site_url: str,
        intro: str = "",
        downloads: Mapping[str, dict[str, bytes]] | None = None,
        photos: dict[tuple[str, str], str] | None = None,
        receipts: dict[tuple[str, str], str] | None = None,
        as_of: dt.date | None = None,
        parts: dict[str, FundPart] | None = None,
        fragment: Callable[[str, tuple, Callable[[], Any]], Any] | None = None,
    ):
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        self.intro = intro
        # what is made from one fund's part alone (its project cards, search entries, feed items):
        # fragment(code, what, make), kept by the caller under the key of that fund's part (the
        # plugin: parts.Memo); `what` names everything else it is made from. Without one, made every time
        self.fragment = fragment or (lambda code, what, make: make())
        self.downloads = downloads or {}
        self.photos = photos or {}  # (fund code, photo as written) -> site path
        self.receipts = receipts or {}  # (fund code, receipt as written) -> site path
        self.as_of = as_of or district.last_date or dt.date.today()
        if parts is None:  # a loaded district (tests, scripts): its parts here, from its entries
            from .parts import parts_of

            parts = parts_of(district, self.as_of, downloads=False)
            district = district.without_entries()
        # Every view comes from a fund's part (site/parts.py): the district here holds content, not entries.
        self.d = district
        self.parts = parts
        missing = [c for c in parts if parts[c].views is None]
        assert not missing, f"no views of {missing}: their books have errors"
        self.views: dict[str, FundViews] = {c: p.views for c, p in parts.items() if p.views is not None}
        self.env = environment()
        self.env.globals["receipt_url"] = lambda line: self.receipts.get((line.fund, line.public_receipt or ""))
        self.year = district.last_date.year if district.last_date else dt.date.min.year
        self.order = self._fund_order()
        # each fund's figures per period, once: the fund page, its year pages, the levels and the annual reports read them
        v = self.views
        self.periods = Periods.of({c: v[c].years for c in self.order}, {(c, y): f for c in self.order for y, f in v[c].figures.items()})
        self.summaries = {code: summary(district.books[code].fc, self.year, self.periods, v[code].movements)
                          for code in self.order}
        # Every figure says the day it is true for: the day the site is built for (the commit's date).
        self.env.globals.update(as_of=self.as_of, as_of_text=fmt.date_zh(self.as_of))
        rules = district.config.disclosure
        self.env.globals["notice_state"] = lambda n: notice_state(n, self.as_of, rules)
        self.overdue = {code: v[code].overdue for code in self.order}
        # A fund's notices, project views and annual reports are read from the cache only when a page
        # needs them (parts.Heavy): these look them up; what lists of every fund show is in `briefs`.
        self.notices: Mapping[str, list[Notice]] = _Each(v, self.order, "notices")
        self.annuals: Mapping[str, dict[int, AnnualView]] = _Each(v, self.order, "annuals")
        self.briefs: dict[str, ProjectBrief] = {}  # every project of the district, by fund in tree order, then id
        for code in self.order:
            fc = district.books[code].fc
            for pid in sorted(v[code].spent):
                self.briefs[pid] = ProjectBrief(code, fc.fund.name, fc.projects[pid], v[code].spent[pid])
        self.projects: Mapping[str, ProjectView] = _Projects(v, self.briefs)
        self.partners: dict[str, list[PartnerView]] = {code: v[code].partners for code in self.order}
        self.titles = {pid: b.project.title for pid, b in self.briefs.items()}
        self.catalogues: dict[str, Catalogue] = {code: v[code].catalogue for code in self.order}
        self.env.globals["project_title"] = lambda pid: self.titles.get(pid, pid)
        self.env.globals["contact_html"] = self.contact_html
        self._levels(district)

    # ------------------------------------------------------------ whom to ask

    def contact(self, code: str | None = None) -> Contact:
        """The contact lines of a fund (its own fields over the district's), or of the district."""
        base = self.d.content.district.contact
        own = self.d.books[code].fc.fund.contact if code else None
        return own.over(base) if own is not None else base

    def board(self, code: str) -> NoticeBoard:
        """The foot of a fund's printed notice: its own fields over the district's."""
        base = self.d.content.district.notice
        own = self.d.books[code].fc.fund.notice
        return own.over(base) if own is not None else base

    def contact_html(self, c: Contact, title: str = "", code: str = "") -> Markup:
        return Markup(self.env.get_template("contact.html").render(c=c, title=title, code=code).strip())  # noqa: S704 - autoescaped template

    def footer(self) -> dict[str, Markup]:
        """The contact block at the foot of each page: "" for the district's pages, a fund's code for its own."""
        out = {}
        district = self.contact()
        if district.phones or district.address or district.mailbox or district.hours or district.note:
            out[""] = self.contact_html(district, f"有疑问、要反映问题，请联系{self.d.content.district.name}")
        for code in self.order:
            c = self.contact(code)
            if c.phones or c.address or c.mailbox or c.hours or c.note:
                out[code] = self.contact_html(c, f"有疑问、要反映问题，请联系{self.summaries[code].name}", code)
        return out

    def public_numbers(self) -> frozenset[str]:
        """Phone numbers the configuration declares public (`public: true`): the privacy scan lets exactly these through."""
        contacts = [self.contact()] + [self.contact(code) for code in self.order]
        return frozenset(p.key for c in contacts for p in c.phones if p.public)

    # ------------------------------------------------------------ structure

    def _tree(self) -> list[Node]:
        d = self.d
        nodes: dict[str, Node] = {}
        parent: dict[str, str | None] = {}
        for n in d.content.district.nodes:
            nodes[n.id] = Node(n.id, n.name, n.level, LEVEL_NAMES[n.level])
            parent[n.id] = n.parent
        for code in sorted(d.books):
            f = d.books[code].fc.fund
            nodes[code] = Node(code, f.name, f.level, LEVEL_NAMES[f.level])
            parent[code] = f.parent
        roots: list[Node] = []
        for key, node in nodes.items():
            up = parent[key]
            (nodes[up].children if up in nodes and up != key else roots).append(node)
        return roots

    def _fund_order(self) -> list[str]:
        """Funds in tree order (district file order, then codes), the order of the nav and the home page."""
        out: list[str] = []

        def walk(items: list[Node]) -> None:
            for n in items:
                if n.id in self.d.books:
                    out.append(n.id)
                walk(n.children)

        walk(self._tree())
        return out

    def tree(self) -> list[Node]:
        roots = self._tree()

        def attach(items: list[Node]) -> None:
            for n in items:
                n.summary = self.summaries.get(n.id) if n.id in self.d.books else None
                attach(n.children)

        attach(roots)
        return roots

    # ------------------------------------------------------------ rendering

    def _render(self, template: str, url: str, **ctx) -> str:
        def rel(target: str) -> str:
            return fmt.href(url, target)

        return self.env.get_template(template).render(rel=rel, url=url, year=self.year, **ctx)

    @staticmethod
    def _page(src_uri: str, title: str, text: str, in_nav: bool, head: str = "", fund: str = "", **meta) -> Page:
        markdown, blocks = stash(text)
        if fund:  # the page's foot shows this fund's contact lines (overrides/partials/copyright.html)
            meta["sl_fund"] = fund
        body = f"{head}\n\n{markdown}" if head else markdown
        # Out of Material's search index (front_matter's `search=False`: `search: {exclude: true}`):
        # site/search.py adds one short entry per fund, project and partner.
        meta["search"] = False
        return Page(src_uri, title, front_matter(title, **meta) + body, in_nav, blocks, fund or None)

    def pages(self, skip: frozenset[str] = frozenset(), funds_apart: bool = True) -> Iterator[Page]:
        """Every page but those of the funds and nodes in `skip` (from the page cache, site/pagecache.py);
        without `funds_apart`, none of the funds' pages out of the nav (`fund_page_makers`: site/draw.py)."""
        yield self.home()
        for code in self.order:
            if code not in skip:
                yield self.fund(code)
        yield self.project_list()
        yield self.partner_list()
        yield self.explain()
        for code in self.order if funds_apart else ():
            if code not in skip:
                yield from self.fund_pages(code)
        for nid, year in self.levels:
            if level_group(nid, year) not in skip:
                yield self.level(nid, year)

    def fund_pages(self, code: str) -> Iterator[Page]:
        """The pages of one fund out of the nav: one group of the page cache."""
        return (make() for _src, make in self.fund_page_makers(code))

    def own_projects(self, code: str) -> list[str]:
        """The ids of the projects fund `code` carries out (each has its page under the fund's group), sorted."""
        return [pid for pid in sorted(self.views[code].spent) if pid in self.briefs and self.briefs[pid].code == code]

    def fund_page_makers(self, code: str) -> list[tuple[str, Callable[[], Page]]]:
        """(src_uri, the function that draws it) of each page of `fund_pages(code)`: where a page goes is
        known before it is drawn (the sitemap is written first; site/draw.py draws them elsewhere)."""
        out: list[tuple[str, Callable[[], Page]]] = [
            (src_of(notice_url(code, n.month)), functools.partial(self.notice, code, i)) for i, n in enumerate(self.notices[code])]
        out += [(src_of(project_url(pid)), functools.partial(self.project, pid)) for pid in self.own_projects(code)]
        out += [(src_of(fund_year_url(code, y)), functools.partial(self.fund_year, code, y)) for y in self.fund_years[code]]
        out += [(src_of(partner_url(pv.code, pv.partner.id)), functools.partial(self.partner, pv)) for pv in self.partners[code]]
        out.append((src_of(disclosures_url(code)), functools.partial(self.disclosures, code)))
        out += [(src_of(annual_url(code, year)), functools.partial(self.annual, code, year)) for year in self.annuals[code]]
        return out

    def home(self) -> Page:
        s = list(self.summaries.values())
        totals = {
            "balance": sum((x.balance for x in s), ZERO),
            "year_income": sum((sum(x.year_income_by_source.values(), ZERO) for x in s), ZERO),
            "year_spending": sum((sum(x.year_spending_by_category.values(), ZERO) for x in s), ZERO),
        }
        latest = [n for c in self.order if (n := self.views[c].latest) is not None]
        active = [b for b in self.briefs.values() if b.project.stage in IN_PROGRESS]
        title = self.d.content.district.name
        # Above `<!-- more -->` opens the page; the rest follows the funds, so a phone shows numbers first.
        head, _, tail = self.intro.partition("<!-- more -->")
        text = self._render("home.html", "", totals=totals, funds=self.order, tree=self.tree(),
                            latest=latest, active=active, overdue=self.overdue_funds())
        if tail.strip():
            text += "\n\n" + tail.strip() + "\n"
        return self._page("index.md", title, text, True, head=head.strip() or f"# {md_inline(title)}")

    def fund(self, code: str) -> Page:
        s = self.summaries[code]
        fc = self.d.books[code].fc
        fund = fc.fund
        parent = self.parent_name(code)
        projects = sorted(fc.projects.values(), key=lambda p: p.id)
        dues = self._dues(code)
        by_year: dict[str, list[Notice]] = defaultdict(list)
        for n in self.notices[code]:
            by_year[n.month[:4]].append(n)
        sources = [x.source for x in s.sources]
        order = [src.name for src in self.d.config.sources]
        chart = {
            "balance": charts.balance_chart(s.series),
            "income": charts.bar_chart(list(s.income_by_source.items()), "按来源的累计收入"),
            "category": charts.bar_chart(list(s.spending_by_category.items()), "按类别的累计支出"),
            "flow": charts.flow_chart(s.flows, order + [x for x in sources if x not in order], self.titles,
                                      links={pid: fmt.href(fund_url(code), project_url(pid)) for pid in fc.projects}),
            "dues": charts.pair_chart([(d["name"], d["due"], d["paid"]) for d in dues], ("应缴", "已缴"), "商户分成应缴与已缴"),
        }
        downloads = _download_rows(code, self.downloads.get(code, {}), self.downloads.get(_DISTRICT))
        flow_rows = charts.flow_rows(s.flows, order, self.titles)
        url = fund_url(code)
        text = self._render(
            "fund.html", url, s=s, overdue=self.overdue[code], as_of=self.as_of, series_rows=[(fmt.month_zh(m), v) for m, v in s.series], fund=fund, parent=parent, charts=chart, projects=projects, dues=dues,
            notices_by_year=sorted(by_year.items()), downloads=downloads, flow_rows=flow_rows, titles=self.titles,
            partners=sorted(fc.partners.values(), key=lambda p: p.id), annual_years=sorted(self.annuals[code]),
            last_month=s.series[-1][0] if s.series else None,
            spent_total=sum((x.spent for x in s.sources), ZERO),
            free_total=sum((x.balance for x in s.sources), ZERO),
            restricted_total=sum((sum(x.restricted.values(), ZERO) for x in s.sources), ZERO),
            trail=self.trail(code), apart=self.apart(code),
            years=self.year_links(lambda y: url if y is None else fund_year_url(code, y), self.fund_years[code], None),
        )
        return self._page(src_of(url), s.name, text, True, fund=code)

    def parent_name(self, code: str) -> str | None:
        """The name of the node or fund a fund sits under."""
        up = self.d.books[code].fc.fund.parent
        if not up:
            return None
        node = next((n for n in self.d.content.district.nodes if n.id == up), None)
        return node.name if node else self.d.books[up].fc.fund.name if up in self.d.books else None

    def _dues(self, code: str) -> list[dict]:
        out = []
        for pv in self.partners[code]:
            if pv.partner.contract is None:
                continue
            unpaid = sum(1 for d in pv.dues if d.status == "未缴")
            wrong = sum(1 for d in pv.dues if d.status == "金额不符")
            problems = ([f"{unpaid} 个月未缴"] if unpaid else []) + ([f"{wrong} 个月金额不符"] if wrong else [])
            out.append({
                "id": pv.partner.id,
                "name": pv.partner.name,
                "rate": self._rate(pv),
                "months": len(pv.dues),
                "due": sum((d.due for d in pv.dues if d.due is not None), ZERO),
                "paid": sum((d.paid for d in pv.dues), ZERO),
                "problems": problems,
            })
        return out

    def _rate(self, pv: PartnerView) -> str:
        rate = pv.partner.contract.rate or self.d.config.merchant_rate  # type: ignore[union-attr]
        return f"{(rate * 100).normalize():f}%"

    def notice(self, code: str, i: int) -> Page:
        items = self.notices[code]
        n = items[i]
        url = notice_url(code, n.month)
        y, m = map(int, n.month.split("-"))
        bank_state = "none" if n.matches_bank is None else "match" if n.matches_bank else "mismatch"
        board, contact = self.board(code), self.contact(code)
        text = self._render(
            "notice.html", url, n=n, fund=self.d.books[code].fc.fund, last_day=calendar.monthrange(y, m)[1],
            qr=qr_svg(self.site_url + url), abs_url=self.site_url + url, bank_state=bank_state,
            density=print_density([_print_chars(x, self.titles.get(x.project or "", "")) for x in n.lines],
                                  sum(2 + len(c.originals) for c in [*n.corrections, *n.corrections_made])),
            prev=items[i - 1].month if i > 0 else None, next=items[i + 1].month if i + 1 < len(items) else None,
            board=board, contact=contact, objection=board.objection or _objection(contact),
        )
        title = f"{n.name} {fmt.month_zh(n.month)}收支公示"
        return self._page(src_of(url), title, text, False, hide=("navigation", "toc"), fund=code)

    def project_list(self) -> Page:
        views = list(self.briefs.values())
        categories = [c.name for c in self.d.config.categories if any(v.project.category == c.name for v in views)]
        cards = []  # each fund's cards made from its part alone: kept (`fragment`) while its part is unchanged
        for code, run in itertools.groupby(views, key=lambda v: v.code):
            ids = tuple(b.project.id for b in run)
            cards.append(self.fragment(code, ("project-cards", ids), functools.partial(self._cards, ids)))
        joined = Markup("".join(cards))  # noqa: S704 - project_cards.html, autoescaped (kept as it rendered)
        text = self._render(
            "projects.html", "projects/", views=views, stages=STAGES, categories=categories,
            fund_options=[(c, self.summaries[c].name) for c in self.order], cards=joined,
        )
        return self._page("projects/index.md", "项目", text, True, hide=("toc",))

    def project(self, pid: str) -> Page:
        v = self.projects[pid]
        url = project_url(pid)
        chart = {
            "progress": charts.progress_bar(v.spent, v.project.budget),
            "sources": charts.bar_chart(sorted(v.by_source.items(), key=lambda kv: (-kv[1], kv[0])), "项目资金来源"),
        }
        photos = {k[1]: path for k, path in self.photos.items() if k[0] == v.code}
        text = self._render("project.html", url, v=v, p=v.project, charts=chart, photos=photos)
        return self._page(src_of(url), v.project.title, text, False, fund=v.code)

    def overdue_funds(self) -> list[tuple[str, str, int]]:
        """(code, name, how many) of the funds with a disclosure due and not published (home page)."""
        return [(code, self.summaries[code].name, len(self.catalogues[code].overdue)) for code in self.order if self.catalogues[code].overdue]

    def annual(self, code: str, year: int) -> Page:
        """年度报告 of a closed year: every figure from the books, the words from fund.yml; prints on A4."""
        a = self.annuals[code][year]
        url = annual_url(code, year)
        end = a.year_end
        bank_state = "none" if end is None or end.matches is None else "match" if end.matches else "mismatch"
        late_self = next((it for it in self.catalogues[code].items if it.kind == deadlines.ANNUAL and it.year == year and it.state == deadlines.LATE), None)
        text = self._render("annual.html", url, a=a, end=end, bank_state=bank_state, board=self.board(code),
                            abs_url=self.site_url + url, late_self=late_self)
        return self._page(src_of(url), a.title, text, False, hide=("navigation",), fund=code)

    def disclosures(self, code: str) -> Page:
        """信息公开目录: each required disclosure with its deadline, publication, place and state."""
        c = self.catalogues[code]
        url = disclosures_url(code)
        groups = []
        for kind in deadlines.KINDS:
            items = [(it, self._where(code, it)) for it in c.items if it.kind == kind]
            if items:
                groups.append((kind, sorted(items, key=lambda pair: (pair[0].due, pair[0].title), reverse=True)))
        text = self._render("disclosure.html", url, c=c, groups=groups, counts=c.counts())
        return self._page(src_of(url), f"{c.name} 信息公开目录", text, False, fund=code)

    def _where(self, code: str, it: deadlines.Item) -> str | None:
        """The page a catalogue item is published on (None: no page yet)."""
        if it.kind in (deadlines.NOTICE, deadlines.CORRECTION) and it.month is not None:
            return notice_url(code, it.month)
        if it.kind in (deadlines.PROGRESS, deadlines.FINAL) and it.project is not None:
            return project_url(it.project)
        if it.kind == deadlines.ANNUAL and it.year in self.annuals[code]:
            return annual_url(code, it.year)
        return None

    def _cards(self, ids: tuple[str, ...]) -> str:
        return self._render("project_cards.html", "projects/", views=[self.projects[pid] for pid in ids])

    def partner_list(self) -> Page:
        groups = [{"name": self.summaries[c].name, "views": self.partners[c]} for c in self.order]
        text = self._render("partners.html", "partners/", groups=groups)
        return self._page("partners/index.md", "合作方", text, True)

    def explain(self) -> Page:
        """怎么看这个网站: every word and mark a resident meets, and whom to ask."""
        text = self._render("explain.html", glossary.URL, groups=glossary.GROUPS, contact=self.contact(),
                            district_name=self.d.content.district.name, sources=[x.name for x in self.d.config.sources])
        return self._page(src_of(glossary.URL), glossary.TITLE, text, True)

    def partner(self, pv: PartnerView) -> Page:
        url = partner_url(pv.code, pv.partner.id)
        rate = self._rate(pv) if pv.partner.contract else ""
        text = self._render("partner.html", url, pv=pv, fund_name=self.summaries[pv.code].name, rate=rate)
        return self._page(src_of(url), pv.partner.name, text, False, fund=pv.code)

    # ------------------------------------------------------------ levels and years

    def _levels(self, district: District) -> None:
        """Every fund's figures per year and every node's, computed once, here: the pages are drawn
        after the entries are let go, and a node's page reads the figures its funds' pages show."""
        self.places = level_tree(district)
        periods = self.periods
        self.fund_years = {code: periods.years(code) for code in self.order}
        self.fund_periods: dict[tuple[str, int], Figures] = {
            (code, y): periods.figures(code, y) for code in self.order for y in self.fund_years[code]}
        self.levels: dict[tuple[str, int | None], LevelView] = {}
        for nid in self.places.nodes():
            whole = level_view(district, nid, None, periods, self.places)
            self.levels[(nid, None)] = whole
            for y in whole.years:
                self.levels[(nid, y)] = level_view(district, nid, y, periods, self.places)
        # the checksum each node's pages state: that of the funds below it (district.funds_checksum)
        self.level_stamps = {key: funds_checksum({c: self.parts[c].checksum for c in v.funds}) for key, v in self.levels.items()}

    def _place_url(self, place: Place, year: int | None = None) -> str:
        """A node's or fund's page for `year` when it has one, else its whole history."""
        if place.fund:
            if year is not None and year in self.fund_years.get(place.key, ()):
                return fund_year_url(place.key, year)
            return fund_url(place.key)
        return level_url(place.key, year if (place.key, year) in self.levels else None)

    def trail(self, key: str, year: int | None = None) -> list[tuple[str, str]]:
        """上级: (name, url) of the places above a fund or node, from the top down."""
        return [(p.name, self._place_url(p, year)) for p in self.places.ancestors(key)]

    @staticmethod
    def year_links(url_of, years: list[int], current: int | None) -> list[tuple[str, str, bool]]:
        """The year selector: (label, url, is this page), the whole history first, then the newest year."""
        return [("全部", url_of(None), current is None)] + [(f"{y}年", url_of(y), y == current) for y in reversed(years)]

    def apart(self, code: str) -> list[Place]:
        """The funds hanging from this fund: they keep their own books, counted on their own pages."""
        return [self.places.places[k] for k in self.places.children.get(code, []) if self.places.places[k].fund]

    def _period_charts(self, f: Figures) -> dict[str, str]:
        return {
            "income": charts.bar_chart(list(f.income_by_source.items()), "按来源的收入"),
            "category": charts.bar_chart(list(f.spending_by_category.items()), "按类别的支出"),
        }

    def fund_year(self, code: str, year: int) -> Page:
        """One year of a fund: the same tables as its whole history, for that year."""
        f = self.fund_periods[(code, year)]
        s = self.summaries[code]
        url = fund_year_url(code, year)
        text = self._render(
            "fund_year.html", url, s=s, f=f, closed=year < self.as_of.year, trail=self.trail(code, year),
            years=self.year_links(lambda y: fund_url(code) if y is None else fund_year_url(code, y), self.fund_years[code], year),
            charts=self._period_charts(f), titles=self.titles, apart=self.apart(code),
            notices=[n for n in self.notices[code] if n.month.startswith(f"{year}-")],
        )
        return self._page(src_of(url), f"{s.name} {year}年收支", text, False, fund=code)

    def level(self, nid: str, year: int | None = None) -> Page:
        v = self.levels[(nid, year)]
        url = level_url(nid, year)
        active = [self.briefs[p.id] for _c, p in v.in_progress if p.id in self.briefs]
        spent = list(v.totals.spending_by_project.items())
        levels = {p.place.level for p in v.parts}
        parts_title = f"各{LEVEL_NAMES[levels.pop()]}的收支" if len(levels) == 1 else "下辖各级的收支"
        text = self._render(
            "level.html", url, v=v, f=v.totals, closed=year is not None and year < self.as_of.year,
            trail=self.trail(nid, year), years=self.year_links(lambda y: level_url(nid, y), v.years, year),
            charts=self._period_charts(v.totals), titles=self.titles, parts_title=parts_title,
            place_url=lambda p: self._place_url(p, year), names={c: self.summaries[c].name for c in v.funds},
            overdue=[(c, self.overdue[c]) for c in v.funds if self.overdue[c]],
            overdue_count=sum(len(self.overdue[c]) for c in v.funds),
            fund_href=lambda c: self._place_url(self.places.places[c], year),
            in_progress=active[:LEVEL_PROJECTS], more_active=len(active) - len(active[:LEVEL_PROJECTS]),
            limit=LEVEL_PROJECTS, rest=(len(spent) - len(spent[:LEVEL_PROJECTS]), sum((x for _p, x in spent[LEVEL_PROJECTS:]), ZERO)),
        )
        title = f"{v.place.name} {year}年收支" if year is not None else v.place.name
        # it names the ledgers of the funds below, not the build's commit: the page cache reuses it while they stay
        page = self._page(src_of(url), title, text, year is None, sl_checksum=self.level_stamps[(nid, year)], sl_funds=len(v.funds))
        page.group = level_group(nid, year)
        return page

    # ------------------------------------------------------------ facts for checks

    def raw_private_payees(self) -> set[str]:
        """Payees as typed that the site must only show masked."""
        return {name for code in self.order for name in self.views[code].private_payees}


def _objection(c: Contact) -> str:
    """The 异议 route a notice states when its fund.yml / district.yml does not write its own."""
    ways = (["拨打监督电话"] if c.phones else []) + ([f"投入意见箱（{c.mailbox}）"] if c.mailbox else []) + (["到社区办公室"] if c.address else [])
    how = "、".join(ways) if ways else "向社区居民委员会或居务监督委员会"
    return f"对本公示有疑问或异议的，请在公示期内{how}反映。"


_KINDS = {".csv": "CSV 表格", ".xlsx": "Excel 表格", ".json": "JSON", ".zip": "压缩包"}
_TXNS = re.compile(r"^transactions(?:-(\d{4}))?\.(csv|xlsx)$")
_TABLE = re.compile(r"^([a-z_]+)\.(csv|xlsx)$")
_DISTRICT = "district"  # downloads/district/: the tables spanning funds (sunledger.downloads.DISTRICT)


def _titles(files: dict[str, bytes], base: str) -> dict[str, str]:
    """Resource name -> Chinese title, as the data package under `base` names its tables."""
    descriptor = files.get(f"{base}datapackage/datapackage.json")
    if descriptor is None:
        return {}
    return {r["name"]: r["title"] for r in json.loads(descriptor)["resources"]}


def _download_rows(code: str, files: dict[str, bytes], shared: dict[str, bytes] | None = None) -> dict | None:
    """Rows of the download table: all years, each year, every other table of the fund's
    pages (named as its data package names them, in the package's order), the data package
    files; then the district's tables that span funds (`shared`) and their package, without
    their sizes (they change with any fund's books, and the fund's page would with them)."""
    if not files:
        return None

    def entry(path: str, data: bytes, sized: bool = True) -> dict:
        kind = next((v for k, v in _KINDS.items() if path.endswith(k)), "文件")
        return {"path": path, "kind": kind, "size": _size(len(data)) if sized else None}

    def tables(base: str, group: dict[str, bytes], prefix: str, sized: bool = True) -> list[dict]:
        titles = _titles(group, base)
        found: dict[str, list[dict]] = defaultdict(list)
        package: list[dict] = []
        for path, data in sorted(group.items(), key=lambda kv: (not kv[0].endswith(".json"), kv[0])):  # the descriptor first
            name = path[len(base):]
            if name.startswith("datapackage/"):
                package.append({**entry(path, data, sized), "kind": name.rsplit("/", 1)[-1]})
            elif (m := _TABLE.match(name)) and m.group(1) in titles:
                found[m.group(1)].append(entry(path, data, sized))
        out = [{"label": prefix + titles[t], "files": found[t]} for t in titles if t in found]
        if package:
            out.append({"label": prefix + "开放数据包", "files": package})
        return out

    base = f"downloads/{code}/"
    years: dict[str, list[dict]] = defaultdict(list)
    for path, data in sorted(files.items()):
        if m := _TXNS.match(path[len(base):]):
            years[m.group(1) or ""].append(entry(path, data))
    rows = [{"label": "全部收支明细" if y == "" else f"{y}年收支明细", "files": years[y]}
            for y in sorted(years, key=lambda y: (y != "", y))]
    rest = {k: v for k, v in files.items() if not _TXNS.match(k[len(base):])}
    rows += tables(base, rest, "")
    if shared:
        rows += tables(f"downloads/{_DISTRICT}/", shared, "全区各基金·", sized=False)
    return {"rows": rows}


def _size(n: int) -> str:
    return f"{n} 字节" if n < 1024 else f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class _Each(Mapping):
    """fund code -> one of its views' lazily read fields (parts.Heavy), in fund order."""

    def __init__(self, views: dict[str, FundViews], order: list[str], field: str):
        self._views, self._order, self._field = views, order, field
        self._codes = frozenset(order)

    def __getitem__(self, code: str):
        if code not in self._codes:
            raise KeyError(code)
        return getattr(self._views[code], self._field)

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


class _Projects(Mapping):
    """project id -> its full view, read from its fund's part when asked for; the ids of `briefs`."""

    def __init__(self, views: dict[str, FundViews], briefs: dict[str, ProjectBrief]):
        self._views, self._briefs = views, briefs

    def __getitem__(self, pid: str) -> ProjectView:
        return self._views[self._briefs[pid].code].projects[pid]

    def __iter__(self):
        return iter(self._briefs)

    def __len__(self) -> int:
        return len(self._briefs)
