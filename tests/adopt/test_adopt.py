"""`sunledger adopt`, run as a treasurer runs it (subprocesses), on two kinds of outside books:

- data/household/: a ledger kept with a public beancount household template (its own account
  names, 粮油卡 cards held at cost in the commodity LYK, `booking_method` FIFO, split in files);
- data/converter/: the output of a bank-statement-to-beancount converter (accounts `X:HY:…`,
  its own metadata `source:` = the bank, `bank_ref:`, `counterparty:`, `remark:`, `!` flags).

Both are adopted unchanged into a new district, end to end to a clean `sunledger check`, a
seal and a built site; then copies of that district are broken one way each (no cut-over, no
metadata mapping, overlapping mappings, the booking option dropped) to see each message.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN

DATA = Path(__file__).parent / "data"
GUIDE = Path(__file__).resolve().parents[2] / "content" / "guide" / "treasurer.md"
HOUSEHOLD = DATA / "household" / "home.beancount"
CONVERTER = DATA / "converter" / "icbc-2024.beancount"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
AS_OF = "2025-02-05"

XF_PROJECT = """\
id: XF-2025-01
title: 春节困难户粮油卡
category: 困难帮扶
need: 困难户春节生活
requested: 2025-01-02
approved: {date: 2025-01-05, by: 居民议事会, ref: 幸议〔2025〕1号}
budget: "500.00"
funding: {政府拨: "500.00"}
"""
HY_PROJECT = """\
id: HY-2024-01
title: 楼道灯更换
category: 基础设施
need: 三个单元楼道灯坏了
requested: 2024-08-02
approved: {date: 2024-08-05, by: 小区议事会, ref: 华议〔2024〕3号}
budget: "1000.00"
funding: {社区筹: "1000.00"}
"""
# January after the cut-over, written by the treasurer in the old books' account names
XF_JANUARY = """
2025-01-10 * "困难户" "春节发放粮油卡 4 张"
  project: "XF-2025-01"
  Assets:Cards:LiangYou    -4 LYK {}
  Expenses:Aid:Cards        410.00 CNY

2025-01-20 * "创意市集" "一月义卖收入"
  Assets:Bank:ICBC          600.00 CNY
  Income:Salary

2025-02-01 balance Assets:Bank:ICBC 8790.00 CNY
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sunledger"), *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=ENV)


def check(root: Path) -> subprocess.CompletedProcess:
    return run("check", "--as-of", AS_OF, cwd=root)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fill(proposal: str, name: str, edits: dict[str, str]) -> str:
    """The treasurer's review of a proposal: the fields to fill, and the lines to change."""
    text = proposal.replace("name: 待填：基金名称", f"name: {name}").replace("level: 待填", "level: compound")
    text = text.replace("parent: 待填", "parent: jinshui")
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def adopted(tmp_path_factory) -> dict:
    """A new district with both books adopted and reviewed, step by step, and what each step printed."""
    base = tmp_path_factory.mktemp("adopt")
    root = base / "jinshui"
    assert run("init", str(root), "--name", "金水区社区基金", "--node", "jinshui", "--site-url", "https://jinshui.github.io/zhangben/", cwd=base).returncode == 0
    seen: dict = {"root": root, "base": base}
    before = tree(root)
    seen["dry_xf"] = run("adopt", "Xingfu", str(HOUSEHOLD), "--cutover", "2025-01-01", cwd=root)
    seen["dry_hy"] = run("adopt", "Huayuan", str(CONVERTER), "--cutover", "2024-08-01", "-o", str(base / "hy.yml"), cwd=root)
    seen["dry_wrote"] = tree(root) != before
    proposal = seen["dry_xf"].stdout.split("# ---- content/funds/Xingfu/fund.yml 建议 ----\n", 1)[1]
    seen["proposal_xf"] = proposal
    (base / "xf.yml").write_text(fill(proposal, "幸福里小区互助金", {
        '    # "Income:Salary": 待定': '    "Income:Salary": 社区筹',  # the market's takings, booked as "salary" by the template
        '    - "Expenses:Aid:Cards"': '    # Expenses:Aid:Cards 接入后还要用：见 categories',
        "  other:": '  categories:\n    "Expenses:Aid:Cards": 困难帮扶\n  other:',
    }), encoding="utf-8")
    seen["proposal_hy"] = (base / "hy.yml").read_text(encoding="utf-8")
    (base / "hy.yml").write_text(fill(seen["proposal_hy"], "华苑小区共享发展金", {
        '    # "Income:HY:Parking": 待定': '    "Income:HY:Parking": 社区筹',
        "  source: orig_source\n": "  source: orig_source\n  remark: project  # 附言里写的是项目编号\n",
    }), encoding="utf-8")
    seen["write_xf"] = run("adopt", "Xingfu", str(HOUSEHOLD), "--write", "--from", str(base / "xf.yml"), cwd=root)
    seen["write_hy"] = run("adopt", "Huayuan", str(CONVERTER), "--write", "--from", str(base / "hy.yml"), cwd=root)
    for code, text in (("Xingfu", XF_PROJECT), ("Huayuan", HY_PROJECT)):
        path = root / "content" / "funds" / code / "projects" / f"{yaml.safe_load(text)['id']}.yml"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    with open(root / "ledger/funds/Xingfu/txns/2025-01.beancount", "a", encoding="utf-8") as f:
        f.write(XF_JANUARY)
    seen["dropped"] = check(root)
    # what SL011 says to do: the option in main.beancount and every fund file; the books stay as they are
    for path in [root / "ledger/main.beancount", *sorted((root / "ledger/funds").glob("*/fund.beancount"))]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('option "operating_currency" "CNY"\n', 'option "operating_currency" "CNY"\noption "booking_method" "FIFO"\n'), encoding="utf-8")
    seen["seal_history"] = run("seal", "Huayuan", "2024-07", "--date", "2024-09-05", cwd=root)
    seen["seal"] = run("seal", "Huayuan", "2024-08", "--date", "2024-09-05", cwd=root)
    seen["clean"] = check(root)
    return seen


