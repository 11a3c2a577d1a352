"""Building again after an edit reuses what did not change, and writes the same bytes as a clean build.

The demo is built once (filling .sunledger-cache), then edited one kind of input
at a time: a ledger line, a project's YAML, a fund's YAML, the configuration
(sunledger.yml and mkdocs.yml), a photo. After each edit the site is built
with the cache and again without it, and the two trees must be equal file for
file, byte for byte. The build's own count of reused funds shows the cache was
used where it may be and not where it may not.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN, REPO, copy_demo

pytestmark = pytest.mark.skipif(not (REPO / "ledger" / "main.beancount").exists(), reason="demo ledger not generated")

ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
REUSED = re.compile(r"sunledger: (\d+) 个基金的页面沿用上次构建.*?(\d+) 个重新生成")


def _build(root: Path, out: Path) -> tuple[int, int]:
    """(funds reused, funds drawn) of one `mkdocs build --strict` of `root` into `out`."""
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(out)], cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    m = REUSED.search(done.stderr)
    assert m, done.stderr[-2000:]
    return int(m.group(1)), int(m.group(2))


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: Path, b: Path) -> list[str]:
    ta, tb = tree(a), tree(b)
    return sorted({*ta, *tb} - {k for k in ta if ta.get(k) == tb.get(k)})


def _clean_build(root: Path, out: Path) -> None:
    """A build from nothing: the cache moved aside, then put back as the incremental build left it."""
    cache, aside = root / ".sunledger-cache", root / ".cache-aside"
    shutil.move(cache, aside)
    try:
        assert _build(root, out)[0] == 0
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.move(aside, cache)


def _png(shade: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(bytes([0, shade, shade, shade]))
    ) + chunk(b"IEND", b"")


def _yaml_edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _ledger(root: Path) -> None:
    """One fund's books: a donation in its open month (the months before it are sealed)."""
    path = root / "ledger/funds/Guangming/txns/2026-11.beancount"
    path.write_text(path.read_text(encoding="utf-8") + (
        '\n2026-11-03 * "光明社区居民" "楼道爱心箱"\n'
        "  Assets:Guangming:Bank          86.50 CNY\n"
        "  Income:Guangming:Community    -86.50 CNY\n"), encoding="utf-8")


def _amount(root: Path) -> None:
    """One line of those books: the donation's amount, on both legs."""
    path = root / "ledger/funds/Guangming/txns/2026-11.beancount"
    path.write_text(path.read_text(encoding="utf-8").replace("86.50 CNY", "96.50 CNY"), encoding="utf-8")


def _project(root: Path) -> None:
    _yaml_edit(root / "content/funds/Guangming/projects/GM-2025-01.yml",
               lambda d: d["outcomes"].append({"metric": "回访家庭", "value": 30, "unit": "户"}))


def _fund(root: Path) -> None:
    _yaml_edit(root / "content/funds/Yuchan/fund.yml", lambda d: d.update(name=d["name"] + "（试点）"))


def _config(root: Path) -> None:
    path = root / "sunledger.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('large_expense: "10000.00"', 'large_expense: "12000.00"'),
                    encoding="utf-8")
    path = root / "mkdocs.yml"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"^site_name: (.*)$", r"site_name: \1（公开版）", text, count=1, flags=re.M)
    assert new != text
    path.write_text(new, encoding="utf-8")


def _photo_added(root: Path) -> None:
    folder = root / "content/funds/Tuanjiebeilu"
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "photos/after.png").write_bytes(_png(0xFF))
    path = sorted((folder / "projects").glob("*.yml"))[0]
    _yaml_edit(path, lambda d: d.update(outcomes=[*d.get("outcomes", []), {"text": "完工后", "photo": "photos/after.png"}]))


def _photo_replaced(root: Path) -> None:
    (root / "content/funds/Tuanjiebeilu/photos/after.png").write_bytes(_png(0x80))


def _guide(root: Path) -> None:
    """A hand-written page: Material indexes it itself, its Chinese cut by jieba (site/segments.py)."""
    path = root / "content/guide/treasurer.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n楼道照明改造的报销，先请居民议事会签字。\n", encoding="utf-8")


