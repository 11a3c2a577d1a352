"""find_private scans windows around digit runs; it must find exactly what a scan of the whole text finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sunledger import privacy
from sunledger.privacy import _CARD, _ID18, _PHONE, _id_checksum_ok, _luhn_ok, find_private


def whole_text(text: str, skip_digests: bool = False) -> list[tuple[str, str]]:
    """The straightforward scan: each pattern over the whole text."""
    if skip_digests:
        text = privacy._HEX_DIGEST.sub("#", text)
    out, taken = [], []
    for m in _ID18.finditer(text):
        if _id_checksum_ok(m.group()):
            taken.append(m.span())
            out.append(("SL502", m.group()))
    for m in _PHONE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            taken.append(m.span())
            out.append(("SL501", m.group()))
    for m in _CARD.finditer(text):
        digits = re.sub(r"[- ]", "", m.group())
        if 16 <= len(digits) <= 19 and _luhn_ok(digits) and not any(a <= m.start() < b for a, b in taken):
            out.append(("SL503", m.group()))
    return out


PHONE, ID, CARD = "13812345678", "11010519491231002X", "6222021234567890123"
pieces = st.sampled_from([PHONE, ID, CARD, "+86 ", "+86-", "-", " ", "0", "1", "8", "X", "x", "a", "，", "金额", "5,723.46",
                          "2024-03-01", "\n", "6222 0212 3456 7890 123", "138-1234-5678",
                          "3f9a", "0c81e7d2b4a6", "beef", "cbecaa530902b97ce4994398", "g", "Z",
                          "F0199-202610-036-1"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(pieces, max_size=12).map("".join))
def test_windows_find_what_the_whole_text_scan_finds(text):
    assert sorted(find_private(text)) == sorted(whole_text(text))
    assert sorted(find_private(text, skip_digests=True)) == sorted(whole_text(text, skip_digests=True))


def test_a_number_among_thousands_of_row_ids_is_found_as_typed():
    """A download table: every row id is a window of digits; all of them are looked at in one pass
    first, and the one row holding a number is found, as typed, at its place."""
    rows = [f"F0199-2026{m:02d}-{i:03d}-1,2026-{m:02d}-01,支出,-290.00" for m in range(1, 13) for i in range(300)]
    typed = "１３８\u3000１２３４－５６７８"
    rows[1800] += f",联系人{typed}"
    text = "\n".join(rows)
    assert list(find_private(text, skip_digests=True)) == [("SL501", typed)]
    assert list(find_private(text.replace(typed, "（已打码）"), skip_digests=True)) == []


def test_digits_inside_a_digest_are_not_numbers():
    digest = "cbecaa530902b97ce49e" + PHONE + "ab" * 10
    assert list(find_private(f"校验和 {digest}")) == [("SL501", PHONE)]
    assert list(find_private(f"校验和 {digest}", skip_digests=True)) == []


def test_known_numbers_are_found_in_prose():
    text = f"联系人电话{PHONE}，身份证{ID}，卡号 6222 0212 3456 7890 123，金额 5,723.46 元"
    codes = [code for code, _ in find_private(text)]
    assert codes.count("SL501") == 1 and codes.count("SL502") == 1
    assert privacy.mask_hint(PHONE) == "138******78"


def test_a_stamp_whose_short_checksum_is_all_digits_is_not_a_phone_number():
    """A fund's checksum starting b13612660560… (measured on the 200-fund benchmark) states
    "校验和 b13612660560" on its pages. The scan lets the build's own stamps through, and only them:
    the same shape typed by someone else is still found."""
    from sunledger.site.scan import scan_bytes

    page = '<div class="sl-build">本页根据本基金账本（校验和 b13612660560）生成</div>'.encode()
    assert scan_bytes("funds/F/index.html", page, [])  # without knowing it: a phone number
    assert scan_bytes("funds/F/index.html", page, [], known=frozenset({"b13612660560"})) == []
    typed = "<p>请提交 13812345678a 号表到居委会</p>".encode()  # twelve hex digits after 提交, a phone number in them
    assert scan_bytes("projects/P/index.html", typed, [], known=frozenset({"b13612660560"}))


def test_the_scan_finds_each_of_many_names_as_one_by_one_would():
    """Two thousand donors' names are looked for in one pass (scan._any_of); every name a text
    holds is still reported, a name inside a longer one too, and in the order of the names."""
    import random
    import re

    from sunledger.site.scan import scan_bytes

    rng = random.Random(7)  # noqa: S311 - test data
    names = sorted({rng.choice("王李张刘陈杨") + "".join(rng.choice("伟芳娜敏静丽强") for _ in range(rng.choice((1, 2))))
                    for _ in range(2000)} | {"王伟", "王伟强", "a.b*"})
    page = "<p>捐款人：王伟强（已打码的是王*）、a.b*，以及 axb。</p>".encode()
    found = scan_bytes("funds/F/index.html", page, names)
    expected = [n for n in names if n in page.decode()]
    assert {"王伟", "王伟强", "a.b*"} <= set(expected)
    assert len(found) == len(expected) and all("SL504" in line for line in found)
    assert [re.search(r"姓名（(.+?)）", line).group(1) for line in found] == [n[0] + "*" * (len(n) - 1) for n in expected]  # type: ignore[union-attr]
    assert scan_bytes("funds/F/index.html", "<p>axb 没有姓名</p>".encode(), names) == []  # "a.b*" is text, not a pattern