def copy(adopted, name: str) -> Path:
    root = adopted["base"] / name
    shutil.copytree(adopted["root"], root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(done: subprocess.CompletedProcess, code: str) -> list[str]:
    return [line for line in done.stdout.splitlines() if f" {code} " in line]


# ---------------------------------------------------------------- the dry run


def test_dry_run_maps_every_account_and_writes_nothing(adopted):
    done = adopted["dry_xf"]
    assert done.returncode == 0, done.stderr
    assert not adopted["dry_wrote"]
    lines = done.stdout
    assert re.search(r"Assets:Bank:ICBC +→ 银行账户", lines)
    assert re.search(r"Assets:Cards:LiangYou +→ 其他", lines)
    assert re.search(r"Income:Subsidy +→ 来源 政府拨", lines)
    assert re.search(r"Income:Salary +→ 还缺.*accounts.sources", lines)  # a template's name says nothing of the source
    assert re.search(r"Expenses:Food:Groceries +→ 其他.*只在接入日期 2025-01-01 之前用过", lines)
    todo = lines.split("还缺：\n", 1)[1]
    assert "Income:Salary" in todo
    assert 'option "booking_method" "FIFO" 加进 ledger/main.beancount 和每个基金的 fund.beancount' in todo


def test_proposal_is_a_fund_yml(adopted):
    xf = yaml.safe_load(adopted["proposal_xf"])
    assert xf["cutover"].isoformat() == "2025-01-01" and xf["opened"].isoformat() == "2024-01-01"
    assert xf["accounts"]["bank"] == ["Assets:Bank:ICBC"]
    assert "ledger_code" not in xf  # the household books share no second component
    hy = yaml.safe_load(adopted["proposal_hy"])
    assert hy["ledger_code"] == "HY" and hy["cutover"].isoformat() == "2024-08-01"
    assert hy["metadata"] == {"source": "orig_source"}  # the converter's bank name is not a fund source
    assert hy["accounts"]["categories"] == {"Expenses:HY:Repair": "基础设施"}  # used after the cut-over
    assert "Expenses:HY:Unknown" in hy["accounts"]["other"]  # history only: no category needed
    assert "fund.yml 建议已写入" in adopted["dry_hy"].stdout
    assert "元数据 source: 改读为 orig_source:（备注）；外来账本的 source:（如“工商银行”）" in adopted["dry_hy"].stdout


# ---------------------------------------------------------------- --write, end to end


def test_write_copies_the_books_unchanged(adopted):
    root = adopted["root"]
    for done in (adopted["write_xf"], adopted["write_hy"]):
        assert done.returncode == 0, done.stdout + done.stderr
    for rel in ("home.beancount", "2024/h1.beancount", "2024/h2.beancount"):
        assert (root / "ledger/funds/Xingfu/books" / rel).read_bytes() == (DATA / "household" / rel).read_bytes()
    assert (root / "ledger/funds/Huayuan/books/icbc-2024.beancount").read_bytes() == CONVERTER.read_bytes()
    entry = (root / "ledger/funds/Xingfu/fund.beancount").read_text(encoding="utf-8")
    assert 'include "books/home.beancount"' in entry and 'include "seals.beancount"' in entry
    main = (root / "ledger/main.beancount").read_text(encoding="utf-8")
    plugins = re.findall(r"^plugin .*$", main, re.M)
    assert re.findall(r"^plugin .*$", entry, re.M) == plugins  # scaffold's shared lines (SL011)
    assert "没有缺项" in adopted["write_hy"].stdout  # the reviewed fund.yml leaves nothing missing


def test_dropped_booking_option_is_SL011_at_its_line_with_what_to_do(adopted):
    done = adopted["dropped"]
    assert done.returncode == 1
    [sl011] = problems(done, "SL011")
    assert sl011.startswith("ledger/funds/Xingfu/books/home.beancount:4: SL011 ")
    assert 'option "booking_method" "FIFO" 加进 ledger/main.beancount 和每个基金的 fund.beancount' in sl011
    assert "外来的账本不用改" in sl011
    # without FIFO the cards' lots cannot be told apart: beancount's own error, at the entry
    assert any(line.startswith("ledger/funds/Xingfu/books/2024/h2.beancount:7: SL006 ") for line in done.stdout.splitlines())


def test_adopted_books_check_clean_and_seal(adopted):
    done = adopted["clean"]
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    assert adopted["seal"].returncode == 0, adopted["seal"].stderr
    refused = adopted["seal_history"]
    assert refused.returncode == 2 and "在基金 Huayuan 的接入日期 2024-08-01 之前" in refused.stderr
    root = adopted["root"]
    for ledger in ("ledger/main.beancount", "ledger/funds/Xingfu/fund.beancount", "ledger/funds/Huayuan/fund.beancount"):
        bc = subprocess.run([str(BIN / "bean-check"), ledger], cwd=root, capture_output=True, text=True, timeout=120)
        assert bc.returncode == 0, bc.stdout + bc.stderr
    serial = run("check", "--as-of", AS_OF, "-j", "1", cwd=root)
    assert serial.returncode == 0 and serial.stdout == "", serial.stdout


def test_opening_balance_by_source_at_the_cutover(adopted):
    """9,000.00 held at the cut-over (bank 8,190 + cash 180 + five cards at cost 630) split 5,000 : 1,200
    as the history's income came in; the cards used in January are costed FIFO (3 × 100 + 1 × 110)."""
    done = run("balances", "Xingfu", "--json", cwd=adopted["root"])
    assert done.returncode == 0, done.stderr
    rows = {r["source"]: r["total"] for r in yaml.safe_load(done.stdout)}
    assert rows == {"政府拨": "6848.06", "社区筹": "2341.94"}  # 7,258.06 − 410.00; 1,741.94 + 600.00
    hy = {r["source"]: r["total"] for r in yaml.safe_load(run("balances", "Huayuan", "--json", cwd=adopted["root"]).stdout)}
    assert hy == {"政府拨": "17471.10", "社区筹": "2462.40"}  # 19,043.50 split 20,000 : 1,800; + 1,750 − 860


def test_site_shows_history_as_one_opening(adopted, tmp_path):
    site = tmp_path / "site"
    build = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(site)], cwd=adopted["root"],
                           capture_output=True, text=True, timeout=300, env=ENV)
    assert build.returncode == 0, build.stderr[-3000:]
    page = re.sub(r"<[^>]+>", " ", (site / "funds/Xingfu/index.html").read_text(encoding="utf-8"))
    page = re.sub(r"\s+", " ", page)
    assert "期初结转 9,000.00 元" in page
    assert "政府拨 7,258.06 0.00 410.00 6,848.06" in page
    notices = sorted(p.parent.name for p in (site / "funds/Xingfu/notices").glob("*/index.html"))
    assert notices == ["2025-01"]  # no notice for the months before the cut-over
    with open(site / "downloads/Xingfu/transactions-2025.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["日期"], r["收支"], r["金额"], r["来源"]) for r in rows[:2]] == [
        ("2025-01-01", "期初结转", "7258.06", "政府拨"), ("2025-01-01", "期初结转", "1741.94", "社区筹")]
    assert not (site / "downloads/Xingfu/transactions-2024.csv").exists()
    hy = (site / "funds/Huayuan/index.html").read_text(encoding="utf-8")
    assert "工商银行" not in hy  # the converter's source: is a note, not a fund source


