"""What every statement importer shares: the fund it books into, and turning
statement lines into beancount entries that a treasurer then classifies.

An imported transaction carries the `!` flag, no `project:` and, when nothing
better is known, an `…:Unclassified` account the ledger has not opened: the
checker reports it until the treasurer picks the source or category (and the
project of an expense) and changes `!` to `*`. A counterparty seen before in
the ledger gets the account it had last time; a merchant under contract gets
the merchant source with `merchant:` and `period:` (its `revenue:` is for the
treasurer to fill in, and SL202 asks for it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from beangulp.extract import DUPLICATE

from ..config import Config
from ..content.load import Content, load_content
from ..ledger.accounts import ASSET, INCOME, Classifier
from . import match
from . import statement as st
from .statement import Line, Statement
from .table import StatementError, read_rows

FLAG = "!"
UNCLASSIFIED = "Unclassified"
INTEREST_WORDS = ("结息", "利息")
WALLET_WORDS = {st.ALIPAY: ("支付宝", "alipay"), st.WECHAT: ("财付通", "微信", "wechat", "weixin", "tenpay")}
WALLET_DEFAULT = {st.ALIPAY: "Alipay", st.WECHAT: "WeChat"}


class SetupError(ValueError):
    """The district or fund the import needs is missing; the message is Chinese."""


@dataclass(frozen=True, eq=False)
class FundTarget:
    """The fund a statement is imported into, and what it knows of its names."""

    code: str
    name: str
    account_code: str
    bank: str  # the fund's bank account
    bank_tail: str | None  # last four digits of its number, from fund.yml
    currency: str
    group_words: tuple[str, ...]  # words and names that are never a private person: shown unmasked
    merchants: dict[str, str]  # partner name -> partner id, partners with a share contract
    classify: Classifier


def fund_target(root: Path, code: str, content: Content | None = None) -> FundTarget:
    content = content or load_content(Path(root))
    fc = content.funds.get(code)
    if fc is None:
        known = "、".join(sorted(content.funds)) or "无"
        raise SetupError(f"没有基金 {code}（content/funds/ 下有：{known}）")
    fund = fc.fund
    bank = fund.accounts.bank[0] if fund.accounts.bank else f"Assets:{fund.account_code}:Bank"
    tail = "".join(ch for ch in fund.bank.account if ch.isdigit())[-4:] if fund.bank else ""
    config: Config = content.config
    return FundTarget(
        code=fund.code,
        name=fund.name,
        account_code=fund.account_code,
        bank=bank,
        bank_tail=tail or None,
        currency=config.currency,
        group_words=(*config.group_words, *sorted(p.name for p in fc.partners.values() if p.kind != "居民")),
        merchants={p.name: p.id for p in fc.partners.values() if p.contract is not None},
        classify=Classifier(config, content),
    )


def fund_accounts(entries: Sequence, target: FundTarget) -> list[str]:
    """Accounts of the fund opened in the ledger, in ledger order."""
    out = []
    for e in entries:
        if isinstance(e, data.Open):
            role = target.classify(e.account)
            if role is not None and role.code == target.code:
                out.append(e.account)
    return out


def wallet_account(entries: Sequence, target: FundTarget, kind: str) -> str:
    """The fund's Alipay / WeChat balance account: an opened asset account named so, else the default name."""
    words = WALLET_DEFAULT[kind].lower(), *WALLET_WORDS[kind]
    for acct in fund_accounts(entries, target):
        role = target.classify(acct)
        last = acct.rsplit(":", 1)[-1].lower()
        if role is not None and role.kind == ASSET and any(w in last for w in words):
            return acct
    return f"Assets:{target.account_code}:{WALLET_DEFAULT[kind]}"


def previous_month(day: dt.date) -> str:
    return st.month_of(day.replace(day=1) - dt.timedelta(days=1))


@dataclass
class Guesser:
    """The other side of an imported line, from what the ledger already knows."""

    target: FundTarget
    account: str
    kind: str
    existing: Sequence
    opened: list[str] = field(init=False)
    seen: dict[tuple[str, bool], str] = field(init=False)

    def __post_init__(self) -> None:
        self.opened = fund_accounts(self.existing, self.target)
        self.seen = {}
        for txn in match.on_account(self.existing, self.account):
            others = {p.account for p in txn.postings if not match.within(self.account, p.account)}
            if txn.payee and len(others) == 1:
                self.seen[(txn.payee, match.amount_on(txn, self.account) > 0)] = others.pop()

    def _income(self, test) -> str | None:
        for acct in self.opened:
            role = self.target.classify(acct)
            if role is not None and role.kind == INCOME and role.source is not None and test(role.source):
                return acct
        return None

    def _wallet(self, payee: str) -> str | None:
        """The opened wallet account a bank line from Alipay (支付宝) or WeChat Pay (财付通) moves money from."""
        for kind, words in WALLET_WORDS.items():
            if any(w in payee.lower() for w in words):
                acct = wallet_account(self.existing, self.target, kind)
                return acct if acct in self.opened else None
        return None

    def counter(self, line: Line) -> tuple[str, dict[str, str]]:
        """(account, extra metadata) for the posting that balances `line`."""
        money_in = line.amount > 0
        code = self.target.account_code
        if self.kind != st.BANK and "提现" in line.narration and not money_in:
            return self.target.bank, {}
        wallet = self._wallet(line.payee) if self.kind == st.BANK else None
        if wallet is not None:
            return wallet, {}
        if money_in and line.payee in self.target.merchants:
            acct = self._income(lambda s: s.merchant) or self.seen.get((line.payee, True))
            if acct is not None:
                return acct, {"merchant": self.target.merchants[line.payee], "period": previous_month(line.date)}
        if (line.payee, money_in) in self.seen:
            return self.seen[(line.payee, money_in)], {}
        if money_in and any(w in line.narration for w in INTEREST_WORDS):
            acct = self._income(lambda s: s.name == "利息")
            if acct is not None:
                return acct, {}
        return (f"Income:{code}:{UNCLASSIFIED}" if money_in else f"Expenses:{code}:{UNCLASSIFIED}"), {}


