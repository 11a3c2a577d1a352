"""The treasurer's guide is tested as treasurers use it: every example must load.

All ```beancount blocks of the guide together form one small ledger (the
Guangming story plus the opens of a mapped fund); beancount itself must accept
it with no error, balance assertions included. Each ```yaml block starts with a
comment naming its file, and must validate against the content models. The
guide's error table must list every code DEVELOPING.md lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from beancount import loader

from sunledger.content.models import District, Fund, Partner, Project

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "content" / "guide" / "treasurer.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(GUIDE.read_text(encoding="utf-8")) if kind == lang]


def test_beancount_examples_form_one_valid_ledger():
    # plugin and include lines need the real district; the demo ledger tests them
    text = "\n".join(
        line
        for block in blocks("beancount")
        for line in block.splitlines()
        if not line.startswith(("plugin ", "include "))
    )
    entries, errors, _ = loader.load_string(text)
    assert not errors, "\n".join(f"{e.source.get('lineno')}: {e.message}" for e in errors)
    assert len(entries) > 20


MODELS = {"district.yml": District, "fund.yml": Fund, "partners.yml": Partner}


@pytest.mark.parametrize("block", blocks("yaml"), ids=lambda b: b.splitlines()[0].lstrip("# "))
def test_yaml_examples_validate(block: str):
    path = block.splitlines()[0].lstrip("# ").strip()
    assert path.startswith("content/"), f"a YAML example must start with '# content/…': {path}"
    data = yaml.safe_load(block)
    model = Project if "/projects/" in path else MODELS[Path(path).name]
    if model is Partner:
        ids = [Partner.model_validate(item).id for item in data]
        assert len(ids) == len(set(ids))
    else:
        item = model.model_validate(data)
        if model in (Fund, Project):
            assert Path(path).stem == (item.id if model is Project else "fund")


def test_error_table_lists_every_code():
    developing = (ROOT / "DEVELOPING.md").read_text(encoding="utf-8")
    table = developing.split("## Errors", 1)[1]
    codes = set(re.findall(r"\b(?:SL|W)\d{3}\b", table))
    guide = GUIDE.read_text(encoding="utf-8")
    rows = {m for line in guide.splitlines() if line.startswith("| ") for m in re.findall(r"\b(?:SL|W)\d{3}\b", line.split("|")[1])}
    assert codes - rows == set(), "error codes missing from the guide's table"
