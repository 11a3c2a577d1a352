"""Synthetic districts: whole, valid, deterministic, fast.

`generate(root, funds, transactions, seed)` writes a district (sunledger.yml,
ledger/, content/) that keeps every rule of DEVELOPING.md, for the end-to-end
test and the benchmark (`scripts/bench.py`). The text is written directly
(no beancount printer): 100k transactions take about 5-10 s, half of it
parsing the ledger once per fund for the seal digests.

How the money stays valid: each fund is simulated month by month in file
order. Income goes to its source; an expense is only written when every
source it is attributed to (explicit `source:`, else the project's funding
plan, restricted 定向 pool first) still has the money, else the slot becomes
an income. Multi-source plans are in tenths of the budget and such expenses
are multiples of 0.10 CNY, so the proportional split is exact to the fen and
no rounding convention can overdraw a source.

    python -m sunledger.synth ROOT --funds 20 --transactions 10000 [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from beancount.parser import parser

from . import periods
from .config import CONFIG_NAME, Config
from .ledger.seal import SEAL, digest, month_entries
from .periods import add_months, first_day, month_end, month_of, next_month, shift_month
from .rules import RULES

REPO = Path(__file__).resolve().parents[2]
DEFAULT_END = "2026-10"  # last month with transactions; fixed so output never depends on today
DEFAULT_MONTHS = 36
UNSEALED_MONTHS = 1  # the last month stays open: at as_of() it is not yet due for publication (W901)

RECEIPT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

# ---------------------------------------------------------------- word lists

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
            "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴孔汤")
GIVEN = ("建国", "秀英", "桂兰", "志强", "海燕", "丽娟", "春梅", "德明", "玉兰", "国庆", "凤英", "红梅", "永福",
         "淑珍", "文华", "晓东", "佳怡", "子涵", "明", "伟", "芳", "静", "磊", "军", "洋", "勇", "艳", "杰")
PLACES = ("光明", "金兴", "幸福", "和平", "阳光", "东风", "新华", "红旗", "育才", "文昌", "永安", "康宁", "福润",
          "春晖", "朝阳", "青云", "锦绣", "长乐", "泰和", "兴隆", "民主", "团结", "向阳", "建设", "胜利", "友谊",
          "振兴", "丰收", "翠竹", "桂花", "玉蟾", "金桥", "银河", "清泉", "松柏", "紫荆", "梧桐", "荷塘", "绿洲",
          "嘉禾")
COMPOUND_SUFFIX = ("小区", "花园", "家园", "苑", "新村", "国际城", "雅居", "名都")
ORDINALS = ("", "东", "西", "南", "北", "中", "新", "上", "下", "前", "后")
INDUSTRIES = ("建材有限公司", "商贸有限公司", "物流有限公司", "置业有限公司", "食品有限公司", "医药连锁",
              "科技有限公司", "建筑工程有限公司", "供电所", "农商银行支行")
SHOPS = (("便利店", "商户"), ("理发店", "商户"), ("早餐店", "商户"), ("洗衣店", "商户"), ("社区食堂", "社会企业"),
         ("药房", "商户"), ("水果店", "商户"), ("书吧", "社会企业"), ("托管中心", "社会企业"), ("烘焙坊", "商户"))
SPACES = ("活动中心一楼", "党群服务中心侧厅", "小区南门门面", "文化广场东侧", "老年活动室旁", "社区综合楼底商")
BANKS = ("农商银行", "建设银行", "工商银行", "农业银行", "邮储银行", "中国银行")
DEPTS = ("街道办事处", "区民政局", "区财政局", "区委社会工作部", "区住建局")
APPROVERS = ("居民议事会", "社区两委联席会", "小区议事会", "居务监督委员会")
GROUP_DONORS = ("{n}号楼居民", "{n}单元业主", "爱心箱募捐", "全体党员", "志愿者服务队", "小区业主")

# category account -> titles, expense items, amount range in yuan, outcome (metric, unit)
CATEGORY_WORDS = {
    "Infrastructure": (("老旧楼道照明改造", "单元门禁维修", "雨污管网疏通", "非机动车棚建设", "电动车充电桩安装",
                        "小区路面修补", "健身器材更换"),
                       ("材料费", "人工费", "设备采购", "施工进度款", "验收尾款"), (500, 30000), ("受益户数", "户")),
    "Elderly": (("老年助餐", "高龄老人探访", "老年兴趣班", "适老化改造", "银龄健康讲座"),
                ("餐费补贴", "物资采购", "讲师劳务费", "体检服务费", "辅具采购"), (200, 8000), ("服务人次", "人次")),
    "Children": (("四点半课堂", "暑期托管班", "少儿书法班", "亲子阅读会", "青少年科普营"),
                 ("教材费", "老师课酬", "场地布置", "活动物资", "保险费"), (200, 6000), ("参与儿童", "人")),
    "Aid": (("困难家庭帮扶", "大病救助", "节日慰问", "助学金发放", "残疾人关爱"),
            ("慰问金", "慰问物资", "助学金", "救助金"), (300, 5000), ("帮扶户数", "户")),
    "Culture": (("邻里运动会", "广场舞比赛", "创意市集", "中秋联欢会", "社区合唱团"),
                ("奖品", "服装道具", "音响租赁", "场地布置", "茶歇"), (200, 8000), ("参与人数", "人")),
    "Environment": (("楼前绿化补植", "垃圾分类宣传", "墙面美化", "口袋公园建设", "河道清理"),
                    ("苗木采购", "人工费", "宣传物料", "涂料采购", "清运费"), (300, 12000), ("绿化面积", "平方米")),
    "Points": (("志愿积分兑换", "垃圾分类积分兑换", "文明家庭积分兑换"),
               ("兑换物资", "日用品采购", "积分超市补货"), (50, 2000), ("兑换人次", "人次")),
    "Operations": (("基金日常运行", "公示栏更新", "账务代理服务"),
                   ("办公用品", "打印费", "公示材料", "银行手续费"), (50, 3000), None),
}
GENERIC_WORDS = (("社区公益项目",), ("项目支出",), (200, 5000), None)
NEEDS = ("居民议事会收集意见", "网格员入户走访", "居民点单", "社区需求清单", "小区业主提议")
TEXT_OUTCOMES = ("按计划完成，居民反映良好", "已完成并公示", "整改到位，居民满意", "活动顺利开展")

# income source account -> relative weight of a free slot
INCOME_WEIGHTS = {"Resident": 30, "Community": 20, "Public": 15, "Enterprise": 12, "Gov": 10, "Interest": 3}


# ---------------------------------------------------------------- helpers


def fen(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def q(s: str) -> str:
    """A string as a double-quoted scalar: valid both in YAML and in beancount."""
    return json.dumps(s, ensure_ascii=False)


def month_range(end: str, months: int) -> list[str]:
    """The `months` months ending with `end`."""
    return periods.months(shift_month(end, 1 - months), end)


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[:rest]:
        out[i] += 1
    return out


def plugin_lines() -> list[str]:
    """The option and plugin lines of every ledger file: each rule the package has (sunledger.rules.RULES)."""
    return ['option "operating_currency" "CNY"', *(f'plugin "sunledger.rules.{r}"' for r in RULES)]


def as_of(end: str = DEFAULT_END) -> dt.date:
    """The day a district generated with `end` is "today" for `sunledger check --as-of`.

    Five days after the last month: every earlier month is sealed, reports
    that were due are published, the last month is not yet due (W901-W905).
    """
    return month_end(end) + dt.timedelta(days=5)


def config_text() -> str:
    path = REPO / CONFIG_NAME
    return path.read_text(encoding="utf-8")


def seal_lines(ledger: str, code: str, months: list[str], rng: random.Random, cfg: Config,
               notice_days: int) -> list[str]:
    """`custom "sunledger-seal"` lines for `months` of a fund, as `sunledger seal` writes them.

    `ledger` is the fund's whole text. The digest is the package's own
    (sunledger.ledger.seal) over the parsed entries: one parse per fund instead
    of one full load per month.
    """
    by_month: dict[str, list] = {}
    entries, _errors, _options = parser.parse_string(ledger)
    for e in entries:
        by_month.setdefault(month_of(e.date), []).append(e)

    def belongs(account: str) -> bool:
        return account.split(":")[1:2] == [code]

    out = []
    for month in months:
        on = month_end(month) + dt.timedelta(days=rng.randint(min(3, notice_days), max(1, notice_days)))
        dig = digest(month_entries(by_month.get(month, []), belongs, month))
        out.append(f'{on} custom "{SEAL}" "{code}" "{month}" "{dig}"\n')
    return out


# ---------------------------------------------------------------- model of the simulation


@dataclass
class Partner:
    id: str
    name: str
    kind: str
    rate: Decimal | None = None
    start: int = 0  # month index (of the district's month list)
    end: int = 0
    space: str = ""


@dataclass
class Project:
    id: str
    title: str
    category: str  # account component
    category_name: str
    partner: Partner
    requested: dt.date
    approved: dt.date | None
    accepted: dt.date | None
    started: dt.date | None
    budget: int  # fen
    plan: dict[str, int]  # source account -> tenths of the budget
    directed: bool = False
    target: int = 5
    until: dt.date | None = None  # planned end: no spending after it
    spent: int = 0
    count: int = 0
    last: dt.date | None = None
    completed: dt.date | None = None
    rating: tuple[str, int, dt.date] | None = None
    approver: str = ""
    need: str = ""
    # published reports: date, 进度/结项, summary, leftover (fen)
    reports: list[tuple[dt.date, str, str, int | None]] = field(default_factory=list)
    payments: list[tuple[dt.date, int]] = field(default_factory=list)


@dataclass
class FundPlan:
    code: str
    name: str
    kind: str
    level: str
    parent: str
    place: str
    first: int  # index of the opening month
    count: int  # transactions
    opening: bool
    bank: str
    bank_account: str
    treasurer: str


@dataclass
class Result:
    months: dict[str, list[str]] = field(default_factory=dict)  # month -> its entries
    projects: list[Project] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    receipts: set[str] = field(default_factory=set)  # months with a receipt bundle (receipts/YYYY-MM.pdf)
    annual: list[tuple[int, dt.date]] = field(default_factory=list)  # annual reports: year, published


class FundSim:
    """One fund, month by month. Every amount is an int in fen."""

    def __init__(self, plan: FundPlan, cfg: Config, months: list[str], rng: random.Random,
                 today: dt.date, cash: random.Random | None = None):
        self.p, self.cfg, self.months, self.rng, self.today = plan, cfg, months, rng, today
        # Its own stream for the cash box, so that the rest of the fund is drawn as before.
        self.cash_rng = cash
        self.cash = 0  # fen in the cash box (Assets:<CODE>:Cash)
        self.receipt_fen = int(cfg.receipt_threshold * 100)
        self.code = plan.code
        self.by_account = cfg.source_by_account()
        self.names = {s.account: s.name for s in cfg.sources}
        self.cats = [(c.account, c.name) for c in cfg.categories]
        self.unres = {s.account: 0 for s in cfg.sources}
        self.pool: dict[tuple[str, str], int] = {}
        self.released: list[tuple[dt.date, str, int]] = []  # (day, source, fen) of leftover released to free money
        self.bank = 0
        self.active: list[Project] = []
        self.res = Result()
        self.year_seq: dict[int, int] = {}
        self.end_date = month_end(months[-1])
        self.opened = first_day(months[plan.first])
        self.income_kinds = [a for a in INCOME_WEIGHTS if a in self.by_account]
        self.income_w = [INCOME_WEIGHTS[a] for a in self.income_kinds]
        self.started_money = False
        self._partners()

    # -- set-up

    def _partners(self) -> None:
        rng, place, code = self.rng, self.p.place, self.p.code
        self.orgs = [
            Partner(f"{code}-P01", f"{place}社工服务中心", "社会组织"),
            Partner(f"{code}-P02", f"{place}物业服务有限公司", "物业企业"),
            Partner(f"{code}-P03", f"{place}{rng.choice(('家政服务社', '助老服务社', '绿化养护队'))}", "社会企业"),
            Partner(f"{code}-P04", f"{place}志愿服务队", "志愿团队"),
        ]
        self.companies = [f"{rng.choice(PLACES)}{ind}" for ind in rng.sample(INDUSTRIES, 3)]
        self.res.partners.extend(self.orgs)

    def plan_slots(self) -> list[int]:
        """Transactions per month of the fund (index into self.months; zeros before opening)."""
        first, n = self.p.first, len(self.months)
        span = n - first
        weights = [(0.6 + 0.8 * i / max(1, span - 1)) * self.rng.uniform(0.7, 1.3) for i in range(span)]
        return [0] * first + allocate(self.p.count, weights)

    def plan_contracts(self, slots: list[int]) -> dict[int, list[Partner]]:
        """Merchant share contracts: one payment per contract month, paid inside that month."""
        if not any(s.merchant for s in self.cfg.sources):
            return {}
        rng, first, n = self.rng, self.p.first, len(self.months)
        budget = int(0.12 * self.p.count)
        used = [0] * n
        due: dict[int, list[Partner]] = {}
        shops = rng.sample(SHOPS, len(SHOPS))
        for k in range(4):
            if n - first < 3:
                break
            start = rng.randrange(first, n - 2)
            end = min(n - 1, start + rng.randint(5, 23))
            months = range(start, end + 1)
            if budget < len(months) or any(slots[i] - used[i] < 2 for i in months):
                continue
            shop, kind = shops[k]
            rate = rng.choice((None, None, Decimal("0.05"), Decimal("0.03"), Decimal("0.06"), Decimal("0.08")))
            partner = Partner(f"{self.code}-M{k + 1:02d}", f"{rng.choice(PLACES)}{shop}", kind, rate, start, end,
                              rng.choice(SPACES))
            self.res.partners.append(partner)
            budget -= len(months)
            for i in months:
                used[i] += 1
                due.setdefault(i, []).append(partner)
        return due

    # -- writing transactions

    def _txn(self, out: list[str], d: dt.date, payee: str, narration: str, meta: dict[str, str],
             postings: list[tuple[str, int]]) -> None:
        lines = [f"{d} * {q(payee)} {q(narration)}"]
        lines += [f"  {k}: {v}" for k, v in meta.items()]
        lines += [f"  {acc}  {fen(c)} CNY" for acc, c in postings]
        out.append("\n".join(lines) + "\n")

    def _income(self, out: list[str], d: dt.date, src: str, amount: int, payee: str, narration: str,
                meta: dict[str, str] | None = None, purpose: str | None = None) -> None:
        self._txn(out, d, payee, narration, meta or {},
                  [(f"Assets:{self.code}:Bank", amount), (f"Income:{self.code}:{src}", -amount)])
        if purpose:
            self.pool[(src, purpose)] = self.pool.get((src, purpose), 0) + amount
        else:
            self.unres[src] += amount
        self.bank += amount

    def opening(self, out: list[str], d: dt.date) -> None:
        rng = self.rng
        parts = [(a, rng.randint(5, 60) * 100000) for a in ("Gov", "Community") if a in self.by_account]
        if not parts:
            self.free_income(out, d)
            return
        lines = [f"{d} * {q('期初余额')} {q('建账前结余转入')}",
                 f"  Assets:{self.code}:Bank  {fen(sum(c for _, c in parts))} CNY"]
        for acc, c in parts:
            lines += [f"  Equity:{self.code}:Opening  {fen(-c)} CNY", f"    source: {q(self.names[acc])}"]
            self.unres[acc] += c
            self.bank += c
        out.append("\n".join(lines) + "\n")
        self.started_money = True

    def withdraw(self, out: list[str], d: dt.date) -> bool:
        """Petty cash taken from the bank at a month's end (after its last payment) and paid back
        first thing next month: a transfer between the fund's own accounts, so the month closes
        with money outside the bank and neither income nor spending moves."""
        assert self.cash_rng is not None  # called only for funds with a cash box
        amount = min(self.bank, self.cash_rng.randint(5, 30) * 10000)
        if amount < 10000:
            return False
        self._txn(out, d, "", "提取备用金", {}, [(f"Assets:{self.code}:Cash", amount), (f"Assets:{self.code}:Bank", -amount)])
        self.bank -= amount
        self.cash += amount
        return True

    def pay_back(self, out: list[str], d: dt.date) -> bool:
        if not self.cash:
            return False
        self._txn(out, d, "", "备用金存回银行", {}, [(f"Assets:{self.code}:Bank", self.cash), (f"Assets:{self.code}:Cash", -self.cash)])
        self.bank += self.cash
        self.cash = 0
        return True

    def merchant(self, out: list[str], d: dt.date, partner: Partner, period: str) -> None:
        rng = self.rng
        src = next(s.account for s in self.cfg.sources if s.merchant)
        rate = partner.rate if partner.rate is not None else self.cfg.merchant_rate
        revenue = Decimal(rng.randint(1500000, 15000000)) / 100
        share = int((revenue * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
        meta = {"merchant": q(partner.id), "revenue": f"{revenue:.2f}", "period": q(period)}
        self._income(out, d, src, share, partner.name, f"{first_day(period).month}月营业额分成", meta)

    def free_income(self, out: list[str], d: dt.date) -> None:
        rng = self.rng
        if not self.started_money and "Gov" in self.by_account:
            kind = "Gov"
        else:
            kind = rng.choices(self.income_kinds, self.income_w)[0]
        self.started_money = True
        mo = d.month
        if kind == "Gov":
            first = not any(self.unres.values()) and self.bank == 0
            amount = rng.randint(5, 30) * 100000
            narr = "社区基金启动资金" if first else rng.choice(
                (f"{d.year}年第{(mo - 1) // 3 + 1}季度社区基金补助", "民生微实事项目补助", "红邻书记工作经费",
                 "社区治理以奖代补资金"))
            self._income(out, d, kind, amount, rng.choice(DEPTS), narr)
        elif kind == "Community":
            amount = rng.randint(300, 3000) * 100 + rng.choice((0, 0, 50, rng.randint(1, 99)))
            narr = rng.choice((f"{mo}月创意市集义卖", "剪纸作品义卖", "邻里节活动收入", "跳蚤市场义卖"))
            self._income(out, d, kind, amount, rng.choice(("社区创意市集", "社区居委会", "邻里节筹备组")), narr)
        elif kind == "Enterprise":
            amount = rng.randint(10, 100) * 10000
            company = rng.choice(self.companies)
            self._income(out, d, kind, amount, company, rng.choice(("爱心捐赠", "驻区单位活动经费预存", "公益捐款")))
        elif kind == "Resident":
            amount = rng.choice((20, 50, 100, 100, 200, 200, 500, 1000, rng.randint(10, 2000))) * 100
            meta = {}
            r = rng.random()
            if r < 0.15:
                payee = rng.choice(GROUP_DONORS).format(n=rng.randint(1, 30))
            elif r < 0.18:
                payee = rng.choice(SURNAMES) + rng.choice(GIVEN)
                agreed = max(self.opened, d - dt.timedelta(days=rng.randint(0, 10)))
                meta["consent"] = q(f"{agreed} 书面同意")
            else:
                payee = rng.choice(SURNAMES) + "*" * rng.choice((1, 1, 2))
            self._income(out, d, kind, amount, payee, rng.choice(("爱心捐款", "邻里互助募捐", "社区基金捐款")), meta)
        elif kind == "Public":
            amount = rng.randint(500, 3000) * 100
            narr = rng.choice((f"{mo}月停车位租金", "电梯广告收益", "快递柜场地费", "公共区域摊位费"))
            self._income(out, d, kind, amount, f"{self.p.place}物业服务有限公司", narr)
        else:  # Interest
            amount = max(1, self.bank * 875 // 1000000)
            self._income(out, d, kind, amount, self.p.bank, "活期存款结息")

    # -- projects and expenses

    def new_project(self, out: list[str], d: dt.date) -> Project | None:
        rng = self.rng
        avail = {a: c for a, c in self.unres.items() if c >= 100000}
        cat, cat_name = rng.choice(self.cats)
        titles, _items, (lo, hi), _outcome = CATEGORY_WORDS.get(cat, GENERIC_WORDS)
        directed = "Enterprise" in self.by_account and rng.random() < 0.08
        if not avail and not directed:
            return None
        target = rng.randint(2, 18)
        mean = math.sqrt(lo * hi)
        budget = max(1, round(mean * target * rng.uniform(0.8, 1.4) / 100)) * 10000
        if directed:
            plan = {"Enterprise": 10}
        else:
            k = min(len(avail), rng.choice((1, 1, 2, 2, 3)))
            chosen = sorted(rng.sample(sorted(avail), k), key=lambda a: -avail[a])
            weights = allocate(10 - k, [avail[a] for a in chosen]) if k > 1 else [9]
            plan = {a: w + 1 for a, w in zip(chosen, weights, strict=True)}
        lag = rng.randint(0, 20)
        approved = max(self.opened, d - dt.timedelta(days=lag))
        pid = self._next_id(approved.year)
        requested = max(self.opened, approved - dt.timedelta(days=rng.randint(3, 30)))
        accepted = approved + dt.timedelta(days=rng.randint(0, (d - approved).days))
        started = accepted + dt.timedelta(days=rng.randint(0, (d - accepted).days))
        partner = rng.choice(self.orgs)
        project = Project(pid, f"{self.p.place}{rng.choice(titles)}", cat, cat_name, partner, requested, approved,
                          accepted, started, budget, plan, directed, target,
                          until=started + dt.timedelta(days=rng.choice((30, 60, 90, 120, 180, 365))),
                          approver=rng.choice(APPROVERS), need=rng.choice(NEEDS))
        self.res.projects.append(project)
        self.active.append(project)
        if len(self.active) > 8:
            self.finish(self.active[0], out, d)
        return project

    def _next_id(self, year: int) -> str:
        self.year_seq[year] = self.year_seq.get(year, 0) + 1
        return f"{self.code}-{year}-{self.year_seq[year]:02d}"

    def finish(self, p: Project, out: list[str], d: dt.date) -> None:
        self.active.remove(p)
        if p.last is None:
            if not p.directed:  # approved but never needed: as if never asked (定向 ones stay, money is held)
                self.res.projects.remove(p)
            return
        p.completed = p.last
        # money given for it and not spent: released to the source's free money, as the donor agreed (W908)
        for (src, pid), left in sorted(self.pool.items()):
            if pid == p.id and left > 0:
                out.append(f'{d} custom "sunledger-leftover" {q(p.id)} Income:{self.code}:{src} {fen(left)} CNY "非定向"\n'
                           f'  reason: {q("捐赠方同意定向结余转为非定向资金")}\n')
                self.pool[(src, pid)] = 0
                self.released.append((d, src, left))  # free from the next day: the books apply a move at the end of its day
        rated = p.completed + dt.timedelta(days=self.rng.randint(3, 30))
        if rated <= self.end_date and self.rng.random() < 0.7:
            p.rating = (f"{self.rng.uniform(3.5, 5.0):.1f}", self.rng.randint(8, 180), rated)

    def affordable(self, p: Project, src: str | None) -> int:
        """The largest expense the sources can pay right now (fen)."""
        if src is not None:
            return self.unres[src]
        best = None
        for a, w in p.plan.items():
            avail = self.unres[a] + self.pool.get((a, p.id), 0)
            cap = avail * 10 // w
            best = cap if best is None else min(best, cap)
        best = best or 0
        return best - best % 10 if len(p.plan) > 1 else best

    def pay(self, p: Project, amount: int, src: str | None) -> None:
        shares = {src: amount} if src is not None else {a: amount * w // 10 for a, w in p.plan.items()}
        assert sum(shares.values()) == amount
        for a, c in shares.items():
            key = (a, p.id)
            drawn = min(c, self.pool.get(key, 0))
            if drawn:
                self.pool[key] -= drawn
            self.unres[a] -= c - drawn
            assert self.unres[a] >= 0
        self.bank -= amount

    def expense(self, out: list[str], d: dt.date) -> bool:
        rng = self.rng
        for released in [r for r in self.released if r[0] < d]:
            self.unres[released[1]] += released[2]
            self.released.remove(released)
        for p in [p for p in self.active if p.until is not None and p.until < d]:
            self.finish(p, out, d)
        candidates = [p for p in self.active if p.started is not None and p.started <= d]
        rng.shuffle(candidates)
        if len(self.active) < 2 or rng.random() < 0.1:
            new = self.new_project(out, d)
            if new is not None and new.directed:
                amount = new.budget * rng.randint(5, 10) // 10
                self._income(out, d, "Enterprise", amount, rng.choice(self.companies), f"定向捐赠：{new.title}",
                             {"purpose": q(new.id)}, purpose=new.id)
                return True
            if new is not None:
                candidates.insert(0, new)
        for p in candidates[:4]:
            src = None
            if not p.directed and rng.random() < 0.12:
                src = max(sorted(p.plan), key=lambda a: self.unres[a])
            _titles, items, (lo, hi), _o = CATEGORY_WORDS.get(p.category, GENERIC_WORDS)
            want = math.exp(rng.uniform(math.log(lo), math.log(hi)))
            r = rng.random()
            if r < 0.6:
                amount = round(want / (10 if want > 1000 else 1)) * (10 if want > 1000 else 1) * 100
            elif r < 0.85:
                amount = round(want) * 100 + 50
            else:
                amount = round(want * 100)
            amount = min(amount, p.budget - p.spent, self.affordable(p, src))
            if src is None and len(p.plan) > 1:
                amount -= amount % 10
            if amount < 5000:
                continue
            self.pay(p, amount, src)
            p.spent += amount
            p.payments.append((d, amount))
            p.count += 1
            p.last = d
            meta = {"project": q(p.id)}
            if src is not None:
                meta["source"] = q(self.names[src])
            if amount >= self.receipt_fen:
                meta["receipt"] = q(f"receipts/{month_of(d)}.pdf")
                self.res.receipts.add(month_of(d))
            narr = f"{p.title} {rng.choice(items)}"
            self._txn(out, d, p.partner.name, narr, meta,
                      [(f"Expenses:{self.code}:{p.category}", amount), (f"Assets:{self.code}:Bank", -amount)])
            if p.count >= p.target or p.budget - p.spent < 10000:
                self.finish(p, out, d)
            return True
        return False

    # -- the whole fund

    def run(self) -> Result:
        rng, months = self.rng, self.months
        slots = self.plan_slots()
        due = self.plan_contracts(slots)
        back = False  # a slot of this month is the cash box's return
        for i in range(self.p.first, len(months)):
            m = months[i]
            ndays = month_end(m).day
            events: list[tuple[int, int, Any]] = [(rng.randint(25, min(28, ndays)), 0, partner) for partner in due.get(i, ())]
            free = slots[i] - len(events)
            days = [rng.randint(1, ndays) for _ in range(free)]
            if i == self.p.first and self.p.opening and days:
                days[0] = 1
                events.append((1, -1, "opening"))
                days = days[1:]
            if back and days:
                events.append((1, -2, "pay back"))
                days = days[1:]
            # the cash box: a month's last slot, if the next month has one for the way back
            back = (self.cash_rng is not None and len(days) >= 2 and i + 1 < len(months)
                    and slots[i + 1] > len(due.get(i + 1, ())) and self.cash_rng.random() < 0.3)
            if back:
                events.append((ndays, 2, "withdraw"))
                days = days[1:]
            events += [(day, 1, None) for day in days]
            events.sort(key=lambda e: (e[0], e[1]))
            out: list[str] = []
            for day, _prio, what in events:
                d = first_day(m).replace(day=day)
                if what == "opening":
                    self.opening(out, d)
                elif what in ("withdraw", "pay back"):
                    if not (self.withdraw(out, d) if what == "withdraw" else self.pay_back(out, d)):
                        self.free_income(out, d)
                elif what is not None:
                    self.merchant(out, d, what, m)
                elif not (self.started_money and rng.random() < 0.62 and self.expense(out, d)):
                    self.free_income(out, d)
            out.append(f"{first_day(next_month(m))} balance Assets:{self.code}:Bank  {fen(self.bank)} CNY\n")
            self.res.months[m] = out
        assert all(v >= 0 for v in self.unres.values())
        assert self.bank >= 0
        assert self.cash == 0
        self.unapproved()
        self.publish()
        return self.res

    def publish(self) -> None:
        """Reports published by `today`, each before it is due (W903-W905): a progress report
        within every three months of a running project, a final report after completion,
        an annual report for each year."""
        rng, today = self.rng, self.today
        rules = self.cfg.disclosure
        every, final_within = rules.progress_months, rules.final_report_months
        for p in self.res.projects:
            if p.approved is None:
                continue
            start = p.started if p.last is not None else p.approved
            limit = min(p.completed or today, today)
            r = start
            assert r is not None  # approved projects have a start
            while True:
                r = add_months(r, every) - dt.timedelta(days=rng.randint(0, 10))
                if r > limit:
                    break
                spent = sum(c for day, c in p.payments if day <= r)
                done = f"累计支出 {fen(spent)} 元，按计划推进" if spent else "资金已到位，等待实施"
                p.reports.append((r, "进度", f"{p.title}进展：{done}", None))
            if p.completed is not None:
                r = p.completed + dt.timedelta(days=rng.randint(3, max(3, 28 * final_within - 30)))
                if r <= today:
                    p.reports.append((r, "结项", f"{p.title}已完成，共支出 {fen(p.spent)} 元", p.budget - p.spent))
        mm, dd = (int(x) for x in rules.annual_report_due.split("-"))
        for year in range(self.opened.year, self.end_date.year + 1):
            r = dt.date(year + 1, mm, dd) - dt.timedelta(days=rng.randint(0, 60))
            if r <= today:
                self.res.annual.append((year, r))

    def unapproved(self) -> None:
        """A few needs only asked for (点单), not yet approved: no spending."""
        rng = self.rng
        for _ in range(rng.randint(0, 2)):
            cat, cat_name = rng.choice(self.cats)
            titles = CATEGORY_WORDS.get(cat, GENERIC_WORDS)[0]
            d = self.end_date - dt.timedelta(days=rng.randint(0, 20))
            pid = self._next_id(d.year)
            self.res.projects.append(Project(pid, f"{self.p.place}{rng.choice(titles)}", cat, cat_name,
                                             rng.choice(self.orgs), d, None, None, None,
                                             rng.randint(5, 50) * 100000, {}, need=rng.choice(NEEDS)))


# ---------------------------------------------------------------- content (YAML)


def project_yaml(p: Project, names: dict[str, str]) -> str:
    lines = [f"id: {q(p.id)}", f"title: {q(p.title)}", f"category: {q(p.category_name)}", f"need: {q(p.need)}",
             f"requested: {p.requested}"]
    if p.approved is not None:
        ref = f"{p.approver}决议〔{p.approved.year}〕{p.id.rsplit('-', 1)[1]}号"
        lines.append(f"approved: {{date: {p.approved}, by: {q(p.approver)}, ref: {q(ref)}}}")
        lines.append(f"partner: {q(p.partner.id)}")
        lines.append(f"accepted: {p.accepted}")
        if p.last is not None:
            lines.append(f"started: {p.started}")
    if p.completed is not None:
        lines.append(f"completed: {p.completed}")
    lines.append(f"budget: {fen(p.budget)}")
    if p.plan:
        parts = ", ".join(f"{q(names[a])}: {fen(p.budget * w // 10)}" for a, w in p.plan.items())
        lines.append(f"funding: {{{parts}}}")
    if p.completed is not None:
        outcome = CATEGORY_WORDS.get(p.category, GENERIC_WORDS)[3]
        if outcome is not None:
            value = max(1, p.spent // 20000)
            lines.append(f"outcomes: [{{metric: {q(outcome[0])}, value: {value}, unit: {q(outcome[1])}}}]")
        else:
            lines.append(f"outcomes: [{{text: {q(TEXT_OUTCOMES[len(p.id) % len(TEXT_OUTCOMES)])}}}]")
    if p.rating is not None:
        score, raters, date = p.rating
        lines.append(f"rating: {{score: {score}, raters: {raters}, date: {date}}}")
    if p.reports:
        lines.append("reports:")
        for date, kind, summary, leftover in p.reports:
            rest = f", leftover: {fen(leftover)}" if leftover is not None else ""
            title = q(kind + "报告")
            lines.append(f"  - {{date: {date}, kind: {q(kind)}, title: {title}, summary: {q(summary)}{rest}}}")
    return "\n".join(lines) + "\n"


def partners_yaml(partners: list[Partner], months: list[str]) -> str:
    out = ["# 合作伙伴：商户、社会企业、社会组织等（由 sunledger.synth 生成）"]
    for p in partners:
        out.append(f"- id: {q(p.id)}\n  name: {q(p.name)}\n  kind: {q(p.kind)}")
        if p.kind in ("商户", "社会企业") and p.id.split("-")[-1].startswith("M"):
            rate = f"rate: {p.rate}, " if p.rate is not None else ""
            out.append(f"  contract: {{{rate}start: {q(months[p.start])}, end: {q(months[p.end])}, "
                       f"space: {q(p.space)}}}")
    return "\n".join(out) + "\n"


def fund_yaml(f: FundPlan, opened: dt.date, annual: list[tuple[int, dt.date]]) -> str:
    text = (f"code: {q(f.code)}\nname: {q(f.name)}\nkind: {q(f.kind)}\nlevel: {f.level}\nparent: {q(f.parent)}\n"
            f"opened: {opened}\nbank: {{name: {q(f.bank)}, account: {q(f.bank_account)}}}\n"
            f"treasurer: {q(f.treasurer)}\ndescription: {q(f'{f.name}，合成数据，用于测试与性能基准。')}\n")
    if annual:
        text += "annual_reports:\n" + "".join(
            f"  - {{year: {year}, date: {date}, title: {q(f'{f.name}{year}年度报告')}}}\n" for year, date in annual)
    return text


# ---------------------------------------------------------------- district


def plan_district(funds: int, transactions: int, months: int, rng: random.Random):
    streets = max(1, math.ceil(funds / 10))
    nodes: list[tuple[str, str, str, str | None]] = [("D01", "晴川区", "district", None)]
    street_ids = []
    for s in range(streets):
        sid = f"S{s + 1:02d}"
        name = PLACES[s % len(PLACES)] + ORDINALS[s // len(PLACES) % len(ORDINALS)] + "街道"
        nodes.append((sid, name, "street", "D01"))
        street_ids.append(sid)
    plans: list[FundPlan] = []
    community_nodes: list[tuple[str, str]] = []
    place_no = 0

    def place() -> str:
        nonlocal place_no
        i = place_no
        place_no += 1
        return PLACES[(i * 7 + 3) % len(PLACES)] + ORDINALS[i // len(PLACES) % len(ORDINALS)]

    weights, firsts = [], []
    for i in range(funds):
        code = f"F{i + 1:04d}"
        street = street_ids[i * streets // funds]
        compound = i % 5 in (2, 4) and (community_nodes or plans)
        pl = place()
        if compound:
            parents = [c for c in community_nodes if c[1] == street] or community_nodes
            parent = rng.choice([p.code for p in plans if p.level == "community"] + [c[0] for c in parents])
            suffix = rng.choice(COMPOUND_SUFFIX)
            name, kind, level = f"{pl}{suffix}共享发展金", "小区共享发展金", "compound"
        else:
            parent, name, kind, level = street, f"{pl}社区基金", "社区基金", "community"
            if rng.random() < 0.5:  # a community without its own fund: a node that compounds hang from
                cid = f"C{len(community_nodes) + 1:03d}"
                community_nodes.append((cid, street))
                nodes.append((cid, f"{place()}社区", "community", street))
        first = 0 if i == 0 or rng.random() < 0.4 else rng.randrange(0, min(12, months - 1))
        firsts.append(first)
        weights.append(rng.uniform(0.5, 1.5) * (months - first))
        bank = f"{rng.choice(BANKS)}{pl}支行"
        plans.append(FundPlan(code, name, kind, level, parent, pl, first, 0, rng.random() < 0.4, bank,
                              f"****{rng.randint(0, 9999):04d}", f"{rng.choice(SURNAMES)}会计"))
    for plan, n in zip(plans, allocate(transactions, weights), strict=True):
        plan.count = n
    return nodes, plans


def district_yaml(nodes) -> str:
    out = ["# 区 → 街道 → 社区（由 sunledger.synth 生成）", f"name: {q('晴川区阳光账本')}", "nodes:"]
    for nid, name, level, parent in nodes:
        par = f", parent: {q(parent)}" if parent else ""
        out.append(f"  - {{id: {q(nid)}, name: {q(name)}, level: {level}{par}}}")
    return "\n".join(out) + "\n"


def generate(root: Path, funds: int, transactions: int, seed: int = 0, *, end: str = DEFAULT_END,
             months: int = DEFAULT_MONTHS) -> None:
    """Write a complete synthetic district under `root` (which is emptied first).

    `months` months of transactions ending with `end`; the district is clean
    as seen on `as_of(end)`: `sunledger check --as-of <as_of(end)> root`.
    """
    root = Path(root)
    if funds < 1 or transactions < 0:
        raise ValueError("funds ≥ 1, transactions ≥ 0")
    if root.exists():
        shutil.rmtree(root)
    (root / "ledger" / "funds").mkdir(parents=True)
    (root / "content" / "funds").mkdir(parents=True)
    cfg_text = config_text()
    (root / CONFIG_NAME).write_text(cfg_text, encoding="utf-8")
    cfg = Config(**(yaml.safe_load(cfg_text) or {}))
    header = plugin_lines()
    month_list = month_range(end, months)
    today = as_of(end)
    notice_days = cfg.disclosure.notice_days
    rng = random.Random(f"sunledger-synth/{seed}")
    nodes, plans = plan_district(funds, transactions, months, rng)
    (root / "content" / "district.yml").write_text(district_yaml(nodes), encoding="utf-8")
    title = 'option "title" "晴川区阳光账本（合成）"'
    (root / "ledger" / "main.beancount").write_text(
        "; 晴川区：合成的全区账本（sunledger.synth 生成）\n" + "\n".join([title, *header]) +
        '\n\ninclude "funds/*/fund.beancount"\n', encoding="utf-8")
    for plan in plans:
        rng_fund = random.Random(f"sunledger-synth/{seed}/{plan.code}")
        sim = FundSim(plan, cfg, month_list, rng_fund, today, random.Random(f"sunledger-synth/{seed}/{plan.code}/cash"))
        res = sim.run()
        ledger = write_fund(root, plan, res, cfg, header, title, month_list)
        seals = seal_lines(ledger, plan.code, month_list[plan.first:len(month_list) - UNSEALED_MONTHS], rng_fund, cfg,
                           notice_days)
        (root / "ledger" / "funds" / plan.code / "seals.beancount").write_text(
            "; 已公示月份的封存记录（sunledger seal 写入）\n" + "".join(seals), encoding="utf-8")


def write_fund(root: Path, plan: FundPlan, res: Result, cfg: Config, header: list[str], title: str,
               month_list: list[str]) -> str:
    """Write the fund's ledger (all but seals.beancount) and content; return the ledger text."""
    code = plan.code
    ldir = root / "ledger" / "funds" / code
    (ldir / "txns").mkdir(parents=True)
    opened = first_day(month_list[plan.first])
    opens = [f"Assets:{code}:Bank", f"Assets:{code}:Cash"]
    opens += [f"Income:{code}:{s.account}" for s in cfg.sources]
    opens += [f"Expenses:{code}:{c.account}" for c in cfg.categories]
    opens.append(f"Equity:{code}:Opening")
    text = [f"; {plan.name}（{code}）", title, *header, ""]
    text += [f"{opened} open {acc}  CNY" for acc in opens]
    text += ["", 'include "txns/*.beancount"', 'include "seals.beancount"', ""]
    if res.receipts:
        (ldir / "receipts").mkdir()
        for month in sorted(res.receipts):  # one scanned bundle of the month's receipts
            (ldir / "receipts" / f"{month}.pdf").write_bytes(RECEIPT_PDF)
    texts = ["\n".join(text)]
    (ldir / "fund.beancount").write_text(texts[0], encoding="utf-8")
    for m, entries in res.months.items():
        texts.append(f"; {plan.name} {first_day(m).year}年{first_day(m).month}月\n\n" + "\n".join(entries))
        (ldir / "txns" / f"{m}.beancount").write_text(texts[-1], encoding="utf-8")
    cdir = root / "content" / "funds" / code
    (cdir / "projects").mkdir(parents=True)
    (cdir / "fund.yml").write_text(fund_yaml(plan, opened, res.annual), encoding="utf-8")
    (cdir / "partners.yml").write_text(partners_yaml(res.partners, month_list), encoding="utf-8")
    names = {s.account: s.name for s in cfg.sources}
    for p in res.projects:
        (cdir / "projects" / f"{p.id}.yml").write_text(project_yaml(p, names), encoding="utf-8")
    return "\n".join(texts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sunledger.synth", description="生成合成的区级账本（测试与性能基准用）")
    ap.add_argument("root", type=Path)
    ap.add_argument("--funds", type=int, default=20)
    ap.add_argument("--transactions", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--end", default=DEFAULT_END, help="last month, YYYY-MM")
    ap.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generate(args.root, args.funds, args.transactions, args.seed, end=args.end, months=args.months)
    print(f"{args.root}: {args.funds} funds, {args.transactions} transactions, {time.perf_counter() - t0:.1f} s; "
          f"check with: sunledger check --as-of {as_of(args.end)} {args.root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
