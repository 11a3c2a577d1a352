"""District configuration: `sunledger.yml` at the root of a district.

Read by every face (plugins inside bean-check and Fava, the CLI, the site), so
it lives in one file found by walking up from the ledger.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONFIG_NAME = "sunledger.yml"

ACCOUNT_COMPONENT = r"^[A-Z0-9][A-Za-z0-9-]*$"


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    account: str = Field(pattern=ACCOUNT_COMPONENT)
    personal: bool = False  # donors are private persons: names masked unless consent
    merchant: bool = False  # payments are shares of declared revenue under contract


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    account: str = Field(pattern=ACCOUNT_COMPONENT)


DEFAULT_SOURCES = (
    Source(name="政府拨", account="Gov"),
    Source(name="社区筹", account="Community"),
    Source(name="企业捐", account="Enterprise"),
    Source(name="居民集", account="Resident", personal=True),
    Source(name="商户分成", account="Merchant", merchant=True),
)


class Disclosure(BaseModel):
    """When things must be published (the checker warns of what is overdue)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    notice_days: int = Field(default=10, ge=0)  # monthly notice within N days after month end
    long_project_months: int = Field(default=6, ge=1)  # projects longer than this report progress …
    progress_months: int = Field(default=3, ge=1)  # … at least this often
    final_report_months: int = Field(default=3, ge=0)  # final report and leftover money after the end
    annual_report_due: str = Field(default="05-31", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class Limits(BaseModel):
    """Sizes no honest fund reaches. Inputs beyond them are refused (SL010) before beancount or
    YAML parses them: beancount's parser is super-linear in one huge token (a 4 MB narration
    takes ~11 s, 50 MB many minutes), so without these a hostile file makes `check` hang."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file_bytes: int = Field(default=5_000_000, ge=10_000)  # one ledger file
    # one ledger line; at most 8192 because beancount's parser (a 10,000-deep bison stack) runs
    # out of memory on a line of ~10,000 nested `(` or `-`
    line_bytes: int = Field(default=4096, ge=256, le=8192)
    yaml_bytes: int = Field(default=1_000_000, ge=10_000)  # one YAML file of content/
    # nesting of YAML lists and maps; libyaml's composer recurses in C and dies with a
    # segmentation fault near 50,000 (≤ 20,000 is safe)
    yaml_depth: int = Field(default=50, ge=5, le=10_000)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    currency: str = "CNY"
    sources: tuple[Source, ...] = DEFAULT_SOURCES
    categories: tuple[Category, ...] = (Category(name="公益项目", account="Projects"),)
    merchant_rate: Decimal = Decimal("0.05")
    group_words: tuple[str, ...] = ("居民", "业主", "集体", "募捐", "群众", "小区", "志愿者")
    receipt_threshold: Decimal = Decimal("1000.00")
    large_expense: Decimal = Decimal("10000.00")
    disclosure: Disclosure = Disclosure()
    limits: Limits = Limits()

    @field_validator("sources", "categories")
    @classmethod
    def _unique(cls, items: tuple) -> tuple:
        for attr in ("name", "account"):
            seen = [getattr(i, attr) for i in items]
            dup = {x for x in seen if seen.count(x) > 1}
            if dup:
                raise ValueError(f"重复的 {attr}: {', '.join(sorted(dup))}")
        return items

    def source_by_account(self) -> dict[str, Source]:
        return {s.account: s for s in self.sources}

    def source_by_name(self) -> dict[str, Source]:
        return {s.name: s for s in self.sources}

    def category_by_account(self) -> dict[str, Category]:
        return {c.account: c for c in self.categories}


def find_root(start: str | Path) -> Path | None:
    """The nearest folder at or above `start` that holds sunledger.yml."""
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None
