"""What residents search for: one short entry per fund, project, partner and monthly notice.

Material's search plugin indexes every section of every page. On a district
that meant each project's transaction table, the project list and the home
page's fund table: 7.5 MB for 20 funds, and a third of the build time spent
parsing generated HTML to feed jieba. Generated pages are therefore kept out
of Material's index (`search: exclude`) and these entries are added to the
index it wrote: the names a resident types (fund, project, partner, payee,
project number, month) and a line of context.

How Material's browser side finds Chinese (its worker, lunr 2.3): a query's Han
run is cut greedily into the *terms the index already holds*, each cut searched
as a prefix (`cut*`); a cut never reaches the query's last character, and a run
none of whose proper prefixes is a term is searched whole (`run*`). So what the
index holds decides what a query means:
  - jieba's words do not match how a resident remembers a name ("剪纸非遗传承课堂"
    is 剪纸/非/遗传/承/课堂: "传承" starts no word, nothing is found);
  - a one-character term anywhere (jieba cuts 的, 区, 非 …) turns every query
    starting with that character into `区*`, and the rest of it is lost.
Hence the entries here are not cut by jieba: a page's own name is indexed under
a field `keys`, a project's payees under `paid`, as overlapping pieces of three
characters (`pieces`), so that any part of a name starts a term of its page and
the cuts of a longer query are parts its page holds all of; no term of the index
is one Han character (`mark_lone`, applied to Material's own entries too); the
punctuation of names (“”（）) separates words (`SEPARATOR`), or a cut would be
searched glued to it. Month names ("2025年10月", "10月公示") are keys of the
notices. Measured in tests/site/test_search.py (recall@5 per kind of query, in
Chromium, before and after).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from ..content.models import LEVEL_NAMES
from . import fmt
from .pages import Portal, fund_url, notice_url, partner_url, project_url

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{HAN}]+")
# Size: at 200 funds (10k projects, 6k notices) every byte of an entry is 10-16 kB of the index a
# phone downloads; numbers are read on the page, not searched for.
NEED_CHARS = 40  # enough of the need to recognise it in a result
MAX_PAYEES = 8
PIECE = 3

# Fields lunr indexes and Material never shows: `keys`, the pieces of a page's own name, as heavy
# as a title (Material's default 1000); `paid`, the pieces of the payees of a project, a little
# lighter, so a name finds the page named so before the projects that paid someone named so.
FIELDS = {"keys": {"boost": 1000.0}, "paid": {"boost": 800.0}}

# Material's per-document boost: 1 + TIE / characters of the title. Pages holding all of a query
# score alike (lunr here ignores field length), so the page that is named just so comes first:
# "长者集市" before "长者集市（2026年）", a partner before the projects that paid it. A fund, whose
# name its partners and projects repeat in their text, counts FUND times.
TIE = 0.5
FUND = 1.4


def pieces(*names: str) -> list[str]:
    """The pieces of the Han runs of `names` that make any part of them findable: from each
    character on, the next PIECE characters (fewer at the end of a run, never one), each once.

    "剪纸非遗传承课堂" -> 剪纸非 纸非遗 非遗传 遗传承 传承课 承课堂 课堂. Every 2-3 character part
    of the name is then the start of a piece (`传承*` finds 传承课), and a longer query is cut by
    the browser into parts of at most PIECE characters (the terms of the index), each again the
    start of a piece of this name; a piece of two characters is a term only at the end of a run,
    so a three-character query is rarely cut to its first two."""
    out: dict[str, None] = {}
    for name in names:
        for run in _RUN.findall(name):
            for i in range(len(run) - 1):
                out[run[i:i + PIECE]] = None
    return list(out)


def _entry(location: str, title: str, parts: Iterable[str], keys: Iterable[str], paid: Iterable[str] = ()) -> dict:
    """One index entry. Material shows an entry's title and text as HTML (as its own index holds
    them: the HTML of headings and paragraphs), so names and needs go in escaped."""
    text = " · ".join(p for p in parts if p)
    keys = list(dict.fromkeys(keys))
    entry: dict[str, str | float] = {"location": location, "title": mark_lone(escape(title)), "text": mark_lone(escape(text)),
             "keys": escape(" ".join(keys))}
    paid = [p for p in dict.fromkeys(paid) if p not in keys]
    if paid:
        entry["paid"] = escape(" ".join(paid))
    if "/notices/" not in location:  # a month's notices share their words: nothing to tell apart
        entry["boost"] = round((FUND if location.startswith("funds/") else 1) * (1 + TIE / max(1, len(title))), 3)
    return entry


def month_keys(month: str) -> list[str]:
    """'2025-10' -> how a resident names the month ("2025年10月") and its notice ("10月公示")."""
    _year, m = month.split("-")
    return [fmt.month_zh(month), f"{int(m)}月公示"]


def entries(portal: Portal) -> list[dict]:
    """Index entries for every fund, notice, project and partner page, in page order."""
    out = []
    for code in portal.order:
        s = portal.summaries[code]
        fund = portal.d.books[code].fc.fund
        out.append(_entry(fund_url(code), s.name, [
            LEVEL_NAMES.get(fund.level, ""),
            portal.parent_name(code) or "",
            f"{len(portal.d.books[code].fc.projects)} 个项目",
        ], pieces(s.name)))
    # each fund's entries are made from its part alone: kept by its key (after a one-line edit in one
    # fund of 200, making them all again was 0.8 s of the rebuild)
    own = [portal.fragment(code, ("search",), functools.partial(fund_entries, portal, code)) for code in portal.order]
    for kind in range(3):  # notices, projects, partners: each kind in fund order
        for entries_of_fund in own:
            out += entries_of_fund[kind]
    return out


def fund_entries(portal: Portal, code: str) -> tuple[list[dict], list[dict], list[dict]]:
    """The entries of fund `code`'s notices, projects and partners."""
    notices = [
        # titled as Portal.notice titles the page; the fund's name is not in `keys`: "社区"
        # must lead to the funds and projects named so, not to every month of every fund
        _entry(notice_url(code, n.month), f"{n.name} {fmt.month_zh(n.month)}收支公示", [], month_keys(n.month))
        for n in portal.notices[code]]
    projects = []
    for pid in portal.own_projects(code):  # project ids are the district's own (SL704): each under one fund
        v = portal.projects[pid]
        p = v.project
        payees = []
        for line in v.lines:
            if line.payee and line.payee not in payees:
                payees.append(line.payee)
        payees = payees[:MAX_PAYEES]
        need = p.need.strip().replace("\n", " ")
        partner = v.partner.name if v.partner else ""
        others = [x for x in payees if x != partner]  # the partner is named once, as 承接方
        projects.append(_entry(project_url(pid), p.title, [
            pid,  # "GM-2025-03": lunr's words gm, 2025, 03, all of them this project's
            v.fund_name,
            p.category,
            p.stage,
            f"承接方 {partner}" if partner else "",
            need[:NEED_CHARS] + ("……" if len(need) > NEED_CHARS else ""),
            "收款方 " + "、".join(others) if others else "",
        ], pieces(p.title), pieces(*payees)))
    partners = [_entry(partner_url(code, pv.partner.id), pv.partner.name, [
        pv.partner.kind,
        portal.summaries[code].name,
        f"承接 {len(pv.projects)} 个项目" if pv.projects else "",  # the titles are their own entries
    ], pieces(pv.partner.name)) for pv in portal.partners[code]]
    return notices, projects, partners


