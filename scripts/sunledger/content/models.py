"""Pydantic models of what `content/` holds. Field names are the YAML keys."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .. import privacy
from ..config import ACCOUNT_COMPONENT
from ..periods import MONTH_PATTERN

ID = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"

Level = Literal["district", "street", "community", "compound"]
LEVEL_NAMES = {"district": "区县", "street": "街道", "community": "社区", "compound": "小区"}

# 群众点单 → 社区派单 → 社会接单 → 实施 → 完成 → 居民评单
STAGES = ("点单", "派单", "接单", "实施", "完成", "评单")
# Dispatched and not yet finished: what the pages list as 进行中
IN_PROGRESS = ("派单", "接单", "实施")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Node(_Model):
    """A place in the district tree that has no ledger of its own (区, 街道 …)."""

    id: str = Field(pattern=ID)
    name: str
    level: Level
    parent: str | None = None


def number_key(text: str) -> str:
    """A phone number as digits only, without +86/0086: how a published number is compared."""
    digits = "".join(ch for ch in privacy.fold(text) if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix):]
    return digits


class Phone(_Model):
    """A number residents may call: an office's landline, a hotline (12345), or a duty mobile."""

    label: str = "监督电话"
    number: str = Field(pattern=r"^[0-9０-９+＋()（）\- ]{3,24}$")
    # A mobile number is a person's unless declared: `public: true` says this one is an office's
    # published duty phone, and the privacy checks (content and the built site) let exactly it through.
    public: bool = False

    @property
    def key(self) -> str:
        return number_key(self.number)

    @property
    def tel(self) -> str:
        return "".join(ch for ch in privacy.fold(self.number) if ch.isdigit() or ch == "+")


class Contact(_Model):
    """How residents reach the people behind a fund; shown at the foot of every page.

    In content/district.yml for the whole district; a fund's fund.yml may set any
    field again for its own pages (the others stay the district's)."""

    phones: tuple[Phone, ...] = ()
    address: str = ""  # where to come in person
    mailbox: str = ""  # where the 意见箱 hangs
    hours: str = ""  # office hours
    note: str = ""  # anything else (an e-mail address, a WeChat account of the office)

    def over(self, base: Contact | None) -> Contact:
        """This contact with the fields it does not set taken from `base`."""
        if base is None:
            return self
        return base.model_copy(update={k: getattr(self, k) for k in self.model_fields_set})


class NoticeBoard(_Model):
    """The foot of the printed monthly notice (公示栏): who signs, how long it hangs, how to object.

    District-wide in content/district.yml (`notice:`), per fund in fund.yml, field by field."""

    signatures: tuple[str, ...] = ("经办人", "审核人", "居务监督委员会")
    days: int = Field(default=7, ge=1, le=90)  # 公示期: days from the posting date
    objection: str = ""  # 异议 route; empty: the site writes one from the contact lines

    def over(self, base: NoticeBoard | None) -> NoticeBoard:
        if base is None:
            return self
        return base.model_copy(update={k: getattr(self, k) for k in self.model_fields_set})


class District(_Model):
    name: str = "阳光账本"
    nodes: tuple[Node, ...] = ()
    contact: Contact = Contact()
    notice: NoticeBoard = NoticeBoard()


class Bank(_Model):
    name: str
    account: str = Field(description="masked account number, e.g. ****1234", pattern=r"^\*+\d{0,4}$")


class AccountMap(_Model):
    """For books kept with other account names: map them instead of renaming."""

    bank: tuple[str, ...] = ()
    sources: dict[str, str] = {}  # account -> source name
    categories: dict[str, str] = {}  # account -> category name
    other: tuple[str, ...] = ()  # further accounts of the fund (cash, equity, liabilities)


META_KEY = r"^[a-z][a-zA-Z0-9_-]*$"  # beancount's metadata keys


class Approval(_Model):
    date: dt.date
    by: str
    ref: str = ""


class Section(_Model):
    """A narrative part of an annual report, in the fund manager's words."""

    title: str
    text: str


class AnnualReport(_Model):
    """A published annual report (年度报告) of a closed year. Only its words are typed here:
    every figure of the report page comes from the books (views/annual.py), so the record has
    no field for a number (an unknown field is SL702)."""

    year: int = Field(ge=2000, le=2100)
    date: dt.date  # published on (公布日期): the page appears from this day
    title: str = ""
    approved: Approval | None = None  # who approved it (理事会、居民代表会议 …), when, its reference (文号)
    summary: str = ""  # 工作报告: the year's work
    sections: tuple[Section, ...] = ()  # further parts (存在问题、下年度计划 …)

    @model_validator(mode="after")
    def _after_the_year(self) -> AnnualReport:
        end = dt.date(self.year, 12, 31)
        if self.date <= end:
            raise ValueError(f"{self.year} 年度报告的公布日期 {self.date} 不在 {self.year} 年结束之后：年度报告在年度结束、账目封存后才能公布")
        if self.approved is not None and not end < self.approved.date <= self.date:
            raise ValueError(f"{self.year} 年度报告的审议日期 {self.approved.date} 应在 {self.year} 年结束之后、公布日期 {self.date} 当天或之前")
        return self