FUNDS = 3  # the demo's funds
# (edit, funds whose pages may be reused after it)
EDITS = [
    (_ledger, FUNDS - 1),  # one fund's books: the others reused
    (_amount, FUNDS - 1),
    (_project, FUNDS - 1),  # a project's YAML (its title unchanged): its fund drawn again
    (_photo_added, FUNDS - 1),
    (_photo_replaced, FUNDS - 1),
    (_fund, 0),  # a fund's name is in every page's nav: all drawn again
    (_config, 0),  # the district's configuration: all drawn again
    (_guide, 0),  # a hand-written page is in every page's nav: all drawn again
]


def test_each_kind_of_edit_builds_as_a_clean_build(tmp_path):
    """Each edit is built into the folder of the build before it, as `mkdocs build`, `serve` and `make
    site` do (the last build's files that stay the same are left in place: site/reuse.py), after files
    no build writes were put there: they must be gone."""
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    out = tmp_path / "out"
    first = _build(root, out)
    assert first == (0, FUNDS)
    first_tree = tree(out)
    again = _build(root, tmp_path / "again")  # nothing changed: every fund reused, the same bytes
    assert again == (FUNDS, 0)
    assert tree(tmp_path / "again") == first_tree
    (out / "stray.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (out / "funds/Guangming/old-notice").mkdir()
    (out / "funds/Guangming/old-notice/index.html").write_text("旧的", encoding="utf-8")
    (out / "funds/elsewhere").symlink_to(tmp_path / "again")
    feed = out / "feed.xml"  # a file the plugin writes, changed by hand: written again
    feed.write_bytes(feed.read_bytes().replace(b"<", b"<!-- -->", 1))
    for i, (edit, reused) in enumerate(EDITS):
        edit(root)
        clean = tmp_path / f"clean{i}"
        got = _build(root, out)
        _clean_build(root, clean)
        assert differences(out, clean) == [], edit.__name__
        assert got == (reused, FUNDS - reused), edit.__name__
        assert tree(out) != first_tree, f"{edit.__name__} changed nothing on the site"
    assert not [p for p in out.rglob("*") if p.is_symlink()]


def test_a_refused_build_remembers_nothing(tmp_path):
    """A refused build (here the phone number in a project's text) stores no page group."""
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    path = sorted((root / "content/funds/Guangming/projects").glob("*.yml"))[0]
    _yaml_edit(path, lambda d: d.update(need=d["need"] + " 联系 13812345678"))  # a phone number where it must not be
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(tmp_path / "out")], cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0
    assert not list((root / ".sunledger-cache" / "pages").glob("*.json"))


def test_a_content_file_may_not_take_the_place_of_a_cached_file(tmp_path):
    """A cached fund's files are placed by the plugin, outside mkdocs' Files: a hand-written file of
    content/ at one of their addresses is refused, as it is when the files are made anew."""
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    _build(root, tmp_path / "first")
    for uri in ("downloads/Guangming/annual_categories.csv", "funds/Guangming/notices/2025-01/index.html"):
        squatter = root / "content" / uri
        squatter.parent.mkdir(parents=True, exist_ok=True)
        squatter.write_text("不是账本生成的\n", encoding="utf-8")
        done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(tmp_path / "out")], cwd=root,
                              env=ENV, capture_output=True, text=True, timeout=600)
        assert done.returncode != 0 and f"content/{uri} 与生成的页面同名" in done.stderr, done.stderr[-2000:]
        reused = REUSED.search(done.stderr)
        assert reused and int(reused.group(1)) > 0, done.stderr[-2000:]  # the funds' files came from the cache
        squatter.unlink()


def test_a_dirty_build_cannot_write_into_the_page_cache(tmp_path):
    """`mkdocs build` links cached files into its site folder; a later `mkdocs build --dirty` into the
    same folder rewrites files in place. Were they still links, a dirty build that then failed would
    leave the cache holding the new bytes under the old key, and undoing the edit would publish them."""
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    out = tmp_path / "out"
    _build(root, out)
    _build(root, out)  # the second build links every reused file to its blob
    page = out / "funds/Guangming/notices/2025-01/index.html"
    assert page.stat().st_nlink > 1
    books = root / "ledger/funds/Guangming/txns/2026-11.beancount"
    original = books.read_bytes()
    _ledger(root)  # Guangming's pages change: the dirty build writes them anew
    leak = root / "content/guide/notes.txt"
    leak.write_text("值班电话 13812345678\n", encoding="utf-8")  # the output scan refuses the site, after the pages are written
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--dirty", "-d", str(out)], cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode != 0 and "SL501" in done.stderr, done.stderr[-2000:]
    books.write_bytes(original)  # the edit undone: the old key, the old group
    leak.unlink()
    again = tmp_path / "again"
    assert _build(root, again)[0] == FUNDS
    _clean_build(root, tmp_path / "clean")
    assert differences(again, tmp_path / "clean") == []


