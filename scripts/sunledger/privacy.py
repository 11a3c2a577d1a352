"""What counts as private data, and how donor names are masked.

Used by the ledger rule, the content loader and the scan of the built site,
so all three agree on what may never be published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Digits not glued to other digits; separators inside numbers are common in
# hand-typed text ("138-1234-5678", "6222 0212 3456 7890 123").
_PHONE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_ID18 = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9])[0-9]{4}(?:[- ]?[0-9]{4}){2}[- ]?[0-9]{4,7}(?![0-9])")
_ANY_RUN = re.compile(r"[0-9][0-9 -]{9,}[0-9Xx]")
# sha256 digests and commit ids: long hex runs whose digits are not numbers anyone typed
_HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32,}(?![0-9A-Za-z])")
_HEX_CHARS = frozenset("0123456789abcdef")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_checksum_ok(text: str) -> bool:
    total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == text[17].upper()


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def find_private(text: str, skip_digests: bool = False) -> Iterator[tuple[str, str]]:
    """Yield (code, matched text) for each phone, ID-card or bank-card number.

    The three patterns run only on windows around runs of 11+ digits and
    separators: on a built site's 50 MB of HTML, running them over whole pages
    cost more than the rest of the privacy scan together. `skip_digests`
    ignores digits inside sha256 digests and commit ids (long lowercase hex
    runs), as if each were replaced by "#".
    """
    if not text:
        return
    spans: list[list[int]] = []
    for run in _ANY_RUN.finditer(text):
        # 4 before: an optional "+86 " prefix; 1 on each side: the not-glued-to-digits look-arounds
        start, end = max(run.start() - 4, 0), run.end() + 1
        if skip_digests:  # see a digest whole, with the characters around it
            while start > 0 and text[start - 1] in _HEX_CHARS:
                start -= 1
            while end < len(text) and text[end] in _HEX_CHARS:
                end += 1
            start, end = max(start - 1, 0), end + 1
        if spans and start <= spans[-1][1]:  # overlapping windows are one: nothing is found twice
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in spans:
        window = text[start:end]
        if skip_digests:
            window = _HEX_DIGEST.sub("#", window)
        yield from _find_in(window)


def _find_in(text: str) -> Iterator[tuple[str, str]]:
    taken: list[tuple[int, int]] = []
    for m in _ID18.finditer(text):
        if _id_checksum_ok(m.group()):
            taken.append(m.span())
            yield "SL502", m.group()
    for m in _PHONE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            taken.append(m.span())
            yield "SL501", m.group()
    for m in _CARD.finditer(text):
        digits = re.sub(r"[- ]", "", m.group())
        if 16 <= len(digits) <= 19 and _luhn_ok(digits) and not any(a <= m.start() < b for a, b in taken):
            yield "SL503", m.group()


KIND_ZH = {"SL501": "手机号码", "SL502": "身份证号码", "SL503": "银行卡号"}


def mask_hint(found: str) -> str:
    """Show where the number is without repeating it in full."""
    digits = re.sub(r"[^0-9Xx]", "", found)
    return digits[:3] + "*" * max(len(digits) - 5, 0) + digits[-2:]


def is_masked(name: str) -> bool:
    return "*" in name or "＊" in name or "某" in name or name.startswith("匿名")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧阳**: the family name stays, the rest is hidden."""
    name = name.strip()
    if not name or is_masked(name):
        return name
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)