class Fund(_Model):
    code: str = Field(pattern=ACCOUNT_COMPONENT)
    name: str
    kind: str = "社区基金"
    level: Level
    parent: str | None = None
    opened: dt.date
    ledger_code: str | None = Field(default=None, pattern=ACCOUNT_COMPONENT)
    bank: Bank | None = None
    treasurer: str | None = None
    description: str = ""
    accounts: AccountMap = AccountMap()
    # books brought in from elsewhere (sunledger adopt): entries dated before `cutover` are
    # history, published as one opening balance by source on that day (ledger/adopted.py)
    cutover: dt.date | None = None
    # metadata keys of such books read under another name: {outside key: name it is read as};
    # a name sunledger knows (project, source …) takes that meaning, any other is a note
    metadata: dict[str, str] = {}
    annual_reports: tuple[AnnualReport, ...] = ()
    contact: Contact | None = None  # over the district's (content/district.yml)
    notice: NoticeBoard | None = None  # over the district's

    @field_validator("annual_reports")
    @classmethod
    def _one_per_year(cls, reports: tuple[AnnualReport, ...]) -> tuple[AnnualReport, ...]:
        seen = [r.year for r in reports]
        twice = sorted({y for y in seen if seen.count(y) > 1})
        if twice:
            raise ValueError(f"{'、'.join(map(str, twice))} 年度报告登记了不止一次：每年一条")
        return reports

    @field_validator("cutover")
    @classmethod
    def _month_start(cls, day: dt.date | None) -> dt.date | None:
        if day is not None and day.day != 1:
            raise ValueError(f"接入日期 {day} 应为某月 1 日（月度公示从这个月开始），例如 {day:%Y-%m}-01")
        return day

    @field_validator("metadata")
    @classmethod
    def _keys(cls, keys: dict[str, str]) -> dict[str, str]:
        for k in (*keys, *keys.values()):
            if not re.match(META_KEY, k):
                raise ValueError(f"元数据键名“{k}”应以小写字母开头，只用字母、数字、_ 和 -（beancount 的元数据键）")
        return keys

    @property
    def account_code(self) -> str:
        return self.ledger_code or self.code

    def before_cutover(self, day: dt.date) -> bool:
        """Is `day` in the history of adopted books (exempt from project, disclosure and seal rules)?"""
        return self.cutover is not None and day < self.cutover


class Contract(_Model):
    rate: Decimal | None = Field(default=None, gt=0, lt=1)
    start: str = Field(pattern=MONTH_PATTERN)
    end: str | None = Field(default=None, pattern=MONTH_PATTERN)
    space: str = ""

    @model_validator(mode="after")
    def _order(self) -> Contract:
        if self.end is not None and self.end < self.start:
            raise ValueError("合同结束月份早于开始月份")
        return self


PartnerKind = Literal["商户", "社会企业", "社会组织", "物业企业", "政府部门", "驻区单位", "企业", "居民", "志愿团队"]


class Partner(_Model):
    id: str = Field(pattern=ID)
    name: str
    kind: PartnerKind
    contract: Contract | None = None
    description: str = ""


class Outcome(_Model):
    metric: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    text: str | None = None
    photo: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Outcome:
        if self.metric is None and self.text is None and self.photo is None:
            raise ValueError("成效至少需要 metric、text 或 photo 之一")
        return self


class Rating(_Model):
    score: Decimal = Field(ge=0, le=5)
    raters: int = Field(ge=0)
    date: dt.date | None = None


class Report(_Model):
    """A published progress (进度) or final (结项) report of a project.

    The fund manager writes the date, the kind, the title and the text (`summary`); the figures
    (spent, by source, share of budget; for 结项 the leftover by source and where it went) are
    generated from the books as of `date` (ledger/progress.py). A figure typed here too
    (`spent`, `leftover`) must equal the books' (SL113, rules/reports.py)."""

    date: dt.date
    kind: Literal["进度", "结项"]
    title: str = ""
    summary: str = ""
    spent: Decimal | None = Field(default=None, decimal_places=2, description="累计支出 as of `date`, as typed")
    leftover: Decimal | None = Field(default=None, decimal_places=2, description="结余资金 (budget − spent) on a final report, as typed")


class Project(_Model):
    id: str = Field(pattern=ID)
    title: str
    category: str
    need: str = ""
    requested: dt.date
    approved: Approval | None = None
    partner: str | None = None
    accepted: dt.date | None = None
    started: dt.date | None = None
    completed: dt.date | None = None
    budget: Decimal = Field(ge=0, decimal_places=2)
    funding: dict[str, Decimal] = {}
    outcomes: tuple[Outcome, ...] = ()
    rating: Rating | None = None
    reports: tuple[Report, ...] = ()
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Project:
        if self.funding and sum(self.funding.values()) != self.budget:
            raise ValueError(f"资金计划合计 {sum(self.funding.values())} 与预算 {self.budget} 不等")
        dates = [
            ("点单", self.requested),
            ("派单", self.approved.date if self.approved else None),
            ("接单", self.accepted),
            ("实施", self.started),
            ("完成", self.completed),
            ("评单", self.rating.date if self.rating else None),
        ]
        known = [(n, d) for n, d in dates if d is not None]
        for (n1, d1), (n2, d2) in itertools.pairwise(known):
            if d2 < d1:
                raise ValueError(f"{n2}日期 {d2} 早于{n1}日期 {d1}")
        return self

    @property
    def stage_dates(self) -> list[tuple[str, dt.date | None]]:
        """Each step of 点单 → 评单 with its date, None where not reached."""
        return list(
            zip(
                STAGES,
                (
                    self.requested,
                    self.approved.date if self.approved else None,
                    self.accepted,
                    self.started,
                    self.completed,
                    self.rating.date if self.rating else None,
                ),
            )
        )

    @property
    def stage(self) -> str:
        """The last step reached (a rating without a date still counts as 评单)."""
        if self.rating is not None:
            return "评单"
        return next((name for name, day in reversed(self.stage_dates) if day is not None), "点单")