# ---------------------------------------------------------------- each piece fails without its setting


def test_without_cutover_history_needs_projects(adopted):
    root = copy(adopted, "no-cutover")
    edit(root / "content/funds/Xingfu/fund.yml", "cutover: 2025-01-01\n", "")
    done = check(root)
    assert done.returncode == 1
    assert any(line.startswith("ledger/funds/Xingfu/books/2024/h1.beancount:") for line in problems(done, "SL102"))
    assert problems(done, "SL111")  # Expenses:Food:* have no category
    hy = copy(adopted, "no-cutover-hy")
    edit(hy / "content/funds/Huayuan/fund.yml", "cutover: 2024-08-01\n", "")
    done = check(hy)
    assert problems(done, "W112") and problems(done, "W802")  # the converter's `!` and the repair without receipt
    assert any("2024-06" in line for line in problems(done, "W901"))


def test_without_metadata_mapping_the_bank_name_is_a_source(adopted):
    root = copy(adopted, "no-metadata")
    edit(root / "content/funds/Huayuan/fund.yml", "  source: orig_source\n", "")
    done = check(root)
    [sl106] = problems(done, "SL106")
    assert sl106.startswith("ledger/funds/Huayuan/books/icbc-2024.beancount:") and "工商银行" in sl106
    edit(root / "content/funds/Huayuan/fund.yml", "  remark: project  # 附言里写的是项目编号\n", "")
    edit(root / "content/funds/Huayuan/fund.yml", "metadata:", "# metadata:")
    assert problems(check(root), "SL102")  # the project number was in the remark