_LONE = re.compile(f"[{HAN}]")
_TAG = re.compile(r"(<[^>]*>)")
# Where lunr cuts words, in the index and in a query: Material's separator for zh
# (partials/languages/zh.html, `[\s\u200b\u3000\-、。，．？！；]+`) and the punctuation of names and
# titles (“俏夕阳”文艺队, 长者集市（2026年）). Material joins the cuts of a query's Han runs with
# the characters between them; without these, "“俏夕" is searched and nothing is found.
SEPARATOR = r"[\s\u200b\u3000\-、。，．？！；：“”‘’\"'（）()《》〈〉【】「」『』·・…—～/]+"
WORD_JOINER = "\u2060"  # invisible, and neither white space nor a separator: "区\u2060" is no term "区"


def mark_lone(text: str, separator: str = SEPARATOR) -> str:
    """`text` in which no word is one Han character: such a word (cut alone by jieba, or written
    alone: "2025 年", "一、") gets a U+2060 after it, so the index holds "区\u2060", not "区",
    and no query is cut at "区" in the browser (module docstring), while a query "区…" still
    finds the word by its prefix. A reader sees the text as it was."""
    cut = re.compile(f"({separator})")
    blocks = _TAG.split(text)
    for b in range(0, len(blocks), 2):  # text between tags: Material tokenises each apart
        words = cut.split(blocks[b])
        for i in range(0, len(words), 2):
            if _LONE.fullmatch(words[i]):
                words[i] += WORD_JOINER
        blocks[b] = "".join(words)
    return "".join(blocks)


def add_to_index(path: Path, extra: list[dict]) -> int:
    """Append `extra` to Material's search_index.json; returns its new size in bytes.

    Material's own entries (the guide) lose their one-character words too, and the index
    config gains the `keys` field. Written without \\u escapes: each Chinese character then
    costs 3 bytes, not 6.
    """
    index = json.loads(path.read_text(encoding="utf-8"))
    docs = []
    for doc in index.get("docs", []):
        doc = dict(doc)
        for field in ("title", "text"):
            if isinstance(doc.get(field), str):
                doc[field] = mark_lone(doc[field])
        docs.append(doc)
    index["docs"] = docs + extra
    config = index.setdefault("config", {})
    config["separator"] = SEPARATOR
    config.setdefault("fields", {}).update(FIELDS)
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(data)
    return len(data)
