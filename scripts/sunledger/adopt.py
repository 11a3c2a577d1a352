"""`sunledger adopt CODE PATH…`: bring in books kept elsewhere without renaming or editing them.

A dry run reads the outside books (each PATH is the top file of a ledger; the
files it includes come along) and says, per account, what it would be to the
fund (bank, source, category, other) and what is still missing, then writes a
proposal for `fund.yml`: `ledger_code` when the books name their accounts
`X:<code>:…`, the `accounts:` mapping, the `cutover`, and the `metadata:` keys
to read under another name. `--write` copies the books unchanged under
`ledger/funds/<CODE>/books/`, writes the fund's entry file (main.beancount's
shared lines, scaffold.shared_lines) that includes them, and the fund.yml
(the proposal, or the one given with `--from` after editing it).

`analyse()` and `proposal()` are pure over what was read; only `read_books()`
and `write()` touch files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from beancount.core import data
from beancount.parser import parser
from pydantic import ValidationError

from .config import ACCOUNT_COMPONENT, Config
from .content.load import Content, FundContent, describe
from .content.models import District, Fund
from .ledger import includes
from .ledger.accounts import ASSET, BANK, EQUITY, EXPENSE, INCOME, LIABILITY, Classifier
from .ledger.load import limits_of
from .rules.options import LABELS, Lines, read_lines
from .scaffold import NewFund, refuse_new_fund, shared_lines, with_funds_include

BOOKS = "books"  # where the outside books go, under ledger/funds/<CODE>/
# metadata keys sunledger gives a meaning (DEVELOPING.md, Metadata)
KEYS = ("project", "source", "purpose", "merchant", "revenue", "period", "consent", "corrects", "reason", "receipt", "receipt-public")
# words in account names that say what an account holds, for the proposal only (the treasurer decides)
BANK_WORDS = ("Bank", "ICBC", "CCB", "ABC", "BOC", "BOCOM", "CMB", "PSBC", "CIB", "SPDB", "CITIC", "Checking", "Savings")
SOURCE_WORDS = {
    "政府拨": ("Gov", "Subsidy", "Grant", "Allowance", "Allocation"),
    "社区筹": ("Community", "Market", "Sale", "Bazaar"),
    "企业捐": ("Enterprise", "Company", "Corporate", "Sponsor"),
    "居民集": ("Resident", "Donation", "Donate", "Gift"),
    "商户分成": ("Merchant", "Share"),
    "公共收益": ("Public", "Parking", "Advert", "Rent"),
    "利息": ("Interest",),
}
CATEGORY_WORDS = {
    "基础设施": ("Infrastructure", "Repair", "Maintenance", "Building"),
    "养老助老": ("Elderly", "Senior", "Canteen"),
    "儿童青少年": ("Children", "Kids", "Youth", "School"),
    "困难帮扶": ("Aid", "Help", "Relief", "Charity"),
    "文体活动": ("Culture", "Activity", "Sport", "Event"),
    "环境美化": ("Environment", "Garden", "Green", "Clean"),
    "积分兑换": ("Points", "Reward"),
    "运行费用": ("Operations", "Office", "Fee", "Bank"),
}


class AdoptError(Exception):
    """A refusal with its reason in Chinese; nothing has been written."""


@dataclass
class Books:
    """What the outside books hold, as parsed (no booking: a dry run must not need the options right)."""

    tops: list[Path]  # the PATHs given
    files: dict[Path, Path] = field(default_factory=dict)  # each file reached -> where it goes under books/
    entries: list = field(default_factory=list)
    lines: dict[Path, Lines] = field(default_factory=dict)  # option and plugin lines per file
    errors: list[str] = field(default_factory=list)  # parse errors, as file:line text


def read_books(paths: list[Path]) -> Books:
    books = Books([p.resolve() for p in paths])
    for top in books.tops:
        if not top.is_file():
            raise AdoptError(f"{top} 不是账本文件：请给出外来账本的主文件（其中 include 的文件会一并带入）")
        scan = includes.scan(top, limits_of(top))
        if scan.errors:
            raise AdoptError("外来账本读不了：" + "；".join(f"{e.source['filename']}:{e.source['lineno']} {e.message}" for e in scan.errors))
        for name in scan.files:
            path = Path(name).resolve()
            try:
                rel = path.relative_to(top.parent)
            except ValueError as exc:
                raise AdoptError(f"{top} 引用了它所在目录之外的 {path}：请把整套账本放在一个目录里再接入") from exc
            target = Path(BOOKS) / rel
            if target in books.files.values() and books.files.get(path) != target:
                raise AdoptError(f"两套账本里都有 {rel}：请分别接入，或先放进不同的目录")
            books.files[path] = target
    for path in books.files:
        entries, errors, _ = parser.parse_file(str(path))
        books.entries += entries
        books.errors += [f"{e.source.get('filename')}:{e.source.get('lineno')} {e.message}" for e in errors]
        books.lines[path] = read_lines(path.read_text(encoding="utf-8", errors="replace"))
    books.entries.sort(key=data.entry_sortkey)
    return books


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # bank | source | category | other | missing
    value: str = ""  # the source or category name
    note: str = ""  # why, or what to do
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass
class Analysis:
    code: str
    ledger_code: str | None
    cutover: dt.date
    opened: dt.date
    accounts: list[Account]
    metadata: dict[str, str]  # outside key -> name it is read as
    notes: dict[str, str]  # outside key -> what it is (kept as a note)
    options: list[str]  # what main.beancount and every fund file must say too (SL011)
    problems: list[str]  # what cannot be brought in unchanged

    @property
    def missing(self) -> list[Account]:
        return [a for a in self.accounts if a.role == "missing"]


def _words(account: str) -> list[str]:
    return re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[0-9]+|[^\x00-\x7f]+", account.split(":", 1)[-1])


def _guess(account: str, table: dict[str, tuple[str, ...]], names: set[str]) -> str | None:
    words = set(_words(account))
    for name, keys in table.items():
        if name in names and words & set(keys):
            return name
    return None


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def analyse(code: str, books: Books, config: Config, main: Lines, cutover: dt.date | None = None,
            taken: frozenset[str] = frozenset()) -> Analysis:
    """What each account of the outside books is to the fund, and what is missing.

    `taken`: ledger codes of the district's other funds (a proposal must not take their names).
    """
    used: dict[str, list[dt.date]] = {}
    opened: dict[str, dt.date] = {}
    seen_keys: dict[str, set[str]] = {}
    days = []
    for e in books.entries:
        if isinstance(e, data.Open):
            opened.setdefault(e.account, e.date)
        elif isinstance(e, data.Transaction):
            days.append(e.date)
            for p in e.postings:
                used.setdefault(p.account, []).append(e.date)
            for m in (e.meta, *(p.meta for p in e.postings)):
                for k, v in (m or {}).items():
                    if k not in ("filename", "lineno") and not k.startswith("__"):
                        seen_keys.setdefault(k, set()).add(str(v))
    start = min([*days, *opened.values()], default=dt.date.today())
    cut = cutover or (_month_after(max(days)) if days else dt.date.today().replace(day=1))
    names = [*opened, *(a for a in used if a not in opened)]
    seconds = {a.split(":")[1] for a in names if a.count(":") >= 1}
    ledger_code = next(iter(seconds)) if len(seconds) == 1 else None
    if ledger_code is not None and (not re.match(ACCOUNT_COMPONENT, ledger_code) or ledger_code in taken or ledger_code == code):
        ledger_code = None
    source_names = {s.name for s in config.sources}
    category_names = {c.name for c in config.categories}
    by_src = config.source_by_account()
    by_cat = config.category_by_account()
    accounts = []
    for name in sorted(names):
        dates = used.get(name, [])
        first, last = (min(dates), max(dates)) if dates else (None, None)
        root, *rest = name.split(":")
        leaf = rest[-1] if rest else ""
        default = ledger_code is not None and len(rest) >= 2 and rest[0] == ledger_code
        later = last is not None and last >= cut
        if root == "Assets":
            if any(w in BANK_WORDS for w in _words(name)) or "银行" in name:
                acct = Account(name, "bank", note="银行账户：每月对账，不能为负")
            else:
                acct = Account(name, "other", note="本基金的其他资产（现金、储值卡等）")
        elif root == "Income":
            src = (by_src[leaf].name if default and leaf in by_src else None) or _guess(name, SOURCE_WORDS, source_names)
            if src is not None:
                acct = Account(name, "source", src, "按科目名推测，请确认")
            else:
                acct = Account(name, "missing", note=f"收入科目要对应一个来源：{'、'.join(s.name for s in config.sources)}（accounts.sources）")
        elif root == "Expenses":
            cat = (by_cat[leaf].name if default and leaf in by_cat else None) or _guess(name, CATEGORY_WORDS, category_names)
            if not later:
                acct = Account(name, "other", note=f"只在接入日期 {cut} 之前用过：此前的支出只计入期初余额，不需要类别")
            elif cat is not None:
                acct = Account(name, "category", cat, "按科目名推测，请确认")
            else:
                acct = Account(name, "missing", note=f"接入后还在用的支出科目要对应一个类别：{'、'.join(c.name for c in config.categories)}（accounts.categories）")
        elif root in ("Equity", "Liabilities"):
            acct = Account(name, "other", note="期初余额" if root == "Equity" else "往来、应付")
        else:
            acct = Account(name, "missing", note="不认识的科目类型")
        accounts.append(Account(acct.name, acct.role, acct.value, acct.note, first, last))

    metadata, notes = {}, {}
    for key, values in sorted(seen_keys.items()):
        if key == "source" and values <= source_names:
            continue  # already sunledger's: each value is a configured source
        if key in KEYS:
            metadata[key] = f"orig_{key}"
            notes[key] = f"外来账本的 {key}:（如“{sorted(values)[0]}”）与阳光账本的 {key}: 含义不同"
        else:
            notes[key] = "备注，原样保留"
    main_options = {k: v for k, (v, _) in main.options.items() if k not in LABELS}
    options, problems = [], []
    for path, lines in books.lines.items():
        for name, (value, line) in lines.options.items():
            if name in LABELS:
                continue
            if main_options.get(name) != value:
                shown = f'option "{name}" "{value}"'
                if name in main_options:
                    problems.append(f"{path.name}:{line} {shown} 与 ledger/main.beancount 的 \"{main_options[name]}\" 不同：同一区的账只能有一种读法")
                elif shown not in options:
                    options.append(shown)
        for module, _, line in lines.plugins:
            problems.append(f'{path.name}:{line} plugin "{module}" 在被引用的文件里不会运行（SL011）：它做的事要么不需要，要么写进 main.beancount')
    problems += books.errors
    return Analysis(code, ledger_code, cut, start, accounts, metadata, notes, options, problems)


def proposal(a: Analysis, fund: NewFund) -> str:
    """The fund.yml the analysis proposes (YAML; an unknown mapping is a comment to fill in)."""
    head = {"code": a.code, "name": fund.name, "kind": fund.kind, "level": fund.level, "parent": fund.parent, "opened": a.opened}
    if a.ledger_code:
        head["ledger_code"] = a.ledger_code
    head["cutover"] = a.cutover
    out = [f"# {fund.name}：由 sunledger adopt 生成的建议，请逐项核对", yaml.safe_dump(head, allow_unicode=True, sort_keys=False).rstrip("\n")]
    out.append("# 接入日期之前的账只作为期初余额（按此前收入的来源划分）公示，不查项目、公示和封账")
    out.append("accounts:")

    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)

    groups = {"bank": "银行账户", "sources": "收入科目 → 来源", "categories": "支出科目 → 类别", "other": "本基金的其他科目"}
    role_of = {"bank": "bank", "sources": "source", "categories": "category", "other": "other"}
    for key, title in groups.items():
        items = [x for x in a.accounts if x.role == role_of[key]]
        wanted = [x for x in a.missing if (key == "sources" and x.name.startswith("Income:")) or (key == "categories" and x.name.startswith("Expenses:"))]
        if not items and not wanted:
            continue
        out.append(f"  {key}:  # {title}")
        for x in items:
            out.append(f"    {q(x.name)}: {q(x.value)}  # {x.note}" if x.value else f"    - {q(x.name)}  # {x.note}")
        for x in wanted:
            out.append(f"    # {q(x.name)}: 待定  # {x.note}")
    if a.metadata:
        out.append("metadata:  # 外来账本的元数据键 → 改读为")
        out += [f"  {k}: {v}" for k, v in a.metadata.items()]
    return "\n".join(out) + "\n"


def mapped(fund: Fund, config: Config, accounts: list[Account]) -> list[Account]:
    """Each account as `fund` (a proposal or the fund.yml given) maps it, read by the checker's own
    Classifier, so what the dry run says is what `sunledger check` will find."""
    fc = FundContent(fund, Path("fund.yml"))
    classify = Classifier(config, Content(Path("."), config, District(), {fund.code: fc}, []))
    out = []
    for x in accounts:
        role = classify(x.name)
        later = x.last is not None and not fund.before_cutover(x.last)
        if role is None:
            where = {"Income": f"accounts.sources 里对应一个来源：{'、'.join(s.name for s in config.sources)}",
                     "Expenses": f"accounts.categories 里对应一个类别（{'、'.join(c.name for c in config.categories)}），只在接入前用过的放进 accounts.other",
                     "Assets": "accounts.bank（银行账户）或 accounts.other 里列出"}.get(x.name.split(":")[0], "accounts.other 里列出")
            out.append(replace(x, role="missing", value="", note=f"还不属于本基金：在 {where}（否则 SL110）"))
        elif role.kind == INCOME:
            if role.source is None:
                out.append(replace(x, role="missing", value="", note=f"收入科目要对应一个来源（accounts.sources，否则 SL101）：{'、'.join(s.name for s in config.sources)}"))
            else:
                out.append(replace(x, role="source", value=role.source.name, note=x.note if x.value == role.source.name else "fund.yml 的映射"))
        elif role.kind == EXPENSE:
            if role.category is not None:
                out.append(replace(x, role="category", value=role.category.name, note=x.note if x.value == role.category.name else "fund.yml 的映射"))
            elif later:
                out.append(replace(x, role="missing", value="", note=f"接入后还在用的支出科目要对应一个类别（accounts.categories，否则 SL111）：{'、'.join(c.name for c in config.categories)}"))
            else:
                out.append(replace(x, role="other", value="", note=f"只在接入日期 {fund.cutover} 之前用过：此前的支出只计入期初余额，不需要类别"))
        elif role.kind == BANK:
            out.append(replace(x, role="bank", value="", note=x.note if x.role == "bank" else "银行账户：每月对账，不能为负"))
        else:
            what = {ASSET: "本基金的其他资产", EQUITY: "期初余额", LIABILITY: "往来、应付"}.get(role.kind, "其他")
            out.append(replace(x, role="other", value="", note=x.note if x.role == "other" else what))
    return out


def report(a: Analysis, books: Books, fund: Fund, config: Config) -> str:
    roles = {"bank": "银行账户", "source": "来源", "category": "类别", "other": "其他", "missing": "还缺"}
    accounts = mapped(fund, config, a.accounts)
    lines = [f"外来账本 {len(books.files)} 个文件，{sum(isinstance(e, data.Transaction) for e in books.entries)} 笔交易；"
             f"接入日期 {fund.cutover}（此前的账作为期初余额）"]
    width = max((len(x.name) for x in accounts), default=10)
    for x in accounts:
        used = f"{x.first} ~ {x.last}" if x.first else "未用过"
        what = roles[x.role] + (f" {x.value}" if x.value else "")
        lines.append(f"  {x.name:<{width}}  → {what}（{used}）：{x.note}")
    for key, text in a.notes.items():
        if key in fund.metadata:
            why = f"；{text}" if key in a.metadata else ""
            text = f"改读为 {fund.metadata[key]}:" + ("（备注）" if fund.metadata[key] not in KEYS else f"（阳光账本的 {fund.metadata[key]}:）") + why
        elif key in KEYS:
            text = f"按阳光账本的 {key}: 读" + ("；" + text if key in a.metadata else "")
        lines.append(f"  元数据 {key}: {text}")
    todo = [f"{x.name}：{x.note}" for x in accounts if x.role == "missing"]
    todo += [f"把 {o} 加进 ledger/main.beancount 和每个基金的 fund.beancount（外来账本里的这一行不起作用，SL011；"
             f"--write --add-options 会替你加上）" for o in a.options]
    todo += a.problems
    lines.append("还缺：" if todo else "没有缺项")
    lines += [f"  - {t}" for t in todo]
    return "\n".join(lines) + "\n"


def for_reading(text: str) -> Fund:
    """The fund a proposal describes, for classifying its accounts: the fields still to fill
    (name, level, parent) stand in; the mapping, codes and cut-over are the proposal's."""
    raw = yaml.safe_load(text)
    return Fund.model_validate({**raw, "name": "?", "level": "compound", "parent": None})


def _with_options(text: str, options: list[str]) -> str:
    """`text` (an entry file) with `options` after its last option line: how every file of the district says them (SL011)."""
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.startswith("option ")), default=-1)
    return "\n".join([*lines[: last + 1], *options, *lines[last + 1:]])


def option_files(root: Path, options: list[str]) -> dict[str, str]:
    """main.beancount and every fund's fund.beancount with the option lines the adopted books
    need (`--add-options`): the district's books are then all read the same way."""
    out = {}
    for path in [root / "ledger" / "main.beancount", *sorted((root / "ledger" / "funds").glob("*/fund.beancount"))]:
        out[path.relative_to(root).as_posix()] = _with_options(path.read_text(encoding="utf-8"), options)
    return out


def files_for(root: Path, fund: NewFund, books: Books, fund_yml: str, options: list[str] | None = None) -> dict[str, str | bytes]:
    """Every file `--write` puts down, relative to `root` (the books byte for byte); with `options`,
    also those lines in main.beancount and every fund file."""
    refuse_new_fund(root, fund)
    base = f"ledger/funds/{fund.code}"
    lines = shared_lines(root, fund)
    if options:
        lines = _with_options("\n".join(lines), options).split("\n")
    lines += ["", "; 接入的外来账本，原样保存在 books/，不要改；接入后的新账写在 txns/"]
    lines += [f'include "{(books.files[top]).as_posix()}"' for top in books.tops]
    lines += ['include "txns/*.beancount"', 'include "seals.beancount"', ""]
    cut = yaml.safe_load(fund_yml).get("cutover")
    month = cut.strftime("%Y-%m") if isinstance(cut, dt.date) else dt.date.today().strftime("%Y-%m")
    files: dict[str, str | bytes] = {f"{base}/{target.as_posix()}": path.read_bytes() for path, target in books.files.items()}
    files |= {
        f"{base}/fund.beancount": "\n".join(lines),
        f"{base}/seals.beancount": f"; {fund.name} 的封账记录：公示后运行 sunledger close {fund.code} YYYY-MM，不要手写\n",
        f"{base}/txns/{month}.beancount": f"; {fund.name} 接入后的收支，一个月一个文件\n",
        f"content/funds/{fund.code}/fund.yml": fund_yml,
        f"content/funds/{fund.code}/partners.yml": "# 合作方：承接项目的组织、按合同分成的商户\n[]\n",
    }
    files |= with_funds_include(root)
    if options:
        main = "ledger/main.beancount"
        changed = option_files(root, options)
        if main in files:  # the funds' include was just added to it
            changed[main] = _with_options(str(files[main]), options)
        files |= changed
    return files


def fund_from(text: str, code: str) -> Fund:
    """The fund a fund.yml given with --from describes; AdoptError saying what is wrong with it."""
    try:
        fund = Fund.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise AdoptError(f"--from 的 fund.yml 不是有效的 YAML：{exc}") from exc
    except ValidationError as exc:
        raise AdoptError("--from 的 fund.yml 无效：" + "；".join(describe(e) for e in exc.errors(include_url=False))) from exc
    if fund.code != code:
        raise AdoptError(f"--from 的 fund.yml 写的基金代码是 {fund.code}，不是 {code}")
    return fund