def test_account_mapped_by_two_funds_names_both_lines(adopted):
    root = copy(adopted, "twice")
    hy = root / "content/funds/Huayuan/fund.yml"
    edit(hy, '    - "Expenses:HY:Unknown"', '    - "Expenses:HY:Unknown"\n    - "Assets:Cash"')
    xf_line = next(i for i, line in enumerate((root / "content/funds/Xingfu/fund.yml").read_text(encoding="utf-8").splitlines(), 1)
                   if '"Assets:Cash"' in line)
    hy_line = next(i for i, line in enumerate(hy.read_text(encoding="utf-8").splitlines(), 1) if '"Assets:Cash"' in line)
    done = check(root)
    assert done.returncode == 1
    found = problems(done, "SL704")
    assert any(line.startswith(f"content/funds/Huayuan/fund.yml:{hy_line}: SL704 ") and f"content/funds/Xingfu/fund.yml:{xf_line}" in line
               for line in found), found
    assert any(line.startswith(f"content/funds/Xingfu/fund.yml:{xf_line}: SL704 ") and f"content/funds/Huayuan/fund.yml:{hy_line}" in line
               for line in found), found
    # the guide shows these two lines (section 十一): the same text, but for the line numbers
    shown = re.findall(r"^content/funds/\S+ SL704 .*$", GUIDE.read_text(encoding="utf-8"), re.M)
    assert len(shown) == 2 and {re.sub(r"\.yml:\d+", ".yml:N", line) for line in shown} == {re.sub(r"\.yml:\d+", ".yml:N", line) for line in found}


def test_mapping_that_captures_another_funds_accounts(adopted):
    root = copy(adopted, "captures")
    hy = root / "content/funds/Huayuan/fund.yml"
    edit(hy, '    - "Expenses:HY:Unknown"', '    - "Expenses:HY:Unknown"\n    - "Expenses:Food"')
    xf = root / "content/funds/Xingfu/fund.yml"
    edit(xf, '    - "Assets:Cash"', '    - "Assets:Cash"\n    - "Assets:HY:Cash"')
    done = check(root)
    found = problems(done, "SL704")
    wide = [line for line in found if line.startswith("content/funds/Huayuan/fund.yml:") and "Expenses:Food:" in line]
    assert wide and "content/funds/Xingfu/fund.yml:" in wide[0], found
    assert any(line.startswith("content/funds/Xingfu/fund.yml:") and "在基金 Huayuan 映射的 Expenses:Food 之下" in line for line in found)
    code_line = next(i for i, line in enumerate(hy.read_text(encoding="utf-8").splitlines(), 1) if line.startswith("ledger_code:"))
    assert any("Assets:HY:Cash 属于基金 Huayuan 的账本代码 HY" in line and f"content/funds/Huayuan/fund.yml:{code_line}" in line
               for line in found), found


