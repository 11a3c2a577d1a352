"""Columns of text for the terminal, where a CJK character takes two."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, left: bool = False) -> str:
    fill = " " * max(columns - width(text), 0)
    return text + fill if left else fill + text
