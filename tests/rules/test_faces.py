"""Across the rules: Fava shows what `sunledger check` prints, and every documented code has a
broken ledger that raises it."""

from __future__ import annotations

import re

from conftest import OPENS, REPO

from . import test_attribution, test_bank, test_currency, test_merchants, test_privacy, test_projects, test_seals, test_sources
from .harness import INCOME, second_project  # noqa: F401 - fixture

MODULES = (test_attribution, test_bank, test_currency, test_merchants, test_privacy, test_projects, test_seals, test_sources)
CASES = {code: case for m in MODULES for code, case in m.CASES.items()}


def test_fava_shows_the_same_errors(second_project):  # noqa: F811 - the fixture
    """Every rule's error, all in one ledger: Fava's error list holds each line sunledger prints."""
    from fava.core import FavaLedger

    district = second_project
    body = INCOME + "".join(c.body.removeprefix(INCOME) for code, c in CASES.items() if c.opens == OPENS and code[0] == "S")
    district.ledger(body)
    ours = {p.split(": ", 1)[1] for p in district.problems() if " SL" in p and " SL00" not in p}
    assert len({m.split(" ", 1)[0] for m in ours}) >= 12
    fava = {str(e.message) for e in FavaLedger(str(district.root / "ledger" / "main.beancount")).errors}
    assert ours <= fava, ours - fava


def test_every_documented_code_has_a_failing_test():
    """A code in DEVELOPING.md's table that no test under tests/ asserts is a rule nobody has seen fail."""
    table = (REPO / "DEVELOPING.md").read_text(encoding="utf-8").split("| code | level |", 1)[1].split("\n\n", 1)[0]
    documented = set()
    for first, last in re.findall(r"^\| (SL\d{3}|W\d{3})(?:–(SL\d{3}|W\d{3}))?", table, re.M):
        documented.add(first)
        if last:  # a range such as SL001–SL009 or W901
            prefix = re.match(r"[A-Z]+", first).group(0)
            documented.update(f"{prefix}{n:03d}" for n in range(int(first[len(prefix):]), int(last[len(prefix):]) + 1))
    for row in re.findall(r"^\| ((?:SL|W)\d{3}(?: / (?:SL|W)\d{3})+)", table, re.M):
        documented.update(row.split(" / "))
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("test_*.py"))
    beancount_own = {f"SL00{n}" for n in range(1, 10)}  # beancount's errors, renamed: not our rules
    untested = sorted(c for c in documented - beancount_own if f'"{c}"' not in tests and f" {c} " not in tests)
    assert untested == [], untested
