"""Read `content/` into models, collecting every problem with file and line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import media, privacy
from ..config import CONFIG_NAME, Config, Limits
from ..errors import FundError, error, meta
from . import yamlsrc
from .models import AccountMap, District, Fund, Partner, Project

_PYDANTIC_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "decimal_parsing": "不是有效的金额或数字",
    "decimal_type": "不是有效的金额或数字",
    "decimal_max_places": "小数位数过多（金额最多两位小数）",
    "float_parsing": "不是有效数字",
    "int_parsing": "不是有效整数",
    "int_type": "不是有效整数",
    "date_from_datetime_parsing": "不是有效日期（格式 YYYY-MM-DD）",
    "date_parsing": "不是有效日期（格式 YYYY-MM-DD）",
    "date_type": "不是有效日期（格式 YYYY-MM-DD）",
    "string_type": "应为文字",
    "string_pattern_mismatch": "格式不符",
    "literal_error": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
}


def describe(err: Mapping[str, Any]) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "（整个文件）"
    kind = err["type"]
    if kind == "value_error":
        return f"{where}：{err['msg'].removeprefix('Value error, ')}"
    text = _PYDANTIC_ZH.get(kind, "取值无效")
    ctx = err.get("ctx") or {}
    if kind == "literal_error" and "expected" in ctx:
        text += f"，可选：{ctx['expected']}"
    if kind == "string_pattern_mismatch" and "pattern" in ctx:
        text += f"（应匹配 {ctx['pattern']}）"
    for bound in ("ge", "gt", "le", "lt"):
        if bound in ctx:
            text += f"（界限 {ctx[bound]}）"
    return f"{where}：{text}"


@dataclass
class FundContent:
    fund: Fund
    path: Path
    partners: dict[str, Partner] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    where: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> meta(file, line)
    parent_line: int = 1  # of `parent:` in fund.yml, checked once every fund is read
    mapped: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (account, its line) of `accounts:`
    code_line: int = 1  # of `ledger_code:` (else `code:`): the line that claims `X:<code>:…` accounts
    cutover_line: int = 1  # of `cutover:`: where the opening balance of adopted books is told
    annual_lines: dict[int, dict[str, Any]] = field(default_factory=dict)  # year -> meta of its `annual_reports:` record
    # (project id, report index, key) -> line of `reports[i].key` in the project's YAML; key "" the report itself
    report_lines: dict[tuple[str, int, str], dict[str, Any]] = field(default_factory=dict)


@dataclass
class Content:
    root: Path
    config: Config
    district: District
    funds: dict[str, FundContent]
    errors: list[FundError]
    files: list[str] = field(default_factory=list)

    def fund_by_account_code(self) -> dict[str, FundContent]:
        return {fc.fund.account_code: fc for fc in self.funds.values()}


def _parse(doc: yamlsrc.YamlDoc, model: type[BaseModel], data: Any, loc: tuple = ()):
    """Validate `data` (found at `loc` in `doc`); return (model or None, errors)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [
            error(meta(str(doc.path), doc.line(loc + tuple(e["loc"]))), "SL702", describe(e))
            for e in exc.errors(include_url=False)
        ]


REPORT_KEYS = ("date", "kind", "spent", "leftover")  # the report fields a rule may point at

_DOCS: dict[str, tuple[int, int, Limits, yamlsrc.YamlDoc | None, list[FundError]]] = {}


