"""`sunledger explain CODE`, run as a treasurer runs it, and the pointer to it at the end of every message."""

from __future__ import annotations

import subprocess

import pytest
from conftest import BIN, CLEAN

from sunledger.errors import codes


def explain(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sunledger"), "explain", *args], capture_output=True, text=True, timeout=60)


# a rule's error, one of beancount's own, a warning
@pytest.mark.parametrize("code", ["SL102", "SL002", "W302"])
def test_explains_in_chinese(code: str):
    done = explain(code)
    assert done.returncode == 0, done.stderr
    row = codes()[code]
    out = done.stdout
    assert out.startswith(f"{code}（{'提醒' if code[0] == 'W' else '错误'}）：{row.heading.zh}\n")
    assert f"为什么：{row.why.zh}" in out and f"怎么改：{row.fix.zh}" in out
    assert "\n例如：\n" in out and all(f"    {line}" in out for line in row.example.splitlines())


@pytest.mark.parametrize("code", ["SL102", "SL002", "W302"])
def test_explains_in_english(code: str):
    done = explain(code, "--lang", "en")
    assert done.returncode == 0, done.stderr
    row = codes()[code]
    assert done.stdout.startswith(f"{code} ({row.level}): {row.heading.en}\n")
    assert f"Why: {row.why.en}" in done.stdout and f"Fix: {row.fix.en}" in done.stdout and "Example:" in done.stdout
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in done.stdout.replace(row.example or "", ""))


def test_the_copyable_fix_is_the_line_to_write():
    out = explain("SL102").stdout
    assert '\n      project: "GM-2025-03"\n' in out  # indented as a metadata line under its transaction


def test_a_lower_case_code_is_found():
    assert explain("sl102").stdout == explain("SL102").stdout


def test_an_unknown_code_exits_2_with_the_close_ones():
    done = explain("SL1020")
    assert done.returncode == 2 and done.stdout == ""
    assert "没有代码“SL1020”" in done.stderr and "SL102（支出没有项目）" in done.stderr
    en = explain("W3020", "--lang", "en")
    assert en.returncode == 2 and 'no code "W3020"' in en.stderr and "W302 (month without a balance assertion)" in en.stderr


def test_without_a_code_every_code_is_listed():
    done = explain()
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == list(codes())


def test_check_and_bean_check_end_each_message_with_the_pointer(district):
    district.ledger(CLEAN.replace('  project: "T-01"\n', ""))  # an expense without a project: SL102
    checked = district.check()
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert lines and all(line.endswith(f"（sunledger explain {line.split(': ', 1)[1].split()[0]}）") for line in lines), lines
    assert any(": SL102 " in line for line in lines)
    bean = district.bean_check()
    assert bean.returncode == 1
    assert "SL102 支出 Expenses:Test:Elderly 没有注明项目（project:）（sunledger explain SL102）" in bean.stdout + bean.stderr


def test_beancount_s_own_error_gets_the_pointer_in_check(district):
    district.ledger(CLEAN.replace("2024-02-01 balance Assets:Test:Bank 1700.00 CNY", "2024-02-01 balance Assets:Test:Bank 1799.00 CNY"))
    (line,) = [p for p in district.check().stdout.splitlines() if ": SL002 " in p]
    assert line.endswith("（sunledger explain SL002）") and "金额不平或余额断言不符：" in line


def test_a_message_wrapped_again_keeps_one_pointer():
    from sunledger.errors import error, meta

    once = error(meta("x", 1), "SL009", "其他错误：坏了")
    again = error(meta("x", 1), "SL009", once.message.removeprefix("SL009 "))
    assert again.message == once.message == "SL009 其他错误：坏了（sunledger explain SL009）"


def test_the_readme_runs_nothing_from_an_activated_venv():
    """README's commands work from a fresh clone as written: make targets or `.venv/bin/…`, never a bare
    `sunledger`/`bean-check`/`fava`/`python -m sunledger` that only an activated virtualenv finds."""
    import re

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"`([^`\n]+)`", readme) + [line for block in re.findall(r"```bash\n(.*?)```", readme, re.S)
                                                      for line in block.splitlines()]
    # a command to type (`sunledger seal CODE YYYY-MM`, `bean-check ledger/…`), not the name of one (`sunledger check`)
    run = re.compile(r"(sunledger\s+[\w-]+|bean-check|fava|python3? -m sunledger\.\w+)\s+[^\s…]")
    bare = [c for c in commands if run.match(c.strip())]
    assert bare == []
    shown = re.search(r"`\.venv/bin/sunledger explain (SL\d{3})", readme).group(1)
    done = subprocess.run([str(REPO / ".venv" / "bin" / "sunledger"), "explain", shown], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith(shown), done.stderr
