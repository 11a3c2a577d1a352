"""A clean inline ledger passes every rule in all faces."""

from conftest import CLEAN


def test_clean_ledger_has_no_problems(district):
    district.ledger(CLEAN)
    assert district.problems() == []
    out = district.check()
    assert out.returncode == 0, out.stdout + out.stderr
    bc = district.bean_check()
    assert bc.returncode == 0, bc.stdout + bc.stderr