def _read(path: Path, errors: list[FundError], limits: Limits = Limits()) -> yamlsrc.YamlDoc | None:
    """Parse (or reuse, while the file and the limits are unchanged) one YAML file and scan it for private data."""
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size, limits)
    except OSError:
        stamp = (0, 0, limits)
    hit = _DOCS.get(str(path))
    if hit is not None and hit[:3] == stamp:
        errors.extend(hit[4])
        return hit[3]
    found: list[FundError] = []
    doc = None
    try:
        doc = yamlsrc.load(path, limits)
    except yamlsrc.YamlSyntaxError as exc:
        what = "YAML 无法读取" if exc.code == "SL701" else "输入超过大小限制"
        found.append(error(meta(str(exc.path), exc.line), exc.code, f"{what}：{exc.problem}"))
    if doc is not None:
        phones = _contact_phones(doc)
        for line, text in doc.scalars():
            for code, match in privacy.find_private(text):
                if code == "SL501" and line in phones:
                    if phones[line]:
                        continue  # declared an office's public number (`public: true`)
                    found.append(error(meta(str(path), line), code, f"联系电话 {privacy.mask_hint(match)} 是手机号码：个人手机不得公开；"
                                       "若是办公室公开的值班手机，在这一条电话下写 public: true，否则请填座机或服务热线"))
                    continue
                found.append(
                    error(meta(str(path), line), code, f"含有{privacy.KIND_ZH[code]}（{privacy.mask_hint(match)}），不得录入")
                )
    _DOCS[str(path)] = (*stamp, doc, found)
    errors.extend(found)
    return doc


def _contact_phones(doc: yamlsrc.YamlDoc) -> dict[int, bool]:
    """Line of each `contact.phones[i].number` of a district.yml or fund.yml -> whether it is declared public."""
    contact = doc.data.get("contact") if isinstance(doc.data, dict) else None
    phones = contact.get("phones") if isinstance(contact, dict) else None
    if not isinstance(phones, list):
        return {}
    return {doc.line(("contact", "phones", i, "number")): p.get("public") is True
            for i, p in enumerate(phones) if isinstance(p, dict) and "number" in p}


def _holds(folder: Path, codes: frozenset[str]) -> bool:
    """Is the fund of this folder one the ledger with `codes` holds (by its fund.yml, read raw:
    its ledger code, else its code, else the folder's name; and the accounts it maps)?"""
    doc = _read(folder / "fund.yml", []) if (folder / "fund.yml").is_file() else None
    data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    code = data.get("ledger_code") or data.get("code")
    return folder.name in codes or _claims(code if isinstance(code, str) else folder.name, _names(data.get("accounts")), codes)


_FUNDS: dict[str, tuple[yamlsrc.YamlDoc, Fund | None, list[FundError]]] = {}


def _fund_of(doc: yamlsrc.YamlDoc) -> tuple[Fund | None, list[FundError]]:
    """`_parse` of a fund.yml, kept while `_read` gives the same document: a fund loaded alone
    reads every fund.yml of the district (to know the tree), and a process loading 100 funds in
    turn parsed 100 x 200 of them. The model is frozen: one object may serve every load."""
    hit = _FUNDS.get(str(doc.path))
    if hit is not None and hit[0] is doc:
        return hit[1], list(hit[2])
    fund, errs = _parse(doc, Fund, doc.data)
    _FUNDS[str(doc.path)] = (doc, fund, errs)
    return fund, list(errs)


def load_config(root: Path) -> tuple[Config, list[FundError]]:
    errors: list[FundError] = []
    path = root / CONFIG_NAME
    if not path.is_file():
        return Config(), errors
    doc = _read(path, errors)
    if doc is None:
        return Config(), errors
    config, errs = _parse(doc, Config, doc.data if doc.data is not None else {})
    errors.extend(errs)
    return config or Config(), errors


