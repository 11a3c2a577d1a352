"""What `sunledger check` found last time, per fund, keyed by everything that finding read.

A fund's problems depend on its ledger folder (books, seals, receipts), the
files its ledger includes from elsewhere, its content folder (projects,
partners, photos), every fund.yml (account mappings and codes are
district-wide), district.yml, sunledger.yml, main.beancount (SL011 compares
the fund's option lines with it), the day the disclosure calendar is read on,
and the code that checks: this package's files, beancount's and Python's
versions. The key is a digest of all of their bytes, so an entry cannot be
stale: any change to an input is another key, and a miss. A district that
cannot be checked fund by fund is keyed as one, by every file under ledger/
and content/.

Kept in `.sunledger-cache/check/` at the district's root (in `.gitignore`):
one small JSON file per fund, replaced when its key changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import beancount

from . import readonce
from .config import CONFIG_NAME, Limits
from .errors import Problem
from .ledger import includes

FOLDER = ".sunledger-cache"
_VERSION = 2  # of the entry format and keys


@functools.cache
def code_digest(package: Path = Path(__file__).parent) -> str:
    """This package's files (rules, codes, configuration defaults), beancount's and Python's versions."""
    h = hashlib.sha256(f"{_VERSION}|{beancount.__version__}|{platform.python_version()}".encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def _files_under(folder: Path) -> tuple[list[str], set[str]]:
    """Every entry under `folder` but its folders, and which of them are symlinks (listed, not
    followed: a rule refuses them), from the listing alone: a fund's key reads thousands of files,
    and a stat of each to ask whether it is a link was a tenth of a warm check."""
    out: list[str] = []
    links: set[str] = set()

    def walk(top: str) -> None:
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError:  # as os.walk: a folder that cannot be listed lists nothing
            return
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                walk(e.path)
                continue
            out.append(e.path)
            if e.is_symlink():
                links.add(e.path)

    walk(str(folder))
    return out, links


def _digest(paths: Iterable[str], root: Path, salt: str, read: Callable[[str], bytes] = readonce.read,
            links: set[str] | None = None) -> str:
    """`links`: which of `paths` are symlinks, when the caller knows (else each is asked)."""
    h = hashlib.sha256(salt.encode())
    base = str(root) + os.sep
    for path in sorted(set(paths)):
        h.update(path.removeprefix(base).encode() + b"\0")
        try:
            if path in links if links is not None else os.path.islink(path):
                h.update(b"L" + os.readlink(path).encode())
            else:
                h.update(b"F" + read(path))
        except FileNotFoundError:
            h.update(b"-")  # named but absent (a missing receipt is part of the finding)
        except OSError as exc:
            h.update(f"E{exc.errno}".encode())
        h.update(b"\0")
    return h.hexdigest()


def shared_digest(root: Path, as_of: dt.date) -> str:
    """What every fund's check reads beside its own folders, read once per check: configuration,
    main.beancount (SL011), district.yml, every fund.yml (mappings and codes are district-wide),
    the day, and the code."""
    paths = [
        str(root / CONFIG_NAME),
        str(root / "ledger" / "main.beancount"),
        str(root / "content" / "district.yml"),
        *map(str, (root / "content" / "funds").glob("*/fund.yml")),
    ]
    return _digest(paths, root, f"{as_of.isoformat()}|{code_digest()}")


def folder_digest(folder: Path, root: Path, read: Callable[[str], bytes] = readonce.read) -> str:
    """Every file under `folder` (names, bytes, links)."""
    paths, links = _files_under(folder)
    return _digest(paths, root, "folder", read, links)


def fund_key(root: Path, fund_file: Path, shared: str, limits: Limits, folders: dict[Path, str] | None = None,
             read: Callable[[str], bytes] = readonce.read) -> str:
    """The key of one fund's check (`shared`: `shared_digest`): its ledger and content folders, and
    the files its ledger includes from elsewhere, found by the same scan the loader's size check
    makes (include lines and globs, no parse), so a file included from outside the fund's folder
    counts, and so does one a glob newly matches. `folders` keeps the folder digests made, for
    the caller that needs them again (`content_key`); `read` reads the ledger's files (a
    readonce.ReadOnce for a caller that reads them again)."""
    code = fund_file.parent.name
    folders = {} if folders is None else folders
    ledger, content = fund_file.parent, root / "content" / "funds" / code
    if ledger not in folders:
        folders[ledger] = folder_digest(ledger, root, read)
    if content not in folders:
        folders[content] = folder_digest(content, root)
    inside = str(ledger) + os.sep
    outside = [f for f in includes.scan(fund_file, limits, read=read).files if not str(f).startswith(inside)]
    return _digest(outside, root, f"fund|{code}|{shared}|{folders[ledger]}|{folders[content]}", read)


def content_key(root: Path, folders: dict[Path, str] | None = None) -> str:
    """The key of all of content/ as `load_content` reads it: configuration, district.yml, and every
    fund's content folder (photos too: the loader opens them)."""
    folders = {} if folders is None else folders
    funds = root / "content" / "funds"
    parts = []
    for folder in sorted(p for p in funds.iterdir() if p.is_dir()) if funds.is_dir() else []:
        if folder not in folders:
            folders[folder] = folder_digest(folder, root)
        parts.append(f"{folder.name}:{folders[folder]}")
    paths = [str(root / CONFIG_NAME), str(root / "content" / "district.yml")]
    return _digest(paths, root, f"content|{code_digest()}|{'|'.join(parts)}")


def whole_key(root: Path, as_of: dt.date) -> str:
    (ledger, in_ledger), (content, in_content) = _files_under(root / "ledger"), _files_under(root / "content")
    config = str(root / CONFIG_NAME)
    return _digest([config, *ledger, *content], root, f"whole|{as_of.isoformat()}|{code_digest()}",
                   links={*in_ledger, *in_content, *([config] if os.path.islink(config) else [])})


class Store:
    """One JSON entry per name (a fund's code, or "district") under `root/.sunledger-cache/check/`."""

    def __init__(self, root: Path):
        self.folder = Path(root) / FOLDER / "check"

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def get(self, name: str, key: str) -> tuple[list[Problem], bool] | None:
        """(problems, refused) stored under `key`, or None."""
        try:
            entry = json.loads(self._path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            return [Problem(**p) for p in entry["problems"]], bool(entry["refused"])
        except (KeyError, TypeError):
            return None

    def put(self, name: str, key: str, problems: list[Problem], refused: bool) -> None:
        """Written whole or not at all (a rename), so a check killed midway leaves no torn entry."""
        body = {"key": key, "refused": refused, "problems": [vars(p) for p in problems]}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(body, f, ensure_ascii=False)
            os.replace(tmp, self._path(name))
        except OSError:
            pass  # a read-only checkout still checks; it only does not remember
