"""One broken inline ledger per code, checked in every face.

Each `tests/rules/test_<rule>.py` lists the codes its rule module raises as
`CASES`; `assert_named` holds the library, `sunledger check` and bean-check to
the same file, line and code (warnings are reported by `sunledger check`
only, so bean-check must pass them).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import OPENS, PROJECT

INCOME = """\
2024-01-08 * "测试街道办事处" "年度工作经费"
  Assets:Test:Bank        2000.00 CNY
  Income:Test:Gov
"""


@dataclass(frozen=True)
class Broken:
    body: str  # the ledger after the opens
    marker: str  # text on the line the problem must name
    opens: str = OPENS  # the open directives (some cases open more, or fewer currencies)

    def line(self, text: str) -> int:
        return next(i for i, row in enumerate(text.splitlines(keepends=True), 1) if self.marker in row)


def codes(problems: list[str], code: str) -> list[str]:
    return [p for p in problems if f" {code} " in p]


def with_opens(extra: str) -> str:
    return OPENS + extra


@pytest.fixture
def second_project(district):
    """T-02 beside T-01: paid by 企业捐, for the cases that spend one project's money on another."""
    district.project({**PROJECT, "id": "T-02", "title": "路灯维修", "category": "基础设施", "funding": {"企业捐": "1000.00"}})
    return district


def assert_named(district, code: str, case: Broken) -> str:
    """The problem of `case` is `file:line: CODE …` in every face; returns the library's line."""
    path = district.ledger(case.body, opens=case.opens)
    expected = f"{path.relative_to(district.root)}:{case.line(path.read_text(encoding='utf-8'))}: {code} "
    problems = district.problems()
    ours = next((p for p in problems if p.startswith(expected)), None)
    assert ours is not None, f"want {expected!r} in:\n" + "\n".join(problems)

    out = district.check("--jobs", "1")
    assert expected in out.stdout, out.stdout + out.stderr
    bc = district.bean_check()
    if code.startswith("W"):
        assert out.returncode == 0, out.stdout
        assert code not in bc.stdout + bc.stderr
    else:
        assert out.returncode == 1
        assert bc.returncode == 1
        assert ours.split(": ", 1)[1] in bc.stdout + bc.stderr
    return ours