def _load_fund(
    folder: Path, config: Config, errors: list[FundError], codes: frozenset[str] | None
) -> FundContent | None:
    path = folder / "fund.yml"
    doc = _read(path, errors, config.limits)
    if doc is None:
        return None
    fund, errs = _fund_of(doc)
    errors.extend(errs)
    if fund is None:
        return None
    if fund.code != folder.name:
        errors.append(error(meta(str(path), doc.line(("code",))), "SL703", f"基金代码 {fund.code} 与目录名 {folder.name} 不一致"))
    fc = FundContent(fund, path, parent_line=doc.line(("parent",)), mapped=_mapped(fund, doc),
                     code_line=doc.line(("ledger_code",) if fund.ledger_code else ("code",)), cutover_line=doc.line(("cutover",)),
                     annual_lines={r.year: meta(str(path), doc.line(("annual_reports", i))) for i, r in enumerate(fund.annual_reports)})
    if codes is not None and not _claims(fund.account_code, _names(fund.accounts), codes):
        return fc
    here = meta(str(path), doc.line(("accounts",)))
    for acct, name in fund.accounts.sources.items():
        if name not in config.source_by_name():
            errors.append(error(here, "SL703", f"科目 {acct} 映射到未配置的收入来源“{name}”"))
    for acct, name in fund.accounts.categories.items():
        if name not in {c.name for c in config.categories}:
            errors.append(error(here, "SL703", f"科目 {acct} 映射到未配置的支出类别“{name}”"))

    ppath = folder / "partners.yml"
    if ppath.is_file() and (pdoc := _read(ppath, errors, config.limits)) is not None:
        items = pdoc.data or []
        if not isinstance(items, list):
            errors.append(error(meta(str(ppath), 1), "SL702", "partners.yml 应为合作方列表"))
            items = []
        for i, item in enumerate(items):
            partner, errs = _parse(pdoc, Partner, item, (i,))
            errors.extend(errs)
            if partner is None:
                continue
            src = meta(str(ppath), pdoc.line((i,)))
            if partner.id in fc.partners:
                errors.append(error(src, "SL704", f"合作方编号 {partner.id} 重复"))
            fc.partners[partner.id] = partner
            fc.where[partner.id] = src

    pdir = folder / "projects"
    if pdir.is_dir():
        for ypath in sorted(pdir.glob("*.yml")):
            ydoc = _read(ypath, errors, config.limits)
            if ydoc is None:
                continue
            project, errs = _parse(ydoc, Project, ydoc.data)
            errors.extend(errs)
            if project is None:
                continue
            src = meta(str(ypath), ydoc.line(("id",)))
            if project.id in fc.projects:
                errors.append(error(src, "SL704", f"项目编号 {project.id} 重复"))
                continue
            fc.projects[project.id] = project
            fc.where[project.id] = src
            for i in range(len(project.reports)):
                for key in ("", *REPORT_KEYS):
                    fc.report_lines[(project.id, i, key)] = meta(str(ypath), ydoc.line(("reports", i, *((key,) if key else ()))))
            _check_project_refs(project, fc, config, ydoc, errors)
    return fc


def _mapped(fund: Fund, doc: yamlsrc.YamlDoc) -> list[tuple[str, dict[str, Any]]]:
    amap, where = fund.accounts, str(doc.path)
    out = [(a, meta(where, doc.line(("accounts", "bank", i)))) for i, a in enumerate(amap.bank)]
    out += [(a, meta(where, doc.line(("accounts", "sources", a)))) for a in amap.sources]
    out += [(a, meta(where, doc.line(("accounts", "categories", a)))) for a in amap.categories]
    out += [(a, meta(where, doc.line(("accounts", "other", i)))) for i, a in enumerate(amap.other)]
    return out


def _claims(code: str, accounts: list[str], codes: frozenset[str]) -> bool:
    """Does a ledger whose accounts have these second components (see rules/context.py) hold this fund?
    Adopted books keep their own names (`Assets:Bank:ICBC`), mapped in `accounts:`."""
    return code in codes or any(len(parts := a.split(":")) > 1 and parts[1] in codes for a in accounts)


def _names(amap: Any) -> list[str]:
    """The accounts a fund.yml `accounts:` maps (as read: a model or the raw YAML)."""
    if isinstance(amap, AccountMap):
        return [*amap.bank, *amap.sources, *amap.categories, *amap.other]
    if not isinstance(amap, dict):
        return []
    out: list[str] = []
    for key in ("bank", "sources", "categories", "other"):
        value = amap.get(key)
        out += [str(a) for a in value] if isinstance(value, (list, dict)) else []
    return out


def _at(src: dict[str, Any], root: Path) -> str:
    path = Path(src["filename"])
    try:
        path = path.relative_to(root)
    except ValueError:
        pass
    return f"{path.as_posix()}:{src['lineno']}"


