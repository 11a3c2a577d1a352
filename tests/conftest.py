"""Small districts built inline: a ledger text and a few YAML facts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from sunledger.rules import RULES

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 2, 5)  # "today" for inline ledgers, which live in January 2024
BIN = Path(sys.executable).parent

def copy_demo(root: Path, *extra: str) -> Path:
    """The demo district (ledger, content, sunledger.yml and `extra` files such as mkdocs.yml) under `root`.

    bean-check's pickle cache is left behind: it lists the repository's own files, so a copy
    that carried it would be read as the original, edits and all ignored.
    """
    for name in ("ledger", "content"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.picklecache"))
    for name in ("sunledger.yml", *extra):
        shutil.copy(REPO / name, root / name)
    return root


# The lines main.beancount and every fund file share: the package's rules, in its order (SL011).
HEADER = 'option "title" "测试基金"\noption "operating_currency" "CNY"\n' + "".join(
    f'plugin "sunledger.rules.{name}"\n' for name in RULES
)

OPENS = """\
2024-01-01 open Assets:Test:Bank CNY
2024-01-01 open Income:Test:Gov CNY
2024-01-01 open Income:Test:Community CNY
2024-01-01 open Income:Test:Enterprise CNY
2024-01-01 open Income:Test:Resident CNY
2024-01-01 open Income:Test:Merchant CNY
2024-01-01 open Expenses:Test:Elderly CNY
2024-01-01 open Expenses:Test:Infrastructure CNY
2024-01-01 open Equity:Test:Opening CNY
"""

# A clean month of the test fund: an income, an expense of project T-01, the balance assertion.
CLEAN = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov

2024-01-20 * "幸福食堂" "老年食堂一月餐费补贴"
  project: "T-01"
  Expenses:Test:Elderly    300.00 CNY
  Assets:Test:Bank

2024-02-01 balance Assets:Test:Bank 1700.00 CNY
"""

PROJECT = {
    "id": "T-01",
    "title": "老年食堂",
    "category": "养老助老",
    "need": "居民希望有老年食堂",
    "requested": "2024-01-05",
    "approved": {"date": "2024-01-10", "by": "居民议事会", "ref": "议〔2024〕1号"},
    "budget": "1000.00",
    "funding": {"政府拨": "1000.00"},
}

MERCHANT = {
    "id": "T-M01",
    "name": "便民超市",
    "kind": "商户",
    "contract": {"rate": "0.05", "start": "2024-01", "end": "2024-03"},
}


class District:
    """A one-fund district in a temp folder; `check()` runs the real CLI."""

    def __init__(self, root: Path):
        self.root = root
        (root / "sunledger.yml").write_text((REPO / "sunledger.yml").read_text(encoding="utf-8"), encoding="utf-8")
        self.write_yaml("content/district.yml", {"name": "测试区", "nodes": [{"id": "street", "name": "测试街道", "level": "street"}]})
        self.write_yaml(
            "content/funds/Test/fund.yml",
            {"code": "Test", "name": "测试社区基金", "level": "community", "parent": "street", "opened": "2024-01-01"},
        )
        self.write_yaml("content/funds/Test/partners.yml", [MERCHANT])
        self.project(PROJECT)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_yaml(self, rel: str, data) -> Path:
        return self.write(rel, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    def project(self, data: dict) -> Path:
        return self.write_yaml(f"content/funds/Test/projects/{data['id']}.yml", data)

    def ledger(self, body: str, opens: str = OPENS) -> Path:
        """Write main + fund file; `body` goes into txns/all.beancount. Returns that path."""
        self.write("ledger/main.beancount", HEADER + 'include "funds/*/fund.beancount"\n')
        self.write("ledger/funds/Test/fund.beancount", HEADER + opens + 'include "txns/*.beancount"\ninclude "seals.beancount"\n')
        self.write("ledger/funds/Test/seals.beancount", "")
        return self.write("ledger/funds/Test/txns/all.beancount", textwrap.dedent(body))

    def check(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "sunledger"), "check", str(self.root), "--as-of", str(AS_OF), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    def bean_check(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "bean-check"), str(self.root / "ledger" / "main.beancount")], capture_output=True, text=True, timeout=120
        )

    def problems(self, as_of: dt.date = AS_OF) -> list[str]:
        """Problems from the library in-process (fast), as printed lines.

        A fixed `as_of` keeps the disclosure calendar from depending on today.
        """
        from sunledger.check import check_root

        return [p.line(self.root) for p in check_root(self.root, jobs=1, as_of=as_of)]


@pytest.fixture
def district(tmp_path: Path) -> District:
    return District(tmp_path)
