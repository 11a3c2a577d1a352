"""Garbage in, clear errors out: no input makes the checker print a traceback.

Besides small garbage: deep nesting (YAML `[`, `{`, `- - -`, block lists and
maps; ledger amounts in thousands of parentheses), huge scalars and lines, and
binary files (NUL bytes, invalid UTF-8, UTF-16 BOMs), in-process here; the
same kinds through every face (check -j 1/-j 2, bean-check, Fava, each a
process of its own) in tests/cli/test_inputs_cli.py."""

from __future__ import annotations

import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BIN

PIECES = [
    '2024-01-08 * "街道" "经费"\n  Assets:Test:Bank  100.00 CNY\n  Income:Test:Gov\n',
    '2024-01-20 * "食堂" "餐费"\n  project: "T-01"\n  Expenses:Test:Elderly  30.00 CNY\n  Assets:Test:Bank\n',
    '2024-02-01 balance Assets:Test:Bank 70.00 CNY\n',
    '2024-01-15 pad Assets:Test:Bank Equity:Test:Opening\n',
    '2024-02-05 custom "sunledger-seal" "Test" "2024-01" "abc"\n',
    '2024-02-05 custom "sunledger-seal" 12 TRUE\n',
    '2024-03-01 * "张三" "捐款"\n  purpose: "T-9"\n  Assets:Test:Bank  1 USD\n  Income:Test:Resident\n',
    '2024-03-02 * "超市" "分成"\n  merchant: "T-M01"\n  revenue: "abc"\n  period: 2024\n  Assets:Test:Bank  5.00 CNY\n  Income:Test:Merchant\n',
    '2024-03-03 * "x" "y"\n  source: 7\n  project: 2024-01-01\n  Expenses:Test:Elderly  -1.001 CNY\n  Assets:Test:Bank\n',
    'include "nowhere/*.beancount"\n',
    'plugin "sunledger.rules.seals" "root=../../.."\n',
    'option "operating_currency" "USD"\n',
    '2024-13-45 open Assets:Test:Bad\n',
]
GARBAGE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
LEDGER = st.lists(st.one_of(st.sampled_from(PIECES), GARBAGE), max_size=12).map("".join)
YAML = st.one_of(
    GARBAGE,
    st.sampled_from(
        [
            "id: T-01\ntitle: x\ncategory: 养老助老\nrequested: 2024-01-05\nbudget: -5\n",
            "id: T-01\nbudget: [1, 2]\nfunding: {政府拨: abc}\n",
            "&a [*a]\n",
            "id: T-01\ntitle: 食堂\ncategory: 养老助老\nrequested: 2024-99-01\nbudget: 1\napproved: 2024-01-01\n",
            "- 1\n- {id: 2}\n",
            "{",
            "!!python/object/apply:os.system ['echo hi']\n",
        ]
    ),
)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# big inputs cost a check each: fewer examples, hypothesis still varies kind and size
HOSTILE = settings(FAST, max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])

BINARY = st.one_of(
    st.binary(max_size=200),
    st.builds(bytes.__add__, st.sampled_from([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00", b"\xff", b"\x1b"]), st.binary(max_size=80)),
    st.text(max_size=40).map(lambda t: t.encode("utf-16")),
)
DEEP_YAML = st.one_of(
    st.builds(str.__mul__, st.sampled_from(["[", "{", "{a: ", "- ", "[{a: ", "- {a: [", "&x ["]), st.integers(0, 120_000)),
    st.integers(0, 400).map(lambda n: "".join(" " * (2 * i) + "-\n" for i in range(n))),
    st.integers(0, 400).map(lambda n: "".join(" " * i + "k:\n" for i in range(n))),
)
HUGE_YAML = st.builds(lambda n, c: "id: T-01\ndescription: " + c * n + "\n", st.integers(0, 1_200_000), st.sampled_from(["x", "长", "\\0", "'"]))
HOSTILE_YAML = st.one_of(DEEP_YAML.map(str.encode), HUGE_YAML.map(str.encode), BINARY)
YAML_FILES = ["content/funds/Test/projects/T-01.yml", "content/funds/Test/partners.yml", "content/funds/Test/fund.yml",
              "content/district.yml", "sunledger.yml"]

_EXPENSE = '2024-01-20 * "x" "y"\n  project: "T-01"\n  Expenses:Test:Elderly  {amount} CNY\n  Assets:Test:Bank\n'
DEEP_LEDGER = st.one_of(
    st.integers(0, 20_000).map(lambda n: _EXPENSE.format(amount="(" * n + "1" + ")" * n)),
    st.integers(0, 20_000).map(lambda n: _EXPENSE.format(amount="-" * n + "1")),
)
HUGE_LEDGER = st.one_of(
    st.integers(0, 6_000_000).map(lambda n: '2024-01-08 * "x" "' + "x" * n + '"\n'),
    st.integers(0, 120_000).map(lambda n: PIECES[0] * n),  # up to ~6 MB of honest lines
)
HOSTILE_LEDGER = st.one_of(DEEP_LEDGER.map(str.encode), HUGE_LEDGER.map(str.encode), BINARY)


def _no_crash(problems: list[str]) -> None:
    for line in problems:
        assert "Traceback" not in line
        assert "SL009" not in line, line  # an internal error of ours is a bug
        code = line.split(": ", 2)[1].split(" ", 1)[0]
        assert code.startswith(("SL", "W")), line


@FAST
@given(body=LEDGER)
def test_any_ledger_text(district, body):
    district.ledger(body)
    _no_crash(district.problems())


@FAST
@given(project=YAML, partners=YAML, fund=YAML)
def test_any_yaml(district, project, partners, fund):
    district.ledger(PIECES[0])
    district.write("content/funds/Test/projects/T-01.yml", project)
    district.write("content/funds/Test/partners.yml", partners)
    district.write("content/funds/Test/fund.yml", fund)
    _no_crash(district.problems())


@HOSTILE
@given(body=HOSTILE_LEDGER)
def test_deep_huge_and_binary_ledgers(district, body):
    district.ledger(PIECES[0])
    (district.root / "ledger/funds/Test/txns/hostile.beancount").write_bytes(body)
    _no_crash(district.problems())


@HOSTILE
@given(data=HOSTILE_YAML, where=st.sampled_from(YAML_FILES))
def test_deep_huge_and_binary_yaml(district, data, where):
    type(district)(district.root)  # the clean YAML files again: an earlier example's fund.yml would hide partners.yml
    district.ledger(PIECES[0])
    (district.root / where).write_bytes(data)
    problems = district.problems()
    _no_crash(problems)
    if len(data) > 1_000_000:
        assert any(p.startswith(f"{where}:1: SL010 ") for p in problems), problems


def test_binary_and_broken_files_through_the_cli(district):
    district.ledger(PIECES[0])
    (district.root / "ledger/funds/Test/txns/bin.beancount").write_bytes(b"\xff\xfe\x00garbage\x81\n")
    (district.root / "content/funds/Test/projects/T-01.yml").write_bytes(b"\xff\xfe\x00\x81")
    (district.root / "sunledger.yml").write_text("sources: 5\n", encoding="utf-8")
    out = subprocess.run([str(BIN / "sunledger"), "check", str(district.root)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert "sunledger.yml:1: SL702" in out.stdout
