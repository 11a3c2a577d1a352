"""What of a statement line may enter the ledger.

A statement names the counterparty and often its account number. The account
number never enters the ledger; a person's name enters masked (张*), an
organisation's name as it is. Free text (摘要, 附言, 商品说明) loses phone,
ID-card and bank-card numbers and the unmasked name of the person.
"""

from __future__ import annotations

from ..privacy import find_private, is_masked, mask_name, shows_name

PLACEHOLDERS = ("", "/", "-", "--", "无", "null", "None")


def public_name(name: str, group_words: tuple[str, ...] = ()) -> str:
    """The counterparty as the ledger may show it: organisations and groups as they are
    (`privacy.shows_name`, the decision SL504 makes), persons masked."""
    name = " ".join(name.split())
    if name in PLACEHOLDERS:
        return ""
    return redact(name) if shows_name(name, group_words) else mask_name(name)


def redact(text: str, person: str = "") -> str:
    """Free text without private numbers, and without `person`'s unmasked name."""
    text = " ".join(text.split())
    if text in PLACEHOLDERS:
        return ""
    for _code, found in list(find_private(text)):
        text = text.replace(found, "（号码已删除）")
    if person and len(person) >= 2 and not is_masked(person):
        text = text.replace(person, mask_name(person))
    return text