def test_a_seal_of_a_history_month_is_SL402(adopted):
    root = copy(adopted, "history-seal")
    with open(root / "ledger/funds/Huayuan/seals.beancount", "a", encoding="utf-8") as f:
        f.write('2024-08-05 custom "sunledger-seal" "Huayuan" "2024-07" "0123456789abcdef0123456789abcdef"\n')
    [sl402] = problems(check(root), "SL402")
    assert "接入日期 2024-08-01 之前" in sl402


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("args, says", [
    (["Jia", str(HOUSEHOLD), "--write"], "--write 需要 --name、--level、--parent"),
    (["Jia", str(HOUSEHOLD), "--cutover", "2025-01-15"], "应为某月 1 日"),
    (["Jia", str(DATA)], "不是账本文件"),
    (["Xingfu", str(HOUSEHOLD), "--write", "--name", "x", "--level", "compound", "--parent", "jinshui"], "已经有了"),
])
def test_refusals_write_nothing(adopted, args, says):
    root = adopted["root"]
    before = tree(root)
    done = run("adopt", *args, cwd=root)
    assert done.returncode == 2 and says in done.stderr, done.stdout + done.stderr
    assert tree(root) == before


def test_books_reaching_outside_their_folder_are_refused(adopted, tmp_path):
    (tmp_path / "books").mkdir()
    (tmp_path / "shared.beancount").write_text("2024-01-01 open Assets:Cash CNY\n", encoding="utf-8")
    top = tmp_path / "books" / "main.beancount"
    top.write_text('include "../shared.beancount"\n', encoding="utf-8")
    done = run("adopt", "Jia", str(top), cwd=adopted["root"])
    assert done.returncode == 2 and "所在目录之外" in done.stderr


def test_the_guides_adopt_commands_are_the_cli():
    from sunledger.cli import parser

    section = GUIDE.read_text(encoding="utf-8").split("## 十一、", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^sunledger (adopt .*)$", section, re.M)
    assert len(commands) == 2
    for line in commands:
        args = parser().parse_args(line.split())
        assert args.code == "Xingfu" and args.cutover in (None, dt.date(2025, 1, 1))


def test_add_options_writes_the_booking_option_everywhere(adopted, tmp_path):
    """`--write --add-options`: the lines the books need go into main.beancount and every fund
    file (the new one and those already there), so the adopted books check clean unedited."""
    root = tmp_path / "d"
    assert run("init", str(root), "--name", "金水区社区基金", "--node", "jinshui", "--site-url", "https://jinshui.github.io/zhangben/", cwd=tmp_path).returncode == 0
    done = run("adopt", "Xingfu", str(HOUSEHOLD), "--write", "--add-options", "--from", str(adopted["base"] / "xf.yml"), cwd=root)
    assert done.returncode == 0, done.stderr
    path = root / "content/funds/Xingfu/projects" / f"{yaml.safe_load(XF_PROJECT)['id']}.yml"
    path.parent.mkdir(parents=True)
    path.write_text(XF_PROJECT, encoding="utf-8")
    with open(root / "ledger/funds/Xingfu/txns/2025-01.beancount", "a", encoding="utf-8") as f:
        f.write(XF_JANUARY)
    for ledger in ("ledger/main.beancount", "ledger/funds/Xingfu/fund.beancount"):
        assert 'option "booking_method" "FIFO"\n' in (root / ledger).read_text(encoding="utf-8"), ledger
    assert "已写入 ledger/main.beancount" in done.stdout
    checked = check(root)
    assert not problems(checked, "SL011") and not problems(checked, "SL006"), checked.stdout
    assert checked.returncode == 0, checked.stdout
    # a fund added later gets the same lines from main (SL011 holds for it too)
    assert run("new-fund", "Heping", "--name", "和平社区基金", "--level", "community", "--parent", "jinshui", cwd=root).returncode == 0
    assert 'option "booking_method" "FIFO"\n' in (root / "ledger/funds/Heping/fund.beancount").read_text(encoding="utf-8")
    assert check(root).returncode == 0
