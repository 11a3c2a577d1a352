"""SL701–SL704 (rules/content.py): problems of the YAML facts are reported through the ledger,
so bean-check and Fava name the same YAML line as `sunledger check`."""

from __future__ import annotations

import pytest

from .harness import codes
from conftest import CLEAN, PROJECT

BROKEN_YAML = {
    "SL701": ("content/funds/Test/partners.yml", "- id: T-M01\n  name: 便民超市\n kind: 商户\n", 3),  # kind is indented wrongly
    "SL702": ("content/funds/Test/projects/T-01.yml", None, "budget"),
    "SL703": ("content/funds/Test/fund.yml", None, "parent"),
}


@pytest.mark.parametrize("code", sorted(BROKEN_YAML))
def test_yaml_problems_in_every_face(district, code):
    district.ledger(CLEAN)
    rel, text, where = BROKEN_YAML[code]
    if code == "SL702":
        path = district.project({**PROJECT, "budget": "很多"})
    elif code == "SL703":
        path = district.write_yaml(rel, {"code": "Test", "name": "测试社区基金", "level": "community", "parent": "nowhere", "opened": "2024-01-01"})
    else:
        path = district.write(rel, text)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = where if isinstance(where, int) else next(i for i, t in enumerate(lines, 1) if t.startswith(f"{where}:"))
    expected = f"{rel}:{line}: {code} "
    found = codes(district.problems(), code)
    assert any(p.startswith(expected) for p in found), district.problems()
    bc = district.bean_check()
    assert bc.returncode == 1 and f":{line}: {code} " in bc.stdout + bc.stderr, bc.stdout + bc.stderr


def test_duplicate_project_id(district):
    district.ledger(CLEAN)
    district.write_yaml("content/funds/Test/projects/T-01-copy.yml", PROJECT)
    assert codes(district.problems(), "SL704")