def check_mappings(funds: dict[str, FundContent], root: Path) -> list[FundError]:
    """SL704: account names are global, so every account belongs to one fund.

    The classifier takes the longest mapped ancestor of an account, then the
    default names (`Assets:<CODE>:…`): an account mapped twice, a mapping that
    holds another fund's mapped account, or one inside another fund's default
    names would give that account (and its sub-accounts) to a fund its books
    never mention. Each is an error at both `fund.yml` lines.
    """
    errors: list[FundError] = []
    owner: dict[str, tuple[str, dict[str, Any]]] = {}  # account -> (fund, line) of its first mapping
    by_code = {fc.fund.account_code: fc for fc in funds.values()}
    for code, fc in funds.items():
        for account, src in fc.mapped:
            if account in owner:
                other, there = owner[account]
                what = "本基金已映射过" if other == code else f"基金 {other} 已映射"
                errors.append(error(src, "SL704", f"科目 {account} {what}（{_at(there, root)}）：一个科目只能属于一个基金，请删去其中一处"))
                if other != code:
                    errors.append(error(there, "SL704", f"科目 {account} 又被基金 {code} 映射（{_at(src, root)}）：一个科目只能属于一个基金，请删去其中一处"))
                continue
            owner[account] = (code, src)
            parts = account.split(":")
            holder = by_code.get(parts[1]) if len(parts) > 1 else None
            if holder is not None and holder is not fc:
                errors.append(error(src, "SL704", f"科目 {account} 属于基金 {holder.fund.code} 的账本代码 {parts[1]}"
                                                  f"（{_at(meta(str(holder.path), holder.code_line), root)}），映射到基金 {code} 会把它的科目划走：请改用本基金自己的科目名"))
    for account, (code, src) in owner.items():
        parts = account.split(":")
        for n in range(len(parts) - 1, 1, -1):  # a mapped ancestor of another fund holds this account's neighbours
            above = owner.get(":".join(parts[:n]))
            if above is not None and above[0] != code:
                wide = ":".join(parts[:n])
                errors.append(error(above[1], "SL704", f"科目 {wide} 的映射包含了基金 {code} 映射的 {account}（{_at(src, root)}）："
                                                       f"{wide} 下的其他科目会算作基金 {above[0]} 的；请只映射本基金用到的科目（如 {wide}:…）"))
                errors.append(error(src, "SL704", f"科目 {account} 在基金 {above[0]} 映射的 {wide} 之下（{_at(above[1], root)}）：请把那边的映射改成具体科目"))
                break
    return errors


def _check_project_refs(project: Project, fc: FundContent, config: Config, doc: yamlsrc.YamlDoc, errors: list[FundError]) -> None:
    def at(*loc: Any) -> dict[str, Any]:
        return meta(str(doc.path), doc.line(loc))

    if project.category not in {c.name for c in config.categories}:
        errors.append(error(at("category"), "SL703", f"项目 {project.id} 的类别“{project.category}”未在 sunledger.yml 中配置"))
    if project.partner is not None and project.partner not in fc.partners:
        errors.append(error(at("partner"), "SL703", f"项目 {project.id} 的承接方 {project.partner} 不在本基金合作方名单中"))
    for name in project.funding:
        if name not in config.source_by_name():
            errors.append(error(at("funding", name), "SL703", f"项目 {project.id} 的资金计划含未配置的来源“{name}”"))
    _check_photos(project, fc.path.parent, at, errors)


def _check_photos(project: Project, folder: Path, at: Any, errors: list[FundError]) -> None:
    """Outcome photos are published from content/funds/<CODE>/: each must be a readable file there
    (SL803) in a format that carries no script (SL804), so a clean check means the build copies it."""
    for i, outcome in enumerate(project.outcomes):
        if not outcome.photo:
            continue
        here, shown = at("outcomes", i, "photo"), f"项目 {project.id} 的照片 {outcome.photo}"
        if (why := media.place(folder, outcome.photo)) is not None:
            errors.append(error(here, "SL803", f"{shown} {why}（照片放在 content/funds/{folder.name}/ 下）"))
            continue
        try:
            if (why := media.refusal(folder / outcome.photo)) is not None:
                errors.append(error(here, "SL804", f"{shown} 不能公开：{why}"))
        except OSError as exc:
            errors.append(error(here, "SL803", f"{shown} 无法读取（{exc.strerror or exc}）"))


