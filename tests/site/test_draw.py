"""The funds' pages drawn apart (site/draw.py): shares, and what a failing process reports."""

from __future__ import annotations

import os
import re
import signal

import pytest
from mkdocs.exceptions import PluginError

from sunledger.site import draw


def _works(sizes: dict[str, int]) -> list[draw.Work]:
    return [draw.Work(f"funds/{code}/p{i}/index.md", code, lambda: None) for code, n in sizes.items() for i in range(n)]  # type: ignore[arg-type,return-value]


def test_shares_keep_each_fund_whole_and_even():
    works = _works({"A": 50, "B": 30, "C": 25, "D": 5})
    shares = draw.shares(works, 2)
    assert sorted(len(s) for s in shares) == [55, 55]
    for s in shares:
        codes = {w.code for w in s}
        assert all(sum(1 for w in works if w.code == c) == sum(1 for w in s if w.code == c) for c in codes)
    assert sorted(w.src for s in shares for w in s) == sorted(w.src for w in works)
    assert draw.shares(works[:3], 4) == [works[:3]]  # never an empty share


def test_what_the_shares_found_comes_back():
    d = draw.Drawing()
    d.start(draw.shares(_works({"A": 2, "B": 1}), 2), lambda share: [f"{w.src}: SL501 含有手机号" for w in share])
    assert sorted(d.wait()) == [f"funds/{c}/p{i}/index.md: SL501 含有手机号" for c, i in (("A", 0), ("A", 1), ("B", 0))]


def test_a_share_that_fails_fails_the_build_with_its_reason(tmp_path):
    def fn(share):
        for w in share:
            if w.code == "B":
                raise PluginError(f"sunledger: {w.src} 中有内容安全策略不允许的内联脚本")
            (tmp_path / w.code).write_text("drawn")
        return []

    d = draw.Drawing()
    d.start(draw.shares(_works({"A": 2, "B": 1}), 2), fn)
    with pytest.raises(PluginError, match=re.escape("funds/B/p0/index.md 中有内容安全策略不允许的内联脚本")):
        d.wait()
    assert (tmp_path / "A").read_text() == "drawn"  # the other share was drawn to its end
    assert d.running == []


def test_a_process_that_dies_is_named():
    def fn(share):
        os.kill(os.getpid(), signal.SIGKILL)

    d = draw.Drawing()
    d.start([_works({"A": 1})], fn)
    with pytest.raises(PluginError, match="意外退出"):
        d.wait()


def test_stop_ends_the_processes():
    def fn(share):
        signal.pause()

    d = draw.Drawing()
    d.start([_works({"A": 1})], fn)
    procs = [p for p, _ in d.running]
    d.stop()
    assert all(not p.is_alive() for p in procs) and d.running == []
