"""Which fund an account belongs to and what it is: bank, source, category.

Default names follow DEVELOPING.md (`Income:<CODE>:Gov`); a fund whose books
use other names maps them in its fund.yml, and the mapping wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Category, Config, Source
from ..content.load import Content, FundContent

BANK, ASSET, INCOME, EXPENSE, EQUITY, LIABILITY = "bank", "asset", "income", "expense", "equity", "liability"
_ROOT_KIND = {"Assets": ASSET, "Income": INCOME, "Expenses": EXPENSE, "Equity": EQUITY, "Liabilities": LIABILITY}


@dataclass(frozen=True)
class Role:
    fund: FundContent
    kind: str
    source: Source | None = None
    category: Category | None = None

    @property
    def code(self) -> str:
        return self.fund.fund.code


class Classifier:
    def __init__(self, config: Config, content: Content):
        self._by_code = content.fund_by_account_code()
        self._src_acct = config.source_by_account()
        self._src_name = config.source_by_name()
        self._cat_acct = config.category_by_account()
        self._cat_name = {c.name: c for c in config.categories}
        self._explicit: dict[str, Role] = {}
        for fc in content.funds.values():
            amap = fc.fund.accounts
            for acct in amap.bank:
                self._explicit[acct] = Role(fc, BANK)
            for acct, name in amap.sources.items():
                self._explicit[acct] = Role(fc, INCOME, source=self._src_name.get(name))
            for acct, name in amap.categories.items():
                self._explicit[acct] = Role(fc, EXPENSE, category=self._cat_name.get(name))
            for acct in amap.other:
                kind = _ROOT_KIND.get(acct.split(":", 1)[0], ASSET)
                self._explicit[acct] = Role(fc, kind)
        self._cache: dict[str, Role | None] = {}

    def __call__(self, account: str) -> Role | None:
        try:
            return self._cache[account]
        except KeyError:
            role = self._cache[account] = self._classify(account)
            return role

    def _classify(self, account: str) -> Role | None:
        parts = account.split(":")
        for n in range(len(parts), 1, -1):  # the longest mapped ancestor wins
            role = self._explicit.get(":".join(parts[:n]))
            if role is not None:
                return role
        if len(parts) < 2 or parts[1] not in self._by_code:
            return None
        fc = self._by_code[parts[1]]
        kind = _ROOT_KIND.get(parts[0])
        if kind is None:
            return None
        third = parts[2] if len(parts) > 2 else ""
        if kind == ASSET and third == "Bank":
            return Role(fc, BANK)
        if kind == INCOME:
            return Role(fc, INCOME, source=self._src_acct.get(third))
        if kind == EXPENSE:
            return Role(fc, EXPENSE, category=self._cat_acct.get(third))
        return Role(fc, kind)