def _signature(paths: list[Path]) -> tuple:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), 0, 0))
    return tuple(out)


_CACHE: dict[tuple, Content] = {}


def _files(root: Path, codes: frozenset[str] | None) -> list[Path]:
    """The files a load reads: every fund.yml, but partners and projects only
    of the funds in `codes`, so one fund checked alone stays cheap."""
    files = [root / CONFIG_NAME, root / "content" / "district.yml"]
    fdir = root / "content" / "funds"
    if fdir.is_dir():
        for folder in sorted(fdir.iterdir()):
            if folder.is_dir():
                files.append(folder / "fund.yml")
                if codes is None or _holds(folder, codes):
                    files.append(folder / "partners.yml")
                    files.extend(sorted((folder / "projects").glob("*.yml")))
    return files


def load_content(root: Path, codes: frozenset[str] | None = None) -> Content:
    """All of `content/`, cached on file stats.

    `codes` (ledger codes) limits partners and projects to the funds a ledger
    holds, so a fund checked alone does not read the whole district.
    Each rule plugin asks for the content; inside one load they share one read.
    """
    root = Path(root).resolve()
    files = _files(root, codes)
    key = (str(root), codes, _signature(files))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    _CACHE.clear()
    content = _load(root, codes, files)
    _CACHE[key] = content
    return content


def _load(root: Path, codes: frozenset[str] | None, files: list[Path]) -> Content:
    config, errors = load_config(root)
    district = District()
    dpath = root / "content" / "district.yml"
    node_lines: dict[str, dict[str, Any]] = {}
    if dpath.is_file() and (ddoc := _read(dpath, errors, config.limits)) is not None:
        parsed, errs = _parse(ddoc, District, ddoc.data if ddoc.data is not None else {})
        errors.extend(errs)
        if parsed is not None:
            district = parsed
            for i, node in enumerate(district.nodes):
                src = meta(str(dpath), ddoc.line(("nodes", i)))
                if node.id in node_lines:
                    errors.append(error(src, "SL704", f"节点编号 {node.id} 重复"))
                node_lines[node.id] = src
            for node in district.nodes:
                if node.parent is not None and node.parent not in node_lines:
                    errors.append(error(node_lines[node.id], "SL703", f"节点 {node.id} 的上级 {node.parent} 不存在"))

    funds: dict[str, FundContent] = {}
    for path in files:
        if path.name != "fund.yml" or not path.is_file():
            continue
        fc = _load_fund(path.parent, config, errors, codes)
        if fc is not None:
            funds[fc.fund.code] = fc

    errors.extend(check_mappings(funds, root))
    project_owner: dict[str, str] = {}
    ledger_codes: dict[str, str] = {}
    for code, fc in funds.items():
        fund = fc.fund
        src = meta(str(fc.path), 1)
        if fund.parent is not None and fund.parent not in node_lines and fund.parent not in funds:
            errors.append(error(meta(str(fc.path), fc.parent_line), "SL703", f"基金 {code} 的上级 {fund.parent} 不在 content/district.yml 中"))
        other = ledger_codes.setdefault(fund.account_code, code)
        if other != code:
            errors.append(error(src, "SL704", f"基金 {code} 与 {other} 使用同一账本代码 {fund.account_code}"))
        for pid in fc.projects:
            owner = project_owner.setdefault(pid, code)
            if owner != code:
                errors.append(error(fc.where[pid], "SL704", f"项目编号 {pid} 与基金 {owner} 的项目重复"))
    return Content(root, config, district, funds, errors, [str(f) for f in files if f.is_file()])
