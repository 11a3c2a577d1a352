"""New districts and new funds, written by the tool so their shared lines cannot drift.

`district_files()` and `fund_files()` are pure: they return {relative path: text}
from the arguments and what the district already holds; `write()` puts them
on disk and never overwrites a file. The option and plugin lines of a new fund
are main.beancount's own (rule SL011 holds every fund file to them), the open
directives follow `sunledger.yml`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from . import __version__
from .config import ACCOUNT_COMPONENT, CONFIG_NAME, Config
from .content.models import ID, LEVEL_NAMES
from .rules import RULES
from .rules.options import read_lines
from .site import siteurl

SKELETON = Path(__file__).parent / "skeleton"
# skeleton file -> where it goes in a new district (files a package cannot ship under their own name)
LAYOUT = {
    "sunledger.yml": CONFIG_NAME,
    "mkdocs.yml": "mkdocs.yml",
    "ledger/main.beancount": "ledger/main.beancount",
    "content/district.yml": "content/district.yml",
    "content/index.md": "content/index.md",
    "README.md": "README.md",
    "Makefile": "Makefile",
    "gitignore": ".gitignore",
    "workflows/publish.yml": ".github/workflows/publish.yml",
}
FUNDS_INCLUDE = 'include "funds/*/fund.beancount"'


class ScaffoldError(Exception):
    """A refusal with its reason in Chinese; nothing has been written."""


def _yaml_scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML strings: quotes and escapes safe


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SKELETON), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701 - writes YAML/Markdown/Make, not HTML; values go through |yaml
    env.filters["yaml"] = _yaml_scalar
    return env


def header(title: str) -> str:
    """The option and plugin lines of a new district's main.beancount; its funds copy them (SL011)."""
    lines = [f"option \"title\" {_yaml_scalar(title)}", 'option "operating_currency" "CNY"']
    lines += [f'plugin "sunledger.rules.{name}"' for name in RULES]
    return "\n".join(lines) + "\n"


def _check_name(name: str, what: str) -> str:
    if not name.strip() or not name.isprintable():
        raise ScaffoldError(f"{what}的名称不能为空，也不能含换行或控制字符（--name）")
    return name.strip()


def district_files(name: str, *, site_url: str, node_id: str = "district", level: str = "district") -> dict[str, str]:
    name = _check_name(name, "区")
    if (why := siteurl.problem(site_url)) is not None:  # the build would refuse it: say so before writing anything
        raise ScaffoldError(why.replace("请在 mkdocs.yml 中把 site_url 设为", "请用 --site-url 给出"))
    site_url = site_url if site_url.endswith("/") else site_url + "/"
    if not re.match(ID, node_id):
        raise ScaffoldError(f"节点编号“{node_id}”只能用字母、数字、下划线和连字符（--node）")
    if level not in LEVEL_NAMES:
        raise ScaffoldError(f"层级“{level}”应为 {'、'.join(LEVEL_NAMES)} 之一（--level）")
    values = {"name": name, "node_id": node_id, "level": level, "site_url": site_url,
              "version": __version__, "header": header(name)}
    env = _env()
    return {target: env.get_template(src).render(**values) for src, target in LAYOUT.items()}


@dataclass(frozen=True)
class NewFund:
    code: str
    name: str
    level: str
    parent: str
    opened: dt.date
    kind: str = "社区基金"


def _known_parents(root: Path) -> set[str]:
    path = root / "content" / "district.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    nodes = {str(n.get("id")) for n in (data or {}).get("nodes", []) if isinstance(n, dict)}
    funds = {p.parent.name for p in (root / "content" / "funds").glob("*/fund.yml")}
    return nodes | funds


def refuse_new_fund(root: Path, fund: NewFund) -> None:
    """A ScaffoldError unless `fund` can be added to the district at `root` (nothing is written)."""
    _check_name(fund.name, "基金")
    if not re.match(ACCOUNT_COMPONENT, fund.code):
        raise ScaffoldError(f"基金代码“{fund.code}”须以大写字母开头，只用字母、数字和连字符（如 Guangming）")
    if fund.level not in LEVEL_NAMES:
        raise ScaffoldError(f"层级“{fund.level}”应为 {'、'.join(LEVEL_NAMES)} 之一（--level）")
    for taken in (root / "ledger" / "funds" / fund.code, root / "content" / "funds" / fund.code):
        if taken.exists():
            raise ScaffoldError(f"{taken.relative_to(root)} 已存在：基金 {fund.code} 已经有了")
    parents = _known_parents(root)
    if fund.parent not in parents:
        raise ScaffoldError(f"上级“{fund.parent}”不在 content/district.yml 中（可用：{'、'.join(sorted(parents)) or '无'}）")
    if not (root / "ledger" / "main.beancount").is_file():
        raise ScaffoldError(f"{root} 下没有 ledger/main.beancount：先运行 sunledger init")


