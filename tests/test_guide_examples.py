"""The treasurer's guide is tested as treasurers use it: every example must load.

All ```beancount blocks of the guide together form one small ledger (the
Guangming story plus the opens of a mapped fund). Beancount alone must accept
it with no error, balance assertion included; and as a district with the
guide's YAML, the real rules and a real seal of March, `sunledger check` must
find no error. Each ```yaml block starts with a comment naming its file and
must validate against the content models. The guide's error table must list
every code DEVELOPING.md lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from beancount import loader

from sunledger.content.models import District, Fund, Partner, Project
from sunledger.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "content" / "guide" / "treasurer.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
FUND_FILE = re.compile(r"^; (ledger/funds/(\w+)/fund\.beancount)")
SEAL_LINE = re.compile(r'^\S+ custom "sunledger-seal" "(\w+)" "([\d-]+)".*$(?:\n[ \t]+\S.*$)*', re.M)  # with its metadata lines


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(GUIDE.read_text(encoding="utf-8")) if kind == lang]


def yaml_path(block: str) -> str:
    return block.splitlines()[0].lstrip("# ").strip()


def test_beancount_examples_form_one_valid_ledger():
    # include lines need the district's files and plugin lines its content: the next test has both
    text = "\n".join(
        line
        for block in blocks("beancount")
        for line in block.splitlines()
        if not line.startswith(("plugin ", "include "))
    )
    entries, errors, _ = loader.load_string(text)
    assert not errors, "\n".join(f"{e.source.get('lineno')}: {e.message}" for e in errors)
    assert len(entries) > 20


def test_guide_plugins_are_the_rules():
    fund_file = next(b for b in blocks("beancount") if FUND_FILE.match(b))
    assert re.findall(r'^plugin "sunledger\.rules\.(\w+)"', fund_file, re.M) == list(RULES)


def _district(root: Path) -> list[tuple[str, str]]:
    """Write the guide's examples as a district; return the seals it shows, to be made for real."""
    (root / "sunledger.yml").write_text((ROOT / "sunledger.yml").read_text(encoding="utf-8"), encoding="utf-8")
    for block in blocks("yaml"):
        path = root / yaml_path(block)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block, encoding="utf-8")
    seals: list[tuple[str, str]] = []
    txns: list[str] = []
    header = ""
    for block in blocks("beancount"):
        m = FUND_FILE.match(block)
        if m:
            path = root / m.group(1)
            path.parent.mkdir(parents=True, exist_ok=True)
            if "（节选）" in block.splitlines()[0] and "plugin " not in block:  # an excerpt: the shared lines are left out
                block = header + block
            path.write_text(block, encoding="utf-8")
            if "plugin " in block:
                header = "".join(line + "\n" for line in block.splitlines() if line.startswith(("option ", "plugin ")))
            continue
        seals += SEAL_LINE.findall(block)
        txns.append(SEAL_LINE.sub("", block))
    fund = root / "ledger" / "funds" / "Guangming"
    (fund / "txns").mkdir(parents=True, exist_ok=True)
    (fund / "txns" / "guide.beancount").write_text("\n".join(txns), encoding="utf-8")
    for receipt in re.findall(r'receipt: "([^"]+)"', "\n".join(txns)):  # the scans the guide refers to
        (fund / receipt).parent.mkdir(parents=True, exist_ok=True)
        (fund / receipt).write_bytes(b"%PDF-1.4\n")
    (fund / "seals.beancount").write_text("", encoding="utf-8")
    (root / "ledger" / "main.beancount").write_text(header + 'include "funds/*/fund.beancount"\n', encoding="utf-8")
    return seals


def test_guide_examples_pass_the_rules(tmp_path: Path):
    from sunledger.check import check_root
    from sunledger.sealing import seal_month

    seals = _district(tmp_path)
    assert seals == [("Guangming", "2025-03")]
    for code, month in seals:
        seal_month(tmp_path, code, month, "2025-04-05")
    problems = check_root(tmp_path, jobs=1)
    errors = [p.line(tmp_path) for p in problems if p.level == "error"]
    assert errors == []


MODELS = {"district.yml": District, "fund.yml": Fund, "partners.yml": Partner}


@pytest.mark.parametrize("block", blocks("yaml"), ids=yaml_path)
def test_yaml_examples_validate(block: str):
    path = yaml_path(block)
    assert path.startswith("content/"), f"a YAML example must start with '# content/…': {path}"
    data = yaml.safe_load(block)
    model = Project if "/projects/" in path else MODELS[Path(path).name]
    if model is Partner:
        ids = [Partner.model_validate(item).id for item in data]
        assert len(ids) == len(set(ids))
    elif model is Project:
        assert Project.model_validate(data).id == Path(path).stem
    else:
        model.model_validate(data)


def test_error_table_lists_every_code():
    developing = (ROOT / "DEVELOPING.md").read_text(encoding="utf-8")
    table = developing.split("## Errors", 1)[1]
    codes = set(re.findall(r"\b(?:SL|W)\d{3}\b", table))
    first_column = [line.split("|")[1] for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    listed = {code for cell in first_column for code in re.findall(r"\b(?:SL|W)\d{3}\b", cell)}
    assert codes - listed == set(), "error codes missing from the guide's table"