# Builds one after another in one process, as `mkdocs serve` rebuilds: each prints how many pickles it
# read from .sunledger-cache/site (parts.Store keeps what the process read while the file is unchanged).
SERVE_LIKE = """
import pickle, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from sunledger.site import parts

root, out, edits = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
loads = [0]
real = pickle.load
def counted(f, *a, **k):
    loads[0] += 1
    return real(f, *a, **k)
parts.pickle.load = counted
for edit in ["", *edits]:
    if edit:
        exec(edit)
    config = load_config(str(root / "mkdocs.yml"), site_dir=out)
    config.plugins.on_startup(command="serve", dirty=False)
    loads[0] = 0
    build(config)
    print("loads", loads[0], flush=True)
"""


def test_rebuilds_in_one_process_reuse_what_it_read_and_match_a_clean_build(tmp_path):
    """`mkdocs serve` keeps the parts and memos it read from the cache for its next rebuild (while
    their files are unchanged): after an edit of one fund, and after it is undone, the rebuild
    in the same process writes what a clean build writes, and reads fewer pickles than the first."""
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    _build(root, tmp_path / "first")  # the cache is filled; the process below starts from it
    out = tmp_path / "out"
    books = root / "ledger/funds/Guangming/txns/2026-11.beancount"
    original = books.read_text(encoding="utf-8")
    edit = (f"p = Path({str(books)!r}); p.write_text(p.read_text(encoding='utf-8') + "
            "'\\n2026-11-03 * \"光明社区居民\" \"楼道爱心箱\"\\n  Assets:Guangming:Bank  86.50 CNY\\n"
            "  Income:Guangming:Community  -86.50 CNY\\n', encoding='utf-8')")
    undo = f"Path({str(books)!r}).write_text({original!r}, encoding='utf-8')"
    done = subprocess.run([str(BIN / "python"), "-c", SERVE_LIKE, str(root), str(out), edit, undo], cwd=root,
                          env=ENV, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    first, edited, undone = (int(x) for x in re.findall(r"^loads (\d+)$", done.stdout, re.M))
    assert edited < first and undone < first, done.stdout
    _clean_build(root, tmp_path / "clean")  # of the books as they are again
    assert differences(out, tmp_path / "clean") == []


KEPT = re.compile(r"sunledger: 上次构建的 (\d+) 个文件原样留用，(\d+) 个删除后重写或不再发布")


def _kept(root: Path, out: Path) -> tuple[int, int]:
    """(files kept in place, files removed) of one more `mkdocs build` of `root` into `out`."""
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-v", "-d", str(out)], cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    m = KEPT.search(done.stderr)
    assert m, done.stderr[-2000:]
    return int(m.group(1)), int(m.group(2))


def test_pages_drawn_again_with_the_same_bytes_are_the_cached_blobs_and_stay_in_place(tmp_path):
    """A change that changes every group's key but no byte of its pages (a comment in mkdocs.yml;
    `mkdocs serve` drawing for its own address pages an earlier serve kept) draws every page again,
    and the page cache holds those bytes already: the written files become those very blobs, so the
    build after leaves them where they are instead of removing and linking thousands of files again."""
    root = copy_demo(tmp_path / "d", "mkdocs.yml")
    out = tmp_path / "out"
    _build(root, out)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# 同样的设置\n", encoding="utf-8")
    assert _build(root, out) == (0, FUNDS)  # every group drawn again, into the folder of the build before
    page = out / "funds/Guangming/notices/2025-01/index.html"
    blob = Path(root / ".sunledger-cache/pages/blobs") / hashlib.sha256(page.read_bytes()).hexdigest()[:2]
    assert page.stat().st_nlink > 1 and any(b.samefile(page) for b in blob.iterdir())
    after, steady = _kept(root, out), _kept(root, out)  # the second: nothing left to link again
    assert after == steady, (after, steady)  # (kept, removed): mkdocs' own pages are written anew each build
    _clean_build(root, tmp_path / "clean")
    assert differences(out, tmp_path / "clean") == []
