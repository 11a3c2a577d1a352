"""Alipay and WeChat Pay exports, parsed by one piece of code.

The two formats differ only in wording: column names, which statuses mean
"not done", how a bank-card payment is told apart, how neutral rows are
described. A `Wallet` holds that wording, so a fix to the row logic reaches
both dialects at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import statement as st
from .names import public_name, redact
from .statement import Line, Statement
from .table import StatementError, money, when


def neutral_sign(kind: str) -> int | None:
    """收/支 = 不计收支: which of these move money in or out of the balance."""
    if "提现" in kind:
        return -1
    if "充值" in kind or "退款" in kind:
        return 1
    return None


@dataclass(frozen=True)
class Wallet:
    kind: str
    own_word: str  # a preamble naming the other wallet but not this one is the other's export
    other_word: str
    header_error: str
    aliases: dict[str, tuple[str, ...]]
    needs: tuple[tuple[str, ...], ...]
    skip_status: tuple[str, ...]
    status_label: str
    card_words: tuple[str, ...]
    card_note: str
    neutral_from: tuple[str, ...]  # the columns whose text tells neutral_sign where the money went
    neutral_note: Callable[[str, str], str]  # (summary, category) -> why the row was skipped
    category_for_blank_summary: bool  # WeChat writes "/" for 商品 on transfers; the 交易类型 says more

    def detect(self, rows: Sequence[Sequence[str]]) -> tuple[int, st.Columns] | None:
        found = st.find_header(rows, self.aliases, self.needs)
        if found is None:
            return None
        head = "".join("".join(r) for r in rows[: found[0]])
        if self.other_word in head and self.own_word not in head:
            return None
        return found

    def parse(self, path: str | Path, rows: Sequence[Sequence[str]], group_words: tuple[str, ...] = ()) -> Statement:
        found = self.detect(rows)
        if found is None:
            raise StatementError(self.header_error)
        head, cols = found

        def row_to_line(number: int, row: Sequence[str]) -> Line | str | None:
            got = when(st.cell(row, cols, "date"))
            if got is None:
                return None
            day, time = got
            amount = money(st.cell(row, cols, "amount"))
            if amount is None or amount == 0:
                return "无金额的行，已跳过"
            status = st.cell(row, cols, "status")
            if any(w in status for w in self.skip_status):
                return f"{self.status_label}“{status}”，未成交，已跳过"
            direction = st.cell(row, cols, "direction")
            summary, category = st.cell(row, cols, "summary"), st.cell(row, cols, "category")
            if direction.startswith("收"):
                sign = 1
            elif direction.startswith("支"):
                if any(w in st.cell(row, cols, "method") for w in self.card_words):
                    return self.card_note
                sign = -1
            else:
                neutral = neutral_sign("".join(st.cell(row, cols, c) for c in self.neutral_from))
                if neutral is None:
                    return self.neutral_note(summary, category)
                sign = neutral
            person = st.cell(row, cols, "payee")
            text = category if self.category_for_blank_summary and summary in ("", "/") else summary
            return Line(
                line=number,
                date=day,
                amount=sign * abs(amount),
                balance=None,
                payee=public_name(person, group_words),
                narration=redact(text, person),
                ref=redact(st.cell(row, cols, "ref")),
                time=time,
            )

        lines, notes = st.parse_lines(rows, head + 1, row_to_line)
        preamble = rows[:head]
        return Statement(Path(path), self.kind, lines, None, st.period(preamble), notes)
