"""What counts as private data, and how donor names are masked.

Used by the ledger rule, the content loader and the scan of the built site,
so all three agree on what may never be public.

Numbers are looked for however they were typed: a Chinese IME in full-width
mode gives `１３９１２３４５６７８`, `＋８６`, ideographic spaces and `－`;
text pasted from chats or web pages carries no-break and zero-width spaces.
Each character is folded (`fold`: NFKC, invisible format characters
dropped, every dash made "-") before the patterns, which know only ASCII.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache


def _span(first: int, last: int) -> str:
    return "".join(map(chr, range(first, last + 1)))


def _class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


# Characters that show nothing (zero-width spaces and joiners, BOM, soft hyphen,
# direction marks): typed or pasted between digits, they must not hide a number.
_INVISIBLE = (
    "\u00ad\u061c\u180e\ufeff" + _span(0x200B, 0x200F) + _span(0x202A, 0x202E) + _span(0x2060, 0x2064) + _span(0x2066, 0x2069)
)
# Dashes NFKC leaves as they are (hyphen, en/em dash, "——" of a Chinese IME, minus sign).
_DASHES = _span(0x2010, 0x2015) + "\u2212\u2e3a\u2e3b"
INVISIBLE = re.compile(_class(_INVISIBLE))
_DASH = re.compile(_class(_DASHES))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if INVISIBLE.match(ch):
        return ""
    return _DASH.sub("-", unicodedata.normalize("NFKC", ch))


def fold(text: str) -> str:
    """Text as the patterns read it: `１３９　１２３４－５６７８` -> `139 1234-5678`.

    NFKC character by character (full-width digits, letters and punctuation,
    ideographic and no-break spaces become ASCII), invisible characters
    dropped, dashes made "-"."""
    return text if text.isascii() else "".join(map(_fold_char, text))


def _folded(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index in `text` it came from."""
    if text.isascii():
        return text, list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


# Patterns over folded text. Digits not glued to other digits; separators
# inside numbers are common in hand-typed text ("138-1234-5678",
# "139 - 1234 - 5678", "6222 0212 3456 7890 123"; "——" folds to "--").
_SEP = r"[- ]{0,3}"
_PHONE = re.compile(
    rf"(?<![0-9])(?:(?:\+|00)?86{_SEP}|\(\+?86\){_SEP})?"  # +86 139…, 0086…, (+86)139…
    r"(?:1[3-9][0-9]|\(1[3-9][0-9]\))"
    # dots and slashes only as both separators: "139.1234.5678", never an amount like "139.12345678"
    rf"(?:(?:{_SEP}[0-9]{{4}}){{2}}|(?:[./][0-9]{{4}}){{2}})(?![0-9])"
)
_ID18 = re.compile(rf"(?<![0-9])[1-9][0-9]{{5}}{_SEP}[0-9]{{8}}{_SEP}[0-9]{{3}}[0-9Xx](?![0-9A-Za-z])")
# 16-19 digits in groups of four; the last group may be split ("6222 0212 3456 7890 123")
_CARD = re.compile(
    rf"(?<![0-9])[0-9]{{4}}(?:{_SEP}[0-9]{{4}}){{2}}{_SEP}(?:[0-9]{{4}}{_SEP}[0-9]{{1,3}}|[0-9]{{4,7}})(?![0-9])"
)
# A run of 11+ characters that may hold a number once folded: digits (ASCII and
# full-width) and whatever folds to a separator or to nothing. Only the windows
# around such runs are folded and matched.
_GLUE = (
    " ./()+-\u00a0\u202f\u205f\u3000" + _span(0x2000, 0x200A)
    + "\uff0e\uff0f\uff08\uff09\uff0b\uff0d\ufe58\ufe63"  # full-width . / ( ) + - and small dashes
    + _DASHES + _INVISIBLE
)
_DIGITS = "0123456789" + _span(0xFF10, 0xFF19)
_ANY_RUN = re.compile(f"{_class(_DIGITS)}{_class(_DIGITS + _GLUE)}{{9,}}{_class(_DIGITS + 'XxＸｘ')}")
# What a window takes in around a run; with skip_digests also hex digits (a digest whole).
_HEX = "0123456789abcdef" + _span(0xFF10, 0xFF19) + _span(0xFF41, 0xFF46)
_GLUE_SET, _GLUE_HEX_SET = frozenset(_GLUE), frozenset(_GLUE + _HEX)
_AROUND, _AROUND_HEX = re.compile(_class(_GLUE) + "*"), re.compile(_class(_GLUE + _HEX) + "*")
# sha256 digests and commit ids: long hex runs whose digits are not numbers anyone typed
_HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32,}(?![0-9A-Za-z])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_checksum_ok(text: str) -> bool:
    """The ID's check character matches, and digits 7-14 are a birth date (19xx/20xx)."""
    text = re.sub(r"[- ]", "", text)
    total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != text[17].upper() or text[6:8] not in ("19", "20"):
        return False
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return True


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _start_of(chars: frozenset[str], text: str, start: int) -> int:
    """Where the run of `chars` that ends at `start` begins."""
    while start > 0 and text[start - 1] in chars:
        start -= 1
    return start


