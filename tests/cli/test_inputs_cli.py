"""Hostile files through every face at once: `sunledger check -j 1` and `-j 2`,
`bean-check` and Fava (each in its own process, so a segfault shows as a
signal), each giving coded `path:line` errors and nothing else."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

from PIL import Image

from conftest import AS_OF, BIN, CLEAN, HEADER, OPENS

FAVA = textwrap.dedent(
    """\
    import sys
    from fava.core import FavaLedger
    for e in FavaLedger(sys.argv[1]).errors:
        src = e.source or {}
        print(f"{src.get('filename')}:{src.get('lineno')}: {' '.join(str(e.message).split())}")
    """
)


def faces(district) -> dict[str, subprocess.CompletedProcess]:
    main = str(district.root / "ledger" / "main.beancount")
    run = {"timeout": 300, "capture_output": True, "text": True}
    return {
        "check -j 1": district.check("-j", "1"),
        "check -j 2": district.check("-j", "2"),
        "bean-check": subprocess.run([str(BIN / "bean-check"), main], **run),
        "fava": subprocess.run([sys.executable, "-c", FAVA, main], **run),
    }


def second_fund(district, code: str, body: str) -> None:
    """Another fund beside Test, so `-j 2` checks funds apart."""
    district.write_yaml(f"content/funds/{code}/fund.yml",
                        {"code": code, "name": f"{code}社区基金", "level": "community", "parent": "street", "opened": "2024-01-01"})
    district.write(f"ledger/funds/{code}/fund.beancount", HEADER + OPENS.replace(":Test:", f":{code}:") + 'include "txns/*.beancount"\n')
    district.write(f"ledger/funds/{code}/txns/2024-01.beancount", body)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def test_hostile_files_give_the_same_coded_lines_in_every_face(district, tmp_path):
    district.ledger(CLEAN.replace('  project: "T-01"\n', '  project: "T-01"\n  receipt: "receipts/r.svg"\n  receipt-public: TRUE\n')
                    + 'include "nowhere.beancount"\n')
    district.write("ledger/funds/Test/receipts/r.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    (district.root / "ledger/funds/Test/txns/bin.beancount").write_bytes(b"2024-01-09 open Assets:Test:Cash\n\x00\xff\xfe garbage\n")
    district.write("content/funds/Test/projects/T-02.yml", "[" * 100_000)  # libyaml's composer segfaulted on this
    (tmp_path / "outside.png").write_bytes(png())
    os.symlink(tmp_path / "outside.png", district.root / "content/funds/Test/lamp.png")
    district.project({**_project("T-03"), "outcomes": [{"text": "路灯修好了", "photo": "lamp.png"}]})
    second_fund(district, "Big", '2024-01-08 * "街道" "' + "长" * 2000 + '"\n  Assets:Big:Bank  1.00 CNY\n  Income:Big:Gov\n')
    expected = [
        "content/funds/Test/projects/T-02.yml:1: SL701",
        "content/funds/Test/projects/T-03.yml:13: SL803",
        "ledger/funds/Test/txns/all.beancount:7: SL804",
        "ledger/funds/Test/txns/all.beancount:13: SL004",
        "ledger/funds/Test/txns/bin.beancount:2: ",
        "ledger/funds/Big/txns/2024-01.beancount:1: SL010",
    ]
    for face, out in faces(district).items():
        text = out.stdout + out.stderr
        assert out.returncode == (0 if face == "fava" else 1), (face, out.returncode, text[-2000:])  # the script prints Fava's errors
        assert "Traceback" not in text and "BrokenProcessPool" not in text and "SL009" not in text, (face, text[-2000:])
        for line in expected:
            assert line in text, (face, line, text[-3000:])


def _project(pid: str) -> dict:
    return {"id": pid, "title": "路灯", "category": "基础设施", "requested": "2024-01-05",
            "approved": {"date": "2024-01-10", "by": "居民议事会"}, "budget": "100.00", "funding": {"政府拨": "100.00"}}


def test_a_worker_that_dies_is_named_and_the_other_funds_are_checked(district, tmp_path):
    """A fund whose process dies (here a plugin sends it SIGSEGV) is one error at its file; no BrokenProcessPool."""
    district.ledger(CLEAN.replace('  project: "T-01"\n', ""))  # SL102 in Test: still reported
    (tmp_path / "plugins").mkdir()
    # in every ledger file's plugin list (SL011 wants them equal), but it kills only the process loading Crash
    (tmp_path / "plugins/crashplugin.py").write_text(
        "import os, signal\n__plugins__ = ('crash',)\ndef crash(entries, options_map):\n"
        "    if 'Crash' in options_map['filename']:\n        os.kill(os.getpid(), signal.SIGSEGV)\n    return entries, []\n")
    second_fund(district, "Crash", "")
    for ledger in ("main.beancount", "funds/Test/fund.beancount", "funds/Crash/fund.beancount"):
        path = district.root / "ledger" / ledger
        path.write_text(path.read_text(encoding="utf-8").replace(HEADER, HEADER + 'plugin "crashplugin"\n'), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "plugins")}
    out = subprocess.run([str(BIN / "sunledger"), "check", str(district.root), "--as-of", str(AS_OF), "-j", "2"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "BrokenProcessPool" not in out.stdout + out.stderr
    assert "ledger/funds/Crash/fund.beancount:1: SL009 其他错误：基金 Crash 未能检查完：进程意外终止（信号 SIGSEGV）" in out.stdout
    assert "ledger/funds/Test/txns/all.beancount:6: SL102" in out.stdout


def test_check_is_linear_on_a_huge_file_and_a_huge_line(district):
    """Refused before beancount parses them: a 4 MB narration alone took beancount ~11 s, 50 MB many minutes."""
    district.ledger(CLEAN)
    second_fund(district, "Big", "")
    big = district.root / "ledger/funds/Big/txns"
    (big / "line.beancount").write_bytes(b'2024-01-08 * "x" "' + b"x" * 4_500_000 + b'"\n')
    honest = '2024-01-09 * "居民" "捐款"\n  Assets:Big:Bank  1.00 CNY\n  Income:Big:Gov\n\n'.encode()
    (big / "lines.beancount").write_bytes(honest * (6_000_000 // len(honest)))
    for jobs in ("1", "2"):  # bounded by district.check's timeout; the time itself is for scripts/bench.py --hostile
        out = district.check("-j", jobs)
        assert out.returncode == 1, (jobs, out.stdout + out.stderr)
        assert "ledger/funds/Big/txns/line.beancount:1: SL010 输入超过大小限制：第 1 行有 4,500,019 字节" in out.stdout
        assert "ledger/funds/Big/txns/lines.beancount:1: SL010 输入超过大小限制：文件有 " in out.stdout
        assert "SL009" not in out.stdout + out.stderr
