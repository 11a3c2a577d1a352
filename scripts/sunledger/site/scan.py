"""The last gate before publishing: read back every file the build wrote.

Looks for what must never be public (phone, ID-card and bank-card numbers,
donor names as typed when the site should show them masked), for raw data
files that should not have been copied, and for anything that would make a
reader's browser ask another site (external scripts, styles, fonts, images).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import io
import json
import multiprocessing
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..content.models import number_key
from ..errors import said
from ..privacy import INVISIBLE, KIND_ZH, find_private, mask_hint
from . import images

TEXT = {".html", ".htm", ".json", ".xml", ".txt", ".csv", ".md", ".svg", ".js", ".css", ".tsv"}
RAW = {".beancount", ".yml", ".yaml", ".picklecache"}
# Material's own bundles are not built from our data; their long digit runs are code.
THEME_ASSETS = ("assets/javascripts/", "assets/stylesheets/", "assets/images/")
# src/href and CSS rules that make the browser fetch from elsewhere (links the reader clicks are fine):
# a tag apart from a CSS rule, for the first of either. As one pattern of three case-insensitive
# alternatives, tried at every character of a page, this was a third of a page's scan; every CSS
# fetch ends in "//", which a page holds a few dozen times.
_EXTERNAL_TAG = re.compile(r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"']?(?:https?:)?//", re.I)
_EXTERNAL_CSS = re.compile(r"@import\s+(?:url\()?[\"']?(?:https?:)?//|url\([\"']?(?:https?:)?//", re.I)


_LINK = re.compile(r"<link\b[^>]*>", re.I)
_LINK_HREF = re.compile(r"\bhref=[\"']?(?:https?:)?//", re.I)
_LINK_HARMLESS = re.compile(r"\brel=[\"']?(?:canonical|alternate|author|license|me)\b", re.I)


def _css_starts(text: str, end: int) -> Iterator[int]:
    """Where a match of _EXTERNAL_CSS ending in the "//" at `end` may start (more than there are:
    each is tried with the pattern itself). casefold, as re.I, takes "ſ" for "s"."""
    for scheme in (0, 5, 6):  # "", "http:", "https:"
        k = end - scheme
        if k < 0 or (scheme and text[k:end].casefold() not in ("http:", "https:")):
            continue
        for quote in (0, 1):
            q = k - quote
            if q < 0 or (quote and text[q:k] not in ('"', "'")):
                continue
            starts = [q]
            if q >= 4 and text[q - 4:q].casefold() == "url(":
                yield q - 4
                starts.append(q - 4)
            for at in starts:  # @import, whitespace, then what follows
                p = at
                while p > 0 and text[p - 1].isspace():
                    p -= 1
                if p < at and p >= 7 and text[p - 7] == "@":  # its "i" may be any letter re.I takes for one
                    yield p - 7


def _external_css(text: str) -> re.Match | None:
    """_EXTERNAL_CSS.search(text), looked for only where it could end."""
    first: re.Match | None = None
    end = text.find("//")
    while end >= 0:
        for start in _css_starts(text, end):
            if (first is None or start < first.start()) and (m := _EXTERNAL_CSS.match(text, start)):
                first = m
        end = text.find("//", end + 1)
    return first


def _external(text: str) -> str | None:
    """The first tag or CSS rule that fetches from another site, if any."""
    found = [m for m in (_EXTERNAL_TAG.search(text), _external_css(text)) if m is not None]
    if found:
        return min(found, key=lambda m: m.start()).group(0)
    for tag in _LINK.findall(text):
        if _LINK_HREF.search(tag) and not _LINK_HARMLESS.search(tag):
            return tag
    return None


# Between two runs of one rich-text cell of an XLSX (xlsxwriter's write_rich_string, or
# Excel when part of a cell is bold): "<r><t>139</t></r><r><rPr>…</rPr><t>12345678</t></r>"
# is one cell's text, "13912345678".
_XLSX_RUN_JOIN = re.compile(r"</t>\s*</r>\s*<r>\s*(?:<rPr>.*?</rPr>\s*)?<t(?:\s[^>]*)?>", re.S)


def texts_of(name: str, data: bytes) -> Iterator[str]:
    """The readable text inside a written file (decompressing what needs it).

    An XLSX is a zip of XML: shared strings (xl/sharedStrings.xml), inline
    strings and numbers (xl/worksheets/*.xml), document properties; each
    member is read as text, with the runs of a rich-text cell joined."""
    if name.endswith(".gz"):
        yield from texts_of(name[:-3], gzip.decompress(data))
        return
    if name.endswith((".xlsx", ".zip", ".docx", ".ods")):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in sorted(z.namelist()):
                yield from texts_of(member, z.read(member))
        return
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".json"):
        try:  # search_index.json escapes nothing today, but a \\uXXXX must not hide a name
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    elif name.endswith(".xml") and "</r>" in text:
        text = _XLSX_RUN_JOIN.sub("", text)
    # jieba puts zero-width spaces between words in the search index; a name must not hide behind them either
    yield INVISIBLE.sub("", html.unescape(text))


def _is_text(name: str) -> bool:
    stem = name[:-3] if name.endswith(".gz") else name
    return Path(stem).suffix.lower() in TEXT or name.endswith((".xlsx", ".zip"))


def _masked_path(rel: str) -> str:
    """`rel` as a report may print it: a number in a file name shown as 139******78."""
    for _code, found in find_private(rel, skip_digests=True):
        rel = rel.replace(found, mask_hint(found))
    return rel


def scan_name(rel: str) -> list[str]:
    """A published file whose name holds a private number (a receipt saved as 13912345678.jpg)."""
    return [
        f"{_masked_path(rel)}: " + said(code, f"文件名含有{KIND_ZH[code]}（{mask_hint(found)}），不得发布")
        for code, found in find_private(rel, skip_digests=True)
    ]


# The short checksum or commit a page's foot states (overrides/main.html): twelve hex digits that may
# all be digits, and then look like a phone number. Only the build's own values are blanked (`known`).
_STAMP = re.compile(r"(校验和 |提交 )([0-9a-f]{12})")


def scan_bytes(rel: str, data: bytes, names: Iterable[str], public: frozenset[str] = frozenset(),
               known: frozenset[str] = frozenset()) -> list[str]:
    """`public`: the phone numbers (`number_key`) the district's contact lines declare `public: true`;
    they are on every page's foot and are let through, and only they. `known`: the short checksums
    and commit this build states on its pages."""
    out = []
    shown = _masked_path(rel)
    listed = tuple(names)
    for text in texts_of(rel, data):
        if known and "校验和 " in text:
            text = _STAMP.sub(lambda m: m.group(1) + ("#" * 12 if m.group(2) in known else m.group(2)), text)
        for code, found in find_private(text, skip_digests=True):  # commit ids and checksums are on every page
            if code == "SL501" and number_key(found) in public:
                continue
            out.append(f"{shown}: " + said(code, f"含有{KIND_ZH[code]}（{mask_hint(found)}）"))
        if listed and _any_of(listed).search(text):  # one pass: nearly every text holds none
            for name in listed:
                if name in text:
                    out.append(f"{shown}: " + said("SL504", f"出现未打码的居民捐款人姓名（{name[0]}{'*' * (len(name) - 1)}）"))
        if rel.endswith((".html", ".css")) and (fetched := _external(text)):
            out.append(f"{shown}: 页面会从外部网站加载资源：{fetched[:80]}")
    return out


@functools.lru_cache(maxsize=4)
def _any_of(names: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern that matches where any of `names` occurs. Looking for each name in turn cost 35 ms
    a page with two thousand donors' names (every page of a district, every build), this 0.2 ms."""
    return re.compile("|".join(re.escape(n) for n in names))


PARALLEL_FILES = 2000  # below this, starting processes costs more than the scan


def _files(site: Path, skip: frozenset[str]) -> list[str]:
    """Every file under `site` (relative, sorted) but those in `skip`, without a stat of each
    (a district's site holds tens of thousands, in as many folders: os.walk's relpath of each
    folder was half of this walk). Folders are followed through symlinks, as os.walk(followlinks=True)."""
    out: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:  # as os.walk: a folder that cannot be listed holds nothing to read
            return
        for e in entries:
            rel = prefix + e.name
            if e.is_dir():
                walk(e.path, rel + "/")
            elif rel not in skip:
                out.append(rel)

    walk(str(site), "")
    return sorted(out)


def names_of(private_names: Iterable[str]) -> list[str]:
    """The payee names the scan looks for: one character alone is in too many words."""
    return sorted(n for n in private_names if len(n) >= 2)


def scan_file(site: Path, rel: str, names: list[str], public_numbers: frozenset[str] = frozenset(),
              known: frozenset[str] = frozenset()) -> list[str]:
    """One written file, as `scan_site` reads it (`names`: `names_of(...)`); for the pages drawn in
    processes of their own (site/draw.py), read back there, right after they are written."""
    return _scan_one(site, rel, names, public_numbers, known)


def scan_site(site: Path, private_names: set[str], public_numbers: frozenset[str] = frozenset(),
              scanned: frozenset[str] = frozenset(), known: frozenset[str] = frozenset(),
              passed: set[str] | None = None, jobs: int = 1) -> list[str]:
    """Every problem found in `site`, as 'relative/path: CODE 说明' lines, sorted. `scanned`: files
    copied from the page cache, which this scan passed with the same names and numbers (site/pagecache.py).
    `passed` (in and out): digests of (path, bytes) an earlier scan with the same names, numbers and
    code found nothing in; those are not read again, and the set becomes this scan's."""
    names = names_of(private_names)
    files = _files(site, scanned)
    scan = functools.partial(_scan_files, site, names=names, public=public_numbers, known=known,
                             before=frozenset(passed or ()), remember=passed is not None)
    if jobs > 1 and len(files) > PARALLEL_FILES:  # a district's site: its files in `jobs` processes, in chunks
        size = -(-len(files) // (jobs * 4))
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(scan, [files[i:i + size] for i in range(0, len(files), size)]))
    else:
        results = [scan(files)]
    if passed is not None:
        passed.clear()
        passed.update(d for _found, ok in results for d in ok)
    return [line for found, _ok in results for line in found]


def _scan_files(site: Path, files: list[str], names: list[str], public: frozenset[str], known: frozenset[str],
                before: frozenset[str], remember: bool) -> tuple[list[str], list[str]]:
    """(problems, digests of the files without any) of some files of `site`."""
    problems: list[str] = []
    ok: list[str] = []
    for rel in files:
        digest = _digest(rel, site / rel) if remember else ""
        if digest and digest in before:
            ok.append(digest)
            continue
        found = _scan_one(site, rel, names, public, known)
        problems.extend(found)
        if remember and not found:
            ok.append(digest)
    return problems, ok


def _digest(rel: str, path: Path) -> str:
    h = hashlib.sha256(rel.encode() + b"\0")
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def _scan_one(site: Path, rel: str, names: list[str], public_numbers: frozenset[str], known: frozenset[str]) -> list[str]:
    path = site / rel
    problems = scan_name(rel)
    if Path(rel).suffix.lower() in RAW:
        return [*problems, f"{_masked_path(rel)}: 原始数据文件不得发布"]
    if rel.startswith(THEME_ASSETS):
        return problems
    if found := images.refused(rel, path):  # SVG, HTML or script where no page is, an active PDF
        problems.append(found)
    if images.is_raster(rel) or images.is_pdf(rel):
        kept = images.metadata(rel, path.read_bytes())
        if kept:
            kind = "PDF" if images.is_pdf(rel) else "图片"
            problems.append(f"{_masked_path(rel)}: " + said("SL505", f"{kind}带有元数据（{'、'.join(kept)}），可能暴露拍摄位置或个人信息"))
        return problems
    if not _is_text(rel):
        return problems
    return [*problems, *scan_bytes(rel, path.read_bytes(), names, public_numbers, known)]
