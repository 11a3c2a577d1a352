"""The last build's files left where they are when this build would write the same bytes there.

mkdocs empties the site folder before a build (not with --dirty) and writes every file
again. On a district's site that is tens of thousands of folders and files, and on a
disk where making a folder or a file costs a few hundred microseconds that was most of
a rebuild after a one-line edit. So, when the page cache is on:

1. `set_aside` (on_pre_build, before mkdocs empties the folder) moves the folder's
   entries into a hidden folder, which mkdocs leaves alone as it leaves every hidden
   entry, and `take_back` (on_files, after) moves them back: a rename per entry.
2. `reconcile` (end of on_files, before anything is written) walks what is there. A
   file is kept only where this build writes it and it already holds what would be
   written: a hard link to the very blob of the page cache that would be linked there
   (the same inode: the same bytes, blobs are never written in place), or a file of
   its own holding the same bytes as a file the plugin writes. Everything else is
   removed, so no file of an earlier build survives that a clean build does not write,
   and no file that mkdocs writes in place can share its bytes with the cache.
3. `prune` (on_post_build) removes the folders left empty.

The output is therefore the clean build's, file for file; the incremental tests hold
it to one byte for byte.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ASIDE = ".sunledger-last-build"


def set_aside(site: Path) -> bool:
    """Move the entries of `site` mkdocs would remove into `site/ASIDE`; whether there were any."""
    aside = site / ASIDE
    if aside.exists() or aside.is_symlink():  # left by a build that failed in between
        _remove(aside)
    try:
        entries = [e for e in os.listdir(site) if not e.startswith(".")]
    except OSError:
        return False
    if not entries:
        return False
    os.mkdir(aside)
    for e in entries:
        os.rename(site / e, aside / e)
    return True


def take_back(site: Path) -> None:
    """Put back what `set_aside` moved (mkdocs has emptied the folder since)."""
    aside = site / ASIDE
    if not aside.is_dir():
        return
    for e in os.listdir(aside):
        if os.path.lexists(site / e):  # nothing is written before on_files; a stray entry goes
            _remove(aside / e)
        else:
            os.rename(aside / e, site / e)
    os.rmdir(aside)


@dataclass
class Kept:
    files: set[str] = field(default_factory=set)  # site paths left as they are
    emptied: list[str] = field(default_factory=list)  # folders nothing was kept in, deepest first
    removed: int = 0


def reconcile(site: Path, links: dict[str, str], contents: dict[str, bytes],
              blobs: dict[str, os.stat_result] | None = None) -> Kept:
    """Keep the files of `site` at a path of `links` (site path -> the blob this build links there)
    that are that blob, and those at a path of `contents` (site path -> the bytes
    this build writes there) that are a file of their own holding those bytes; remove the rest.
    `blobs`: the blobs' stats as the page cache took them this build (others are taken here)."""
    kept = Kept()
    known = blobs or {}

    def walk(folder: str, rel: str) -> bool:
        """Whether anything under `folder` is kept."""
        any_kept = False
        with os.scandir(folder) as it:
            entries = list(it)
        for e in entries:
            if not rel and e.name.startswith("."):  # mkdocs leaves the folder's hidden entries alone
                any_kept = True
                continue
            path = f"{rel}{e.name}"
            if e.is_dir(follow_symlinks=False):
                if walk(e.path, path + "/"):
                    any_kept = True
                else:
                    kept.emptied.append(e.path)
                continue
            if _same(e, path, links, contents, known):
                kept.files.add(path)
                any_kept = True
            else:
                os.unlink(e.path)
                kept.removed += 1
        return any_kept

    if site.is_dir():
        walk(str(site), "")
    return kept


def _same(e: os.DirEntry, path: str, links: dict[str, str], contents: dict[str, bytes],
          blobs: dict[str, os.stat_result]) -> bool:
    if not e.is_file(follow_symlinks=False):
        return False
    blob = links.get(path)
    if blob is not None:
        try:
            return os.path.samestat(e.stat(follow_symlinks=False), blobs.get(blob) or os.stat(blob))
        except OSError:  # the blob is gone: linked (or copied) again
            return False
    data = contents.get(path)
    if data is None:
        return False
    st = e.stat(follow_symlinks=False)
    if st.st_nlink != 1 or st.st_size != len(data):
        return False  # a file sharing its bytes (with the cache) is never written into: made anew
    with open(e.path, "rb") as f:
        return f.read() == data


def prune(kept: Kept) -> None:
    """Remove the folders nothing was kept in, unless this build wrote into them."""
    for folder in kept.emptied:
        try:
            os.rmdir(folder)
        except OSError:
            pass


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass
