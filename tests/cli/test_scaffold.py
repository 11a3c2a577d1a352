"""`sunledger init` and `sunledger new-fund`, run as a treasurer runs them (subprocesses), end to end
to a clean check and a built site, and their refusals."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sunledger"), *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=ENV)


@pytest.fixture
def district(tmp_path: Path) -> Path:
    root = tmp_path / "jinshui"
    done = run("init", str(root), "--name", "金水区社区基金", "--node", "jinshui", "--site-url", "https://jinshui.github.io/zhangben/",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return root


def test_a_new_district_checks_and_builds(district):
    for name in ("sunledger.yml", "mkdocs.yml", "ledger/main.beancount", "content/district.yml", "README.md",
                 ".gitignore", "Makefile", ".github/workflows/publish.yml"):
        assert (district / name).is_file(), name
    assert "/site" in (district / ".gitignore").read_text(encoding="utf-8").split()
    workflow = yaml.safe_load((district / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = " ".join(str(s.get("run", s.get("uses", ""))) for s in workflow["jobs"]["build"]["steps"])
    assert "sunledger check" in steps and "mkdocs build --strict" in steps and "upload-pages-artifact" in steps
    assert "金水区社区基金" in (district / "README.md").read_text(encoding="utf-8")
    done = run("check", cwd=district)
    assert done.returncode == 0, done.stdout + done.stderr
    site = district.parent / "site-empty"
    build = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(site)], cwd=district,
                           capture_output=True, text=True, timeout=300, env=ENV)
    assert build.returncode == 0, build.stderr[-2000:]
    assert "金水区社区基金" in (site / "index.html").read_text(encoding="utf-8")


def test_a_new_fund_is_clean_in_every_face_and_publishes(district):
    done = run("new-fund", "Huayuan", "--name", "华苑小区共享发展金", "--level", "compound", "--parent", "jinshui",
               "--opened", "2024-01-01", "--kind", "小区共享发展金", cwd=district)
    assert done.returncode == 0, done.stderr
    fund = district / "ledger/funds/Huayuan"
    assert (fund / "seals.beancount").is_file() and (fund / "txns/2024-01.beancount").is_file()
    (fund / "txns/2024-01.beancount").write_text("""
2024-01-08 * "金水区民政局" "社区基金启动经费"
  Assets:Huayuan:Bank        5000.00 CNY
  Income:Huayuan:Gov

2024-02-01 balance Assets:Huayuan:Bank 5000.00 CNY
""", encoding="utf-8")
    done = run("check", "--as-of", "2024-02-05", cwd=district)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    for ledger in ("ledger/main.beancount", "ledger/funds/Huayuan/fund.beancount"):
        bc = subprocess.run([str(BIN / "bean-check"), ledger], cwd=district, capture_output=True, text=True, timeout=120)
        assert bc.returncode == 0, bc.stdout + bc.stderr
    seal = run("seal", "Huayuan", "2024-01", "--date", "2024-02-05", cwd=district)
    assert seal.returncode == 0, seal.stderr
    # the district's own Makefile, with this package instead of a fresh install
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    made = subprocess.run(["make", "site", f"BIN={BIN}"], cwd=district, capture_output=True, text=True, timeout=300, env=ENV)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    home = (district / "site" / "index.html").read_text(encoding="utf-8")
    assert "华苑小区共享发展金" in home
    assert "5,000.00" in (district / "site/funds/Huayuan/index.html").read_text(encoding="utf-8")


def test_a_fund_file_cannot_drift_from_main(district):
    run("new-fund", "Huayuan", "--name", "华苑小区共享发展金", "--level", "compound", "--parent", "jinshui", cwd=district)
    path = district / "ledger/funds/Huayuan/fund.beancount"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('plugin "sunledger.rules.privacy"\n', ""), encoding="utf-8")
    done = run("check", cwd=district)
    assert done.returncode == 1
    assert "ledger/funds/Huayuan/fund.beancount:" in done.stdout and " SL011 " in done.stdout, done.stdout


@pytest.mark.parametrize("args, says", [
    (["Huayuan", "--name", "x", "--level", "compound", "--parent", "nowhere"], "上级“nowhere”不在"),
    (["huayuan", "--name", "x", "--level", "compound", "--parent", "jinshui"], "须以大写字母开头"),
    (["Huayuan", "--name", "x", "--level", "village", "--parent", "jinshui"], "层级“village”"),
    (["Huayuan", "--name", "x", "--level", "compound", "--parent", "jinshui", "--opened", "2024-13-01"], "--opened"),
])
def test_new_fund_refusals_write_nothing(district, args, says):
    before = sorted(p for p in district.rglob("*"))
    done = run("new-fund", *args, cwd=district)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert sorted(p for p in district.rglob("*")) == before


def test_nothing_is_overwritten(district):
    assert run("new-fund", "Huayuan", "--name", "华苑", "--level", "compound", "--parent", "jinshui", cwd=district).returncode == 0
    again = run("new-fund", "Huayuan", "--name", "华苑", "--level", "compound", "--parent", "jinshui", cwd=district)
    assert again.returncode == 2 and "已经有了" in again.stderr
    twice = run("init", str(district), "--name", "另一个区", "--site-url", "https://jinshui.github.io/zhangben/", cwd=district.parent)
    assert twice.returncode == 2 and "已存在" in twice.stderr
    assert "金水区社区基金" in (district / "sunledger.yml").read_text(encoding="utf-8")


def test_hostile_names_stay_text(tmp_path):
    """A name with quotes, YAML syntax and HTML is written as a quoted string, read back as typed."""
    name = '金水"区\': #{{ x }} <b>'
    root = tmp_path / "d"
    assert run("init", str(root), "--name", name, "--site-url", "https://d.github.io/", cwd=tmp_path).returncode == 0
    assert yaml.safe_load((root / "content/district.yml").read_text(encoding="utf-8"))["name"] == name
    assert run("check", cwd=root).returncode == 0
    done = run("new-fund", "Huayuan", "--name", name, "--level", "compound", "--parent", "district", cwd=root)
    assert done.returncode == 0, done.stderr
    assert run("check", cwd=root).returncode == 0