def shared_lines(root: Path, fund: NewFund) -> list[str]:
    """The head of a fund's entry file: main.beancount's option and plugin lines (SL011), its own title."""
    shared = read_lines((root / "ledger" / "main.beancount").read_text(encoding="utf-8"))
    options = {k: v for k, (v, _) in shared.options.items() if k != "title"}
    lines = [f"; {fund.name}（{fund.code}）：可单独检查 bean-check ledger/funds/{fund.code}/fund.beancount",
             "; option 和 plugin 行与 ledger/main.beancount 相同（SL011），不要改", ""]
    lines += [f"option \"title\" {_yaml_scalar(fund.name)}"]
    lines += [f"option {json.dumps(k)} {json.dumps(v, ensure_ascii=False)}" for k, v in options.items()]
    lines += [f"plugin {json.dumps(m)}" + (f" {json.dumps(c, ensure_ascii=False)}" if c else "") for m, c, _ in shared.plugins]
    return lines


def with_funds_include(root: Path) -> dict[str, str]:
    """main.beancount with the funds' include, when it lacks it (the first fund: a glob that matches nothing is a load error)."""
    main_text = (root / "ledger" / "main.beancount").read_text(encoding="utf-8")
    if re.search(f"^{re.escape(FUNDS_INCLUDE)}", main_text, re.M):
        return {}
    return {"ledger/main.beancount": main_text.rstrip("\n") + "\n" + FUNDS_INCLUDE + "\n"}


def fund_files(root: Path, fund: NewFund, config: Config) -> dict[str, str]:
    refuse_new_fund(root, fund)
    lines = shared_lines(root, fund)
    day = fund.opened.isoformat()
    accounts = [(f"Assets:{fund.code}:Bank", "银行存款")]
    accounts += [(f"Income:{fund.code}:{s.account}", s.name) for s in config.sources]
    accounts += [(f"Expenses:{fund.code}:{c.account}", c.name) for c in config.categories]
    accounts += [(f"Equity:{fund.code}:Opening", "期初余额（每条分录写明 source:）")]
    width = max(len(a) for a, _ in accounts)
    lines += [""] + [f"{day} open {a:<{width}} {config.currency}  ; {zh}" for a, zh in accounts]
    lines += ["", 'include "txns/*.beancount"', 'include "seals.beancount"', ""]
    month = f"{fund.opened.year:04d}-{fund.opened.month:02d}"
    fund_yml = {"code": fund.code, "name": fund.name, "kind": fund.kind, "level": fund.level,
                "parent": fund.parent, "opened": fund.opened}
    files = {
        f"ledger/funds/{fund.code}/fund.beancount": "\n".join(lines),
        f"ledger/funds/{fund.code}/seals.beancount":
            f"; {fund.name} 的封账记录：公示后运行 sunledger seal {fund.code} YYYY-MM，不要手写\n",
        f"ledger/funds/{fund.code}/txns/{month}.beancount":
            f"; {fund.name} {fund.opened.year} 年 {fund.opened.month} 月的收支，一个月一个文件\n",
        f"content/funds/{fund.code}/fund.yml":
            f"# {fund.name}\n" + yaml.safe_dump(fund_yml, allow_unicode=True, sort_keys=False),
        f"content/funds/{fund.code}/partners.yml": "# 合作方：承接项目的组织、按合同分成的商户\n[]\n",
    }
    return {**files, **with_funds_include(root)}


def write(root: Path, files: Mapping[str, str | bytes], replace: frozenset[str] = frozenset({"ledger/main.beancount"})) -> list[Path]:
    """Write every file; refuses, before writing anything, if one of them exists (but those in `replace`)."""
    paths = [root / rel for rel in files]
    existing = [p for rel, p in zip(files, paths) if p.exists() and rel not in replace]
    if existing:
        raise ScaffoldError("这些文件已存在，没有覆盖：" + "、".join(str(p.relative_to(root)) for p in existing))
    for path, content in zip(paths, files.values()):
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):  # a file copied as it is (adopted books)
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return paths