_ROWS: dict[tuple[str, int, int], list[list[str]]] = {}


def rows_of(filepath: str | Path) -> list[list[str]]:
    """The file's rows, read once however often beangulp asks."""
    path = Path(filepath)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _ROWS:
        if len(_ROWS) > 32:
            _ROWS.clear()
        _ROWS[key] = read_rows(path)
    return _ROWS[key]


class StatementImporter(beangulp.Importer):
    """A beangulp importer for one kind of statement of one fund.

    Subclasses set `kind` and the dialect's `detect(rows)` and
    `parse(path, rows, group_words)`.
    """

    kind = st.BANK
    window = match.WINDOW

    def __init__(self, target: FundTarget, account: str | None = None):
        self.target = target
        self._account = account or target.bank

    @staticmethod
    def detect(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:  # pragma: no cover - per dialect
        raise NotImplementedError

    @staticmethod
    def parse(path: str | Path, rows: Sequence[Sequence[str]], group_words: tuple[str, ...] = ()) -> Statement:  # pragma: no cover
        raise NotImplementedError

    @property
    def name(self) -> str:
        return f"sunledger.{self.kind}.{self.target.code}"

    def read(self, filepath: str | Path) -> Statement:
        return self.parse(filepath, rows_of(filepath), self.target.group_words)

    def identify(self, filepath: str) -> bool:
        try:
            rows = rows_of(filepath)
        except (StatementError, OSError):
            return False
        found = self.detect(rows)
        if found is None:
            return False
        tail = st.account_tail(rows[: found[0]]) if self.kind == st.BANK else None
        return tail is None or self.target.bank_tail is None or tail == self.target.bank_tail

    def account(self, filepath: str) -> data.Account:
        return self._account

    def date(self, filepath: str) -> dt.date | None:
        stmt = self.read(filepath)
        if stmt.period is not None:
            return stmt.period[1]
        return stmt.lines[-1].date if stmt.lines else None

    def filename(self, filepath: str) -> str | None:
        stmt = self.read(filepath)
        span = stmt.span
        if span is None:
            return None
        suffix = "" if self.kind == st.BANK else f".{self.kind}"
        return f"{st.month_of(span[0])}{suffix}{Path(filepath).suffix.lower()}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        stmt = self.read(filepath)
        guess = Guesser(self.target, self._account, self.kind, existing or [])
        entries: list = [self.transaction(filepath, line, guess) for line in stmt.lines]
        entries.extend(self.balances(filepath, stmt))
        return entries

    def transaction(self, filepath: str, line: Line, guess: Guesser) -> data.Transaction:
        counter, extra = guess.counter(line)
        meta = data.new_metadata(str(filepath), line.line)
        meta.update(extra)
        cur = self.target.currency
        postings = [
            data.Posting(self._account, Amount(line.amount, cur), None, None, None, None),
            data.Posting(counter, Amount(-line.amount, cur), None, None, None, None),
        ]
        narration = line.narration or st.KIND_ZH[self.kind] + "导入"
        return data.Transaction(meta, line.date, FLAG, line.payee or None, narration, data.EMPTY_SET, data.EMPTY_SET, postings)

    def balances(self, filepath: str, stmt: Statement) -> list[data.Balance]:
        """A balance assertion, dated the 1st of the next month, for each month the statement closes."""
        closing = st.closings(stmt)
        out = []
        for month in st.complete_months(stmt):
            number = closing.get(month)
            if number is None:
                continue
            day = st.next_month_start(dt.date.fromisoformat(month + "-01"))
            last = [ln.line for ln in stmt.lines if st.month_of(ln.date) == month]
            meta = data.new_metadata(str(filepath), last[-1] if last else 0)
            out.append(data.Balance(meta, day, self._account, Amount(number, self.target.currency), None, None))
        return out

    def sort(self, entries: data.Entries, reverse: bool = False) -> None:
        """By date, keeping the statement's own order within a day (its times); balances open their day."""
        entries.sort(key=lambda e: (e.date, not isinstance(e, data.Balance)), reverse=reverse)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark (`__duplicate__`) what the ledger already has: the same amount on this account within `window` days, one to one; a balance on the same day."""
        new = [e for e in entries if isinstance(e, data.Transaction)]
        old = match.on_account(existing, self._account)
        found = match.pairs(
            [(e.date, match.amount_on(e, self._account)) for e in new],
            [(t.date, match.amount_on(t, self._account)) for t in old],
            self.window,
            {j: str(t.meta["corrects"]) for j, t in enumerate(old) if match.is_correction(t)},
        )
        for i, j in found:
            new[i].meta[DUPLICATE] = old[j]
        asserted = {(e.account, e.date): e for e in existing if isinstance(e, data.Balance)}
        for e in entries:
            if isinstance(e, data.Balance) and (e.account, e.date) in asserted:
                e.meta[DUPLICATE] = asserted[(e.account, e.date)]


def fresh(entries: Sequence) -> list:
    """The entries not marked as duplicates."""
    return [e for e in entries if DUPLICATE not in e.meta]

