"""Publish the site without a moment where it is missing or half made (`make site`).

    sunledger publish [--root DIR] [--keep N] [--no-check]
    sunledger publish --rollback

Each build goes into a folder of its own, `.site-builds/<UTC time>-<commit>/`,
with `mkdocs build --strict -d` (never into `site/` itself: mkdocs first empties
its site_dir, which would be the live build). `site` is a symlink to the build
being served, replaced in one rename(2): the new link is made under a temporary
name beside it and renamed onto `site`, so a reader (or a web server with
`root …/site;`, which follows the link on every request) finds either the whole
old build or the whole new one. A failed check or build leaves `site` where it
was and removes its own folder. The previous builds (`--keep`, default 2) stay
for `--rollback`; older ones are removed after the swap. The oldest of those
that this publish would remove is not removed but built over: the plugin keeps
its files that the new build writes as they are (site/reuse.py), so a one-line
edit does not make and remove a district's tens of thousands of folders again.
Should that build fail, the recycled folder is gone with it, one build further
back than `--keep` asks for.

A web server that resolved `site` once (a process started with its working
directory inside `site/`) keeps serving the old folder until it is restarted.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

BUILDS = ".site-builds"
SITE = "site"
KEEP = 2  # previous builds kept for rollback, besides the one served
_RENAME_EXCHANGE = 2  # linux/fs.h


class PublishError(RuntimeError):
    pass


def build_name(root: Path, now: dt.datetime | None = None) -> str:
    """A folder name that sorts by time: 20261201T203000123456Z-<short commit>."""
    now = now or dt.datetime.now(dt.UTC)
    commit = _git(root, "rev-parse", "--short", "HEAD") or "nogit"
    return f"{now:%Y%m%dT%H%M%S%fZ}-{commit}"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def served(root: Path) -> Path | None:
    """The build folder `site` points to (None when `site` is missing or a plain folder)."""
    site = root / SITE
    if not site.is_symlink():
        return None
    return (site.parent / os.readlink(site)).resolve()


def builds(root: Path) -> list[Path]:
    """Finished builds, oldest first (a folder being built has a dot name until it is complete)."""
    folder = root / BUILDS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def swap(root: Path, target: Path) -> None:
    """Point `site` at `target` in one rename; a plain `site/` folder of an older sunledger becomes a build.

    rename(2) replaces a symlink with a symlink atomically, but cannot put a symlink where a
    folder is. For that first run Linux's renameat2(RENAME_EXCHANGE) swaps the new link and the
    old folder in one step (the old folder then moves, under the link's temporary name, into
    .site-builds/ for rollback). Where the exchange is not available the folder is moved away
    first and the link follows right after: a window of two renames, on that first run only.
    """
    site = root / SITE
    link = root / f".{SITE}.new-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(os.path.relpath(target, root))  # relative: the district folder may move
    if site.is_symlink() or not site.exists():
        os.replace(link, site)
        return
    if not site.is_dir():
        link.unlink()
        raise PublishError(f"{site} 既不是文件夹也不是链接，未替换")
    # named to sort before every build made here, so that it is the oldest for rollback and pruning
    old = root / BUILDS / f"00000000T000000000000Z-{SITE}-before-publish-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}"
    if _exchange(link, site):
        os.rename(link, old)  # `link` now names the old folder
    else:
        os.rename(site, old)
        os.replace(link, site)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # old kernel or a filesystem without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def prune(root: Path, keep: int = KEEP) -> list[Path]:
    """Remove builds older than the `keep` before the one served; the removed folders."""
    current = served(root)
    done = builds(root)
    if current not in done:
        return []
    older = done[: done.index(current)]
    removed = older[: max(len(older) - keep, 0)]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def spare(root: Path, keep: int = KEEP) -> Path | None:
    """The oldest build that `prune` removes once a new build is served (never the one served now)."""
    current, done = served(root), builds(root)
    gone = done[: max(len(done) - keep, 0)]  # the new build is the newest: every other one is older
    return next((p for p in gone if p != current), None)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One publish at a time per district (two `make site` at once would race on the swap)."""
    (root / BUILDS).mkdir(exist_ok=True)
    with open(root / BUILDS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run(what: str, cmd: list[str], root: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if subprocess.run(cmd, cwd=root, env=env).returncode != 0:
        raise PublishError(f"{what}失败，网站保持上一次的版本")


def publish(root: Path, keep: int = KEEP, check: bool = True) -> Path:
    """Check, build into a new folder, swap `site` onto it, prune; the new build's folder."""
    root = root.resolve()
    with _locked(root):
        name = build_name(root)
        building = root / BUILDS / f".{name}"  # a dot name: not a build until it is complete
        final = root / BUILDS / name
        try:
            if check:
                _run("检查（sunledger check）", [sys.executable, "-m", "sunledger.cli", "check"], root)
            old = spare(root, keep)
            if old is not None:
                os.rename(old, building)
            _run("构建（mkdocs build）", [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(building)], root)
            if not (building / "index.html").is_file():
                raise PublishError(f"构建没有生成 {building.name}/index.html，网站保持上一次的版本")
            os.rename(building, final)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        swap(root, final)
        prune(root, keep)
        return final


def rollback(root: Path) -> Path:
    """Point `site` at the build before the one served."""
    root = root.resolve()
    with _locked(root):
        current, done = served(root), builds(root)
        earlier = done[: done.index(current)] if current in done else []
        if not earlier:
            raise PublishError("没有更早的构建可以回滚")
        swap(root, earlier[-1])
        return earlier[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sunledger publish", description="检查、构建并原子地替换 site（链接）")
    ap.add_argument("--root", type=Path, default=Path.cwd(), help="区的根目录（有 mkdocs.yml 和 sunledger.yml），默认当前目录")
    ap.add_argument("--keep", type=int, default=KEEP, help=f"保留几个以前的构建用于回滚（默认 {KEEP}）")
    ap.add_argument("--no-check", action="store_true", help="不先运行 sunledger check（mkdocs 构建仍会检查）")
    ap.add_argument("--rollback", action="store_true", help="把 site 指回上一次的构建")
    args = ap.parse_args(argv)
    try:
        if args.rollback:
            target = rollback(args.root)
            print(f"site → {BUILDS}/{target.name}（已回滚）")
        else:
            target = publish(args.root, keep=args.keep, check=not args.no_check)
            print(f"site → {BUILDS}/{target.name}")
    except PublishError as exc:
        print(f"sunledger publish: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