def find_private(text: str, skip_digests: bool = False) -> Iterator[tuple[str, str]]:
    """Yield (code, matched text as typed) for each phone, ID-card or bank-card number.

    The three patterns run only on windows around runs of 11+ digits and
    separators: on a built site's 50 MB of HTML, running them over whole pages
    cost more than the rest of the privacy scan together. Only the windows are
    folded (`fold`), and what is yielded is the text as typed, so that a caller
    can replace it. `skip_digests` ignores digits inside sha256 digests and
    commit ids (long lowercase hex runs), as if each were replaced by "#".
    """
    if not text:
        return
    spans: list[list[int]] = []
    after, before = (_AROUND_HEX, _GLUE_HEX_SET) if skip_digests else (_AROUND, _GLUE_SET)
    for run in _ANY_RUN.finditer(text):
        # Take in what may still belong to the number ("+86 " or "(" before it, separators and
        # invisible characters after it; with skip_digests a digest whole), then one character on
        # each side for the not-glued-to-digits look-arounds.
        tail = after.match(text, run.end())  # the pattern matches the empty string too
        end = (tail.end() if tail else run.end()) + 1
        if spans and run.start() <= spans[-1][1]:  # within the last window: its start would be that one's
            spans[-1][1] = max(spans[-1][1], end)
            continue
        start = max(_start_of(before, text, run.start()) - 1, 0)
        if spans and start <= spans[-1][1]:  # overlapping windows are one: nothing is found twice
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    if not _any_in("\n".join(text[start:end] for start, end in spans), skip_digests):
        return  # nearly always: a table's row ids and dates are runs of digits, and none is a number
    for start, end in spans:
        typed = text[start:end]
        window, where = _folded(typed)
        if skip_digests:  # same length, so `where` still holds
            window = _HEX_DIGEST.sub(lambda m: "#" * len(m.group()), window)
        for code, a, b in _find_in(window):
            yield code, typed[where[a] : where[b - 1] + 1]


# One pass of the three patterns over all of a text's windows at once, joined by "\n": no pattern
# holds a "\n", and for each look-around one is what the end of a window is. Whether any window
# holds a match, exactly; the windows are then read one by one only when one does (a download
# table's row ids are hundreds of thousands of windows, and reading each alone was most of the scan).
_ANY_NUMBER = re.compile("|".join(f"(?:{p.pattern})" for p in (_ID18, _PHONE, _CARD)))


def _any_in(windows: str, skip_digests: bool) -> bool:
    folded = fold(windows)
    if skip_digests:
        folded = _HEX_DIGEST.sub("#", folded)  # the look-arounds see "#" as they see the "#"s of a digest
    return _ANY_NUMBER.search(folded) is not None


def _find_in(text: str) -> Iterator[tuple[str, int, int]]:
    taken: list[tuple[int, int]] = []
    for m in _ID18.finditer(text):
        if _id_checksum_ok(m.group()):
            taken.append(m.span())
            yield "SL502", *m.span()
    for m in _PHONE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            taken.append(m.span())
            yield "SL501", *m.span()
    for m in _CARD.finditer(text):
        digits = re.sub(r"[- ]", "", m.group())
        if 16 <= len(digits) <= 19 and _luhn_ok(digits) and not any(a <= m.start() < b for a, b in taken):
            yield "SL503", *m.span()


KIND_ZH = {"SL501": "手机号码", "SL502": "身份证号码", "SL503": "银行卡号"}


def mask_hint(found: str) -> str:
    """Show where the number is without repeating it in full (`１３９…` shows as 139******78)."""
    digits = re.sub(r"[^0-9Xx]", "", fold(found))
    return digits[:3] + "*" * max(len(digits) - 5, 0) + digits[-2:]


def is_masked(name: str) -> bool:
    """张*, 张＊ (full-width), 王某, 匿名…: the name is already hidden."""
    name = fold(name).strip()
    return "*" in name or "某" in name or name.startswith("匿名")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧阳**: the family name stays, the rest is hidden.

    Counted on the folded name, so that zero-width characters neither hide
    a letter nor add a star; a name already masked (张＊) is kept as typed."""
    name = name.strip()
    if not name or is_masked(name):
        return name
    name = fold(name).strip()
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


# Words that make a name an organisation's or a group's, never a private person's.
# Built in; each district adds its own in sunledger.yml (`group_words`), and
# `shows_name` reads both, so the rule SL504, the site, the downloads and the
# importers decide alike.
ORG_WORDS = (
    "公司", "集团", "有限", "股份", "银行", "支行", "分行", "信用社", "信用合作", "财付通", "支付宝",
    "局", "办事处", "委员会", "居委会", "村委会", "政府", "街道", "社区", "中心", "协会", "学会",
    "基金会", "商会", "联合会", "合作社", "服务社", "事务所", "工作室", "经营部", "门市", "商行",
    "超市", "药房", "医院", "卫生院", "学校", "小学", "中学", "幼儿园", "大学", "研究院",
    "党支部", "党委", "支部", "团委", "妇联", "工会", "物业", "市集", "小组", "服务队", "志愿",
    "团队", "俱乐部", "财政", "税务", "国库", "部队", "科技", "商贸", "贸易", "电器", "建材",
)
# A name ending in one of these is an organisation's when it is longer than a person's name.
ORG_ENDINGS = ("社", "站", "馆", "店", "部", "院", "所", "处", "厅", "会", "队", "团", "厂", "行", "场", "园", "校")


def is_group(name: str, group_words: tuple[str, ...] = ()) -> bool:
    """An organisation or a group (全体业主, 便民超市), by the built-in words, the district's, or an ending."""
    if any(w in name for w in ORG_WORDS) or any(w in name for w in group_words):
        return True
    return len(name) >= 5 and name.endswith(ORG_ENDINGS)


def shows_name(name: str, group_words: tuple[str, ...] = (), consent: bool = False) -> bool:
    """The one decision "show this name or mask it" for a name that may be a private
    person's (a resident donor, a statement's counterparty): shown as written when the
    person agreed (`consent:`), when it is masked already, or when it is a group's."""
    return consent or is_masked(name) or is_group(name, group_words)
